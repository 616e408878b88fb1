"""A contribution's page: discussion, supports, reports, editing and withdrawal; search."""

from __future__ import annotations

from urllib.parse import urlparse

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from motion import validation
from motion.errors import Forbidden, InvalidInput
from motion.extensions import db, limiter
from motion.services import (
    campaigns,
    comments,
    contributions,
    moderation,
    search,
    similar,
    supports,
)
from motion.views import committed, past_the_last_page, url_campaign
from motion.views.forms import (
    CommentForm,
    EditForm,
    EmptyForm,
    ReasonForm,
    attach_error,
    new_client_key,
)

bp = Blueprint("contributions", __name__, url_prefix="/campagnes/<campaign_slug>/contributions")
api_bp = Blueprint("contributions_api", __name__, url_prefix="/api/campagnes/<campaign_slug>")

PER_PAGE = 20


def posting_limit() -> str:
    return current_app.config["RATELIMIT_POSTING"]


def reporting_limit() -> str:
    return current_app.config["RATELIMIT_REPORTING"]


@bp.app_context_processor
def _template_helpers() -> dict:
    # The contribution lists (workshops/_contribution.html) and page offer "Modifier".
    return {"can_edit_contribution": can_edit}


def can_edit(contribution) -> bool:
    """Whether the current user may edit ``contribution`` now: the edit page's own check
    (:func:`contributions.check_can_edit`), so that no page links to an edit it refuses."""
    try:
        contributions.check_can_edit(current_user, contribution)
    except Forbidden:
        return False
    return True


def _back(default: str) -> str:
    """The local page the form came from (``next``), else ``default``."""
    target = request.form.get("next") or ""
    parsed = urlparse(target)
    if target.startswith("/") and not target.startswith("//") and not parsed.netloc:
        return target
    return default


def _load(contribution_id: int):
    campaign = url_campaign()
    return campaign, contributions.get_contribution(campaign, contribution_id, current_user)


def _show_url(campaign, contribution, anchor: str | None = None) -> str:
    return url_for("contributions.show", campaign_slug=campaign.slug,
                   contribution_id=contribution.id, _anchor=anchor)


@bp.get("/")
@login_required
def index(campaign_slug: str):
    """Search the campaign's contributions, with filters and pagination."""
    campaign = url_campaign()
    args = request.args
    page = validation.arg_page()
    filters = search.Filters(
        query=args.get("q", "")[:200],
        workshop_id=validation.arg_id("atelier"),
        engagement_id=validation.arg_id("engagement"),
        collectivite=args.get("collectivite", "").strip()[:200] or None,
        since=validation.arg_date("du"),
        until=validation.arg_date("au"),
    )
    result = search.search(campaign, filters, viewer=current_user, page=page,
                           per_page=PER_PAGE)
    moved = past_the_last_page(page, result.pages)
    if moved is not None:
        return moved
    return render_template(
        "contributions/index.html", campaign=campaign, filters=filters, result=result,
        collectivites=search.collectivites(campaign),
        supported=supports.supported_ids(current_user, [c.id for c, _n in result.rows]),
        button_form=EmptyForm(), args=args,
    )


@bp.get("/<int:contribution_id>")
@login_required
def show(campaign_slug: str, contribution_id: int):
    """Show a contribution with its supports and discussion."""
    campaign, contribution = _load(contribution_id)
    return _render_show(campaign, contribution,
                        CommentForm(formdata=None, client_key=new_client_key()))


def _render_show(campaign, contribution, comment_form: CommentForm, status: int = 200, *,
                 reply_form: CommentForm | None = None):
    """The contribution page; ``reply_form``: a failed reply, shown in its comment's form."""
    return render_template(
        "contributions/show.html", campaign=campaign, contribution=contribution,
        supports=supports.count_supports(contribution),
        supported=supports.has_supported(current_user, contribution),
        thread=comments.thread(contribution, current_user),
        comment_form=comment_form, reply_form=reply_form,
        new_key=new_client_key,
        reason_form=ReasonForm(formdata=None), button_form=EmptyForm(),
        moderator=contributions.is_moderator(current_user),
    ), status


