"""Exports: the motion document, open data and the synthesis report, now or as a job.

Small campaigns are exported within the request; large ones (or on demand) by a detached
process with a progress record the page polls, as clustering runs do (``motion.jobs``).
Services only add and flush; the view, the CLI command or the job commits.
"""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from motion import jobs
from motion.errors import Conflict, InvalidInput, NotFound
from motion.exports import builder, document, opendata
from motion.extensions import db
from motion.models import (
    Campaign,
    ExportJob,
    ExportSettings,
    ExportStatus,
    User,
)
from motion.models._types import utcnow
from motion.services import audit, campaigns

logger = logging.getLogger(__name__)

# What can be exported, in which formats.
KINDS: dict[str, tuple[str, ...]] = {
    "motion": ("odt", "docx", "pdf", "md"),
    "opendata": ("csv", "json"),
    "report": ("odt", "pdf"),
}
FORMATS = ("odt", "docx", "pdf", "md", "csv", "json")
MIMETYPES = {
    "odt": "application/vnd.oasis.opendocument.text",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "md": "text/markdown",  # Werkzeug adds "; charset=utf-8" to text types (once)
    "csv": "application/zip",  # the CSV files and their LISEZMOI.md, zipped
    "json": "application/json",
}
EXTENSIONS = {"csv": "zip"}
STEMS = {"motion": "motion", "opendata": "donnees-ouvertes", "report": "rapport-synthese"}
# Above this many published contributions, the web exports in a job (PDF layout of a
# long annex takes seconds).
SYNC_MAX_CONTRIBUTIONS = 400


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    filename: str
    mimetype: str


def default_kind(fmt: str) -> str:
    return "opendata" if fmt in KINDS["opendata"] else "motion"


def check(kind: str, fmt: str) -> None:
    if kind not in KINDS:
        raise InvalidInput(_("Type d’export inconnu : %(kind)s.", kind=kind))
    if fmt not in KINDS[kind]:
        raise InvalidInput(_("Le format %(format)s n’est pas proposé pour cet export.",
                             format=fmt))


def filename_for(campaign: Campaign, kind: str, fmt: str) -> str:
    stamp = utcnow().strftime("%Y%m%d")
    return f"{STEMS[kind]}-{campaign.slug}-{stamp}.{EXTENSIONS.get(fmt, fmt)}"


def render(campaign: Campaign, kind: str, fmt: str,
           progress: Callable[[float, str], None] | None = None, *,
           annex: str | None = None) -> ExportFile:
    """Build the document from the database and render it in ``fmt``."""
    check(kind, fmt)
    progress = progress or (lambda value, message: None)
    progress(0.1, _("Lecture des données"))
    if kind == "motion":
        doc = builder.build_motion_document(campaign)
        if doc is not None:
            doc = document.prepare(doc, annex=check_annex(annex))
        if doc is None:
            raise NotFound(_("La motion de cette campagne n’a pas encore été créée."))
        progress(0.4, _("Mise en page du document"))
        content = _render_motion(doc, fmt)
    elif kind == "opendata":
        data = builder.build_opendata(campaign)
        progress(0.6, _("Écriture des fichiers"))
        content = opendata.render_json(data) if fmt == "json" else opendata.render_csv_zip(data)
    else:
        from motion.exports import report

        data = builder.build_report(campaign)
        progress(0.4, _("Mise en page du rapport"))
        content = report.render_report_odt(data) if fmt == "odt" else \
            report.render_report_pdf(data)
    progress(0.95, _("Enregistrement"))
    return ExportFile(content, filename_for(campaign, kind, fmt), MIMETYPES[fmt])


def _render_motion(doc, fmt: str) -> bytes:
    if fmt == "odt":
        from motion.exports.odt import render_motion_odt

        return render_motion_odt(doc)
    if fmt == "docx":
        from motion.exports.docx import render_motion_docx

        return render_motion_docx(doc)
    if fmt == "pdf":
        from motion.exports.pdf import render_motion_pdf

        return render_motion_pdf(doc)
    from motion.exports.markdown import render_markdown

    return render_markdown(doc)


def needs_job(campaign: Campaign) -> bool:
    limit = current_app.config.get("EXPORT_SYNC_MAX_CONTRIBUTIONS", SYNC_MAX_CONTRIBUTIONS)
    return campaigns.published_count(campaign) > limit


# ------------------------------------------------------------------ licence


def licence_choices() -> list[opendata.Licence]:
    return list(opendata.LICENCES.values())


def set_licence(campaign: Campaign, code: str, *, actor: User | None = None) -> ExportSettings:
    """Choose the licence the campaign's open data is published under."""
    if code not in opendata.LICENCES:
        raise InvalidInput(_("Licence inconnue : %(code)s.", code=code))
    settings = db.session.get(ExportSettings, campaign.id)
    if settings is None:
        settings = ExportSettings(campaign_id=campaign.id)
        db.session.add(settings)
    previous = settings.licence
    settings.licence = code
    settings.updated_by_id = actor.id if actor else None
    audit.record("export.licence", campaign, actor=actor,
                 before=previous, after=code)
    return settings


