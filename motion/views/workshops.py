"""Workshops: their contributions and the form to post one."""

from __future__ import annotations

import logging

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from motion import validation
from motion.errors import InvalidInput
from motion.extensions import db, limiter
from motion.services import campaigns, contributions, followup, similar, supports
from motion.views import past_the_last_page, url_campaign
from motion.views.forms import EmptyForm, PostForm, attach_error, new_client_key, options

logger = logging.getLogger(__name__)

bp = Blueprint("workshops", __name__, url_prefix="/campagnes/<campaign_slug>/ateliers")

PER_PAGE = 50


def posting_limit() -> str:
    return current_app.config["RATELIMIT_POSTING"]


def engagement_choices(campaign) -> list[tuple[int | None, str]]:
    choices: list[tuple[int | None, str]] = [(None, _("Je ne sais pas"))]
    if campaign.framework is not None:
        choices += [(e.id, f"{e.code} — {e.title}") for e in campaign.framework.engagements]
    return choices


def _render_show(campaign, workshop, form: PostForm, *, status: int = 200, error=None):
    page = validation.arg_page()
    rows, total = contributions.list_workshop_contributions(
        workshop, page=page, per_page=PER_PAGE
    )
    pages = max(1, -(-total // PER_PAGE))
    moved = past_the_last_page(page, pages)
    if moved is not None:
        return moved
    form.engagement.choices = options(engagement_choices(campaign))
    if not form.client_key.data:
        form.client_key.data = new_client_key()
    return render_template(
        "workshops/show.html",
        campaign=campaign,
        workshop=workshop,
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        member=campaigns.is_member(current_user, workshop),
        collect_open=campaigns.is_collect_open(campaign),
        supported=supports.supported_ids(current_user, [c.id for c, _n in rows]),
        form=form,
        form_error=error,
        join_form=EmptyForm(),
        button_form=EmptyForm(),
    ), status


@bp.get("/")
@login_required
def index(campaign_slug: str):
    """List the campaign's workshops, the user's own first."""
    campaign = url_campaign()
    mine = {w.id for w in current_user.workshops}
    return render_template(
        "workshops/index.html", campaign=campaign, mine=mine, join_form=EmptyForm()
    )


@bp.get("/<workshop_slug>")
@login_required
def show(campaign_slug: str, workshop_slug: str):
    """Show a workshop's published contributions and, to members, the posting form."""
    campaign = url_campaign()
    workshop = campaigns.get_workshop(campaign, workshop_slug)
    return _render_show(campaign, workshop, PostForm(formdata=None))


@bp.post("/<workshop_slug>/contributions")
@login_required
@limiter.shared_limit(posting_limit, scope="posting")
def post(campaign_slug: str, workshop_slug: str):
    """Publish a contribution in the workshop (once per form, whatever the retries)."""
    campaign = url_campaign()
    workshop = campaigns.get_workshop(campaign, workshop_slug)
    form = PostForm()
    form.engagement.choices = options(engagement_choices(campaign))
    try:
        contribution = contributions.post_contribution(
            current_user, workshop, form.text.data or "", title=form.title.data,
            engagement_id=form.engagement.data, client_key=form.client_key.data,
        )
        followup.set_contribution_continues(contribution, validation.form_id("earlier_id"))
    except InvalidInput as error:
        db.session.rollback()
        # Show the form again with what was typed, and the reason.
        return _render_show(campaign, workshop, form, status=400,
                            error=attach_error(form, error))
    db.session.commit()
    flash(_("Votre contribution est publiée. Merci !"), "success")
    _flash_near_duplicate(contribution)
    return redirect(url_for(".show", campaign_slug=campaign.slug, workshop_slug=workshop.slug,
                            _anchor=f"c{contribution.id}"))


def _flash_near_duplicate(contribution) -> None:
    """Tell the author when the idea just published rewords one already there."""
    try:
        found = similar.near_duplicate_of(contribution)
    except Exception:  # the post is saved: a failed check must not turn it into an error
        logger.exception("near-duplicate check failed for contribution %s", contribution.id)
        return
    if found is not None:
        flash(_("Une contribution très proche existait déjà dans l’atelier « %(name)s » : "
                "« %(excerpt)s ». Vous pouvez aussi la soutenir.",
                name=found.contribution.workshop.name,
                excerpt=similar.excerpt(found.contribution.text, 160)), "info")


@bp.post("/<workshop_slug>/rejoindre")
@login_required
def join(campaign_slug: str, workshop_slug: str):
    """Join an open workshop of a campaign one takes part in."""
    campaign = url_campaign()
    workshop = campaigns.get_workshop(campaign, workshop_slug)
    campaigns.join_workshop(current_user, workshop)
    db.session.commit()
    flash(_("Vous avez rejoint l’atelier « %(name)s ».", name=workshop.name), "success")
    return redirect(url_for(".show", campaign_slug=campaign.slug, workshop_slug=workshop.slug))
