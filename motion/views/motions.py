"""The motion: its page, propositions from clusters, versions, amendments and adoption."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from motion import validation
from motion.errors import Conflict, Forbidden, InvalidInput, MotionError
from motion.extensions import db
from motion.models import Contribution, Role
from motion.services import amendments, motions, notifications, provenance, referents, votes
from motion.services.diff import word_diff
from motion.views import facilitator_required, url_campaign
from motion.views.forms import EmptyForm

bp = Blueprint("motions", __name__, url_prefix="/campagnes/<campaign_slug>/motion")


def _ids(name: str) -> list[int]:
    values = request.values.getlist(name)
    if len(values) == 1 and "," in values[0]:
        values = values[0].split(",")
    return [validation.parse_id(v, name) for v in values if str(v).strip()]


def _load():
    campaign = url_campaign()
    return campaign, motions.require_motion(campaign)


def _is_facilitator() -> bool:
    return current_user.has_role(Role.FACILITATOR, Role.ADMIN)


@bp.get("")
@login_required
def index(campaign_slug: str):
    """Show the motion: preamble, sections with their propositions, and its counters."""
    campaign = url_campaign()
    motion = motions.get_motion(campaign)
    if motion is None:
        return render_template("motions/empty.html", campaign=campaign, form=EmptyForm())
    return render_template(
        "motions/index.html", campaign=campaign, motion=motion,
        counters=provenance.motion_counters(motion), form=EmptyForm(),
        facilitator=_is_facilitator(),
    )


@bp.post("/creer")
@facilitator_required
def create(campaign_slug: str):
    """Create the campaign's motion, one section per engagement."""
    campaign = url_campaign()
    motions.create_motion(campaign, actor=current_user)
    db.session.commit()
    flash(_("La motion est créée."), "success")
    return redirect(url_for(".index", campaign_slug=campaign.slug))


@bp.route("/propositions/nouvelle", methods=["GET", "POST"])
@facilitator_required
def new_proposition(campaign_slug: str):
    """Choose themes or contributions, then edit the extractive draft and create it."""
    campaign, motion = _load()
    motions.ensure_editable(motion)
    cluster_ids, contribution_ids = _ids("themes"), _ids("contributions")
    if not cluster_ids and not contribution_ids:
        if request.method == "POST":
            flash(_("Choisissez au moins un thème ou une contribution."), "error")
        from motion.services.themes import queries

        return render_template("motions/choose.html", campaign=campaign, motion=motion,
                               board=queries.board(campaign, unassigned_sample=0))
    clusters = motions.load_clusters(campaign, cluster_ids)
    contributions = motions.load_contributions(campaign, contribution_ids)
    draft = motions.prefill(clusters, contributions)
    default = motions.default_section(motion, draft.engagement_id, current_user)
    db.session.commit()  # the "Autres propositions" section, if it had to be made
    sections = motions.usable_sections(motion, current_user)
    if default is None:
        raise Forbidden(_("Aucune partie de cette motion ne correspond aux engagements dont "
                          "vous êtes référent : demandez à un administrateur."))

    def form_page(title: str, text: str, section_id: int, status: int = 200,
                  section_error: str | None = None):
        return render_template(
            "motions/new.html", campaign=campaign, motion=motion, clusters=clusters,
            contributions=contributions, title=title, text=text, section_id=section_id,
            sections=sections, form_error=section_error, form=EmptyForm()), status

    if request.method == "POST" and request.form.get("create"):
        title, text = request.form.get("title", ""), request.form.get("text", "")
        chosen = 0
        try:
            chosen = validation.form_id("section") or 0
            section = motions.get_section(motion, chosen)
            proposition = motions.create_proposition(
                motion, section, title=title, text=text, clusters=clusters,
                contributions=contributions, actor=current_user)
        except (InvalidInput, Forbidden) as error:  # Forbidden: another référent's part
            db.session.rollback()
            if error.field != "section":
                flash(error.message, "error")
            kept = chosen if any(s.id == chosen for s in sections) else default.id
            return form_page(title, text, kept, error.status_code,
                             error.message if error.field == "section" else None)
        db.session.commit()
        flash(ngettext("La proposition est créée avec %(num)d contribution liée.",
                       "La proposition est créée avec %(num)d contributions liées.",
                       len(proposition.provenance)), "success")
        return redirect(url_for(".proposition", campaign_slug=campaign.slug,
                                proposition_id=proposition.id))
    return form_page(draft.title, draft.text, default.id)


