"""Administration: set a congress up on the web (campaigns, phases, workshops, imports,
framework, users and roles)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms.fields import Label

from motion.errors import InvalidInput, MotionError
from motion.extensions import db
from motion.models import PHASE_ORDER, Campaign, Role
from motion.services import campaign_admin, campaigns, frameworks, imports
from motion.views import role_required, url_campaign
from motion.views.forms import (
    CampaignForm,
    CampaignSettingsForm,
    ContributionImportForm,
    RoleForm,
    WorkshopForm,
    options,
    refuse,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")
api_bp = Blueprint("admin_api", __name__, url_prefix="/api/admin")

MAX_FRAMEWORK_BYTES = 512 * 1024

T = TypeVar("T")


def _apply(change: Callable[[], T], success: str | Callable[[T], str],
           form: FlaskForm | None = None) -> MotionError | None:
    """Run ``change`` (service calls), commit once and flash ``success`` (a message, or one
    made from the change's result). A domain error rolls back and is shown instead (beside
    its field when ``form``, the form sent, has it) and returned: the caller then shows the
    form's page again, with what was typed."""
    try:
        result = change()
        db.session.commit()
    except MotionError as error:
        refuse(error, form)
        return error
    flash(success(result) if callable(success) else success, "success")
    return None


def _phase_starts(form, timezone: str) -> dict:
    """The phase start dates typed in the form, as aware UTC datetimes."""
    starts = {}
    for kind in PHASE_ORDER:
        value = (form.get(f"start_{kind.value}") or "").strip()
        if value:
            try:
                starts[kind] = campaigns.parse_local_datetime(value, timezone)
            except InvalidInput as error:
                error.field = error.field or f"start_{kind.value}"
                raise
    return starts


def _typed_starts(form) -> dict[str, str]:
    """The phase start fields as typed, to show them again."""
    return {kind.value: form.get(f"start_{kind.value}", "") for kind in PHASE_ORDER}


def _uploaded(field: str, missing: str | None = None) -> tuple[bytes, str] | None:
    """The uploaded file ``field`` as (content, name); None, or InvalidInput(``missing``)
    when no file was chosen."""
    upload = request.files.get(field)
    if upload is None or not upload.filename:
        if missing is not None:
            raise InvalidInput(missing, field=field)
        return None
    return upload.read(), upload.filename


def _attach_uploaded_framework(campaign: Campaign, data: bytes, name: str) -> None:
    """Load an uploaded framework YAML file into ``campaign`` (InvalidInput if unusable)."""
    if len(data) > MAX_FRAMEWORK_BYTES:
        raise InvalidInput(_("Fichier de référentiel trop volumineux (512 Ko au plus)."))
    if not name.lower().endswith((".yaml", ".yml")):
        raise InvalidInput(_("Le référentiel doit être un fichier YAML (.yaml ou .yml)."))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(name).name
        path.write_bytes(data)
        frameworks.attach_framework(campaign, path, actor=current_user)


def _campaign_url(campaign: Campaign, anchor: str | None = None) -> str:
    """The campaign's settings page, at the section ``anchor``."""
    return url_for("admin.campaign", campaign_slug=campaign.slug, _anchor=anchor)


@bp.get("/")
@role_required(Role.ADMIN)
def index():
    """List campaigns with their phase, workshops and figures."""
    return render_template("admin/index.html", **campaign_admin.overview())


