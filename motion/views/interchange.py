"""Imports and exports with other tools (administrators): Decidim's exports in, the
motion's propositions out for Decidim, and any CSV or XLSX file with a column-mapping step."""

from __future__ import annotations

import io
import re
import secrets
import tempfile
from pathlib import Path

from flask import Blueprint, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from motion.errors import InvalidInput, MotionError, NotFound
from motion.extensions import db
from motion.models import Role
from motion.services import decidim, imports, motions, spreadsheets
from motion.views import role_required, url_campaign
from motion.views.forms import EmptyForm

bp = Blueprint("interchange", __name__, url_prefix="/campagnes/<campaign_slug>/echanges")

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
PENDING_RE = re.compile(r"^[0-9a-f]{32}\.(csv|xlsx)$")


def _uploads(field: str) -> list[tuple[str, bytes]]:
    files = [(f.filename, f.read()) for f in request.files.getlist(field) if f.filename]
    if not files:
        raise InvalidInput(_("Choisissez un fichier à importer."))
    if sum(len(data) for _name, data in files) > MAX_UPLOAD_BYTES:
        raise InvalidInput(_("Fichiers trop volumineux : 20 Mo au plus."))
    return files


def _index(campaign, *, error: str | None = None, status: int = 200):
    return render_template("interchange/index.html", campaign=campaign, form=EmptyForm(),
                           has_motion=motions.get_motion(campaign) is not None,
                           form_error=error), status


@bp.get("/")
@role_required(Role.ADMIN)
def index(campaign_slug: str):
    """The import and export forms."""
    return _index(url_campaign())


@bp.post("/decidim")
@role_required(Role.ADMIN)
def import_decidim(campaign_slug: str):
    """Import a Decidim export (CSV, JSON or open-data ZIP) and show its report."""
    campaign = url_campaign()
    try:
        export = decidim.read_export(_uploads("files"))
        report = decidim.import_decidim(campaign, export, actor=current_user)
    except InvalidInput as error:
        db.session.rollback()
        return _index(campaign, error=error.message, status=400)
    db.session.commit()
    return render_template("interchange/decidim_report.html", campaign=campaign,
                           report=report)


@bp.get("/decidim/propositions.csv")
@role_required(Role.FACILITATOR, Role.ADMIN)
def export_decidim(campaign_slug: str):
    """The motion's propositions as the CSV Decidim's proposal import reads."""
    campaign = url_campaign()
    content = decidim.export_propositions_csv(motions.require_motion(campaign),
                                              locale=request.args.get("langue", "fr"))
    # Werkzeug adds "; charset=utf-8" to a text type: naming it here said it twice.
    return send_file(io.BytesIO(content), mimetype="text/csv",
                     as_attachment=True, download_name=f"propositions-{campaign.slug}.csv")


def _pending_dir() -> Path:
    path = imports.imports_dir() / "pending"
    path.mkdir(exist_ok=True)
    return path


def _pending_sheet(name: str) -> tuple[Path, spreadsheets.Sheet]:
    """The kept upload ``name`` and its sheet (NotFound once it is gone)."""
    path = _pending_dir() / name
    if not PENDING_RE.match(name) or not path.is_file():
        raise NotFound(_("Ce fichier n’est plus disponible : envoyez-le de nouveau."))
    return path, spreadsheets.read_sheet(path.read_bytes(), path.name)


@bp.post("/tableur")
@role_required(Role.ADMIN)
def upload_sheet(campaign_slug: str):
    """Keep an uploaded CSV or XLSX file and go to the column-mapping step."""
    campaign = url_campaign()
    try:
        (filename, data), *_rest = _uploads("file")
        spreadsheets.read_sheet(data, filename)  # refuse an unreadable file now
    except InvalidInput as error:
        return _index(campaign, error=error.message, status=400)
    ext = "xlsx" if filename.lower().endswith((".xlsx", ".xlsm")) or data[:2] == b"PK" \
        else "csv"
    name = f"{secrets.token_hex(16)}.{ext}"
    (_pending_dir() / name).write_bytes(data)
    return redirect(url_for(".mapping", campaign_slug=campaign.slug, name=name,
                            nom=Path(filename).name[:200]))


def _mapping_page(campaign, name: str, sheet, mapping, *, error=None, status=200):
    return render_template("interchange/mapping.html", campaign=campaign, name=name,
                           original=request.values.get("nom", name), sheet=sheet,
                           mapping=mapping, targets=spreadsheets.TARGETS, form=EmptyForm(),
                           form_error=error), status


@bp.get("/tableur/<name>")
@role_required(Role.ADMIN)
def mapping(campaign_slug: str, name: str):
    """Which column holds what, with the first rows of the file."""
    campaign = url_campaign()
    _path, sheet = _pending_sheet(name)
    return _mapping_page(campaign, name, sheet, spreadsheets.guess_mapping(sheet.header))


@bp.post("/tableur/<name>")
@role_required(Role.ADMIN)
def run_sheet(campaign_slug: str, name: str):
    """Import the mapped columns and show the line-by-line report."""
    campaign = url_campaign()
    path, sheet = _pending_sheet(name)
    mapping: dict[str, int | None] = {}
    for target in spreadsheets.TARGETS:
        value = request.form.get(target, "")
        mapping[target] = int(value) if value.isdigit() else None
    workshop_name = (request.form.get("workshop_name") or "").strip() or None
    try:
        data, lines = spreadsheets.to_import_csv(sheet, mapping)
        with tempfile.TemporaryDirectory() as tmp:
            csv_path = Path(tmp) / f"{Path(request.form.get('nom') or name).stem}.csv"
            csv_path.write_bytes(data)
            report = imports.import_csv(
                csv_path, campaign, workshop_name=workshop_name,
                id_column="id" if mapping["id"] is not None else None, actor=current_user)
    except MotionError as error:
        db.session.rollback()
        return _mapping_page(campaign, name, sheet, mapping, error=error.message, status=400)
    db.session.commit()
    path.unlink(missing_ok=True)
    return render_template(
        "interchange/sheet_report.html", campaign=campaign, report=report,
        rejected=[(lines.get(line, line), reason) for line, reason in report.rejected],
        warnings=[(lines.get(line, line), text) for line, text in report.warnings],
        xlsx=name.endswith(".xlsx"))
