"""Downloads: the motion document, open data and the synthesis report."""

from __future__ import annotations

from flask import (
    Blueprint,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from motion.errors import InvalidInput, NotFound
from motion.extensions import db
from motion.models import Role
from motion.services import audit, exports
from motion.views import facilitator_required, role_required, send_rendered, url_campaign
from motion.views.forms import EmptyForm

bp = Blueprint("exports", __name__)


def _labels() -> dict[str, str]:
    return {
        "motion": _("La motion"),
        "opendata": _("Données ouvertes"),
        "report": _("Rapport de synthèse pour les animateurs"),
        "odt": _("OpenDocument (ODT), format de référence"),
        "docx": _("Word (DOCX)"),
        "pdf": _("PDF accessible"),
        "md": _("Markdown"),
        "csv": _("CSV (archive ZIP avec métadonnées)"),
        "json": _("JSON (avec schéma documenté)"),
        "dossier": _("Dossier de transmission"),
        "dossiers": _("Tous les dossiers de transmission"),
    }


@bp.get("/campagnes/<campaign_slug>/exports")
@facilitator_required
def index(campaign_slug: str):
    """List what can be exported, the open-data licence and the recent export jobs."""
    campaign = url_campaign()
    return render_template(
        "exports/index.html", campaign=campaign, kinds=exports.KINDS, labels=_labels(),
        jobs=exports.recent_jobs(campaign), licences=exports.licence_choices(),
        licence=exports.current_licence(campaign), large=exports.needs_job(campaign),
        form=EmptyForm(),
    )


@bp.post("/campagnes/<campaign_slug>/exports")
@facilitator_required
def create(campaign_slug: str):
    """Send the file now for small campaigns; otherwise start a job and show its progress."""
    campaign = url_campaign()
    kind, fmt = request.form.get("kind", ""), request.form.get("format", "")
    exports.check(kind, fmt)
    annex = exports.check_annex(request.form.get("annex")) if kind == "motion" else None
    if request.form.get("background") or exports.needs_job(campaign):
        job = exports.request_export(campaign, kind, fmt, actor=current_user, annex=annex)
        db.session.commit()
        exports.launch(job.id)
        return redirect(url_for(".show", campaign_slug=campaign.slug, job_id=job.id))
    result = exports.render(campaign, kind, fmt, annex=annex)
    audit.record("export.generate", campaign, actor=current_user,
                 kind=kind, format=fmt, size=len(result.content))
    db.session.commit()
    return send_rendered(result)


@bp.get("/campagnes/<campaign_slug>/exports/<int:job_id>")
@facilitator_required
def show(campaign_slug: str, job_id: int):
    """An export job's progress, then its download link."""
    campaign = url_campaign()
    job = exports.get_job(campaign, job_id)
    return render_template("exports/job.html", campaign=campaign, job=job, labels=_labels(),
                           download_name=exports.download_name(job))


@bp.get("/api/campagnes/<campaign_slug>/exports/<int:job_id>")
@facilitator_required
def status(campaign_slug: str, job_id: int):
    """The progress record of an export job, polled by its page."""
    campaign = url_campaign()
    job = exports.get_job(campaign, job_id)
    return jsonify(**job.progress_state(), size=job.size)


@bp.get("/campagnes/<campaign_slug>/exports/<int:job_id>/fichier")
@facilitator_required
def download(campaign_slug: str, job_id: int):
    """Download the file an export job generated."""
    campaign = url_campaign()
    job = exports.get_job(campaign, job_id)
    path = exports.job_file(job)
    return send_file(path, mimetype=exports.job_mimetype(job), as_attachment=True,
                     download_name=exports.download_name(job))


@bp.post("/campagnes/<campaign_slug>/exports/licence")
@role_required(Role.ADMIN)
def licence(campaign_slug: str):
    """Choose the licence of the campaign's open data (administrators)."""
    campaign = url_campaign()
    code = request.form.get("licence", "")
    if not code:
        raise InvalidInput(_("Choisissez une licence."))
    exports.set_licence(campaign, code, actor=current_user)
    db.session.commit()
    flash(_("Licence des données ouvertes enregistrée."), "success")
    return redirect(url_for(".index", campaign_slug=campaign.slug))


@bp.get("/campagnes/<campaign_slug>/motion/document")
@login_required
def document(campaign_slug: str):
    """The motion as a document: the same HTML as its PDF, for reading on screen."""
    from motion.exports.builder import build_motion_document
    from motion.exports.document import prepare
    from motion.exports.html import render_motion_html

    campaign = url_campaign()
    doc = build_motion_document(campaign)
    if doc is None:
        raise NotFound(_("La motion de cette campagne n’a pas encore été créée."))
    doc = prepare(doc, annex=exports.check_annex(request.args.get("annexe") or "all"))
    return render_motion_html(doc, web=True,
                              stylesheet=url_for("static", filename="exports.css"))
