"""The motion document and the synthesis report, opened with real readers.

The documents are built from real dev rows (Grand Débat answers) without a database;
tests/services/test_exports.py covers the builder and the end-to-end exports.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from motion.exports import common, markdown, odt, report
from motion.exports import docx as docx_export
from motion.exports.document import (
    CoverageRow,
    MotionDocument,
    PropositionEntry,
    ReportCluster,
    Section,
    SourceEntry,
    SynthesisReport,
    VoteResult,
)
from motion.exports.pdf import render_motion_pdf
from motion.exports.typography import NNBSP, french

ENGAGEMENTS = [
    ("E1", "Garantir l'égalité d'accès au numérique"),
    ("E2", "Un numérique responsable : sobre et durable"),
    ("E3", "Des services publics numériques de confiance"),
    ("E4", "Faire vivre la démocratie locale"),
]


def _motion(rows, *, adopted: bool, authors: bool = False, per_proposition: int = 6,
            empty_last_section: bool = False) -> MotionDocument:
    """Four sections of two propositions, each with real dev texts as its sources."""
    sections, k = [], 0
    for s, (code, title) in enumerate(ENGAGEMENTS, start=1):
        propositions = []
        count = 0 if (empty_last_section and s == 4) else 2
        for p in range(1, count + 1):
            sources = tuple(
                SourceEntry(contribution_id=1000 + i, text=rows[i]["text"],
                            workshop=rows[i]["theme"], collectivite=f"Commune n°{i % 7}",
                            author=f"Auteur {i}", supports=i % 3)
                for i in range(k, k + per_proposition)
            )
            k += per_proposition
            propositions.append(PropositionEntry(
                id=s * 10 + p, number=f"{s}.{p}", title=rows[k]["question"][:120],
                text=rows[k]["text"] + "\n\n" + rows[k + 1]["text"], sources=sources,
                cluster_ids=(s, s + 10), vote=VoteResult(41, 7, 3) if adopted else None,
            ))
        sections.append(Section(code, title, tuple(propositions)))
    return MotionDocument(
        campaign_slug="congres", congress="Congrès national des élus au numérique 2027",
        title="Motion du congrès : pour un numérique d'intérêt général",
        preamble="Réunis en congrès, les élus ont contribué. Pourquoi ? Pour agir !\n\n"
                 "Second paragraphe : la suite.",
        sections=tuple(sections), place="Cahors", congress_date=date(2027, 3, 1),
        adopted_on=date(2027, 3, 2) if adopted else None, publish_author_names=authors,
        generated_at=datetime(2027, 3, 2, 9, 30, tzinfo=UTC),
    )


@pytest.fixture
def draft(dev_rows):
    return _motion(dev_rows, adopted=False)


@pytest.fixture
def adopted(dev_rows):
    return _motion(dev_rows, adopted=True, authors=True)


# ---------------------------------------------------------------- typography


@pytest.mark.parametrize(("raw", "expected"), [
    ("Pourquoi pas? Agir: vite; maintenant !", f"Pourquoi pas{NNBSP}? Agir{NNBSP}: vite{NNBSP}; "
                                              f"maintenant{NNBSP}!"),
    ('Il a dit "non merci".', f"Il a dit «{NNBSP}non merci{NNBSP}»."),
    ("« déjà »", f"«{NNBSP}déjà{NNBSP}»"),
    ("à 10:30, voir https://exemple.fr/a?b=c", "à 10:30, voir https://exemple.fr/a?b=c"),
    ("l'État...", "l\u2019État…"),
    ("", ""),
])
def test_french_typography(raw, expected):
    assert french(raw) == expected
    assert french(expected) == expected  # idempotent


def test_provenance_line_counts_contributions_collectivites_and_workshops(draft):
    proposition = draft.sections[0].propositions[0]
    line = proposition.provenance_line
    assert line.startswith("Issue de 6 contributions de ")
    assert f"{len(proposition.collectivites)} collectivités" in line
    for workshop in proposition.workshops:
        assert workshop in line


def test_control_characters_pasted_in_a_text_do_not_break_the_xml_formats(dev_rows):
    from docx import Document

    rows = [{**r, "text": r["text"] + " \x0bfin\x01"} for r in dev_rows]
    doc = _motion(rows, adopted=False, per_proposition=2)
    _document, _headings, paragraphs = _odt_parts(odt.render_motion_odt(doc))
    assert any(p.endswith(" fin ") for p in paragraphs)
    assert Document(io.BytesIO(docx_export.render_motion_docx(doc))).paragraphs


# ---------------------------------------------------------------- ODT


def _odt_parts(content: bytes):
    from odf import teletype, text
    from odf.opendocument import load

    document = load(io.BytesIO(content))
    headings = [(int(h.getAttribute("outlinelevel")), teletype.extractText(h))
                for h in document.text.getElementsByType(text.H)]
    paragraphs = [teletype.extractText(p) for p in document.text.getElementsByType(text.P)]
    return document, headings, paragraphs


def test_odt_has_real_headings_provenance_annex_and_french_punctuation(draft):
    from odf import dc, style, text

    document, headings, paragraphs = _odt_parts(odt.render_motion_odt(draft))
    level1 = [t for level, t in headings if level == 1]
    assert level1[0] == "Préambule"
    assert level1[1] == french("E1 — Garantir l'égalité d'accès au numérique")
    assert level1[-1] == common.ANNEX_HEADING
    assert common.VOTES_HEADING not in level1  # no vote yet
    # Each proposition: a level-2 heading in its section, then again in the annex.
    for proposition in draft.propositions:
        heading = common.proposition_heading(proposition.number, proposition.title)
        assert [t for level, t in headings if level == 2].count(heading) == 2
        assert french(proposition.provenance_line) in paragraphs
        for source in proposition.sources:
            assert common.quoted(source.text) in paragraphs
            reference = common.source_line(source, with_author=False)
            assert reference in paragraphs
            assert source.author not in reference  # names not allowed by the campaign
    assert f"Pourquoi{NNBSP}? Pour agir{NNBSP}!" in " ".join(paragraphs)
    assert "« " not in " ".join(paragraphs)  # guillemets take narrow no-break spaces
    # Styles are real named styles (the navigator and tables of contents use them).
    names = {s.getAttribute("name") for s in document.styles.getElementsByType(style.Style)}
    assert {"Heading_20_1", "Heading_20_2", "Title", "Text_20_body"} <= names
    # "PROJET" in the page header, page numbers in the footer, language and title.
    master = document.masterstyles.getElementsByType(style.MasterPage)[0]
    header = master.getElementsByType(style.Header)[0]
    assert "PROJET" in "".join(str(n) for n in header.getElementsByType(text.P))
    assert master.getElementsByType(style.Footer)[0].getElementsByType(text.PageNumber)
    assert str(document.meta.getElementsByType(dc.Language)[0]) == "fr-FR"
    assert str(document.meta.getElementsByType(dc.Title)[0]) == french(draft.title)


def test_adopted_odt_has_no_projet_but_the_vote_table(adopted):
    from odf import style, table, teletype

    document, headings, paragraphs = _odt_parts(odt.render_motion_odt(adopted))
    master = document.masterstyles.getElementsByType(style.MasterPage)[0]
    assert not master.getElementsByType(style.Header)
    assert not any("PROJET" in p for p in paragraphs)
    assert "Motion adoptée le 2 mars 2027" in paragraphs
    assert (1, common.VOTES_HEADING) in headings
    votes = document.text.getElementsByType(table.Table)[0]
    rows = [[teletype.extractText(c) for c in r.getElementsByType(table.TableCell)]
            for r in votes.getElementsByType(table.TableRow)]
    assert rows[0] == list(common.VOTE_COLUMNS)
    assert len(rows) == 1 + len(adopted.propositions)
    assert rows[1][2:] == ["41", "7", "3", "Adoptée"]
    # This campaign publishes authors' names: they appear in the annex.
    source = adopted.propositions[0].sources[0]
    assert common.source_line(source, with_author=True) in paragraphs
    assert source.author in common.source_line(source, with_author=True)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_converts_the_odt_to_pdf_without_error(draft, tmp_path):
    from pypdf import PdfReader

    source = tmp_path / "motion.odt"
    source.write_bytes(odt.render_motion_odt(draft))
    result = subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        capture_output=True, text=True, timeout=180,
    )
    assert result.returncode == 0, result.stderr
    text = "\n".join(p.extract_text() for p in PdfReader(tmp_path / "motion.pdf").pages)
    assert "Préambule" in text
    assert draft.propositions[-1].title[:30] in " ".join(text.split())


# ---------------------------------------------------------------- DOCX


def test_docx_has_heading_styles_header_page_numbers_and_votes(draft, adopted):
    from docx import Document

    document = Document(io.BytesIO(docx_export.render_motion_docx(draft)))
    styled = [(p.style.name, p.text) for p in document.paragraphs]
    assert ("Heading 1", "Préambule") in styled
    assert ("Heading 1", common.ANNEX_HEADING) in styled
    for proposition in draft.propositions:
        heading = common.proposition_heading(proposition.number, proposition.title)
        assert styled.count(("Heading 2", heading)) == 2
        assert ("Provenance", french(proposition.provenance_line)) in styled
    assert ("Quote", common.quoted(draft.propositions[0].sources[0].text)) in styled
    assert "PROJET" in document.sections[0].header.paragraphs[0].text
    footer_xml = document.sections[0].footer._element.xml
    assert "PAGE" in footer_xml
    assert "NUMPAGES" in footer_xml
    assert document.core_properties.title == french(draft.title)
    assert document.core_properties.language == "fr-FR"
    assert not document.tables

    final = Document(io.BytesIO(docx_export.render_motion_docx(adopted)))
    assert "PROJET" not in final.sections[0].header.paragraphs[0].text
    votes = final.tables[0]
    assert [c.text for c in votes.rows[0].cells] == list(common.VOTE_COLUMNS)
    assert [c.text for c in votes.rows[1].cells][2:] == ["41", "7", "3", "Adoptée"]
    assert len(votes.rows) == 1 + len(adopted.propositions)


# ---------------------------------------------------------------- PDF


def _pdf_text(content: bytes):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return reader, " ".join(text.split())


def test_pdf_is_tagged_with_language_title_and_headings(draft):
    reader, text = _pdf_text(render_motion_pdf(draft))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "fr-FR"
    assert root["/MarkInfo"]["/Marked"].value is True
    assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert reader.metadata.title == french(draft.title)
    # The structure tree holds real headings (H1, H2, H3), paragraphs and lists.
    tags = set()

    def walk(node, depth=0):
        node = node.get_object()
        if depth > 60 or not hasattr(node, "get"):
            return
        if node.get("/S"):
            tags.add(str(node["/S"]))
        kids = node.get("/K")
        if kids is None:
            return
        for kid in kids if isinstance(kids, list) else [kids]:
            if hasattr(kid, "get_object"):
                walk(kid, depth + 1)

    walk(root["/StructTreeRoot"])
    assert {"/H1", "/H2", "/H3", "/P", "/L"} <= tags, tags
    # Headings also give the reader's bookmarks (the PDF outline).
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert french(draft.title) in outline
    # Title page, then one page per engagement at least, then the annex.
    assert len(reader.pages) >= 6
    assert "PROJET" in text
    assert "Préambule" in text
    for proposition in draft.propositions:
        assert " ".join(proposition.provenance_line.split()[:5]) in text
    assert re.search(r"page 2 sur \d+", text)


def test_adopted_pdf_has_no_projet_and_shows_votes(adopted):
    _reader, text = _pdf_text(render_motion_pdf(adopted))
    assert "PROJET" not in text
    assert common.VOTES_HEADING in text
    assert "Motion adoptée le 2 mars 2027" in text


# ---------------------------------------------------------------- Markdown


def test_markdown_structure_and_escaping(dev_rows):
    doc = _motion(dev_rows, adopted=True, empty_last_section=True)
    text = markdown.render_markdown(doc).decode("utf-8")
    assert text.startswith(f"# {french(doc.title)}")
    assert "PROJET" not in text
    assert "\n## Préambule\n" in text
    assert "*Aucune proposition dans cette partie.*" in text
    assert f"\n## {common.VOTES_HEADING}\n" in text
    assert text.count("\n### Proposition 1.1 — ") == 2  # the section and the annex
    assert "| 1.1 | " in text
    draft_text = markdown.render_markdown(_motion(dev_rows, adopted=False)).decode("utf-8")
    assert draft_text.startswith(f"> **{common.DRAFT_NOTICE}**")
    tricky = _motion([{**r, "text": "*gras* <b>html</b> [lien](x) # titre"} for r in dev_rows],
                     adopted=False)
    rendered = markdown.render_markdown(tricky).decode("utf-8")
    assert r"\*gras\* \<b\>html\</b\> \[lien\](x) \# titre" in rendered


# ---------------------------------------------------------------- synthesis report


@pytest.fixture
def synthesis(dev_rows):
    clusters = []
    for i, theme in enumerate(sorted({r["theme"] for r in dev_rows})):
        members = [r for r in dev_rows if r["theme"] == theme]
        clusters.append(ReportCluster(
            id=i + 1, name=theme, size=len(members),
            keywords=tuple(theme.lower().split()[:4]),
            representatives=tuple(r["text"] for r in members[:3]),
            engagement=f"E{i % 4 + 1} — {ENGAGEMENTS[i % 4][1]}" if i < 3 else None,
            workshops=(theme,),
        ))
    coverage = tuple(CoverageRow(code, title, 100 * (n + 1), n + 2)
                     for n, (code, title) in enumerate(ENGAGEMENTS))
    return SynthesisReport(
        campaign_slug="congres", congress="Congrès national des élus au numérique 2027",
        coverage=coverage, clusters=tuple(clusters), n_contributions=len(dev_rows),
        n_out_of_frame=12, n_unassigned=34, generated_at=datetime(2027, 3, 2, tzinfo=UTC),
    )


def test_report_odt_has_the_chart_coverage_table_and_every_cluster(synthesis):
    from odf import draw, table, teletype

    content = report.render_report_odt(synthesis)
    document, headings, paragraphs = _odt_parts(content)
    assert (2, report.COVERAGE_HEADING) in headings
    assert [t for level, t in headings if level == 3] == [french(c.name)
                                                          for c in synthesis.clusters]
    frame = document.text.getElementsByType(draw.Frame)[0]
    assert "E4 : 400 contributions" in teletype.extractText(frame).replace(NNBSP, " ")
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        png = [n for n in archive.namelist() if n.endswith(".png")]
        assert png
        assert archive.read(png[0])[:8] == b"\x89PNG\r\n\x1a\n"
    cells = [teletype.extractText(c) for c in
             document.text.getElementsByType(table.Table)[0].getElementsByType(table.TableCell)]
    assert cells[:3] == ["Engagement", "Contributions", "Thèmes"]
    assert "400" in cells
    first = synthesis.clusters[0]
    assert common.quoted(first.representatives[0]) in paragraphs
    assert any(first.keywords[0] in p for p in paragraphs)
    assert any(p.startswith("Rattachement") and "Hors cadre" in p for p in paragraphs)


def test_report_html_and_pdf_carry_every_column_of_the_odt_coverage_table(synthesis):
    """The HTML report (printed to PDF) shows the same coverage table as the ODT, every
    column of it: the sizes of collectivités too, not only the first three."""
    from dataclasses import replace
    from html.parser import HTMLParser

    from odf import table, teletype

    sizes = [(121, 126, 251, 7, 0), (3, 14, 15, 92, 65), (35, 89, 79, 32, 38), (4, 6, 2, 6, 43)]
    synthesis = replace(synthesis, coverage=tuple(
        replace(row, by_size=by_size) for row, by_size in zip(synthesis.coverage, sizes,
                                                               strict=True)))
    document, _headings, _paragraphs = _odt_parts(report.render_report_odt(synthesis))
    odt_rows = [[teletype.extractText(cell) for cell in row.getElementsByType(table.TableCell)]
                for row in document.text.getElementsByType(table.Table)[0]
                .getElementsByType(table.TableRow)]

    class Cells(HTMLParser):
        def __init__(self):
            super().__init__()
            self.rows, self.cell = [], None

        def handle_starttag(self, tag, attrs):
            if tag == "tr":
                self.rows.append([])
            elif tag in ("th", "td"):
                self.cell = ""

        def handle_endtag(self, tag):
            if tag in ("th", "td"):
                self.rows[-1].append(self.cell)
                self.cell = None

        def handle_data(self, data):
            if self.cell is not None:
                self.cell += data

    parser = Cells()
    parser.feed(report.render_report_html(synthesis))
    assert len(odt_rows[0]) == 8
    assert parser.rows == odt_rows
    _reader, text = _pdf_text(report.render_report_pdf(synthesis))
    for row in odt_rows[1:]:
        assert " ".join(row[1:]) in text, row


@pytest.mark.parametrize(("n", "expected"), [(0, "0 contribution"), (1, "1 contribution"),
                                             (2, "2 contributions"), (1000, "1000 contributions")])
def test_exports_count_in_french_zero_and_one_singular(n, expected):
    from motion.exports.typography import ngettext_fr

    assert ngettext_fr("%(num)d contribution", "%(num)d contributions", n) == expected


def test_report_says_zero_and_one_in_the_singular_in_odt_and_pdf(synthesis):
    """French counts 0 and 1 in the singular: "1 contribution à classer", "E4 : 0
    contribution, 0 thème", "1 contribution ; mots-clés…", in the ODT as in the PDF."""
    from dataclasses import replace

    from odf import draw, teletype

    coverage = (*synthesis.coverage[:3], replace(synthesis.coverage[3], contributions=0,
                                                 clusters=0))
    cluster = replace(synthesis.clusters[0], size=1)
    synthesis = replace(synthesis, coverage=coverage, clusters=(cluster,), n_contributions=1,
                        n_unassigned=1, n_out_of_frame=0)
    summary = ("1 contribution publiée, 1 thème ; 1 contribution à classer, 0 hors cadre.")
    chart = "E4 : 0 contribution, 0 thème."
    facts = "1 contribution ; mots-clés"
    document, _headings, paragraphs = _odt_parts(report.render_report_odt(synthesis))
    odt_text = " ".join(paragraphs).replace(NNBSP, " ")
    frame = document.text.getElementsByType(draw.Frame)[0]
    _reader, pdf_text = _pdf_text(report.render_report_pdf(synthesis))
    pdf_text = pdf_text.replace(NNBSP, " ")
    for text in (odt_text, pdf_text):
        assert summary in text
        assert facts in text
    assert chart in teletype.extractText(frame).replace(NNBSP, " ")
    assert chart in report.chart_description(synthesis).replace(NNBSP, " ")


