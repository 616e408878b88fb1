"""Engagement sessions: the programme, each session's page and projection, its référents."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField

from motion import validation
from motion.errors import Conflict, InvalidInput
from motion.extensions import db
from motion.models import Role, User
from motion.services import motions, referents, sessions
from motion.views import facilitator_required, role_required, url_campaign
from motion.views.forms import EmptyForm, PlainForm, SessionTextsForm, refuse, show_error

bp = Blueprint("sessions", __name__, url_prefix="/campagnes/<campaign_slug>")


@bp.app_context_processor
def engagement_helpers() -> dict:
    """For every page: the référent's engagements (the board's and the motion's "Mes
    engagements" filter), the axes that have a proposition (the coverage page) and whether
    the user leads a proposition's session (its edit and amendment buttons)."""

    def my_engagement_ids(campaign) -> set[int]:
        return referents.referent_engagement_ids(current_user, campaign)

    def leads_session(proposition) -> bool:
        """Whether the user leads the session of ``proposition``'s engagement."""
        return referents.can_lead(
            current_user, proposition.motion.campaign, proposition.section.engagement_id
        )

    return {
        "my_engagement_ids": my_engagement_ids,
        "axes_with_proposition": sessions.axes_with_proposition,
        "leads_session": leads_session,
    }


def lead_required(view):
    """Require a facilitator who leads the session named by ``number`` (403 otherwise)."""

    @wraps(view)
    @facilitator_required
    def wrapped(*args, **kwargs):
        campaign = url_campaign()
        session = sessions.get_session(campaign, kwargs["number"])
        referents.require_lead(current_user, campaign, session.engagement_id)
        return view(*args, **kwargs)

    return wrapped


def _back(number: int, anchor: str | None = None):
    return redirect(
        url_for(".show", campaign_slug=url_campaign().slug, number=number, _anchor=anchor)
    )


def _form_id(name: str, message: str) -> int:
    value = validation.form_id(name)
    if not value:
        raise InvalidInput(message)
    return value


@bp.get("/programme")
@login_required
def programme(campaign_slug: str):
    """The congress programme: the engagements' sessions in order, with their référents."""
    return _programme_page(url_campaign())


def _programme_form(rows, times, formdata=None) -> FlaskForm:
    """The programme grid: one field per cell (``ordre_<id>``, ``jour_<id>``, ``debut_<id>``,
    ``fin_<id>``), labelled with its session's code, filled with the current order and
    times, or with what was sent (``formdata``)."""
    fields, data = {}, {}
    for _n, s in rows:
        code = s.engagement.code
        start, end = times[s.id]
        cells = (
            ("ordre", _("Ordre de la séance %(code)s", code=code), str(s.position)),
            ("jour", _("Jour de la séance %(code)s", code=code),
             start.date().isoformat() if start else ""),
            ("debut", _("Début de la séance %(code)s", code=code),
             f"{start.hour:02d}:{start.minute:02d}" if start else "09:00"),
            ("fin", _("Fin de la séance %(code)s", code=code),
             f"{end.hour:02d}:{end.minute:02d}" if end else "10:45"),
        )
        for kind, label, value in cells:
            fields[f"{kind}_{s.id}"] = StringField(label)
            data[f"{kind}_{s.id}"] = value
    form_class = type("ProgrammeForm", (PlainForm,), fields)
    return form_class(formdata=formdata, data=data)


def _programme_page(campaign, error: InvalidInput | None = None):
    """The programme; after a refused change, ``error`` beside its field (``ordre_<id>``,
    ``jour_<id>``…) and the times as they were typed."""
    rows = sessions.programme(campaign)
    db.session.commit()  # the sessions, made with the default programme on first use
    times = {s.id: sessions.local_times(s) for _n, s in rows}
    programme_form = _programme_form(rows, times, request.form if error is not None else None)
    if error is not None:
        show_error(error, programme_form)
    return render_template(
        "sessions/programme.html",
        campaign=campaign,
        rows=rows,
        times=times,
        referents=referents.referents(campaign),
        form=EmptyForm(),
        programme_form=programme_form,
        facilitator=current_user.has_role(Role.FACILITATOR, Role.ADMIN),
        admin=current_user.has_role(Role.ADMIN),
        leads={s.id: referents.can_lead(current_user, campaign, s.engagement_id) for _n, s in rows},
        candidates=referents.candidates(campaign) if current_user.has_role(Role.ADMIN) else [],
    ), (400 if error is not None else 200)


