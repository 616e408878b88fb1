"""The motion as a Word document (python-docx), for convenience; ODT is the reference."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from motion.exports import common
from motion.exports.document import MotionDocument
from motion.exports.typography import french

GREY = RGBColor(0x44, 0x44, 0x44)
RED = RGBColor(0xB0, 0x00, 0x20)


def _set_language(document, language: str) -> None:
    """Declare the language on the default run properties (spell checking, screen readers)."""
    rpr_default = document.styles.element.find(qn("w:docDefaults"))
    rpr = rpr_default.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), language)
    lang.set(qn("w:eastAsia"), language)
    lang.set(qn("w:bidi"), language)


def _field(paragraph, instruction: str) -> None:
    """Append a field (PAGE, NUMPAGES) that Word and LibreOffice compute when displaying."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    placeholder = OxmlElement("w:t")
    placeholder.text = "1"
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, instr, separate, placeholder, end):
        run._r.append(element)


def _styles(document) -> None:
    normal = document.styles["Normal"]
    normal.font.name = "Liberation Serif"
    normal.font.size = Pt(11)
    for name, size in (("Heading 1", 16), ("Heading 2", 13), ("Heading 3", 11.5)):
        style = document.styles[name]
        style.font.size = Pt(size)
        style.font.color.rgb = RGBColor(0, 0, 0)
    styles = document.styles
    provenance = styles.add_style("Provenance", 1)  # WD_STYLE_TYPE.PARAGRAPH
    provenance.base_style = normal
    provenance.font.italic = True
    provenance.font.size = Pt(9.5)
    provenance.font.color.rgb = GREY
    quotation = styles["Quote"]
    quotation.font.size = Pt(10)
    reference = styles.add_style("Source reference", 1)
    reference.base_style = normal
    reference.font.size = Pt(8.5)
    reference.font.color.rgb = GREY
    reference.paragraph_format.left_indent = Cm(0.6)


class _Body:
    """Append paragraphs fast: python-docx looks a style up by name on every paragraph
    (a scan of all styles), which dominates the time of a 3,000-source annex."""

    def __init__(self, document) -> None:
        self.document = document
        self._element = document.element.body
        self._ids = {}

    def style_id(self, name: str) -> str:
        if name not in self._ids:
            self._ids[name] = self.document.styles[name].style_id
        return self._ids[name]

    def paragraph(self, value: str, style: str | None = None):
        p = self._element.add_p()
        if style is not None:
            p.style = self.style_id(style)
        paragraph = Paragraph(p, self.document._body)
        if value:
            paragraph.add_run(value)
        return paragraph

    def paragraphs(self, value: str, style: str | None = None) -> None:
        for chunk in re.split(r"\n\s*\n", value or ""):
            if chunk.strip():
                self.paragraph(french(" ".join(chunk.split())), style)


def vote_table(document, rows: Iterable[list[str]], *, repeat_header: bool = True) -> None:
    """Append the votes table: a bold header row of VOTE_COLUMNS, then one row of cells
    (common.vote_cells) per proposition."""
    table = document.add_table(rows=1, cols=len(common.VOTE_COLUMNS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, label in zip(table.rows[0].cells, common.VOTE_COLUMNS, strict=True):
        cell.text = label
        cell.paragraphs[0].runs[0].bold = True
    if repeat_header:
        # The header row repeats on each page and is announced as a header.
        header_flag = OxmlElement("w:tblHeader")
        header_flag.set(qn("w:val"), "true")
        table.rows[0]._tr.get_or_add_trPr().append(header_flag)
    for values in rows:
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = value


def new_document(*, title: str, subject: str, language: str, is_draft: bool, footer: str):
    """An A4 document with the exports' styles and properties, the draft notice as header
    when ``is_draft``, and "<footer> — page n sur m" as footer."""
    document = Document()
    _styles(document)
    _set_language(document, language)
    props = document.core_properties
    props.title, props.subject = title, subject
    props.language, props.author = language, "motion"
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))
    if is_draft:
        header = section.header.paragraphs[0]
        header.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = header.add_run(common.DRAFT_NOTICE)
        run.bold = True
        run.font.color.rgb = RED
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run(f"{footer} — page ")
    _field(paragraph, "PAGE")
    paragraph.add_run(" sur ")
    _field(paragraph, "NUMPAGES")
    return document


def render_motion_docx(doc: MotionDocument) -> bytes:
    document = new_document(title=french(doc.title), subject=french(doc.congress),
                            language=doc.language, is_draft=doc.is_draft,
                            footer=common.footer_text(doc))

    # Title page.
    for _ in range(6):
        document.add_paragraph()
    title = document.add_paragraph(french(doc.title), style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    lines = common.title_page_lines(doc)
    for i, line in enumerate(lines):
        paragraph = document.add_paragraph(style="Subtitle")
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(line)
        if doc.is_draft and i == len(lines) - 1:
            run.bold = True
            run.font.color.rgb = RED
    document.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)

    body = _Body(document)
    body.paragraph(common.PREAMBLE_HEADING, "Heading 1")
    body.paragraphs(doc.preamble)
    for index, part in enumerate(doc.sections, start=1):
        body.paragraph(common.section_heading(index, part.code, part.title), "Heading 1")
        if not part.propositions:
            body.paragraph("Aucune proposition dans cette partie.", "Provenance")
        for proposition in part.propositions:
            body.paragraph(
                common.proposition_heading(proposition.number, proposition.title), "Heading 2")
            body.paragraphs(proposition.text)
            body.paragraph(french(proposition.provenance_line), "Provenance")
    votes = doc.votes
    if votes:
        body.paragraph(common.VOTES_HEADING, "Heading 1")
        vote_table(document, (common.vote_cells(r.number, r.title, r.vote) for r in votes))
    for proposition in doc.propositions if common.has_annex(doc) else ():
        if proposition is doc.propositions[0]:
            body.paragraph(common.ANNEX_HEADING, "Heading 1")
            body.paragraph(common.annex_intro(doc))
        body.paragraph(
            common.proposition_heading(proposition.number, proposition.title), "Heading 2")
        if not proposition.sources:
            body.paragraph("Aucune contribution rattachée.", "Provenance")
        quotes, note = common.annex_sources(doc, proposition)
        for source in quotes:
            body.paragraph(common.quoted(" ".join(source.text.split())), "Quote")
            body.paragraph(
                common.source_line(source, with_author=doc.publish_author_names),
                "Source reference")
        if note:
            body.paragraph(note, "Provenance")
    if doc.generated_at is not None:
        body.paragraph(f"Document généré le {common.fr_date(doc.generated_at)}.",
                       "Provenance")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