def current_licence(campaign: Campaign) -> opendata.Licence:
    return opendata.licence_for(builder.licence_code(campaign))


# ------------------------------------------------------------------ jobs


def exports_dir(app=None) -> Path:
    path = Path((app or current_app).instance_path) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def check_annex(annex: str | None) -> str:
    """The annex asked for the motion (the short default when none is given)."""
    if not annex:
        return document.DEFAULT_ANNEX
    if annex not in document.ANNEX_CHOICES:
        raise InvalidInput(_("Annexe inconnue : %(annex)s.", annex=annex))
    return annex


def request_export(campaign: Campaign, kind: str, fmt: str, *,
                   actor: User | None = None, annex: str | None = None) -> ExportJob:
    """Create the progress record of an export job; refuse a duplicate while one runs."""
    check(kind, fmt)
    if kind == "motion":
        from motion.models.motions import Motion

        if db.session.scalar(select(Motion.id).where(Motion.campaign_id == campaign.id)) is None:
            raise NotFound(_("La motion de cette campagne n’a pas encore été créée."))
    return queue_job(campaign, kind, fmt, actor=actor,
                     busy=_("Cet export est déjà en préparation."),
                     annex=check_annex(annex) if kind == "motion" else None)


def queue_job(campaign: Campaign, kind: str, fmt: str, *, actor: User | None, busy: str,
              annex: str | None = None, addressee_id: int | None = None) -> ExportJob:
    """Add the queued progress record of an export (the motion's, or a dossier's), unless
    the same one (kind, format, addressee) is already queued or running: then ``busy``."""
    same_addressee = (ExportJob.addressee_id.is_(None) if addressee_id is None
                      else ExportJob.addressee_id == addressee_id)
    if jobs.active(ExportJob, ExportJob.campaign_id == campaign.id, ExportJob.kind == kind,
                   ExportJob.format == fmt, same_addressee) is not None:
        raise Conflict(busy)
    job = ExportJob(campaign_id=campaign.id, requested_by=actor, kind=kind, format=fmt,
                    addressee_id=addressee_id, status=ExportStatus.QUEUED,
                    message=_("En attente"), annex=annex)
    db.session.add(job)
    audit.record("export.request", job, actor=actor, campaign_id=campaign.id,
                 kind=kind, format=fmt)
    return job


def get_job(campaign: Campaign, job_id: int) -> ExportJob:
    return jobs.get(ExportJob, campaign, job_id, _("Export introuvable."))


def recent_jobs(campaign: Campaign, limit: int = 10) -> list[ExportJob]:
    return jobs.recent(ExportJob, campaign, limit)


def job_file(job: ExportJob) -> Path:
    """The generated file of a finished job (NotFound if it is gone)."""
    if job.status != ExportStatus.DONE or not job.filename:
        raise NotFound(_("Ce fichier n’est pas (ou plus) disponible."))
    path = exports_dir() / job.filename
    if not path.is_file():
        raise NotFound(_("Ce fichier n’est pas (ou plus) disponible."))
    return path


def job_mimetype(job: ExportJob) -> str:
    return "application/zip" if job.kind == "dossiers" else MIMETYPES[job.format]


def download_name(job: ExportJob) -> str:
    return job.filename.split("__", 1)[-1] if job.filename else "export"


def execute_export(job_id: int) -> bool:
    """Generate a recorded export now, in this process (see :func:`motion.jobs.execute`)."""
    return jobs.execute("export", job_id)


def run_job(job: ExportJob, progress: jobs.Progress) -> None:
    """The export job's work: render the file into the instance folder."""
    campaign = db.session.get(Campaign, job.campaign_id)
    result = render(campaign, job.kind, job.format, progress=progress, annex=job.annex)
    save_job_file(job, result)


def save_job_file(job: ExportJob, result: ExportFile) -> None:
    """Write a job's file into the instance folder and record it on the job (also used by
    the transmission dossiers' job kind, ``motion.services.dossiers.run_job``)."""
    # The job id keeps names unique; the part after "__" is what the browser saves.
    name = f"{job.id}__{result.filename}"
    path = exports_dir() / name
    tmp = path.with_suffix(path.suffix + ".part")
    tmp.write_bytes(result.content)
    tmp.replace(path)
    job.filename = name
    job.size = len(result.content)
    audit.record("export.generate", job, actor=job.requested_by,
                 kind=job.kind, format=job.format, size=job.size)


def launch(job_id: int) -> subprocess.Popen[bytes]:
    """Start the export job in a detached process (see :mod:`motion.jobs`); a transmission
    dossier's job runs as the ``dossier`` kind."""
    job = db.session.get(ExportJob, job_id)
    kind = "dossier" if job is not None and job.kind in ("dossier", "dossiers") else "export"
    return jobs.launch(kind, job_id)
