"""Addressees (ministries and other bodies), each proposition's addressees, and the
transmission dossiers: the cover letter, the downloads and the record of dispatches."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from motion import validation
from motion.errors import InvalidInput, MotionError
from motion.extensions import db
from motion.models import Role
from motion.services import addressees, dossiers, exports, motions
from motion.views import committed, facilitator_required, role_required, send_rendered, url_campaign
from motion.views.forms import (
    AddresseeForm,
    DispatchForm,
    EmptyForm,
    LetterForm,
    PropositionAddresseesForm,
    options,
    refuse,
    row_ids,
)
from motion.views.motions import proposition_page

bp = Blueprint("dossiers", __name__, url_prefix="/campagnes/<campaign_slug>")


@bp.app_context_processor
def _template_helpers() -> dict:
    # The proposition page (motions/proposition.html) includes dossiers/_proposition.html
    # (facilitators) or dossiers/_proposition_readonly.html (every other reader).
    return {
        "proposition_addressee_choices": addressees.choices,
        "proposition_confirmed_addressees": addressees.confirmed_for,
        "proposition_addressees_form": lambda: PropositionAddresseesForm(formdata=None),
    }



def _addressee_form(campaign, addressee=None, formdata=None) -> AddresseeForm:
    data = None
    if addressee is not None:
        data = {
            "name": addressee.name,
            "short_name": addressee.short_name,
            "kind": addressee.kind.value,
            "description": addressee.description,
            "email": addressee.email or "",
            "postal_address": addressee.postal_address or "",
            "engagements": [link.engagement_id for link in addressee.engagement_links],
        }
    form = AddresseeForm(formdata=formdata, data=data)
    form.engagements.choices = options(
        (e.id, f"{e.code} — {e.title}") for e in addressees.campaign_engagements(campaign)
    )
    return form


def _values(form: AddresseeForm) -> addressees.AddresseeValues:
    return addressees.AddresseeValues(
        name=form.name.data or "",
        short_name=form.short_name.data or "",
        kind=form.kind.data or "",
        description=form.description.data or "",
        email=form.email.data or "",
        postal_address=form.postal_address.data or "",
        engagement_ids=tuple(form.engagements.data or ()),
    )


def _list_url(campaign) -> str:
    return url_for(".addressee_list", campaign_slug=campaign.slug)


def _list_page(campaign, form, status: int = 200):
    rows = [(a, *addressees.usage(a)) for a in addressees.addressees(campaign)]
    return render_template(
        "dossiers/addressees.html", campaign=campaign, rows=rows, form=form, button=EmptyForm()
    ), status


# ------------------------------------------------------------------ addressees


@bp.get("/destinataires")
@facilitator_required
def addressee_list(campaign_slug: str):
    """The campaign's addressees, in order, with a form to add one."""
    campaign = url_campaign()
    return _list_page(campaign, _addressee_form(campaign))


@bp.post("/destinataires")
@facilitator_required
def create_addressee(campaign_slug: str):
    """Add an addressee at the end of the list."""
    campaign = url_campaign()
    form = _addressee_form(campaign, formdata=request.form)
    form.validate()
    try:
        addressee = addressees.create_addressee(campaign, _values(form), actor=current_user)
    except MotionError as error:
        refuse(error, form)
        return _list_page(campaign, form, error.status_code)
    return committed(_list_url(campaign), _("Destinataire ajouté : %(name)s.", name=addressee.name))


@bp.post("/destinataires/par-defaut")
@facilitator_required
def add_defaults(campaign_slug: str):
    """Add the default ministries and bodies the list lacks."""
    campaign = url_campaign()
    added = addressees.ensure_defaults(campaign, actor=current_user)
    db.session.commit()
    flash(
        ngettext("%(num)d destinataire ajouté.", "%(num)d destinataires ajoutés.", added)
        if added
        else _("La liste contient déjà les destinataires par défaut."),
        "success",
    )
    return redirect(_list_url(campaign))


@bp.route("/destinataires/<int:addressee_id>", methods=["GET", "POST"])
@facilitator_required
def edit_addressee(campaign_slug: str, addressee_id: int):
    """Rename or describe an addressee and choose its engagements."""
    campaign = url_campaign()
    addressee = addressees.get_addressee(campaign, addressee_id)
    if request.method == "GET":
        form = _addressee_form(campaign, addressee)
        return render_template(
            "dossiers/addressee.html", campaign=campaign, addressee=addressee, form=form
        )
    form = _addressee_form(campaign, formdata=request.form)
    form.validate()
    try:
        addressees.update_addressee(addressee, _values(form), actor=current_user)
    except MotionError as error:
        refuse(error, form)
        return render_template(
            "dossiers/addressee.html", campaign=campaign, addressee=addressee, form=form
        ), error.status_code
    return committed(_list_url(campaign), _("Destinataire enregistré."))


