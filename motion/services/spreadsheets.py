"""Spreadsheets for the web import: read a CSV or XLSX upload, preview it, and turn the
chosen columns (text, id, workshop, title, collectivité) into the CSV that
:func:`motion.services.imports.import_csv` reads, keeping each row's original line
number for the report."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _

from motion.errors import InvalidInput
from motion.services.imports import decode_csv, detect_delimiter

# The columns import_csv knows, in the order of the mapping form.
TARGETS = ("text", "id", "workshop", "title", "collectivite")
MAX_ROWS = 50_000


@dataclass
class Sheet:
    """A table read from an upload: its header and its rows with their line numbers
    (CSV: the line the record starts on; XLSX: the sheet's row number)."""

    header: list[str]
    rows: list[tuple[int, list[str]]]

    def preview(self, n: int = 5) -> list[tuple[int, list[str]]]:
        return self.rows[:n]


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("\r\n", "\n").replace("\r", "\n")


def _read_xlsx(data: bytes) -> Sheet:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise InvalidInput(_("Classeur XLSX illisible : enregistrez-le de nouveau depuis "
                             "votre tableur (format .xlsx).")) from None
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [_cell(v).strip() for v in next(rows, ())]
        body = []
        for number, values in enumerate(rows, start=2):
            cells = [_cell(v) for v in values]
            if any(c.strip() for c in cells):
                body.append((number, cells))
            if len(body) > MAX_ROWS:
                raise InvalidInput(_("Trop de lignes : %(n)d au plus.", n=MAX_ROWS))
    finally:
        book.close()
    return Sheet(header, body)


def _read_csv(data: bytes) -> Sheet:
    text, _encoding = decode_csv(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=detect_delimiter(text))
    header = [c.strip() for c in next(reader, [])]
    body, previous_end = [], reader.line_num
    for cells in reader:
        if any(c.strip() for c in cells):
            body.append((previous_end + 1, [_cell(c) for c in cells]))
        previous_end = reader.line_num
        if len(body) > MAX_ROWS:
            raise InvalidInput(_("Trop de lignes : %(n)d au plus.", n=MAX_ROWS))
    return Sheet(header, body)


def read_sheet(data: bytes, filename: str) -> Sheet:
    """Read an uploaded CSV or XLSX file (the first sheet of a workbook)."""
    if not data.strip():
        raise InvalidInput(_("Le fichier est vide."))
    is_xlsx = filename.lower().endswith((".xlsx", ".xlsm")) or data[:2] == b"PK"
    sheet = _read_xlsx(data) if is_xlsx else _read_csv(data)
    if not any(sheet.header):
        raise InvalidInput(_("La première ligne doit nommer les colonnes."))
    return sheet


def guess_mapping(header: list[str]) -> dict[str, int | None]:
    """Preselect the columns whose names say what they hold."""
    names = {
        "text": ("text", "texte", "contribution", "proposition", "idée", "idee", "body"),
        "id": ("id", "identifiant", "reference", "référence"),
        "workshop": ("workshop", "atelier", "thème", "theme", "category", "catégorie"),
        "title": ("title", "titre"),
        "collectivite": ("collectivite", "collectivité", "commune", "ville", "territoire"),
    }
    lowered = [h.strip().lower() for h in header]
    mapping: dict[str, int | None] = {}
    for target, candidates in names.items():
        mapping[target] = next((i for i, h in enumerate(lowered) if h in candidates), None)
    return mapping


def to_import_csv(sheet: Sheet, mapping: dict[str, int | None]) -> tuple[bytes, dict[int, int]]:
    """The chosen columns as an import CSV, and the map from its lines to the upload's."""
    if mapping.get("text") is None:
        raise InvalidInput(_("Choisissez la colonne qui contient le texte des contributions."))
    used = [t for t in TARGETS if mapping.get(t) is not None]
    for target in used:
        if not 0 <= mapping[target] < len(sheet.header):
            raise InvalidInput(_("Colonne inconnue pour « %(target)s ».", target=target))
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(used)
    lines: dict[int, int] = {}
    line = 2
    for original, cells in sheet.rows:
        values = [cells[mapping[t]] if mapping[t] < len(cells) else "" for t in used]
        writer.writerow(values)
        lines[line] = original
        line += 1 + sum(v.count("\n") for v in values)
    return buffer.getvalue().encode("utf-8"), lines
