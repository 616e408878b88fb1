"""OpenDocument Text (the reference format: ODF is recommended by the RGI), with odfpy.

Real paragraph styles (Title, Heading 1-3, Text body…) so that LibreOffice's table of
contents and navigator work; a page header saying "PROJET" before adoption; page numbers
in the footer; the document's language and title in its metadata.
"""

from __future__ import annotations

import io
import re

from odf import dc, meta, table, text
from odf.draw import Frame, Image
from odf.opendocument import OpenDocumentText
from odf.style import (
    FontFace,
    Footer,
    Header,
    MasterPage,
    PageLayout,
    PageLayoutProperties,
    ParagraphProperties,
    Style,
    TableCellProperties,
    TableColumnProperties,
    TableProperties,
    TextProperties,
)
from odf.svg import Desc, Title

from motion.exports import common
from motion.exports.document import MotionDocument, SynthesisReport
from motion.exports.typography import french

FONT = "Liberation Serif"
SANS = "Liberation Sans"


class OdtWriter:
    """A text document with the house styles; ``add_*`` methods append to its body."""

    def __init__(self, *, title: str, language: str, header: str | None, footer: str) -> None:
        self.doc = OpenDocumentText()
        lang, _, country = language.partition("-")
        self.doc.meta.addElement(dc.Title(text=title))
        self.doc.meta.addElement(dc.Language(text=language))
        self.doc.meta.addElement(meta.Generator(text="motion"))
        self.doc.fontfacedecls.addElement(
            FontFace(name=FONT, fontfamily=FONT, fontfamilygeneric="roman", fontpitch="variable"))
        self.doc.fontfacedecls.addElement(
            FontFace(name=SANS, fontfamily=SANS, fontfamilygeneric="swiss", fontpitch="variable"))
        self._lang = {"language": lang, "country": country or lang.upper()}
        self._styles()
        self._page(header, footer)

    # ---------------------------------------------------------------- styles

    def _style(self, name: str, display: str | None = None, *, family: str = "paragraph",
               parent: str | None = None, automatic: bool = False, text_props=None,
               para_props=None, **attrs) -> Style:
        style = Style(name=name, family=family, **attrs)
        if display:
            style.setAttribute("displayname", display)
        if parent:
            style.setAttribute("parentstylename", parent)
        if para_props:
            style.addElement(ParagraphProperties(**para_props))
        if text_props:
            style.addElement(TextProperties(**text_props))
        (self.doc.automaticstyles if automatic else self.doc.styles).addElement(style)
        return style

    def _styles(self) -> None:
        lang = {"language": self._lang["language"], "country": self._lang["country"]}
        self.standard = self._style(
            "Standard", text_props={"fontname": FONT, "fontsize": "11pt", **lang},
            **{"class": "text"})
        self.body = self._style(
            "Text_20_body", "Text body", parent="Standard",
            para_props={"marginbottom": "0.2cm", "textalign": "justify", "orphans": "2",
                        "widows": "2"}, **{"class": "text"})
        self.heading_style = self._style(
            "Heading", parent="Standard", nextstylename="Text_20_body",
            para_props={"margintop": "0.42cm", "marginbottom": "0.21cm", "keepwithnext": "always"},
            text_props={"fontname": SANS, "fontweight": "bold"}, **{"class": "text"})
        self.h = {}
        for level, size in ((1, "16pt"), (2, "13pt"), (3, "11.5pt")):
            self.h[level] = self._style(
                f"Heading_20_{level}", f"Heading {level}", parent="Heading",
                nextstylename="Text_20_body", defaultoutlinelevel=str(level),
                text_props={"fontsize": size}, **{"class": "text"})
        self.title = self._style(
            "Title", parent="Heading", para_props={"textalign": "center", "margintop": "6cm"},
            text_props={"fontsize": "24pt"}, **{"class": "chapter"})
        self.subtitle = self._style(
            "Subtitle", parent="Heading", para_props={"textalign": "center"},
            text_props={"fontsize": "14pt", "fontweight": "normal"}, **{"class": "chapter"})
        self.draft = self._style(
            "Draft_20_notice", "Draft notice", parent="Subtitle",
            text_props={"color": "#b00020", "fontweight": "bold"})
        self.provenance = self._style(
            "Provenance", parent="Text_20_body",
            para_props={"marginbottom": "0.4cm"},
            text_props={"fontstyle": "italic", "fontsize": "9.5pt", "color": "#444444"})
        self.quotation = self._style(
            "Quotations", parent="Standard",
            para_props={"marginleft": "0.6cm", "marginbottom": "0.05cm"},
            text_props={"fontsize": "10pt"})
        self.reference = self._style(
            "Source_20_reference", "Source reference", parent="Standard",
            para_props={"marginleft": "0.6cm", "marginbottom": "0.2cm"},
            text_props={"fontsize": "8.5pt", "color": "#444444"})
        self.header_style = self._style(
            "Header", parent="Standard", para_props={"textalign": "center"},
            text_props={"fontname": SANS, "fontsize": "10pt", "fontweight": "bold",
                        "color": "#b00020"}, **{"class": "extra"})
        self.footer_style = self._style(
            "Footer", parent="Standard", para_props={"textalign": "center"},
            text_props={"fontsize": "9pt"}, **{"class": "extra"})
        self.table_heading = self._style(
            "Table_20_Heading", "Table Heading", parent="Standard",
            text_props={"fontweight": "bold", "fontsize": "10pt"}, **{"class": "extra"})
        self.table_contents = self._style(
            "Table_20_Contents", "Table Contents", parent="Standard",
            text_props={"fontsize": "10pt"}, **{"class": "extra"})
        # Automatic styles: a page break after the title page, table layout.
        self.break_after = self._style("P_break", parent="Subtitle", automatic=True,
                                       para_props={"breakafter": "page"})
        self.table_style = Style(name="Tbl", family="table")
        self.table_style.addElement(TableProperties(width="17cm", align="center"))
        self.doc.automaticstyles.addElement(self.table_style)
        self.cell_style = Style(name="Tbl.cell", family="table-cell")
        self.cell_style.addElement(TableCellProperties(border="0.5pt solid #000000",
                                                       padding="0.08cm"))
        self.doc.automaticstyles.addElement(self.cell_style)

    def _page(self, header: str | None, footer: str) -> None:
        layout = PageLayout(name="Page")
        layout.addElement(PageLayoutProperties(
            pagewidth="21cm", pageheight="29.7cm", printorientation="portrait",
            margintop="2cm", marginbottom="2cm", marginleft="2cm", marginright="2cm"))
        self.doc.automaticstyles.addElement(layout)
        master = MasterPage(name="Standard", pagelayoutname=layout)
        if header:
            head = Header()
            head.addElement(text.P(stylename=self.header_style, text=header))
            master.addElement(head)
        foot = Footer()
        p = text.P(stylename=self.footer_style, text=f"{footer} — page ")
        p.addElement(text.PageNumber(selectpage="current", text="1"))
        p.addText(" sur ")
        p.addElement(text.PageCount(text="1"))
        foot.addElement(p)
        master.addElement(foot)
        self.doc.masterstyles.addElement(master)

    # ---------------------------------------------------------------- content

    def heading(self, level: int, value: str) -> None:
        self.doc.text.addElement(text.H(outlinelevel=level, stylename=self.h[level], text=value))

    def title_block(self, title: str, lines: list[str], *, draft: bool) -> None:
        self.doc.text.addElement(text.P(stylename=self.title, text=title))
        for i, line in enumerate(lines):
            last = i == len(lines) - 1
            style = self.break_after if last else self.subtitle
            if draft and last:
                style = self._style("P_draft_break", parent="Draft_20_notice", automatic=True,
                                    para_props={"breakafter": "page"})
            self.doc.text.addElement(text.P(stylename=style, text=line))

    def paragraph(self, value: str, style: Style | None = None) -> None:
        self.doc.text.addElement(text.P(stylename=style or self.body, text=value))

    def paragraphs(self, value: str, style: Style | None = None) -> None:
        for chunk in re.split(r"\n\s*\n", value or ""):
            if chunk.strip():
                self.paragraph(french(" ".join(chunk.split())), style)

    def table(self, name: str, header: list[str], rows: list[list[str]],
              widths: list[float]) -> None:
        tbl = table.Table(name=name, stylename=self.table_style)
        for i, width in enumerate(widths):
            col_style = Style(name=f"{name}.C{i}", family="table-column")
            col_style.addElement(TableColumnProperties(columnwidth=f"{width}cm"))
            self.doc.automaticstyles.addElement(col_style)
            tbl.addElement(table.TableColumn(stylename=col_style))
        head = table.TableHeaderRows()
        head.addElement(self._row(header, self.table_heading))
        tbl.addElement(head)
        for row in rows:
            tbl.addElement(self._row(row, self.table_contents))
        self.doc.text.addElement(tbl)

    def _row(self, cells: list[str], style: Style) -> table.TableRow:
        row = table.TableRow()
        for value in cells:
            cell = table.TableCell(stylename=self.cell_style, valuetype="string")
            cell.addElement(text.P(stylename=style, text=value))
            row.addElement(cell)
        return row

    def image(self, png: bytes, *, name: str, width_cm: float, height_cm: float,
              title: str, description: str) -> None:
        href = self.doc.addPicture(f"Pictures/{name}.png", "image/png", png)
        frame = Frame(name=name, anchortype="as-char", width=f"{width_cm}cm",
                      height=f"{height_cm}cm")
        frame.addElement(Image(href=href))
        frame.addElement(Title(text=title))
        frame.addElement(Desc(text=description))
        p = text.P(stylename=self.body)
        p.addElement(frame)
        self.doc.text.addElement(p)

    def save(self) -> bytes:
        buffer = io.BytesIO()
        self.doc.write(buffer)
        return buffer.getvalue()