@bp.route("/<int:contribution_id>/modifier", methods=["GET", "POST"])
@login_required
def edit(campaign_slug: str, contribution_id: int):
    """Edit one's own contribution while the collect phase is open."""
    campaign, contribution = _load(contribution_id)
    form = EditForm(obj=contribution) if request.method == "GET" else EditForm()
    error = None
    if request.method == "POST":
        try:
            changed = contributions.edit_contribution(
                current_user, contribution, form.text.data or "", title=form.title.data
            )
        except InvalidInput as exc:
            db.session.rollback()
            error = attach_error(form, exc)
        else:
            db.session.commit()
            flash(_("Votre contribution est modifiée ; la version précédente est conservée.")
                  if changed else _("Aucune modification."), "success")
            return redirect(_show_url(campaign, contribution))
    else:
        contributions.check_can_edit(current_user, contribution)
    return render_template("contributions/edit.html", campaign=campaign,
                           contribution=contribution, form=form, form_error=error,
                           withdraw_form=EmptyForm()), (400 if form.errors or error else 200)


@bp.get("/<int:contribution_id>/retirer")
@login_required
def confirm_withdraw(campaign_slug: str, contribution_id: int):
    """Ask the author to confirm a withdrawal (or, once withdrawn, offer to undo it)."""
    campaign, contribution = _load(contribution_id)
    contributions.check_author(current_user, contribution)
    return render_template(
        "contributions/withdraw.html", campaign=campaign, contribution=contribution,
        form=EmptyForm(), undo_until=contribution.updated_at + contributions.UNDO_WITHDRAWAL,
        undo_minutes=int(contributions.UNDO_WITHDRAWAL.total_seconds() // 60),
        can_undo=contributions.can_restore(contribution),
    )


@bp.post("/<int:contribution_id>/retirer")
@login_required
def withdraw(campaign_slug: str, contribution_id: int):
    """Withdraw one's own contribution (it can be undone for a while)."""
    campaign, contribution = _load(contribution_id)
    contributions.withdraw_contribution(current_user, contribution)
    return committed(url_for(".confirm_withdraw", campaign_slug=campaign.slug,
                             contribution_id=contribution.id),
                     _("Votre contribution est retirée : elle n’est plus visible des autres."))


@bp.post("/<int:contribution_id>/retablir")
@login_required
def restore(campaign_slug: str, contribution_id: int):
    """Undo one's own withdrawal, shortly after it."""
    campaign, contribution = _load(contribution_id)
    contributions.restore_withdrawn(current_user, contribution)
    return committed(url_for("workshops.show", campaign_slug=campaign.slug,
                             workshop_slug=contribution.workshop.slug,
                             _anchor=f"c{contribution.id}"),
                     _("Retrait annulé : votre contribution est de nouveau publiée."))


@bp.post("/<int:contribution_id>/soutenir")
@login_required
def support(campaign_slug: str, contribution_id: int):
    """Support a contribution (a second click changes nothing)."""
    return _change_support(contribution_id, supports.add_support,
                           _("Votre soutien est enregistré."),
                           _("Vous soutenez déjà cette contribution."), "success")


@bp.post("/<int:contribution_id>/retirer-soutien")
@login_required
def unsupport(campaign_slug: str, contribution_id: int):
    """Cancel one's support."""
    return _change_support(contribution_id, supports.remove_support,
                           _("Votre soutien est retiré."),
                           _("Vous ne souteniez pas cette contribution."), "info")


def _change_support(contribution_id: int, change, changed: str, unchanged: str,
                    category: str):
    """Add or remove one's support (``change``), say whether it changed anything, and go
    back where the button was."""
    campaign, contribution = _load(contribution_id)
    done = change(current_user, contribution)
    return committed(_back(_show_url(campaign, contribution)), changed if done else unchanged,
                     category)


@bp.post("/<int:contribution_id>/commentaires")
@login_required
@limiter.shared_limit(posting_limit, scope="posting")
def comment(campaign_slug: str, contribution_id: int):
    """Reply under a contribution or a comment."""
    campaign, contribution = _load(contribution_id)
    form = CommentForm()
    parent_id = validation.parse_id(form.parent_id.data, "parent_id")
    try:
        new = comments.post_comment(current_user, contribution, form.text.data or "",
                                    parent_id=parent_id,
                                    client_key=form.client_key.data)
    except InvalidInput as error:
        db.session.rollback()
        # An empty or too long answer: the page again, the message beside the field it
        # was typed in (a reply's in its comment's form, the main answer form left empty).
        if attach_error(form, error) is not None:
            raise
        if parent_id is None:
            return _render_show(campaign, contribution, form, status=400)
        form.text.id = form.text.label.field_id = f"reply-{parent_id}"
        return _render_show(campaign, contribution,
                            CommentForm(formdata=None, client_key=new_client_key()),
                            status=400, reply_form=form)
    db.session.commit()
    flash(_("Votre réponse est publiée."), "success")
    return redirect(_show_url(campaign, contribution, f"k{new.id}"))


@bp.post("/<int:contribution_id>/commentaires/<int:comment_id>/retirer")
@login_required
def withdraw_comment(campaign_slug: str, contribution_id: int, comment_id: int):
    """Withdraw one's own comment."""
    campaign, contribution = _load(contribution_id)
    comments.withdraw_comment(current_user, comments.get_comment(contribution, comment_id))
    return committed(_show_url(campaign, contribution), _("Votre commentaire est retiré."))


@bp.post("/<int:contribution_id>/signaler")
@login_required
@limiter.shared_limit(reporting_limit, scope="reporting")
def report(campaign_slug: str, contribution_id: int):
    """Report a contribution to the facilitators."""
    return _report(contribution_id)


@bp.post("/<int:contribution_id>/commentaires/<int:comment_id>/signaler")
@login_required
@limiter.shared_limit(reporting_limit, scope="reporting")
def report_comment(campaign_slug: str, contribution_id: int, comment_id: int):
    """Report a comment to the facilitators."""
    return _report(contribution_id, comment_id)


def _report(contribution_id: int, comment_id: int | None = None):
    """Report the contribution, or its comment ``comment_id``, and go back to its page."""
    campaign, contribution = _load(contribution_id)
    form = ReasonForm()
    target = contribution
    if comment_id is not None:
        target = comments.get_comment(contribution, comment_id)
    try:
        moderation.report(current_user, target, form.reason.data)
    except moderation.AlreadyReported:
        # A second report of the same item (another tab, a second click): the first one
        # stands; say so calmly on the contribution's page rather than as an error.
        db.session.rollback()
        flash(_("Vous avez déjà signalé cette contribution ; l’équipe d’animation "
                "l’examinera.") if comment_id is None else
              _("Vous avez déjà signalé ce commentaire ; l’équipe d’animation l’examinera."),
              "info")
        return redirect(_show_url(campaign, contribution))
    return committed(_show_url(campaign, contribution),
                     _("Merci : votre signalement est transmis aux animateurs."))


@api_bp.post("/idees-proches")
@login_required
def similar_ideas(campaign_slug: str):
    """Up to three published contributions close to the text being typed (JSON).

    The text comes in the body (a long paste does not fit in a URL), with the CSRF token.
    """
    campaign = url_campaign()
    campaigns.require_campaign_member(current_user, campaign)
    text = request.form.get("texte", "")[: current_app.config["CONTRIBUTION_MAX_LENGTH"]]
    found = similar.similar_contributions(campaign, text, viewer=current_user)
    supported = supports.supported_ids(current_user, [s.contribution.id for s in found])
    return jsonify(suggestions=[
        {
            "id": s.contribution.id,
            "title": s.contribution.title,
            "excerpt": similar.excerpt(s.contribution.text),
            "workshop": s.contribution.workshop.name,
            "score": round(s.score, 3),
            "message": _("Une idée proche existe déjà dans l’atelier %(name)s : la soutenir ou "
                         "préciser la vôtre ?", name=s.contribution.workshop.name),
            "url": _show_url(campaign, s.contribution),
            "support_url": url_for("contributions.support", campaign_slug=campaign.slug,
                                   contribution_id=s.contribution.id),
            "supported": s.contribution.id in supported,
            "own": s.contribution.author_id == current_user.id,
        }
        for s in found
    ])
