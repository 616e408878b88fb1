"""Follow-up (suivi) pages: a closed campaign's propositions with their status, notes and
links; the earlier propositions a new campaign imported; what a proposition continues."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from motion import validation
from motion.errors import InvalidInput, MotionError
from motion.extensions import db
from motion.models import FollowUpStatus, Role
from motion.models._types import utcnow
from motion.services import followup, motions
from motion.views import facilitator_required, url_campaign
from motion.views.forms import EmptyForm, FollowUpForm, options, refuse, row_ids

bp = Blueprint("followup", __name__, url_prefix="/campagnes/<campaign_slug>/suivi")


def _is_facilitator() -> bool:
    return current_user.has_role(Role.FACILITATOR, Role.ADMIN)


@bp.get("")
@login_required
def index(campaign_slug: str):
    """A closed campaign's propositions by engagement, with their follow-up."""
    return _render_index(url_campaign())


def _followup_form(row, failed: tuple | None = None) -> FollowUpForm:
    """The follow-up form of a board row: the submitted one shown again (``failed``, with
    its errors and what was typed), else the row's status and today's date."""
    if failed is not None and failed[0] == row.proposition.id:
        return failed[1]
    form = FollowUpForm(
        formdata=None, status=row.status.value, noted_on=utcnow().date().isoformat()
    )
    return _with_choices(row_ids(form, row.proposition.id))


def _with_choices(form: FollowUpForm) -> FollowUpForm:
    form.status.choices = options((s.value, followup.status_label(s)) for s in FollowUpStatus)
    return form


def _render_index(campaign, *, failed: tuple | None = None, status: int = 200):
    return render_template(
        "followup/index.html",
        campaign=campaign,
        closed=followup.is_closed(campaign),
        motion=motions.get_motion(campaign),
        board=followup.followup_board(campaign),
        counts=followup.status_counts(campaign),
        statuses=list(FollowUpStatus),
        status_label=followup.status_label,
        facilitator=_is_facilitator(),
        followup_form=lambda row: _followup_form(row, failed),
        form_error=failed is not None,
    ), status


@bp.post("/propositions/<int:proposition_id>")
@facilitator_required
def update(campaign_slug: str, proposition_id: int):
    """Change a proposition's status, add a dated note or a link (one form)."""
    campaign = url_campaign()
    proposition = followup.get_proposition(campaign, proposition_id)
    form = _with_choices(row_ids(FollowUpForm(), proposition.id))
    try:
        done = followup.update_followup(
            proposition,
            status=form.status.data,
            note=form.note.data or "",
            noted_on=form.noted_on.data or "",
            url=form.url.data or "",
            link_title=form.link_title.data or "",
            actor=current_user,
        )
    except MotionError as error:
        # The page again, with what was typed in this proposition's form and the reason
        # beside its field.
        refuse(error, form, "status")
        return _render_index(campaign, failed=(proposition.id, form), status=error.status_code)
    db.session.commit()
    if done:
        flash(
            _(
                "Suivi de « %(title)s » enregistré : %(done)s.",
                title=proposition.title,
                done=", ".join(done),
            ),
            "success",
        )
    else:
        flash(_("Rien à enregistrer : le statut est inchangé et la note est vide."), "info")
    return redirect(url_for(".index", campaign_slug=campaign.slug, _anchor=f"p{proposition.id}"))


@bp.get("/anterieures")
@login_required
def earlier(campaign_slug: str):
    """The previous motion's propositions this campaign continues, and the import form."""
    campaign = url_campaign()
    rows = followup.earlier_propositions(campaign)
    source_ids = [r.source_proposition_id for r in rows if r.source_proposition_id]
    return render_template(
        "followup/earlier.html",
        campaign=campaign,
        rows=rows,
        followups=followup.followups_by_proposition(source_ids),
        status_label=followup.status_label,
        facilitator=_is_facilitator(),
        candidates=followup.candidate_previous_campaigns(campaign),
        suggested=followup.previous_campaign(campaign),
        form=EmptyForm(),
    )


@bp.post("/anterieures/importer")
@facilitator_required
def import_previous(campaign_slug: str):
    """Import the previous campaign's adopted propositions (twice adds nothing)."""
    campaign = url_campaign()
    try:
        source_id = validation.form_id("source")
        if source_id is None:
            raise InvalidInput(_("Choisissez la campagne précédente à importer."))
        source = followup.get_source_campaign(campaign, source_id)
        report = followup.import_previous_motion(campaign, source, actor=current_user)
    except MotionError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".earlier", campaign_slug=campaign.slug))
    db.session.commit()
    flash(followup.import_message(report), "warning" if report.unmapped else "success")
    return redirect(url_for(".earlier", campaign_slug=campaign.slug))


@bp.post("/propositions/<int:proposition_id>/prolonge")
@facilitator_required
def continues(campaign_slug: str, proposition_id: int):
    """Say which earlier proposition a proposition of this campaign continues (or none)."""
    campaign = url_campaign()
    proposition = motions.get_proposition(motions.require_motion(campaign), proposition_id)
    try:
        earlier = followup.set_proposition_continues(
            proposition, validation.form_id("earlier_id"), actor=current_user
        )
    except MotionError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(
            url_for("motions.edit", campaign_slug=campaign.slug, proposition_id=proposition.id)
        )
    db.session.commit()
    flash(
        followup.continuation_label(earlier, sentence=True)
        if earlier
        else _("Cette proposition ne prolonge plus de proposition antérieure."),
        "success",
    )
    return redirect(
        url_for("motions.proposition", campaign_slug=campaign.slug, proposition_id=proposition.id)
    )


@bp.app_context_processor
def _followup_helpers() -> dict:
    """Template helpers for the hooks in other pages (proposition, contribution, form)."""
    return {
        "earlier_propositions_of": followup.earlier_propositions,
        "proposition_continues": followup.continued_by_proposition,
        "contribution_continues": followup.continued_by_contribution,
        "continuation_label": followup.continuation_label,
        "campaign_closed": followup.is_closed,
    }