def render_motion_odt(doc: MotionDocument) -> bytes:
    writer = OdtWriter(
        title=french(doc.title), language=doc.language,
        header=common.DRAFT_NOTICE if doc.is_draft else None, footer=common.footer_text(doc),
    )
    writer.title_block(french(doc.title), common.title_page_lines(doc), draft=doc.is_draft)
    writer.heading(1, common.PREAMBLE_HEADING)
    writer.paragraphs(doc.preamble)
    for index, section in enumerate(doc.sections, start=1):
        writer.heading(1, common.section_heading(index, section.code, section.title))
        if not section.propositions:
            writer.paragraph("Aucune proposition dans cette partie.", writer.provenance)
        for proposition in section.propositions:
            writer.heading(2, common.proposition_heading(proposition.number, proposition.title))
            writer.paragraphs(proposition.text)
            writer.paragraph(french(proposition.provenance_line), writer.provenance)
    votes = doc.votes
    if votes:
        writer.heading(1, common.VOTES_HEADING)
        writer.table("Votes", list(common.VOTE_COLUMNS),
                     [common.vote_cells(r.number, r.title, r.vote) for r in votes],
                     [1.2, 7.6, 1.8, 1.8, 2.2, 2.4])
    for proposition in doc.propositions if common.has_annex(doc) else ():
        if proposition is doc.propositions[0]:
            writer.heading(1, common.ANNEX_HEADING)
            writer.paragraph(common.annex_intro(doc))
        writer.heading(2, common.proposition_heading(proposition.number, proposition.title))
        if not proposition.sources:
            writer.paragraph("Aucune contribution rattachée.", writer.provenance)
        quotes, note = common.annex_sources(doc, proposition)
        for source in quotes:
            writer.paragraph(common.quoted(" ".join(source.text.split())), writer.quotation)
            writer.paragraph(common.source_line(source, with_author=doc.publish_author_names),
                             writer.reference)
        if note:
            writer.paragraph(note, writer.provenance)
    if doc.generated_at is not None:
        writer.paragraph(f"Document généré le {common.fr_date(doc.generated_at)}.",
                         writer.provenance)
    return writer.save()


def render_report_odt(report: SynthesisReport, chart_png: bytes, chart_size_cm: tuple[float, float],
                      chart_description: str) -> bytes:
    from motion.exports import report as report_module

    writer = OdtWriter(title=report_module.report_title(report), language=report.language,
                       header=None, footer=french(report.congress))
    writer.heading(1, report_module.report_title(report))
    for line in report_module.summary_lines(report):
        writer.paragraph(line)
    writer.heading(2, report_module.COVERAGE_HEADING)
    writer.image(chart_png, name="couverture", width_cm=chart_size_cm[0],
                 height_cm=chart_size_cm[1], title=report_module.COVERAGE_HEADING,
                 description=chart_description)
    header, rows = report_module.coverage_table(report)
    writer.table("Couverture", header, rows, [9.0, 4.0, 4.0])
    writer.heading(2, report_module.CLUSTERS_HEADING)
    for cluster in report.clusters:
        writer.heading(3, french(cluster.name))
        for line in report_module.cluster_facts(cluster):
            writer.paragraph(line, writer.provenance)
        for representative in cluster.representatives:
            writer.paragraph(common.quoted(" ".join(representative.split())), writer.quotation)
    return writer.save()