@bp.post("/programme")
@facilitator_required
def update_programme(campaign_slug: str):
    """Save the sessions' order and times."""
    campaign = url_campaign()
    slots = {}
    for key in request.form:
        if key.startswith("ordre_"):
            session_id = validation.parse_id(key.removeprefix("ordre_"), key)
            slots[session_id] = sessions.Slot(
                day=request.form.get(f"jour_{session_id}", ""),
                start=request.form.get(f"debut_{session_id}", ""),
                end=request.form.get(f"fin_{session_id}", ""),
                position=request.form.get(key, ""),
            )
    try:
        changed = sessions.update_programme(campaign, slots, actor=current_user)
    except InvalidInput as error:
        db.session.rollback()
        return _programme_page(campaign, error)  # the page again, with what was typed
    db.session.commit()
    flash(_("Programme enregistré.") if changed else _("Le programme est inchangé."), "success")
    return redirect(url_for(".programme", campaign_slug=campaign.slug))


@bp.post("/programme/referents")
@role_required(Role.ADMIN)
def update_referents(campaign_slug: str):
    """Add or remove a référent of an engagement."""
    campaign = url_campaign()
    engagement_id = _form_id("engagement", _("Choisissez un engagement."))
    user_id = _form_id("user", _("Choisissez un animateur."))
    if request.form.get("retirer"):
        referents.remove_referent(campaign, engagement_id, user_id, actor=current_user)
        message = _("Référent retiré.")
    else:
        referents.add_referent(
            campaign, engagement_id, db.session.get(User, user_id), actor=current_user
        )
        message = _("Référent ajouté.")
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(".programme", campaign_slug=campaign.slug, _anchor="referents"))


@bp.get("/seances/<int:number>")
@login_required
def show(campaign_slug: str, number: int):
    """A session: bilan, objectifs and one proposition slot per axis."""
    campaign = url_campaign()
    page = sessions.session_page(campaign, number, current_user)
    db.session.commit()
    return _render_show(campaign, page)


def _render_show(campaign, page, texts_form: SessionTextsForm | None = None):
    """A session's page; ``texts_form`` is a refused bilan and objectifs, shown again."""
    wants_draft = page.can_lead and not page.session.bilan
    bilan_draft = sessions.bilan_draft(page.session) if wants_draft else ""
    if texts_form is None:
        texts_form = SessionTextsForm(
            formdata=None,
            bilan=page.session.bilan or bilan_draft,
            objectifs=page.session.objectifs,
        )
    return render_template(
        "sessions/show.html",
        campaign=campaign,
        page=page,
        times=sessions.local_times(page.session),
        form=EmptyForm(),
        texts_form=texts_form,
        bilan_draft=bilan_draft,
    )


@bp.get("/seances/<int:number>/projection")
@facilitator_required
def screen(campaign_slug: str, number: int):
    """The session for the projector: bilan, objectifs and the axes' propositions."""
    campaign = url_campaign()
    page = sessions.session_page(campaign, number, current_user)
    state = sessions.screen_state(campaign, number)
    db.session.commit()
    live = state["session"] or {}
    shown = next(
        (
            p
            for slot in page.slots
            for p in slot.propositions
            if p.id == state["proposition_id"]
        ),
        next((p for p in page.unplaced if p.id == state["proposition_id"]), None),
    )
    return render_template(
        "sessions/screen.html",
        campaign=campaign,
        page=page,
        times=sessions.local_times(page.session),
        state=state,
        live=live,
        shown=shown,
        state_url=url_for(".screen_state", campaign_slug=campaign.slug, number=number),
    )


