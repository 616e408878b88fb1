"""Decidim interchange: import a participatory process's proposals and comments from
Decidim's exports, export the motion's propositions as a CSV Decidim's proposal import takes.

Decidim's CSV exports flatten nested fields with slashes (``title/fr``,
``category/name/fr``, ``endorsements/total_count``, ``title/machine_translations/en``) and
separate columns with ``;``; its JSON exports keep the nesting. Both are read through the
same flattening. Bodies are HTML (rich text) and become plain text here; translatable
fields are ``{locale: text}`` (sometimes as a JSON string in a CSV cell). Decidim ids are
kept as external ids (``decidim:proposal:ID``, ``decidim:comment:ID``), so importing the
same export again adds nothing. Services flush; the caller commits.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from motion.errors import InvalidInput
from motion.exports.opendata import neutralise
from motion.extensions import db
from motion.models import (
    Campaign,
    Comment,
    Contribution,
    ContributionSource,
    ContributionStatus,
    Engagement,
    Motion,
    User,
)
from motion.services import audit, motions
from motion.services.campaigns import get_or_create_workshop
from motion.services.contributions import clean_text
from motion.services.imports import ImportReport, decode_csv, detect_delimiter

DEFAULT_WORKSHOP = "Propositions Decidim"
PROPOSAL_TYPE = "Decidim::Proposals::Proposal"
COMMENT_TYPE = "Decidim::Comments::Comment"
PREFERRED_LOCALES = ("fr", "en")
WITHDRAWN_STATES = {"withdrawn"}


# ------------------------------------------------------------------ reading the files


class _TextExtractor(HTMLParser):
    """Plain text of an HTML fragment: blocks become lines, scripts and styles vanish."""

    BLOCKS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
              "blockquote", "pre", "tr", "table", "section", "article"}
    SKIP = {"script", "style", "template", "iframe", "object"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):  # noqa: ARG002
        if tag in self.SKIP:
            self._skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")
            if tag == "li":
                self.parts.append("- ")

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def html_to_text(value: str) -> str:
    """Decidim's rich text as plain text: tags removed, entities decoded, paragraphs kept."""
    if "<" not in value and "&" not in value:
        return clean_text(value)
    parser = _TextExtractor()
    parser.feed(value)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).split("\n")]
    text = "\n".join(lines)
    return clean_text(re.sub(r"\n{3,}", "\n\n", text))


def flatten(value, key: str = "") -> dict[str, object]:
    """Decidim's CSV flattening of a JSON record: nested keys joined with ``/``."""
    if isinstance(value, dict):
        flat: dict[str, object] = {}
        for sub, item in value.items():
            flat.update(flatten(item, f"{key}/{sub}" if key else str(sub)))
        return flat
    if isinstance(value, list):
        return {key: ", ".join("" if v is None else str(v) for v in value)}
    return {key: value}


def localized(row: dict[str, object], name: str) -> str:
    """The text of a translatable field: French first, then any locale, then machine
    translations; also a plain value or a JSON object in one cell."""
    plain = row.get(name)
    if isinstance(plain, str) and plain.strip().startswith("{"):
        try:
            parsed = json.loads(plain)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            return localized(flatten(parsed, name), name)
    prefix = f"{name}/"
    human = {k[len(prefix):]: v for k, v in row.items()
             if k.startswith(prefix) and "/" not in k[len(prefix):] and v not in (None, "")}
    machine = {k.rsplit("/", 1)[1]: v for k, v in row.items()
               if k.startswith(f"{prefix}machine_translations/") and v not in (None, "")}
    for candidates in (human, machine):
        for locale in PREFERRED_LOCALES:
            if candidates.get(locale):
                return str(candidates[locale])
        if candidates:
            return str(next(iter(candidates.values())))
    return str(plain) if plain not in (None, "") else ""


@dataclass
class Table:
    """Rows of one Decidim file, flattened, with the line each row starts on (CSV) or its
    position (JSON)."""

    rows: list[tuple[int, dict[str, object]]]


def _read_csv(data: bytes) -> Table:
    text, _encoding = decode_csv(data)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=detect_delimiter(text))
    reader.fieldnames = [c.strip() for c in (reader.fieldnames or [])]
    rows, previous_end = [], 1
    for row in reader:
        rows.append((previous_end + 1, {k: v for k, v in row.items() if k is not None}))
        previous_end = reader.line_num
    return Table(rows)


def _read_json(data: bytes) -> Table:
    try:
        records = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise InvalidInput(_("Fichier JSON illisible : exportez-le à nouveau depuis "
                             "Decidim.")) from None
    if isinstance(records, dict):
        records = [records]
    if not isinstance(records, list):
        raise InvalidInput(_("Fichier JSON inattendu : une liste d’objets est attendue."))
    return Table([(i, flatten(r)) for i, r in enumerate(records, start=1)
                  if isinstance(r, dict)])