@bp.get("/propositions/<int:proposition_id>")
@login_required
def proposition(campaign_slug: str, proposition_id: int):
    """A proposition with its provenance, versions, amendments and vote results."""
    campaign, motion = _load()
    return proposition_page(campaign, motion, motions.get_proposition(motion, proposition_id))


def proposition_page(campaign, motion, item, status: int = 200, **refused):
    """The proposition page; after a refused form (``draft`` amendment, ``merge_draft``
    with its ``form_error``, ``decision_draft`` on the amendment ``decided`` with its
    ``form_error`` about ``decision_field``, ``addressee_form``), again with what was sent
    and the error, with ``status``."""
    return render_template(
        "motions/proposition.html", campaign=campaign, motion=motion, proposition=item,
        sources=provenance.sources(item), counters=provenance.proposition_counters(item),
        amendments_open=amendments.amendments_open(item),
        amendments_closed=amendments.closed_by_vote(item), form=EmptyForm(),
        facilitator=_is_facilitator(), credited=amendments.credited_authors,
        vote_round=motions.latest_round(item), **refused,
    ), status


@bp.route("/propositions/<int:proposition_id>/modifier", methods=["GET", "POST"])
@facilitator_required
def edit(campaign_slug: str, proposition_id: int):
    """Edit a proposition: every save is a new version. Once put to the vote, the page
    says why its text can no longer change (motions.text_lock) instead of the form."""
    campaign, motion = _load()
    item = motions.get_proposition(motion, proposition_id)
    motions.ensure_editable(motion)
    referents.require_lead(current_user, campaign, item.section.engagement_id)
    values = {"title": item.title, "text": item.text, "reason": "",
              "base_version": item.version_number}

    def page(status: int = 200, locked: str | None = None, refused: bool = False):
        return render_template("motions/edit.html", campaign=campaign, motion=motion,
                               proposition=item, values=values, locked=locked,
                               form_error=locked if refused else None,
                               form=EmptyForm()), status

    if request.method == "POST":
        values = {k: request.form.get(k, "") for k in ("title", "text", "reason")}
        values["base_version"] = validation.form_id("base_version")
        try:
            motions.add_version(item, title=values["title"], text=values["text"],
                                actor=current_user, reason=values["reason"],
                                base_version=values["base_version"])
        except (InvalidInput, Conflict) as error:
            db.session.rollback()
            locked = motions.text_lock(item)
            if not locked:
                flash(error.message, "error")
            return page(error.status_code, locked, refused=True)  # the typed text kept
        db.session.commit()
        flash(_("Nouvelle version enregistrée."), "success")
        return redirect(url_for(".proposition", campaign_slug=campaign.slug,
                                proposition_id=item.id))
    return page(locked=motions.text_lock(item))


def _pair(latest: int) -> tuple[int, int]:
    new = validation.arg_id("a") or latest
    old = validation.arg_id("de") or max(1, new - 1)
    return old, new


@bp.get("/propositions/<int:proposition_id>/versions")
@login_required
def versions(campaign_slug: str, proposition_id: int):
    """The versions of a proposition and a word-level diff between two of them."""
    campaign, motion = _load()
    item = motions.get_proposition(motion, proposition_id)
    old_n, new_n = _pair(item.version_number)
    old, new = motions.get_version(item, old_n), motions.get_version(item, new_n)
    return render_template(
        "motions/versions.html", campaign=campaign, motion=motion, proposition=item,
        old=old, new=new, title_diff=word_diff(old.title, new.title),
        text_diff=word_diff(old.text, new.text), form=EmptyForm(),
        facilitator=_is_facilitator(), credited=amendments.credited_authors,
        vote_round=motions.latest_round(item))