def test_motion_and_dossier_lines_count_in_french():
    from dataclasses import replace
    from types import SimpleNamespace

    from motion.exports import dossier
    from motion.exports.document import VoteResult

    one = SourceEntry(contribution_id=1, text="t", workshop="A", collectivite="Cahors",
                      supports=1)
    assert common.source_line(one, with_author=False).endswith("1 soutien")
    proposition = PropositionEntry(id=1, number="1.1", title="T", text="x", sources=(one,),
                                   vote=VoteResult(12, 3, 0))
    assert proposition.provenance_line.startswith("Issue de 1 contribution de 1 collectivité,")
    assert dossier.vote_line(proposition).endswith("12 pour, 3 contre, 0 abstention.")
    doc = _motion([{"text": "texte", "theme": "Atelier", "question": "Titre"}] * 80,
                  adopted=True, per_proposition=1)
    doc = replace(doc, annex="counts")
    _quotes, note = common.annex_sources(doc, doc.propositions[0])
    assert note.replace(NNBSP, " ").startswith("1 contribution de 1 collectivité. ")
    written = SimpleNamespace(propositions=(proposition,),
                              provenance=dossier.ProvenanceSummary(0, 0, 0))
    assert dossier.provenance_lines(written) == [
        "Cette proposition est issue de 0 contribution de 0 élu et de 0 collectivité."]


