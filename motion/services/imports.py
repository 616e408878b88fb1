"""Importing contributions from CSV files: idempotent, row by row, never all-or-nothing."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from motion.errors import InvalidInput
from motion.extensions import db
from motion.models import (
    Campaign,
    Contribution,
    ContributionSource,
    ContributionStatus,
    ImportJob,
    ImportStatus,
    User,
)
from motion.services import audit, collectivites, planner, similar
from motion.services.campaigns import get_or_create_workshop
from motion.services.contributions import clean_text
from motion.validation import has_forbidden_characters, visible_length

DEFAULT_WORKSHOP = "Contributions importées"
MAX_ID_LENGTH = 200
PROGRESS_EVERY = 250  # lines between two progress reports
COMMIT_EVERY = 500  # rows written between two commits when the caller commits in batches
LOOKUP_BATCH = 10_000  # ids per query looking for rows already imported
IMPORT_SYNC_MAX_BYTES = 256 * 1024  # larger uploads are imported by a job

logger = logging.getLogger(__name__)


@dataclass
class ImportReport:
    inserted: int = 0
    skipped: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    encoding: str = "utf-8"
    # Imported rows that reword a contribution already published: (line, message).
    warnings: list[tuple[int, str]] = field(default_factory=list)

    @property
    def rejected_count(self) -> int:
        return len(self.rejected)


def decode_csv(data: bytes) -> tuple[str, str]:
    """Decode UTF-8 (with or without BOM), falling back to Windows-1252."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        raise InvalidInput(
            _("Encodage du fichier non reconnu : enregistrez-le en UTF-8 ou Windows-1252.")
        ) from None


def detect_delimiter(text: str) -> str:
    """Pick the separator from the header line: the most frequent of , ; and tab.

    (csv.Sniffer misreads RFC 4180 files whose texts hold quotes and commas.)
    """
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def text_fingerprint(text: str) -> str:
    """An external id for rows without one: the hash of the normalised text."""
    normalised = " ".join(unicodedata.normalize("NFC", text).lower().split())
    return "sha256:" + hashlib.sha256(normalised.encode()).hexdigest()[:32]