@bp.post("/propositions/<int:proposition_id>/versions/<int:number>/restaurer")
@facilitator_required
def restore(campaign_slug: str, proposition_id: int, number: int):
    """Make an earlier version current again (as a new version); refused (a stale page:
    the text was put to the vote or changed meanwhile), back to the versions, with why."""
    campaign, motion = _load()
    item = motions.get_proposition(motion, proposition_id)
    try:
        motions.restore_version(item, number, actor=current_user)
    except (Conflict, InvalidInput) as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".versions", campaign_slug=campaign.slug,
                                proposition_id=item.id))
    db.session.commit()
    flash(_("La version %(n)d est rétablie.", n=number), "success")
    return redirect(url_for(".proposition", campaign_slug=campaign.slug, proposition_id=item.id))


@bp.post("/propositions/<int:proposition_id>/amendements")
@login_required
def propose_amendment(campaign_slug: str, proposition_id: int):
    """Propose an amendment (replacement text and justification)."""
    campaign, motion = _load()
    item = motions.get_proposition(motion, proposition_id)
    try:
        amendments.propose(item, current_user, text=request.form.get("text", ""),
                           justification=request.form.get("justification", ""))
    except MotionError as error:
        db.session.rollback()
        flash(error.message, "error")
        return proposition_page(campaign, motion, item, error.status_code, draft=request.form)
    db.session.commit()
    # The decision is mailed to authors who ticked "Les réponses à mes contributions"
    # (amendments._notify): say so, for this author.
    if notifications.get_preferences(current_user).replies:
        flash(_("Votre amendement est déposé. Vous recevrez un e-mail quand les animateurs "
                "l’auront accepté, rejeté ou fusionné."), "success")
    else:
        flash(_("Votre amendement est déposé. Pour recevoir un e-mail quand les animateurs "
                "l’auront accepté, rejeté ou fusionné, cochez « %(label)s » dans vos "
                "préférences de notification.",
                label=_("Les réponses à mes contributions")), "success")
    return redirect(url_for(".proposition", campaign_slug=campaign.slug, proposition_id=item.id,
                            _anchor="amendements"))


@bp.post("/propositions/<int:proposition_id>/amendements/<int:amendment_id>/<decision>")
@facilitator_required
def decide_amendment(campaign_slug: str, proposition_id: int, amendment_id: int,
                     decision: str):
    """Accept or reject one amendment; refused, the page again with the error beside the
    reason typed (kept), else in that amendment's article."""
    campaign, motion = _load()
    item = motions.get_proposition(motion, proposition_id)
    amendment = amendments.get_amendment(item, amendment_id)
    reason = request.form.get("reason", "")
    if decision not in ("accepter", "rejeter"):
        abort(404)
    try:
        if decision == "accepter":
            amendments.accept(amendment, actor=current_user, reason=reason)
            flash(_("Amendement accepté : une nouvelle version le cite."), "success")
        else:
            amendments.reject(amendment, actor=current_user, reason=reason)
            flash(_("Amendement rejeté."), "success")
    except MotionError as error:
        db.session.rollback()
        return proposition_page(campaign, motion, item, error.status_code,
                                decision_draft=request.form, decided=amendment.id,
                                decision_field=error.field, form_error=error.message)
    db.session.commit()
    return redirect(url_for(".proposition", campaign_slug=campaign.slug, proposition_id=item.id,
                            _anchor="amendements"))


@bp.post("/propositions/<int:proposition_id>/amendements/fusion")
@facilitator_required
def merge_amendments(campaign_slug: str, proposition_id: int):
    """Merge several amendments into one new version crediting all their authors."""
    campaign, motion = _load()
    item = motions.get_proposition(motion, proposition_id)
    try:
        amendments.merge(item, _ids("amendements"), text=request.form.get("text", ""),
                         actor=current_user, reason=request.form.get("reason", ""))
    except MotionError as error:  # the page again, the error beside the merge form
        db.session.rollback()
        return proposition_page(campaign, motion, item, error.status_code,
                                merge_draft=request.form, form_error=error.message)
    db.session.commit()
    flash(_("Amendements fusionnés dans une nouvelle version."), "success")
    return redirect(url_for(".proposition", campaign_slug=campaign.slug, proposition_id=item.id))


