"""The transmission dossier of one addressee: a cover letter, then the propositions that
concern it with their vote results and where they come from.

Built from the same frozen values as the motion (:class:`PropositionEntry`, the builder's
vote results) and rendered by the same writers: :class:`motion.exports.odt.OdtWriter`,
the DOCX helpers of :mod:`motion.exports.docx`, and the HTML → PDF path of
:mod:`motion.exports.pdf`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime

from motion.exports import common
from motion.exports.document import LANGUAGE, FiledDocument, PropositionEntry, Section
from motion.exports.typography import french, ngettext_fr

RESULTS_HEADING = "Résultats des votes en séance plénière"
PROVENANCE_HEADING = "D’où viennent ces propositions"
NOT_VOTED = "Pas encore soumise au vote."


@dataclass(frozen=True)
class Count:
    label: str
    n: int


@dataclass(frozen=True)
class ProvenanceSummary:
    """Who the dossier's propositions come from."""

    contributions: int
    elus: int
    collectivites: int
    by_kind: tuple[Count, ...] = ()
    by_size: tuple[Count, ...] = ()


@dataclass(frozen=True)
class DossierDocument(FiledDocument):
    campaign_slug: str
    congress: str
    motion_title: str
    addressee: str
    addressee_short: str
    addressee_address: str | None
    association: str
    signatory: str
    letter: str  # the cover letter, placeholders filled
    letter_date: date
    sections: tuple[Section, ...]
    provenance: ProvenanceSummary
    place: str | None = None
    adopted_on: date | None = None
    generated_at: datetime | None = None
    language: str = LANGUAGE

    @property
    def title(self) -> str:
        return french(f"Propositions transmises : {self.addressee}")


def vote_line(proposition: PropositionEntry) -> str:
    vote = proposition.vote
    if vote is None:
        return NOT_VOTED
    abstentions = ngettext_fr("%(num)d abstention", "%(num)d abstentions", vote.abstention)
    return (
        f"Vote en séance plénière : {common.outcome(vote).lower()}, "
        f"{vote.pour} pour, {vote.contre} contre, {abstentions}."
    )


def provenance_lines(doc: DossierDocument) -> list[str]:
    p = doc.provenance
    n = len(doc.propositions)
    contributions = ngettext_fr("%(num)d contribution", "%(num)d contributions",
                                p.contributions)
    elus = ngettext_fr("%(num)d élu", "%(num)d élus", p.elus)
    collectivites = ngettext_fr("%(num)d collectivité", "%(num)d collectivités",
                                p.collectivites)
    lines = [
        french(
            f"{'Cette proposition est issue' if n == 1 else f'Ces {n} propositions sont issues'} "
            f"de {contributions} de {elus} et de {collectivites}."
        )
    ]
    if p.by_kind:
        lines.append(
            french(
                "Par type de collectivité : "
                + ", ".join(f"{c.n} {c.label}" for c in p.by_kind)
                + "."
            )
        )
    if p.by_size:
        lines.append(
            french("Par taille : " + ", ".join(f"{c.n} {c.label}" for c in p.by_size) + ".")
        )
    return lines


def letter_paragraphs(doc: DossierDocument) -> list[str]:
    import re

    return [
        french(" ".join(chunk.split()))
        for chunk in re.split(r"\n\s*\n", doc.letter)
        if chunk.strip()
    ]


def letter_head(doc: DossierDocument) -> list[str]:
    """The lines above the letter: sender, addressee, place and date, subject."""
    lines = [french(doc.association), "", french(doc.addressee)]
    if doc.addressee_address:
        lines += [french(line) for line in doc.addressee_address.splitlines() if line.strip()]
    where = f"{french(doc.place)}, le " if doc.place else "Le "
    lines += [
        "",
        f"{where}{common.fr_date(doc.letter_date)}",
        "",
        french(f"Objet : transmission des propositions du {doc.congress}"),
    ]
    return lines


def title_lines(doc: DossierDocument) -> list[str]:
    lines = [french(doc.motion_title), french(doc.congress)]
    if doc.adopted_on is not None:
        lines.append(f"Motion adoptée le {common.fr_date(doc.adopted_on)}")
    else:
        lines.append(common.DRAFT_NOTICE)
    return lines


# ------------------------------------------------------------------ ODT