def import_csv(
    path: str | Path,
    campaign: Campaign,
    *,
    workshop_name: str | None = None,
    text_column: str = "text",
    id_column: str | None = "id",
    workshop_column: str = "workshop",
    actor: User | None = None,
    progress: Callable[[float], None] | None = None,
    commit_batch: Callable[[], None] | None = None,
) -> ImportReport:
    """Import the rows of a CSV file as contributions of ``campaign``.

    Rows whose external id already exists in the campaign are skipped; bad rows are
    rejected with their line number and the reason, the others are imported. Without an
    id column, the text's fingerprint serves as external id so re-imports stay idempotent.
    ``progress`` is called now and then with the share of the file read (0 to 1).
    """
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise InvalidInput(_("Impossible de lire %(path)s : %(error)s", path=str(path),
                             error=error.strerror)) from None
    text, encoding = decode_csv(data)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=detect_delimiter(text))
    columns = [c.strip() for c in (reader.fieldnames or [])]
    reader.fieldnames = columns
    if text_column not in columns:
        raise InvalidInput(
            _("Colonne « %(col)s » absente du fichier. Colonnes trouvées : %(found)s.",
              col=text_column, found=", ".join(columns) or _("aucune"))
        )
    use_ids = id_column is not None and id_column in columns
    if id_column is not None and id_column != "id" and not use_ids:
        raise InvalidInput(
            _("Colonne « %(col)s » absente du fichier. Colonnes trouvées : %(found)s.",
              col=id_column, found=", ".join(columns))
        )

    report = ImportReport(encoding=encoding)
    # The database is read only after the file (see below): ids seen in the file so far.
    known: set[str] = set()
    max_length = current_app.config["IMPORT_MAX_TEXT_LENGTH"]
    workshops: dict[str, object] = {}
    accepted: list[tuple[str, Contribution]] = []
    lines: list[int] = []
    previous_end = 1  # the header's last line
    total_lines = max(text.count("\n"), 1)
    for row in reader:
        line = previous_end + 1
        previous_end = reader.line_num
        if progress is not None and line % PROGRESS_EVERY == 0:
            progress(min(line / total_lines, 1.0))
        if None in row:
            report.rejected.append((line, _("trop de champs (%(n)d au lieu de %(m)d)",
                                            n=len(columns) + len(row[None]), m=len(columns))))
            continue
        if any(value is None for value in row.values()):
            report.rejected.append((line, _("champs manquants")))
            continue
        # PostgreSQL refuses NUL in text: one bad row must not abort the whole file.
        if any(has_forbidden_characters(value) for value in row.values()):
            report.rejected.append((line, _("caractères de contrôle (par exemple un octet nul)")))
            continue
        body = clean_text(row[text_column])
        if not visible_length(body):
            report.rejected.append((line, _("texte vide")))
            continue
        if len(body) > max_length:
            report.rejected.append(
                (line, _("texte trop long (%(n)d caractères, %(m)d au plus)",
                         n=len(body), m=max_length))
            )
            continue
        external_id = row[id_column].strip() if use_ids else text_fingerprint(body)
        if not external_id:
            report.rejected.append((line, _("identifiant vide")))
            continue
        if len(external_id) > MAX_ID_LENGTH:
            report.rejected.append((line, _("identifiant trop long")))
            continue
        if external_id in known:
            report.skipped += 1
            continue
        name = workshop_name or (row.get(workshop_column) or "").strip() or DEFAULT_WORKSHOP
        if len(name) > 200:
            report.rejected.append((line, _("nom d’atelier trop long (200 caractères au plus)")))
            continue
        title = (row.get("title") or "").strip()[:200] or None
        collectivite = (row.get("collectivite") or "").strip()[:200] or None
        accepted.append((name, Contribution(
            campaign_id=campaign.id,
            text=body,
            title=title,
            collectivite=collectivite,
            external_id=external_id,
            source=ContributionSource.IMPORT,
            status=ContributionStatus.PUBLISHED,
        )))
        lines.append(line)
        known.add(external_id)
    # Only now the database: a job's progress updates (their own short transactions, above)
    # must all come before this session's first read, or SQLite refuses its writes.
    # In batches: PostgreSQL takes at most 65,535 parameters in one statement (a file of
    # 100,000 rows failed there).
    ids = [c.external_id for _name, c in accepted]
    existing = set()
    for start in range(0, len(ids), LOOKUP_BATCH):
        existing.update(db.session.scalars(
            select(Contribution.external_id).where(
                Contribution.campaign_id == campaign.id,
                Contribution.external_id.in_(ids[start:start + LOOKUP_BATCH]),
            )
        ))
    if existing:
        kept = [(line, item) for line, item in zip(lines, accepted, strict=True)
                if item[1].external_id not in existing]
        report.skipped += len(accepted) - len(kept)
        lines, accepted = [line for line, _item in kept], [item for _line, item in kept]
    report.inserted = len(accepted)
    # Imported all the same, but reported (embedding them also fills the cache that the
    # similar-ideas index and clustering read; into an empty campaign, nothing to compare
    # with: the clustering run embeds them, in chunks shared by the queue workers).
    found = similar.near_duplicates(campaign, [c.text for _name, c in accepted])
    report.warnings += [(line, _("contribution déjà proposée (n° %(id)d)", id=f.contribution.id))
                        for line, f in zip(lines, found, strict=True) if f is not None]
    collectivites.snapshot_names([c for _name, c in accepted])
    # Nothing is written while the file is read, so that a job's progress updates (their
    # own transactions) never wait for this one's write lock on SQLite.
    for number, (name, contribution) in enumerate(accepted, start=1):
        if name not in workshops:
            workshops[name] = get_or_create_workshop(campaign, name, actor=actor)
        contribution.workshop_id = workshops[name].id
        db.session.add(contribution)
        if number % COMMIT_EVERY == 0:
            # One batch per unit of work, whoever commits: a single flush at the end grew
            # with the file and made the import quadratic (20,000 rows: 26 s against 5 s;
            # 100,000 took more than 20 minutes).
            db.session.flush()
            if commit_batch is not None:
                # The caller commits every batch (the CLI): on SQLite, no import holds the
                # write lock for long, so that votes and posts keep going meanwhile.
                commit_batch()
    db.session.flush()
    planner.refresh_after_bulk_write(report.inserted, "contributions")
    audit.record(
        "contribution.import", campaign, actor=actor,
        file=Path(path).name, inserted=report.inserted, skipped=report.skipped,
        rejected=report.rejected_count,
    )
    return report