@bp.post("/destinataires/<int:addressee_id>/deplacer")
@facilitator_required
def move_addressee(campaign_slug: str, addressee_id: int):
    """Move an addressee up or down the list."""
    campaign = url_campaign()
    addressee = addressees.get_addressee(campaign, addressee_id)
    delta = {"monter": -1, "descendre": 1}.get(request.form.get("sens", ""))
    if delta is None:
        flash(_("Déplacement inconnu."), "error")
        return redirect(_list_url(campaign))
    addressees.move_addressee(addressee, delta, actor=current_user)
    return committed(_list_url(campaign))


@bp.post("/destinataires/<int:addressee_id>/supprimer")
@facilitator_required
def delete_addressee(campaign_slug: str, addressee_id: int):
    """Delete an addressee no proposition is confirmed for (a French error otherwise)."""
    campaign = url_campaign()
    addressee = addressees.get_addressee(campaign, addressee_id)
    name = addressee.name
    try:
        addressees.delete_addressee(addressee, actor=current_user)
    except MotionError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _list_page(campaign, _addressee_form(campaign), error.status_code)
    return committed(_list_url(campaign), _("Destinataire supprimé : %(name)s.", name=name))


# ------------------------------------------------------------------ a proposition's addressees


@bp.post("/motion/propositions/<int:proposition_id>/destinataires")
@facilitator_required
def proposition_addressees(campaign_slug: str, proposition_id: int):
    """Suggest a proposition's addressees, or save the facilitator's choice."""
    campaign = url_campaign()
    proposition = motions.get_proposition(motions.require_motion(campaign), proposition_id)
    back = (
        url_for("motions.proposition", campaign_slug=campaign.slug, proposition_id=proposition.id)
        + "#destinataires"
    )
    if request.form.get("action") == "suggerer":
        addressees.suggest(campaign, [proposition])
        db.session.commit()
        flash(_("Destinataires suggérés : vérifiez-les puis enregistrez."), "success")
        return redirect(back)
    form = PropositionAddresseesForm()
    try:
        ids = [validation.parse_id(v, "destinataires") for v in form.addressees.data or []
               if v.strip()]
        chosen = addressees.confirm(proposition, ids, actor=current_user)
    except MotionError as error:  # the page again, the error tied to the checkboxes
        refuse(error, form, default="addressees")
        return proposition_page(campaign, proposition.motion, proposition, error.status_code,
                                addressee_form=form)
    db.session.commit()
    flash(
        ngettext("%(num)d destinataire confirmé.", "%(num)d destinataires confirmés.", len(chosen)),
        "success",
    )
    return redirect(back)


# ------------------------------------------------------------------ dossiers


@bp.get("/dossiers")
@facilitator_required
def index(campaign_slug: str):
    """Each addressee's dossier: its propositions, downloads and dispatches."""
    return _index_page(url_campaign())


def _index_page(campaign, refused: DispatchForm | None = None, addressee_id: int | None = None,
                status: int = 200):
    """The dossiers page; after a refused dispatch, the ``refused`` form in its row (that of
    ``addressee_id``), as sent, its error beside its field."""
    rows = dossiers.overview(campaign)
    today = dossiers.local_today(campaign).isoformat()
    dispatch_forms = {
        row.addressee.id: row_ids(DispatchForm(formdata=None, data={"sent_on": today}),
                                  f"-{row.addressee.id}")
        for row in rows
    }
    if refused is not None:
        dispatch_forms[addressee_id] = row_ids(refused, f"-{addressee_id}")
    return render_template(
        "dossiers/index.html",
        campaign=campaign,
        rows=rows,
        large={
            row.addressee.id: {
                fmt for fmt in dossiers.FORMATS if dossiers.too_large(row.propositions, fmt)
            }
            for row in rows
        },
        motion=motions.get_motion(campaign),
        formats=dossiers.FORMATS,
        unassigned=addressees.without_addressee(campaign),
        form=EmptyForm(),
        dispatch_forms=dispatch_forms,
        form_error=refused is not None,
        today=today,
        earliest=dossiers.earliest_dispatch(campaign).isoformat(),
    ), status


@bp.post("/dossiers/suggestions")
@facilitator_required
def suggest_all(campaign_slug: str):
    """Suggest addressees for every proposition, or confirm every pending suggestion."""
    campaign = url_campaign()
    if request.form.get("action") == "confirmer":
        n = addressees.confirm_suggestions(campaign, actor=current_user)
        message = ngettext("%(num)d suggestion confirmée.", "%(num)d suggestions confirmées.", n)
    else:
        n = addressees.suggest(campaign)
        message = ngettext("%(num)d nouvelle suggestion.", "%(num)d nouvelles suggestions.", n)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(".index", campaign_slug=campaign.slug))