def read_table(data: bytes, name: str) -> Table:
    """One Decidim export file (CSV or JSON, by its name or its first byte)."""
    if name.lower().endswith(".json") or data.lstrip()[:1] in (b"[", b"{"):
        return _read_json(data)
    return _read_csv(data)


@dataclass
class DecidimExport:
    proposals: Table | None = None
    comments: Table | None = None


def _kind(name: str, table: Table) -> str | None:
    lowered = name.lower()
    if "comment" in lowered:
        return "comments"
    if "proposal" in lowered:
        return "proposals"
    columns = set(table.rows[0][1]) if table.rows else set()
    if "commentable_id" in columns or "commentable_type" in columns:
        return "comments"
    if any(c.startswith("body") for c in columns) and any(c.startswith("title")
                                                          for c in columns):
        return "proposals"
    return None


def read_export(files: Iterable[tuple[str, bytes]]) -> DecidimExport:
    """Sort the uploaded files (or the members of Decidim's open-data ZIP) into proposals
    and comments."""
    export = DecidimExport()
    for name, data in files:
        if name.lower().endswith(".zip"):
            try:
                archive = zipfile.ZipFile(io.BytesIO(data))
            except zipfile.BadZipFile:
                raise InvalidInput(_("Archive ZIP illisible : %(name)s", name=name)) from None
            members = [(m, archive.read(m)) for m in archive.namelist()
                       if m.lower().endswith((".csv", ".json")) and not m.endswith("/")]
            inner = read_export(members)
            export.proposals = export.proposals or inner.proposals
            export.comments = export.comments or inner.comments
            continue
        table = read_table(data, name)
        kind = _kind(name, table)
        if kind is not None and getattr(export, kind) is None:
            setattr(export, kind, table)
    if export.proposals is None and export.comments is None:
        raise InvalidInput(_("Aucune proposition ni aucun commentaire Decidim dans ces "
                             "fichiers (colonnes « title/fr », « body/fr » ou "
                             "« commentable_id » attendues)."))
    return export


# ------------------------------------------------------------------ importing


@dataclass
class DecidimReport:
    proposals: ImportReport = field(default_factory=ImportReport)
    comments: ImportReport = field(default_factory=ImportReport)


def proposal_external_id(decidim_id: object) -> str:
    return f"decidim:proposal:{decidim_id}"


def comment_external_id(decidim_id: object) -> str:
    return f"decidim:comment:{decidim_id}"