def test_report_pdf_is_tagged_and_lists_clusters(synthesis):
    reader, text = _pdf_text(report.render_report_pdf(synthesis))
    assert reader.trailer["/Root"]["/Lang"] == "fr-FR"
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"].value is True
    assert report.COVERAGE_HEADING in text
    for cluster in synthesis.clusters:
        assert " ".join(french(cluster.name).split()) in text
    # The chart is a tagged figure whose alternative text gives the numbers.
    figures = []

    def walk(node, depth=0):
        node = node.get_object()
        if depth > 60 or not hasattr(node, "get"):
            return
        if node.get("/S") == "/Figure":
            figures.append(str(node.get("/Alt", "")))
        kids = node.get("/K")
        for kid in (kids if isinstance(kids, list) else [kids]) if kids is not None else []:
            if hasattr(kid, "get_object"):
                walk(kid, depth + 1)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    assert any("E4" in alt and "400 contributions" in alt.replace(NNBSP, " ")
               for alt in figures), figures
    assert "E4" in text
    assert "400" in text


# ---------------------------------------------------------------- open data files


def _dataset(rows):
    from motion.exports.opendata import OpenCluster, OpenContribution, OpenDataSet, licence_for

    tricky = 'Un texte avec une virgule, des "guillemets droits"\net un retour à la ligne'
    contributions = tuple(
        OpenContribution(
            id=i + 1, title=None, text=tricky if i == 0 else row["text"],
            workshop=row["theme"], engagement=f"E{i % 4 + 1}", axis=f"E{i % 4 + 1}.1",
            cluster=i % 5 + 1, cluster_name=f"Thème {i % 5 + 1}", supports=i % 4,
            date="2027-01-15", collectivite=f"Commune n°{i % 9}")
        for i, row in enumerate(rows[:200])
    )
    clusters = tuple(OpenCluster(k, f"Thème {k}", 40, ("mot", "clé"), "E1", None, False,
                                 (k, k + 5)) for k in range(1, 6))
    return OpenDataSet("congres", "Congrès 2027", licence_for(None),
                       datetime(2027, 3, 2, 9, 30, tzinfo=UTC), contributions, clusters, None)