@bp.get("/seances/<int:number>/projection/etat")
@facilitator_required
def screen_state(campaign_slug: str, number: int):
    """The small JSON the session's projection polls (static/js/projection.js)."""
    state = sessions.screen_state(url_campaign(), number)
    db.session.commit()  # the sessions, created on first use
    return jsonify(state)


@bp.post("/seances/<int:number>/textes")
@lead_required
def texts(campaign_slug: str, number: int):
    """Save the session's bilan and objectifs."""
    campaign = url_campaign()
    session = sessions.get_session(campaign, number)
    form = SessionTextsForm()
    try:
        sessions.update_texts(
            session,
            bilan=form.bilan.data or "",
            objectifs=form.objectifs.data or "",
            actor=current_user,
        )
    except InvalidInput as error:
        refuse(error, form)  # beside its field, with what was typed
        page = sessions.session_page(campaign, number, current_user)
        return _render_show(campaign, page, form), 400
    db.session.commit()
    flash(_("Bilan et objectifs enregistrés."), "success")
    return _back(number, "bilan")


@bp.route("/seances/<int:number>/proposition-d-axe", methods=["GET", "POST"])
@lead_required
def new_axis_proposition(campaign_slug: str, number: int):
    """Create an axis's proposition from the themes placed on it (extractive draft)."""
    campaign = url_campaign()
    session = sessions.get_session(campaign, number)
    axis_id = validation.parse_id(request.values.get("axe"), "axe")
    if axis_id is None:
        return _back(number, "propositions")
    cluster_ids = [
        validation.parse_id(v, "themes") for v in request.values.getlist("themes") if v.strip()
    ]
    axis, clusters, draft = sessions.axis_draft(session, axis_id, cluster_ids)
    values = {"title": draft.title, "text": draft.text}
    if request.method == "POST":
        values = {k: request.form.get(k, "") for k in ("title", "text")}
        try:
            sessions.create_axis_proposition(
                session,
                axis.id,
                title=values["title"],
                text=values["text"],
                cluster_ids=[c.id for c in clusters],
                actor=current_user,
            )
        except (InvalidInput, Conflict) as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("La proposition de l’axe %(code)s est créée.", code=axis.code), "success")
            return redirect(
                url_for(
                    ".show", campaign_slug=campaign.slug, number=number, _anchor=f"axe-{axis.id}"
                )
            )
    return render_template(
        "sessions/new_axis_proposition.html",
        campaign=campaign,
        session=session,
        number=number,
        axis=axis,
        clusters=clusters,
        values=values,
        form=EmptyForm(),
    ), 400 if request.method == "POST" else 200


@bp.post("/seances/<int:number>/axes")
@lead_required
def set_axis(campaign_slug: str, number: int):
    """Put one of the session's propositions in an axis's slot (or in none)."""
    campaign = url_campaign()
    session = sessions.get_session(campaign, number)
    proposition = motions.get_proposition(
        motions.require_motion(campaign), _form_id("proposition", _("Choisissez une proposition."))
    )
    sessions.set_axis(session, proposition, validation.form_id("axe"), actor=current_user)
    db.session.commit()
    flash(_("Proposition rangée."), "success")
    return _back(number, "propositions")


@bp.post("/seances/<int:number>/vote")
@lead_required
def vote(campaign_slug: str, number: int):
    """Open (and show on the projector) or close the vote on one of the session's
    propositions."""
    campaign = url_campaign()
    session = sessions.get_session(campaign, number)
    proposition_id = _form_id("proposition", _("Choisissez une proposition."))
    if request.form.get("action") == "clore":
        closed = sessions.close_vote(session, proposition_id, actor=current_user)
        db.session.commit()
        flash(
            _(
                "Vote clos : %(pour)d pour, %(contre)d contre, %(abst)s.",
                pour=closed.count_for,
                contre=closed.count_against,
                abst=ngettext("%(num)d abstention", "%(num)d abstentions", closed.count_abstain),
            ),
            "success",
        )
    else:
        sessions.open_vote(session, proposition_id, actor=current_user)
        db.session.commit()
        flash(_("Le vote est ouvert et la proposition est projetée."), "success")
    return _back(number, "propositions")