def _timestamp(value: object) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).strip().replace(" UTC", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _engagement_hint(campaign: Campaign, *names: str) -> int | None:
    """An engagement whose code or title a category or scope name gives."""
    if campaign.framework_id is None:
        return None
    engagements = db.session.scalars(
        select(Engagement).where(Engagement.framework_id == campaign.framework_id)).all()
    for name in names:
        lowered = name.strip().lower()
        if not lowered:
            continue
        for engagement in engagements:
            code = engagement.code.lower()
            if lowered == engagement.title.strip().lower() or lowered == code or \
                    lowered.startswith(code + " ") or lowered.startswith(code + " -") or \
                    lowered.startswith(code + " —"):
                return engagement.id
    return None


def _is_withdrawn(row: dict[str, object]) -> bool:
    state = str(row.get("state") or "").strip().lower()
    withdrawn = str(row.get("withdrawn") or "").strip().lower()
    return state in WITHDRAWN_STATES or withdrawn == "true"


def _new_external_id(row: dict[str, object], line: int, make_id, known,
                     report: ImportReport) -> str | None:
    """The row's external id if it is new; otherwise count it skipped or rejected."""
    decidim_id = str(row.get("id") or "").strip()
    if not decidim_id.isdigit():
        report.rejected.append((line, _("identifiant Decidim absent ou invalide")))
        return None
    external_id = make_id(decidim_id)
    if external_id in known:
        report.skipped += 1
        return None
    return external_id


def _add(item, created_at: datetime | None, known: dict, external_id: str,
         report: ImportReport) -> None:
    """Add an imported contribution or comment, dated as in Decidim when it says."""
    if created_at is not None:
        item.created_at = created_at
    db.session.add(item)
    known[external_id] = item
    report.inserted += 1


def _import_proposals(campaign: Campaign, table: Table, report: ImportReport,
                      actor: User | None) -> dict[str, Contribution]:
    """Add the new proposals; return every Decidim proposal id → contribution, old and new."""
    existing = {c.external_id: c for c in db.session.scalars(
        select(Contribution).where(Contribution.campaign_id == campaign.id,
                                   Contribution.external_id.like("decidim:proposal:%")))}
    max_length = current_app.config["IMPORT_MAX_TEXT_LENGTH"]
    workshops: dict[str, object] = {}
    for line, row in table.rows:
        external_id = _new_external_id(row, line, proposal_external_id, existing, report)
        if external_id is None:
            continue
        title = " ".join(html_to_text(localized(row, "title")).split())[:200] or None
        body = html_to_text(localized(row, "body")) or (title or "")
        if not body:
            report.rejected.append((line, _("texte vide")))
            continue
        if len(body) > max_length:
            report.rejected.append((line, _("texte trop long (%(n)d caractères, %(m)d au "
                                            "plus)", n=len(body), m=max_length)))
            continue
        category = localized(row, "category/name") or localized(row, "taxonomies/name")
        scope = localized(row, "scope/name")
        workshop_name = (category or DEFAULT_WORKSHOP).strip()[:200]
        if workshop_name not in workshops:
            workshops[workshop_name] = get_or_create_workshop(campaign, workshop_name,
                                                              actor=actor)
        contribution = Contribution(
            campaign_id=campaign.id, workshop=workshops[workshop_name], title=title,
            text=body, collectivite=scope.strip()[:200] or None,
            engagement_id=_engagement_hint(campaign, category, scope),
            external_id=external_id, source=ContributionSource.IMPORT,
            status=ContributionStatus.WITHDRAWN if _is_withdrawn(row)
            else ContributionStatus.PUBLISHED,
        )
        _add(contribution, _timestamp(row.get("published_at") or row.get("created_at")),
             existing, external_id, report)
    db.session.flush()
    return existing


def _import_comments(campaign: Campaign, table: Table, report: ImportReport,
                     proposals: dict[str, Contribution]) -> None:
    known = {c.external_id: c for c in db.session.scalars(
        select(Comment).join(Contribution, Comment.contribution_id == Contribution.id)
        .where(Contribution.campaign_id == campaign.id,
               Comment.external_id.like("decidim:comment:%")))}
    # Parents before replies: by depth, then id.
    def order(item):
        _line, row = item
        depth = str(row.get("depth") or "0")
        number = str(row.get("id") or "0")
        return (int(depth) if depth.isdigit() else 0, int(number) if number.isdigit() else 0)

    for line, row in sorted(table.rows, key=order):
        external_id = _new_external_id(row, line, comment_external_id, known, report)
        if external_id is None:
            continue
        target_type = str(row.get("commentable_type") or PROPOSAL_TYPE)
        target_id = str(row.get("commentable_id") or "").strip()
        parent = None
        if target_type == COMMENT_TYPE:
            parent = known.get(comment_external_id(target_id))
            contribution = parent.contribution if parent is not None else None
            parent = parent.parent or parent if parent is not None else None  # one level
        elif target_type == PROPOSAL_TYPE:
            contribution = proposals.get(proposal_external_id(target_id))
        else:
            report.rejected.append((line, _("commentaire sur autre chose qu’une proposition "
                                            "(%(type)s)", type=target_type)))
            continue
        if contribution is None:
            report.rejected.append((line, _("proposition ou commentaire d’origine absent "
                                            "de l’import (%(id)s)", id=target_id)))
            continue
        text = html_to_text(localized(row, "body"))
        if not text:
            report.rejected.append((line, _("texte vide")))
            continue
        comment = Comment(contribution=contribution, parent=parent, text=text,
                          external_id=external_id, status=ContributionStatus.PUBLISHED)
        _add(comment, _timestamp(row.get("created_at")), known, external_id, report)
    db.session.flush()


def import_decidim(campaign: Campaign, export: DecidimExport, *,
                   actor: User | None = None) -> DecidimReport:
    """Import the proposals (as contributions) and the comments of a Decidim export.

    The category names the workshop (else « Propositions Decidim »), the scope (a
    territory) the collectivité; either may name an engagement of the framework (its
    code or title). Withdrawn proposals come in withdrawn. Supports and endorsements are
    not imported (they are counts without people).
    """
    report = DecidimReport()
    proposals = {c.external_id: c for c in db.session.scalars(
        select(Contribution).where(Contribution.campaign_id == campaign.id,
                                   Contribution.external_id.like("decidim:proposal:%")))}
    if export.proposals is not None:
        proposals = _import_proposals(campaign, export.proposals, report.proposals, actor)
    if export.comments is not None:
        _import_comments(campaign, export.comments, report.comments, proposals)
    audit.record("contribution.import_decidim", campaign, actor=actor,
                 proposals=report.proposals.inserted, comments=report.comments.inserted,
                 skipped=report.proposals.skipped + report.comments.skipped,
                 rejected=report.proposals.rejected_count + report.comments.rejected_count)
    return report


# ------------------------------------------------------------------ exporting


def export_propositions_csv(motion: Motion, *, locale: str = "fr") -> bytes:
    """The motion's propositions in the CSV Decidim's proposal import reads: ``;``
    separated, one ``title/LOCALE`` and one ``body/LOCALE`` column (the organisation's
    default locale), UTF-8."""
    if not re.fullmatch(r"[a-z]{2}(-[A-Z]{2})?", locale):
        raise InvalidInput(_("Langue invalide : %(locale)s (par exemple fr).", locale=locale))
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n",
                        quoting=csv.QUOTE_MINIMAL)
    writer.writerow([f"title/{locale}", f"body/{locale}"])
    for proposition in motions.propositions_in_order(motion):
        writer.writerow([neutralise(proposition.title), neutralise(proposition.text)])
    return buffer.getvalue().encode("utf-8")
