"""The list of collectivités (administrators): upload a CSV or XLSX file, preview what it
will change line by line, then import it (idempotent by type and code)."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from motion.errors import InvalidInput, NotFound
from motion.extensions import db
from motion.models import Role
from motion.models.collectivites import CollectiviteKind, SizeBand
from motion.services import (
    collectivite_coverage,
    collectivite_imports,
    collectivites,
    imports,
    provenance,
)
from motion.views import role_required
from motion.views.forms import CollectivitesImportForm, EmptyForm

bp = Blueprint("collectivites", __name__, url_prefix="/admin/collectivites")

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
PENDING_RE = re.compile(r"^collectivites-[0-9a-f]{32}\.(csv|xlsx)$")
PREVIEW_ROWS = 200


@bp.app_context_processor
def coverage_helpers() -> dict:
    """For the coverage page (contributions per engagement and axis by type and size) and
    the proposition page (its collectivités by size and type)."""
    return {
        "collectivite_summary": provenance.collectivite_summary,
        "voices_by_collectivite": collectivite_coverage.coverage_by_collectivite,
        "kind_columns": [collectivites.kind_label(k) for k in CollectiviteKind]
        + [collectivites.kind_label(None)],
        "size_columns": [collectivites.size_label(s) for s in SizeBand]
        + [collectivites.size_label(None)],
    }


def _pending(name: str) -> Path:
    path = imports.imports_dir() / "pending" / name
    if not PENDING_RE.match(name) or not path.is_file():
        raise NotFound(_("Ce fichier n’est plus disponible : envoyez-le de nouveau."))
    return path


def _index(*, error: str | None = None, status: int = 200):
    """The list and the import form; ``error`` is shown beside the form's file field."""
    total, rows = collectivites.listing()
    form = CollectivitesImportForm(formdata=None)
    if error:
        form.file.errors = [error]
    return render_template(
        "collectivites/index.html",
        total=total,
        rows=rows,
        form=form,
        kind_label=collectivites.kind_label,
        size_label=collectivites.size_label,
    ), status


@bp.get("/")
@role_required(Role.ADMIN)
def index():
    """The listed collectivités and the import form."""
    return _index()


@bp.post("/import")
@role_required(Role.ADMIN)
def upload():
    """Check an uploaded list and show what importing it would do, line by line."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _index(error=_("Choisissez un fichier à importer."), status=400)
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        return _index(error=_("Fichier trop volumineux : 20 Mo au plus."), status=400)
    try:
        plan = collectivite_imports.read_plan(data, upload.filename)
        preview = collectivite_imports.apply_plan(plan, dry_run=True)
    except InvalidInput as error:
        return _index(error=error.message, status=400)
    ext = (
        "xlsx"
        if upload.filename.lower().endswith((".xlsx", ".xlsm")) or data[:2] == b"PK"
        else "csv"
    )
    name = f"collectivites-{secrets.token_hex(16)}.{ext}"
    pending = imports.imports_dir() / "pending"
    pending.mkdir(exist_ok=True)
    (pending / name).write_bytes(data)
    return render_template(
        "collectivites/preview.html",
        name=name,
        report=preview,
        original=Path(upload.filename).name[:200],
        actions=preview.actions[:PREVIEW_ROWS],
        form=EmptyForm(),
        kind_label=collectivites.kind_label,
        size_label=collectivites.size_label,
    )


@bp.post("/import/<name>")
@role_required(Role.ADMIN)
def run(name: str):
    """Import the previewed file and show the line-by-line report."""
    path = _pending(name)
    try:
        report = collectivite_imports.import_file(path)
    except InvalidInput as error:
        db.session.rollback()
        return _index(error=error.message, status=400)
    db.session.commit()
    path.unlink(missing_ok=True)
    return render_template("collectivites/report.html", report=report)
