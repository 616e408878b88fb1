"""Importing contributions from CSV files: idempotent, row by row, never all-or-nothing."""

from __future__ import annotations

import csv
import hashlib
import io
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from motion.errors import InvalidInput
from motion.extensions import db
from motion.models import Campaign, Contribution, ContributionSource, ContributionStatus, User
from motion.services import audit
from motion.services.campaigns import get_or_create_workshop
from motion.services.contributions import clean_text

DEFAULT_WORKSHOP = "Contributions importées"
MAX_ID_LENGTH = 200


@dataclass
class ImportReport:
    inserted: int = 0
    skipped: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    encoding: str = "utf-8"

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
) -> ImportReport:
    """Import the rows of a CSV file as contributions of ``campaign``.

    Rows whose external id already exists in the campaign are skipped; bad rows are
    rejected with their line number and the reason, the others are imported. Without an
    id column, the text's fingerprint serves as external id so re-imports stay idempotent.
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
    known = set(
        db.session.scalars(
            select(Contribution.external_id).where(
                Contribution.campaign_id == campaign.id, Contribution.external_id.is_not(None)
            )
        )
    )
    max_length = current_app.config["IMPORT_MAX_TEXT_LENGTH"]
    workshops: dict[str, object] = {}
    previous_end = 1  # the header's last line
    for row in reader:
        line = previous_end + 1
        previous_end = reader.line_num
        if None in row:
            report.rejected.append((line, _("trop de champs (%(n)d au lieu de %(m)d)",
                                            n=len(columns) + len(row[None]), m=len(columns))))
            continue
        if any(value is None for value in row.values()):
            report.rejected.append((line, _("champs manquants")))
            continue
        body = clean_text(row[text_column])
        if not body:
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
        if name not in workshops:
            workshops[name] = get_or_create_workshop(campaign, name, actor=actor)
        title = (row.get("title") or "").strip()[:200] or None
        collectivite = (row.get("collectivite") or "").strip()[:200] or None
        db.session.add(
            Contribution(
                campaign_id=campaign.id,
                workshop=workshops[name],
                text=body,
                title=title,
                collectivite=collectivite,
                external_id=external_id,
                source=ContributionSource.IMPORT,
                status=ContributionStatus.PUBLISHED,
            )
        )
        known.add(external_id)
        report.inserted += 1
    db.session.flush()
    audit.record(
        "contribution.import", campaign, actor=actor, campaign_id=campaign.id,
        file=Path(path).name, inserted=report.inserted, skipped=report.skipped,
        rejected=report.rejected_count,
    )
    return report