def render_dossier_odt(doc: DossierDocument) -> bytes:
    from odf import text

    from motion.exports.odt import OdtWriter

    writer = OdtWriter(
        title=doc.title,
        language=doc.language,
        header=common.DRAFT_NOTICE if doc.is_draft else None,
        footer=french(f"{doc.congress} — {doc.addressee_short}"),
    )
    for line in letter_head(doc):
        writer.paragraph(line)
    for paragraph in letter_paragraphs(doc):
        writer.paragraph(paragraph)
    signature = writer._style(
        "P_signature_break",
        parent="Text_20_body",
        automatic=True,
        para_props={"breakafter": "page", "textalign": "end"},
    )
    writer.doc.text.addElement(text.P(stylename=signature, text=french(doc.signatory)))
    writer.heading(1, doc.title)
    for line in title_lines(doc):
        writer.paragraph(line, writer.provenance)
    for index, section in enumerate(doc.sections, start=1):
        writer.heading(1, common.section_heading(index, section.code, section.title))
        for proposition in section.propositions:
            writer.heading(2, common.proposition_heading(proposition.number, proposition.title))
            writer.paragraphs(proposition.text)
            writer.paragraph(vote_line(proposition))
            writer.paragraph(french(proposition.provenance_line), writer.provenance)
    votes = [p for p in doc.propositions if p.vote]
    if votes:
        writer.heading(1, RESULTS_HEADING)
        writer.table(
            "Votes",
            list(common.VOTE_COLUMNS),
            [common.vote_cells(p.number, p.title, p.vote) for p in votes],
            [1.2, 7.6, 1.8, 1.8, 2.2, 2.4],
        )
    writer.heading(1, PROVENANCE_HEADING)
    for line in provenance_lines(doc):
        writer.paragraph(line)
    if doc.generated_at is not None:
        writer.paragraph(
            f"Document généré le {common.fr_date(doc.generated_at)}.", writer.provenance
        )
    return writer.save()


# ------------------------------------------------------------------ DOCX


def render_dossier_docx(doc: DossierDocument) -> bytes:
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK

    from motion.exports.docx import _Body, new_document, vote_table

    document = new_document(title=doc.title, subject=french(doc.congress),
                            language=doc.language, is_draft=doc.is_draft,
                            footer=french(f"{doc.congress} — {doc.addressee_short}"))

    body = _Body(document)
    for line in letter_head(doc):
        body.paragraph(line)
    for paragraph in letter_paragraphs(doc):
        body.paragraph(paragraph)
    signature = body.paragraph(french(doc.signatory))
    signature.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    signature.add_run().add_break(WD_BREAK.PAGE)
    body.paragraph(doc.title, "Heading 1")
    for line in title_lines(doc):
        body.paragraph(line, "Provenance")
    for index, part in enumerate(doc.sections, start=1):
        body.paragraph(common.section_heading(index, part.code, part.title), "Heading 1")
        for proposition in part.propositions:
            body.paragraph(
                common.proposition_heading(proposition.number, proposition.title), "Heading 2"
            )
            body.paragraphs(proposition.text)
            body.paragraph(vote_line(proposition))
            body.paragraph(french(proposition.provenance_line), "Provenance")
    votes = [p for p in doc.propositions if p.vote]
    if votes:
        body.paragraph(RESULTS_HEADING, "Heading 1")
        vote_table(document, (common.vote_cells(p.number, p.title, p.vote) for p in votes),
                   repeat_header=False)
    body.paragraph(PROVENANCE_HEADING, "Heading 1")
    for line in provenance_lines(doc):
        body.paragraph(line)
    if doc.generated_at is not None:
        body.paragraph(f"Document généré le {common.fr_date(doc.generated_at)}.", "Provenance")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# ------------------------------------------------------------------ HTML and PDF


def render_dossier_html(doc: DossierDocument, *, stylesheet: str | None = None) -> str:
    from motion.exports import html

    return (
        html.environment()
        .get_template("exports/dossier.html")
        .render(
            doc=doc,
            stylesheet=stylesheet or html.STYLESHEET,
            paragraphs=html._paragraphs,
            letter_head=letter_head(doc),
            letter=letter_paragraphs(doc),
            title_lines=title_lines(doc),
            vote_line=vote_line,
            provenance=provenance_lines(doc),
            results_heading=RESULTS_HEADING,
            provenance_heading=PROVENANCE_HEADING,
        )
    )


def render_dossier_pdf(doc: DossierDocument) -> bytes:
    from motion.exports.pdf import html_to_pdf

    return html_to_pdf(render_dossier_html(doc))


RENDERERS = {"odt": render_dossier_odt, "docx": render_dossier_docx, "pdf": render_dossier_pdf}


def render(doc: DossierDocument, fmt: str) -> bytes:
    if fmt not in RENDERERS:
        raise ValueError(f"format must be one of {tuple(RENDERERS)}, got {fmt!r}")
    return RENDERERS[fmt](doc)