def _format(default: str) -> str:
    return (request.args.get("format") or default).strip().lower()


def _too_large():
    flash(
        _(
            "Ce fichier est volumineux : il est préparé en arrière-plan. "
            "Utilisez le bouton « Préparer » de cette page."
        ),
        "info",
    )
    return redirect(url_for(".index", campaign_slug=url_campaign().slug))


@bp.get("/dossiers/<int:addressee_id>/fichier")
@facilitator_required
def download(campaign_slug: str, addressee_id: int):
    """One addressee's dossier as ODT, DOCX or PDF (a large one: see :func:`prepare`)."""
    campaign = url_campaign()
    addressee = addressees.get_addressee(campaign, addressee_id)
    fmt = dossiers.check_format(_format("odt"))
    if dossiers.needs_job(campaign, addressee, fmt):
        return _too_large()
    result = dossiers.dossier_file(campaign, addressee, fmt)
    return send_rendered(result)


@bp.get("/dossiers/archive")
@facilitator_required
def archive(campaign_slug: str):
    """Every dossier in one ZIP file (the three formats, or the one chosen)."""
    campaign = url_campaign()
    choice = _format("all")
    if choice in dossiers.ARCHIVE_CHOICES and dossiers.needs_job(campaign, None, choice):
        return _too_large()
    result = dossiers.archive(campaign, choice)
    return send_rendered(result)


@bp.post("/dossiers/preparer")
@facilitator_required
def prepare(campaign_slug: str):
    """One addressee's dossier (``destinataire``) or the ZIP of every dossier: sent now when
    small, otherwise prepared by an export job whose page shows the progress."""
    campaign = url_campaign()
    raw = (request.form.get("destinataire") or "").strip()
    addressee = (
        addressees.get_addressee(campaign, validation.parse_id(raw, "destinataire"))
        if raw
        else None
    )
    choice = (request.form.get("format") or ("odt" if addressee else "all")).strip().lower()
    if addressee is not None:
        dossiers.check_format(choice)
    elif choice not in dossiers.ARCHIVE_CHOICES:
        raise InvalidInput(_("Format inconnu : choisissez ODT, DOCX, PDF ou les trois."))
    if not dossiers.needs_job(campaign, addressee, choice):
        result = (
            dossiers.dossier_file(campaign, addressee, choice)
            if addressee
            else dossiers.archive(campaign, choice)
        )
        return send_rendered(result)
    job = dossiers.request_job(campaign, addressee, choice, actor=current_user)
    db.session.commit()
    exports.launch(job.id)
    return redirect(url_for("exports.show", campaign_slug=campaign.slug, job_id=job.id))


@bp.post("/dossiers/<int:addressee_id>/envoi")
@facilitator_required
def mark_sent(campaign_slug: str, addressee_id: int):
    """Record the day an addressee's dossier was sent; a refused date shows the page again,
    the error beside the date typed."""
    campaign = url_campaign()
    addressee = addressees.get_addressee(campaign, addressee_id)
    form = DispatchForm(formdata=request.form)
    try:
        dossiers.record_dispatch(
            addressee,
            validation.parse_day(
                form.sent_on.data, _("Date d’envoi illisible : utilisez le format AAAA-MM-JJ."),
                out_of_range=_("Date d’envoi hors des limites."), field="sent_on",
            ),
            note=request.form.get("note", ""), actor=current_user,
        )
    except MotionError as error:
        db.session.rollback()
        form.sent_on.errors = [error.message]
        return _index_page(campaign, form, addressee_id, error.status_code)
    db.session.commit()
    flash(_("Envoi du dossier « %(name)s » enregistré.", name=addressee.short_name), "success")
    return redirect(url_for(".index", campaign_slug=campaign.slug))


@bp.route("/dossiers/lettre", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def letter(campaign_slug: str):
    """Edit the cover letter of the dossiers (administrators)."""
    campaign = url_campaign()
    current = dossiers.settings(campaign)
    form = LetterForm(
        data={
            "association": current.association,
            "signatory": current.signatory,
            "letter": current.letter,
        }
    )
    if request.method == "POST":
        form = LetterForm(formdata=request.form)
        form.validate()
        try:
            dossiers.save_settings(
                campaign,
                association=form.association.data or "",
                signatory=form.signatory.data or "",
                letter=form.letter.data or "",
                actor=current_user,
            )
        except MotionError as error:
            refuse(error, form)
            return render_template(
                "dossiers/letter.html",
                campaign=campaign,
                form=form,
                placeholders=dossiers.PLACEHOLDERS,
            ), error.status_code
        db.session.commit()
        flash(_("Lettre d’accompagnement enregistrée."), "success")
        return redirect(url_for(".index", campaign_slug=campaign.slug))
    return render_template(
        "dossiers/letter.html", campaign=campaign, form=form, placeholders=dossiers.PLACEHOLDERS
    )