@bp.route("/preambule", methods=["GET", "POST"])
@login_required
def preamble(campaign_slug: str):
    """The preamble's versions with a diff; facilitators edit and restore it."""
    campaign, motion = _load()
    latest = max(v.number for v in motion.preamble_versions)
    text, reason, text_error, status = motion.preamble, "", None, 200
    if request.method == "POST":
        if not _is_facilitator():
            abort(403)
        text, reason = request.form.get("text", ""), request.form.get("reason", "")
        restore_n = None
        try:
            restore_n = validation.form_id("restore")
            if restore_n:
                text = motion.preamble
                motions.restore_preamble(motion, restore_n, actor=current_user)
            else:
                motions.save_preamble(motion, text, actor=current_user, reason=reason,
                                      base_version=validation.form_id("base_version"))
        except (InvalidInput, Conflict) as error:
            db.session.rollback()
            status = error.status_code
            if error.field == "text" and not restore_n:
                text_error = error.message  # beside the text, which is kept
            else:
                flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("Préambule enregistré."), "success")
            return redirect(url_for(".preamble", campaign_slug=campaign.slug))
    old_n, new_n = _pair(latest)
    old = motions.get_preamble_version(motion, old_n)
    new = motions.get_preamble_version(motion, new_n)
    return render_template("motions/preamble.html", campaign=campaign, motion=motion,
                           text=text, reason=reason, latest=latest, old=old, new=new,
                           diff=word_diff(old.text, new.text), form=EmptyForm(),
                           facilitator=_is_facilitator(), form_error=text_error), status


def _adoption_page(campaign, motion, status: int = 200, form_error: str | None = None):
    """What adopting means, each proposition's vote, and the ones never put to the vote,
    which the facilitator must confirm are adopted with the motion."""
    propositions = motions.propositions_in_order(motion)
    return render_template(
        "motions/adopt.html", campaign=campaign, motion=motion, propositions=propositions,
        changed=motions.changed_since_vote(motion),
        unvoted=[p for p in propositions if p.outcome is None],
        rejected=[p for p in propositions if p.outcome == "rejected"],
        open_vote=votes.open_session(motion), form_error=form_error, form=EmptyForm(),
    ), status


@bp.get("/adopter")
@facilitator_required
def confirm_adopt(campaign_slug: str):
    """Ask the facilitator to confirm the adoption, which cannot be undone."""
    campaign, motion = _load()
    if motion.is_adopted:
        return redirect(url_for(".index", campaign_slug=campaign.slug))
    return _adoption_page(campaign, motion)


@bp.post("/adopter")
@facilitator_required
def adopt(campaign_slug: str):
    """Mark the motion adopted, as confirmed on its page: it becomes read-only."""
    campaign, motion = _load()
    try:
        without_vote = _ids("sans_vote") if request.form.get("confirmer_sans_vote") else []
        motions.adopt(motion, actor=current_user, without_vote=without_vote)
    except (InvalidInput, Conflict) as error:
        db.session.rollback()
        if error.field != "sans_vote":
            flash(error.message, "error")
        return _adoption_page(campaign, motion, error.status_code,
                              error.message if error.field == "sans_vote" else None)
    db.session.commit()
    flash(_("La motion est adoptée. Son texte ne peut plus être modifié."), "success")
    return redirect(url_for(".index", campaign_slug=campaign.slug))


@bp.get("/contributions/<int:contribution_id>")
@login_required
def contribution(campaign_slug: str, contribution_id: int):
    """Which propositions a contribution fed."""
    campaign, motion = _load()
    item = db.session.get(Contribution, contribution_id)
    if item is None or item.campaign_id != campaign.id or not item.is_published:
        abort(404)
    return render_template("motions/contribution.html", campaign=campaign, motion=motion,
                           contribution=item, fed=provenance.propositions_fed_by(item))


@bp.get("/a-classer")
@facilitator_required
def unused(campaign_slug: str):
    """Published contributions that fed no proposition (a sample)."""
    campaign, motion = _load()
    return render_template("motions/unused.html", campaign=campaign, motion=motion,
                           rows=provenance.unused_contributions(motion, limit=100),
                           counters=provenance.motion_counters(motion))


