"""Invitations: an admin imports élus from a CSV; each sets a password through a link."""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from motion import jobs
from motion.errors import InvalidInput, MotionError, NotFound
from motion.extensions import db
from motion.models import Campaign, Role
from motion.services import campaigns, invitations
from motion.views import role_required
from motion.views.forms import InvitationImportForm, SetPasswordForm, options, refuse

bp = Blueprint("invitations", __name__)

MAX_UPLOAD = 2 * 1024 * 1024


def _link_for(token: str) -> str:
    return url_for("invitations.accept", token=token, _external=True)


def _uploaded_file(form: InvitationImportForm) -> bytes:
    """The uploaded file's content; InvalidInput when none was chosen or it is too large."""
    upload = form.file.data
    if upload is None or not getattr(upload, "filename", ""):
        raise InvalidInput(_("Choisissez un fichier CSV à importer."), field="file")
    data = upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise InvalidInput(_("Le fichier est trop volumineux (2 Mo au plus)."), field="file")
    return data


def _chosen_campaign(form: InvitationImportForm) -> Campaign:
    try:
        return campaigns.get_campaign(form.campaign.data or "")
    except NotFound as error:  # renamed since the form was shown, or none yet
        raise NotFound(error.message, field="campaign") from None


@bp.route("/admin/invitations", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def import_file():
    """Import a CSV of élus and send them invitation links."""
    form = InvitationImportForm()
    form.campaign.choices = options(
        (c.slug, c.title) for c in db.session.scalars(
            select(Campaign).order_by(Campaign.created_at.desc()))
    )
    report = campaign = None
    if form.validate_on_submit():
        try:
            data = _uploaded_file(form)
            campaign = _chosen_campaign(form)
            if invitations.needs_job(data):
                invitations.read_file(data)  # a bad file is said here, not by the job
                job = invitations.request_import(data, campaign, request.url_root,
                                                 actor=current_user)
                db.session.commit()
                jobs.launch("invitations", job.id)
                return redirect(url_for(".job", job_id=job.id))
            report = invitations.import_invitations(data, campaign, _link_for,
                                                    actor=current_user)
            db.session.commit()
        except MotionError as error:
            # The form again, what is wrong with the file beside it, the campaign kept.
            refuse(error, form, "file")
            return render_template("invitations/import.html", form=form, report=None,
                                   campaign=None), error.status_code
        flash(_("Import terminé : %(created)s, %(existing)s, %(invited)s, %(rejected)s.",
                created=ngettext("%(num)d compte créé", "%(num)d comptes créés",
                                 report.created),
                existing=ngettext("%(num)d déjà présent", "%(num)d déjà présents",
                                  report.existing),
                invited=ngettext("%(num)d invitation envoyée", "%(num)d invitations envoyées",
                                 report.invited),
                rejected=ngettext("%(num)d ligne écartée", "%(num)d lignes écartées",
                                  len(report.rejected))), "success")
    return render_template("invitations/import.html", form=form, report=report,
                           campaign=campaign)


@bp.get("/admin/invitations/<int:job_id>")
@role_required(Role.ADMIN)
def job(job_id: int):
    """A background invitation import: its progress, then its report."""
    record = invitations.get_job(job_id)
    return render_template("invitations/job.html", job=record,
                           rejected=invitations.rejected_lines(record),
                           warnings=invitations.warning_lines(record),
                           campaign=db.session.get(Campaign, record.campaign_id))


@bp.get("/api/admin/invitations/<int:job_id>")
@role_required(Role.ADMIN)
def job_status(job_id: int):
    """The progress record of a background invitation import, polled by its page."""
    record = invitations.get_job(job_id)
    return jsonify(record.progress_state())


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept(token: str):
    """Choose one's password through an invitation link."""
    invitation = invitations.get_invitation(token)
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            invitations.accept(token, form.password.data or "", form.confirm.data or "")
            db.session.commit()
        except MotionError as error:
            # The form again, the refusal (too short, common, the two differ) beside its field.
            refuse(error, form, "password")
            return render_template("invitations/accept.html", form=form,
                                   invitation=invitation), error.status_code
        flash(_("Votre mot de passe est enregistré : vous pouvez vous connecter."), "success")
        return redirect(url_for("auth.login"))
    return render_template("invitations/accept.html", form=form, invitation=invitation)