# ------------------------------------------------------------------ imports from the web


def imports_dir(app=None) -> Path:
    path = Path((app or current_app).instance_path) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def check_csv_header(data: bytes, text_column: str = "text") -> None:
    """Refuse at once a file that cannot be imported at all (encoding, missing column)."""
    if not data.strip():
        raise InvalidInput(_("Le fichier est vide."))
    text, _encoding = decode_csv(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=detect_delimiter(text))
    columns = [c.strip() for c in next(reader, [])]
    if text_column not in columns:
        raise InvalidInput(
            _("Colonne « %(col)s » absente du fichier. Colonnes trouvées : %(found)s.",
              col=text_column, found=", ".join(columns) or _("aucune"))
        )


def request_import(campaign: Campaign, data: bytes, original_name: str, *,
                   workshop_name: str | None = None, actor: User | None = None) -> ImportJob:
    """Keep an uploaded CSV file in the instance folder and record its import job."""
    check_csv_header(data)
    job = ImportJob(
        campaign_id=campaign.id, requested_by=actor, status=ImportStatus.QUEUED,
        message=_("En attente"), filename="", original_name=Path(original_name).name[:255]
        or "import.csv", workshop_name=(workshop_name or "").strip()[:200] or None,
    )
    db.session.add(job)
    db.session.flush()
    job.filename = f"{job.id}__{secrets.token_hex(8)}.csv"
    (imports_dir() / job.filename).write_bytes(data)
    audit.record("import.request", job, actor=actor, campaign_id=campaign.id,
                 file=job.original_name, size=len(data))
    return job


def needs_job(data: bytes) -> bool:
    """Large files are imported by a detached job; small ones within the request."""
    return len(data) > current_app.config.get("IMPORT_SYNC_MAX_BYTES", IMPORT_SYNC_MAX_BYTES)


def get_import_job(campaign: Campaign, job_id: int) -> ImportJob:
    from motion import jobs

    return jobs.get(ImportJob, campaign, job_id, _("Import introuvable."))


def recent_import_jobs(campaign: Campaign, limit: int = 10) -> list[ImportJob]:
    from motion import jobs

    return jobs.recent(ImportJob, campaign, limit)


def rejected_lines(job: ImportJob) -> list[tuple[int, str]]:
    return [(int(line), str(reason)) for line, reason in json.loads(job.rejected_json or "[]")]


def execute_import(job_id: int) -> bool:
    """Import a recorded CSV file now, in this process (see :func:`motion.jobs.execute`)."""
    from motion import jobs

    return jobs.execute("import", job_id)


def run_job(job: ImportJob, progress) -> None:
    """The import job's work: read the file, insert its rows, keep the report on the job."""
    campaign = db.session.get(Campaign, job.campaign_id)
    report = import_csv(
        imports_dir() / job.filename, campaign, workshop_name=job.workshop_name,
        actor=job.requested_by,
        progress=lambda share: progress(0.05 + 0.8 * share, _("Lecture du fichier")),
    )
    job.inserted, job.skipped = report.inserted, report.skipped
    job.rejected_json = json.dumps(report.rejected, ensure_ascii=False)