@bp.route("/campagnes/nouvelle", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new_campaign():
    """Create a campaign: title, address, time zone, framework and phases."""
    form = CampaignForm()
    if form.is_submitted():
        timezone = (form.timezone.data or "Europe/Paris").strip()
        try:
            campaign_admin.check_timezone(timezone)
            upload = _uploaded("framework_file")
            starts = _phase_starts(request.form, timezone)
            campaign_admin.check_phase_order(starts)
            campaign = campaigns.create_campaign(
                form.slug.data or campaigns.slugify(form.title.data or ""),
                form.title.data or "", timezone=timezone,
                framework=None if upload else frameworks.ensure_default_framework(),
                phase_starts=starts or None, actor=current_user,
            )
            if upload:
                _attach_uploaded_framework(campaign, *upload)
            if form.engagement_workshops.data:
                campaign_admin.create_engagement_workshops(campaign, actor=current_user)
            db.session.commit()
        except MotionError as error:
            refuse(error, form)
            return render_template("admin/campaign_new.html", form=form,
                                   phases=PHASE_ORDER,
                                   starts=_typed_starts(request.form)), error.status_code
        flash(_("Campagne « %(title)s » créée.", title=campaign.title), "success")
        return redirect(_campaign_url(campaign))
    return render_template("admin/campaign_new.html", form=form, phases=PHASE_ORDER,
                           starts={})


def _campaign_page(campaign: Campaign, status: int = 200, *, starts: dict | None = None,
                   phase_errors: dict | None = None, **forms):
    """One campaign's settings page; ``forms`` are the submitted forms shown again (with
    their errors and what was typed), the others are filled from the campaign; ``starts``
    the phase dates as typed, ``phase_errors`` their errors by field name."""
    settings_form = forms.get("settings_form") or CampaignSettingsForm(formdata=None,
                                                                       obj=campaign)
    return render_template(
        "admin/campaign.html", campaign=campaign, phases=PHASE_ORDER,
        starts=starts if starts is not None else campaign_admin.phase_starts_local(campaign),
        phase_errors=phase_errors or {}, form_error=bool(phase_errors),
        **campaign_admin.workshop_figures(campaign), workshop_form=_workshop_form(campaign),
        import_jobs=imports.recent_import_jobs(campaign), settings_form=settings_form,
        import_form=forms.get("import_form") or ContributionImportForm(formdata=None),
    ), status


@bp.get("/campagnes/<campaign_slug>")
@role_required(Role.ADMIN)
def campaign(campaign_slug: str):
    """One campaign's settings: details, phases, framework, workshops and imports."""
    return _campaign_page(url_campaign())


@bp.post("/campagnes/<campaign_slug>")
@role_required(Role.ADMIN)
def update_campaign(campaign_slug: str):
    """Change a campaign's title, address or time zone."""
    campaign = url_campaign()
    form = CampaignSettingsForm()
    refused = _apply(lambda: campaign_admin.update_campaign(
        campaign, title=form.title.data or "", slug=form.slug.data or "",
        timezone=form.timezone.data or "", actor=current_user),
        _("Campagne enregistrée."), form)
    if refused is not None:
        # The rollback has reloaded the old address.
        return _campaign_page(campaign, refused.status_code, settings_form=form)
    return redirect(_campaign_url(campaign))


@bp.post("/campagnes/<campaign_slug>/phases")
@role_required(Role.ADMIN)
def phases(campaign_slug: str):
    """Set or change the campaign's phase dates."""
    campaign = url_campaign()
    try:
        campaign_admin.change_phases(
            campaign, _phase_starts(request.form, campaign.timezone), actor=current_user)
        db.session.commit()
    except MotionError as error:
        # The page again (no redirect), the dates as typed, the error beside its field.
        db.session.rollback()
        if error.field is None:
            flash(error.message, "error")
        return _campaign_page(campaign, error.status_code, starts=_typed_starts(request.form),
                              phase_errors={error.field: error.message} if error.field else {})
    flash(_("Phases enregistrées."), "success")
    return redirect(_campaign_url(campaign, "phases"))


@bp.post("/campagnes/<campaign_slug>/referentiel")
@role_required(Role.ADMIN)
def framework(campaign_slug: str):
    """Load an uploaded framework YAML file into the campaign."""
    campaign = url_campaign()
    _apply(lambda: _attach_uploaded_framework(campaign, *_uploaded(
        "framework_file", _("Choisissez un fichier YAML de référentiel."))),
        lambda _none: _("Référentiel « %(name)s » chargé.", name=campaign.framework.name))
    return redirect(_campaign_url(campaign, "referentiel"))


def _workshop_form(campaign: Campaign, workshop=None, *, submitted: bool = False) -> WorkshopForm:
    """The workshop form: the request's values once submitted, else ``workshop``'s."""
    if submitted:
        form = WorkshopForm()
    elif workshop is not None:
        form = WorkshopForm(formdata=None, obj=workshop,
                            engagement_id=str(workshop.engagement_id or ""))
    else:
        form = WorkshopForm(formdata=None)
    engagements = campaign.framework.engagements if campaign.framework else []
    form.engagement_id.choices = options([("", _("Aucun"))] + [
        (str(e.id), f"{e.code} — {e.title}") for e in engagements])
    return form


def _workshop_values() -> dict:
    form = request.form
    engagement = form.get("engagement_id") or ""
    return {"name": form.get("name", ""), "description": form.get("description", ""),
            "engagement_id": int(engagement) if engagement.isdigit() else None,
            "is_open": bool(form.get("is_open"))}


@bp.post("/campagnes/<campaign_slug>/ateliers")
@role_required(Role.ADMIN)
def new_workshop(campaign_slug: str):
    """Create a workshop."""
    campaign = url_campaign()
    _apply(lambda: campaign_admin.save_workshop(campaign, None, **_workshop_values(),
                                                actor=current_user),
           lambda workshop: _("Atelier « %(name)s » créé.", name=workshop.name))
    return redirect(_campaign_url(campaign, "ateliers"))


@bp.post("/campagnes/<campaign_slug>/ateliers/par-engagement")
@role_required(Role.ADMIN)
def engagement_workshops(campaign_slug: str):
    """Create one workshop per engagement of the framework."""
    campaign = url_campaign()
    _apply(lambda: campaign_admin.create_engagement_workshops(campaign, actor=current_user),
           lambda created: ngettext("%(num)d atelier créé.", "%(num)d ateliers créés.",
                                    len(created))
           if created else _("Chaque engagement a déjà son atelier."))
    return redirect(_campaign_url(campaign, "ateliers"))


@bp.route("/campagnes/<campaign_slug>/ateliers/<int:workshop_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def workshop(campaign_slug: str, workshop_id: int):
    """Edit a workshop: name, description, engagement, open or not."""
    campaign = url_campaign()
    workshop = campaign_admin.get_workshop_by_id(campaign, workshop_id)
    form = _workshop_form(campaign, workshop, submitted=request.method == "POST")
    status = 200
    if request.method == "POST":
        refused = _apply(lambda: campaign_admin.save_workshop(
            campaign, workshop, **_workshop_values(), actor=current_user),
            _("Atelier enregistré."), form)
        if refused is None:
            return redirect(_campaign_url(campaign, "ateliers"))
        status = refused.status_code
    return render_template("admin/workshop.html", campaign=campaign, workshop=workshop,
                           workshop_form=form), status


@bp.post("/campagnes/<campaign_slug>/imports")
@role_required(Role.ADMIN)
def new_import(campaign_slug: str):
    """Import contributions from an uploaded CSV file (a job for large files)."""
    campaign = url_campaign()
    form = ContributionImportForm()
    try:
        data, name = _uploaded("csv_file", _("Choisissez un fichier CSV à importer."))
        job = imports.request_import(campaign, data, name,
                                     workshop_name=form.workshop_name.data,
                                     actor=current_user)
        db.session.commit()
    except MotionError as error:
        refuse(error, form, "csv_file")  # an unreadable file: its field's error
        return _campaign_page(campaign, error.status_code, import_form=form)
    if imports.needs_job(data):
        from motion import jobs

        jobs.launch("import", job.id)
    else:
        imports.execute_import(job.id)  # commits
    return redirect(url_for("admin.import_job", campaign_slug=campaign.slug, job_id=job.id))


@bp.get("/campagnes/<campaign_slug>/imports/<int:job_id>")
@role_required(Role.ADMIN)
def import_job(campaign_slug: str, job_id: int):
    """An import's progress, then its line-by-line report."""
    campaign = url_campaign()
    job = imports.get_import_job(campaign, job_id)
    return render_template("admin/import.html", campaign=campaign, job=job,
                           rejected=imports.rejected_lines(job))


@api_bp.get("/campagnes/<campaign_slug>/imports/<int:job_id>")
@role_required(Role.ADMIN)
def import_status(campaign_slug: str, job_id: int):
    """The progress record of an import, polled by its page."""
    campaign = url_campaign()
    job = imports.get_import_job(campaign, job_id)
    return jsonify(job.progress_state())


def _role_form(user, submitted: bool = False) -> RoleForm:
    """The role form of ``user``'s row: the request's values once submitted, else the
    account's; its fields' ids and label are the row's."""
    form = RoleForm() if submitted else RoleForm(
        formdata=None, role=user.role.value, active=user.is_active_account)
    form.role.choices = options((r.value, _(campaign_admin.ROLE_LABELS[r])) for r in Role)
    form.role.id = f"role-{user.id}"
    form.role.label = Label(form.role.id, _("Rôle de %(name)s", name=user.display_name))
    return form


def _users_page(status: int = 200, failed=None):
    """Users and their roles; ``failed`` is a submitted row form shown again with its error."""
    query = (request.values.get("q") or "").strip()
    page = campaign_admin.search_users(query, page=request.args.get("page", 1, type=int))
    forms = {user.id: _role_form(user) for user in page.items}
    if failed is not None:
        forms[failed[0]] = failed[1]
    return render_template("admin/users.html", page=page, query=query, role_forms=forms,
                           form_error=failed is not None), status


@bp.get("/utilisateurs")
@role_required(Role.ADMIN)
def users():
    """Users and their roles, searchable by name, e-mail or collectivité."""
    return _users_page()


@bp.post("/utilisateurs/<int:user_id>")
@role_required(Role.ADMIN)
def user(user_id: int):
    """Change a user's role, or suspend / reactivate the account."""
    target = campaign_admin.get_user(user_id)
    form = _role_form(target, submitted=True)
    refused = _apply(lambda: campaign_admin.set_role(
        target, form.role.data or "", active=form.active.data, actor=current_user),
        lambda _role: _("Compte de %(name)s enregistré.", name=target.display_name), form)
    if refused is not None:
        # The list again, the refusal beside the row's role, as it was chosen.
        return _users_page(refused.status_code, failed=(user_id, form))
    return redirect(url_for("admin.users", q=request.form.get("q") or None))