def test_open_data_json_of_a_campaign_without_motion_validates(dev_rows):
    import json

    import jsonschema

    from motion.exports.opendata import render_json

    schema = json.loads((Path(__file__).resolve().parents[2]
                         / "docs/schemas/opendata.schema.json").read_text())
    data = json.loads(render_json(_dataset(dev_rows)))
    jsonschema.validate(data, schema, format_checker=jsonschema.FormatChecker())
    assert data["motion"] is None
    assert data["metadata"]["licence"]["name"] == "Licence Ouverte / Open Licence version 2.0"
    assert data["metadata"]["generated_at"] == "2027-03-02T09:30:00+00:00"


def _has_calc() -> bool:
    soffice = shutil.which("soffice")
    if soffice is None:
        return False
    program = Path(soffice).resolve().parent
    return any(program.glob("libsclo.so")) or any(program.glob("*calc*"))


@pytest.mark.skipif(not _has_calc(), reason="LibreOffice Calc is not installed")
def test_libreoffice_opens_the_contributions_csv_cleanly(dev_rows, tmp_path):
    """LibreOffice Calc reads the CSV (UTF-8, comma, double quotes) into the same cells."""
    from odf import table, teletype
    from odf.opendocument import load

    from motion.exports.opendata import CONTRIBUTION_COLUMNS, contributions_csv, neutralise

    data = _dataset(dev_rows)
    source = tmp_path / "contributions.csv"
    source.write_bytes(contributions_csv(data))
    result = subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
         "--infilter=CSV:44,34,76,1", "--convert-to", "ods", "--outdir", str(tmp_path),
         str(source)],
        capture_output=True, text=True, timeout=180,
    )
    assert result.returncode == 0, result.stderr
    sheet = load(str(tmp_path / "contributions.ods")).spreadsheet.getElementsByType(
        table.Table)[0]
    rows = []
    for row in sheet.getElementsByType(table.TableRow):
        cells = []
        for cell in row.getElementsByType(table.TableCell):
            repeat = int(cell.getAttribute("numbercolumnsrepeated") or 1)
            value = "\n".join(teletype.extractText(p) for p in cell.childNodes)
            cells += [value] * min(repeat, len(CONTRIBUTION_COLUMNS))
        if any(cells):
            rows.append(cells[:len(CONTRIBUTION_COLUMNS)])
    assert rows[0] == list(CONTRIBUTION_COLUMNS)
    assert len(rows) == 1 + len(data.contributions)
    assert rows[1][2] == data.contributions[0].text  # comma, quotes and line break intact
    for cells, contribution in zip(rows[1:], data.contributions, strict=True):
        assert cells[2] == neutralise(contribution.text)
        assert cells[3] == contribution.workshop
        assert cells[10] == contribution.collectivite
