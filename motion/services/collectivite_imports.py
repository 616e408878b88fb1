"""Importing the list of collectivités (CSV or XLSX with name, INSEE code, type and
population): read and check every line, preview, then insert or update by type and code
(idempotent) and link the élus whose collectivité is named in it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import func, select

from motion.errors import InvalidInput
from motion.extensions import db
from motion.models import Collectivite, CollectiviteKind
from motion.services import spreadsheets
from motion.services.collectivites import (
    MAX_NAME,
    fold,
    link_by_name,
    parse_kind,
    parse_population,
    validate_code,
)

COLUMNS = {
    "name": ("nom", "name", "libelle", "collectivite", "nom de la collectivite", "commune"),
    "code": (
        "code insee",
        "code_insee",
        "insee",
        "code",
        "codgeo",
        "com",
        "siren",
        "code officiel",
    ),
    "kind": ("type", "nature", "categorie", "kind"),
    "population": (
        "population",
        "pop",
        "habitants",
        "population municipale",
        "pmun",
        "population totale",
        "ptot",
    ),
}


@dataclass(frozen=True)
class Row:
    line: int
    name: str
    code: str | None
    kind: CollectiviteKind
    population: int | None


@dataclass
class Plan:
    """A read and checked file: the valid rows and the rejected lines (line, reason)."""

    rows: list[Row] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class Report:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    users_linked: int = 0
    contributions_linked: int = 0
    # line → "nouvelle" / "mise à jour" / "inchangée" for the preview
    actions: list[tuple[int, str, Row]] = field(default_factory=list)


def _columns(header: list[str]) -> dict[str, int]:
    folded = [fold(h).replace("_", " ") for h in header]
    found: dict[str, int] = {}
    for target, names in COLUMNS.items():
        names = tuple(n.replace("_", " ") for n in names)
        index = next((i for i, h in enumerate(folded) if h in names), None)
        if index is not None:
            found[target] = index
    missing = [t for t in ("name", "code", "kind") if t not in found]
    if missing:
        labels = {"name": _("nom"), "code": _("code INSEE"), "kind": _("type")}
        raise InvalidInput(
            _(
                "Colonnes manquantes : %(cols)s. La première ligne doit "
                "nommer les colonnes nom, code INSEE, type et population.",
                cols=", ".join(labels[m] for m in missing),
            )
        )
    return found


def read_plan(data: bytes, filename: str) -> Plan:
    """Read and check a CSV or XLSX list of collectivités, line by line."""
    sheet = spreadsheets.read_sheet(data, filename)
    columns = _columns(sheet.header)
    plan = Plan()
    seen: dict[tuple[CollectiviteKind, str], int] = {}
    for line, cells in sheet.rows:

        def cell(target: str, cells=cells) -> str:
            index = columns.get(target)
            return cells[index] if index is not None and index < len(cells) else ""

        try:
            name = " ".join(cell("name").split())
            if not name:
                raise ValueError(_("nom manquant"))
            if len(name) > MAX_NAME:
                raise ValueError(_("nom trop long (%(n)d caractères au plus)", n=MAX_NAME))
            kind = parse_kind(cell("kind"))
            code = validate_code(kind, cell("code"))
            population = parse_population(cell("population"))
        except ValueError as error:
            plan.rejected.append((line, str(error)))
            continue
        key = (kind, code or fold(name))
        if key in seen:
            plan.rejected.append(
                (line, _("même type et même code que la ligne %(first)d", first=seen[key]))
            )
            continue
        seen[key] = line
        plan.rows.append(Row(line, name, code, kind, population))
    return plan


def _existing(row: Row) -> Collectivite | None:
    if row.code is not None:
        return db.session.scalar(
            select(Collectivite).where(
                Collectivite.kind == row.kind, Collectivite.insee_code == row.code
            )
        )
    return db.session.scalar(
        select(Collectivite)
        .where(
            Collectivite.kind == row.kind,
            Collectivite.insee_code.is_(None),
            func.lower(Collectivite.name) == row.name.lower(),
        )
        .limit(1)
    )


def apply_plan(plan: Plan, *, dry_run: bool = False) -> Report:
    """Insert or update the plan's collectivités (matched by type and code), then link
    élus and contributions whose free-text collectivité names one. Flushes only."""
    report = Report(rejected=list(plan.rejected))
    for row in plan.rows:
        current = _existing(row)
        if current is None:
            report.inserted += 1
            report.actions.append((row.line, _("nouvelle"), row))
            if not dry_run:
                db.session.add(
                    Collectivite(
                        name=row.name, insee_code=row.code, kind=row.kind, population=row.population
                    )
                )
        elif (current.name, current.population) != (row.name, row.population):
            report.updated += 1
            report.actions.append((row.line, _("mise à jour"), row))
            if not dry_run:
                current.name, current.population = row.name, row.population
        else:
            report.unchanged += 1
            report.actions.append((row.line, _("inchangée"), row))
    if not dry_run:
        db.session.flush()
        report.users_linked, report.contributions_linked = link_by_name()
    return report


def import_file(path: str | Path) -> Report:
    """Import a CSV or XLSX file of collectivités (for the CLI). Flushes only."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InvalidInput(
            _("Impossible de lire %(path)s : %(error)s", path=str(path), error=error.strerror)
        ) from None
    return apply_plan(read_plan(data, path.name))
