"""CSV files never carry a live spreadsheet formula (=, +, -, @, tab, CR at the start)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import zipfile
from datetime import UTC, datetime

import pytest

from motion.exports import opendata
from motion.exports.opendata import (
    CLUSTER_COLUMNS,
    CONTRIBUTION_COLUMNS,
    OpenCluster,
    OpenContribution,
    OpenDataSet,
    licence_for,
)
from tests.services.test_exports_documents import _has_calc

PREFIXES = ["=", "+", "-", "@", "\t", "\r"]
HYPERLINK = '=HYPERLINK("http://example.invalid/vol","cliquez")'


def _hostile_dataset(dev_rows) -> OpenDataSet:
    """Real dev answers, each behind one of the formula characters, and a hostile theme."""
    contributions = tuple(
        OpenContribution(
            id=i + 1, title=f"{prefix}titre {i}", text=prefix + row["text"],
            workshop=f"{prefix}atelier", engagement="E1", axis="E1.1", cluster=1,
            cluster_name=HYPERLINK, supports=i, date="2027-01-15",
            collectivite=f"{prefix}33 Commune",
        )
        for i, (prefix, row) in enumerate(zip(PREFIXES * 3, dev_rows, strict=False))
    )
    clusters = (OpenCluster(1, HYPERLINK, len(contributions), ("@mot", "-clé"), "E1", None,
                            False, (1, 2)),)
    return OpenDataSet("congres", "Congrès 2027", licence_for(None),
                       datetime(2027, 3, 2, 9, 30, tzinfo=UTC), contributions, clusters, None)


def _rows(raw: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))


@pytest.mark.parametrize("prefix", PREFIXES)
def test_each_formula_character_is_neutralised(dev_rows, prefix):
    text = prefix + dev_rows[0]["text"]
    data = _hostile_dataset(dev_rows)
    data = OpenDataSet(**{**data.__dict__, "contributions": (
        OpenContribution(**{**data.contributions[0].__dict__, "text": text}),)})
    row = _rows(opendata.contributions_csv(data))[0]
    assert row["text"] == "'" + text
    assert row["text"][1:] == text  # the exact text is the cell minus its first character
    for column in ("title", "workshop", "collectivite", "cluster_name"):
        assert not row[column].startswith(tuple(PREFIXES))
    assert row["id"] == "1"  # numbers are left alone
    assert json.loads(opendata.render_json(data))["contributions"][0]["text"] == text


def test_no_cell_of_any_csv_starts_with_a_formula_character(dev_rows):
    archive = zipfile.ZipFile(io.BytesIO(opendata.render_csv_zip(_hostile_dataset(dev_rows))))
    for name in ("contributions.csv", "themes.csv", "propositions.csv"):
        for row in _rows(archive.read(name)):
            for value in row.values():
                assert not value.startswith(tuple(PREFIXES)), (name, value)
    themes = _rows(archive.read("themes.csv"))
    assert themes[0]["name"] == "'" + HYPERLINK
    readme = archive.read("LISEZMOI.md").decode("utf-8")
    assert "précédé d’une apostrophe" in readme


def test_ordinary_text_is_untouched(dev_rows):
    plain = [r["text"] for r in dev_rows[:200] if not r["text"].startswith(tuple(PREFIXES))]
    assert [opendata.neutralise(t) for t in plain] == plain
    assert opendata.neutralise(-3) == -3


@pytest.mark.skipif(not _has_calc(), reason="LibreOffice Calc is not installed")
def test_libreoffice_reads_text_not_formulas_and_the_text_round_trips(dev_rows, tmp_path):
    """Calc, formulas evaluated as by default, opens every hostile cell as plain text."""
    from odf import table, teletype
    from odf.namespaces import TABLENS
    from odf.opendocument import load

    data = _hostile_dataset(dev_rows)
    for name, content in (("contributions.csv", opendata.contributions_csv(data)),
                          ("themes.csv", opendata.clusters_csv(data))):
        (tmp_path / name).write_bytes(content)
    result = subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
         # separator, quote, UTF-8, from line 1, standard cells, language, quoted as text
         # off, special numbers on, ... evaluate formulas on (13th token)
         "--infilter=CSV:44,34,76,1,,0,false,true,false,false,false,-1,true",
         "--convert-to", "ods", "--outdir", str(tmp_path),
         str(tmp_path / "contributions.csv"), str(tmp_path / "themes.csv")],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr

    def sheet_rows(name: str, width: int) -> list[list[str]]:
        sheet = load(str(tmp_path / name)).spreadsheet.getElementsByType(table.Table)[0]
        rows = []
        for row in sheet.getElementsByType(table.TableRow):
            cells = []
            for cell in row.getElementsByType(table.TableCell):
                assert (TABLENS, "formula") not in cell.attributes  # never a formula
                repeat = int(cell.getAttribute("numbercolumnsrepeated") or 1)
                value = "\n".join(teletype.extractText(p) for p in cell.childNodes)
                cells += [value] * min(repeat, width)
            if any(cells):
                rows.append(cells[:width])
        return rows

    rows = sheet_rows("contributions.ods", len(CONTRIBUTION_COLUMNS))
    assert rows[0] == list(CONTRIBUTION_COLUMNS)
    assert len(rows) == 1 + len(data.contributions)
    for cells, contribution in zip(rows[1:], data.contributions, strict=True):
        for column in ("title", "text", "workshop", "collectivite", "cluster_name"):
            shown = cells[CONTRIBUTION_COLUMNS.index(column)]
            original = getattr(contribution, column)
            # Calc shows the cell as text, the apostrophe included: without it, the exact
            # original (a lone CR read back as a line break).
            assert shown == opendata.neutralise(original).replace("\r", "\n"), (column, shown)
            assert shown[1:] == original.replace("\r", "\n")
    themes = sheet_rows("themes.ods", len(CLUSTER_COLUMNS))
    assert HYPERLINK in themes[1][CLUSTER_COLUMNS.index("name")]
