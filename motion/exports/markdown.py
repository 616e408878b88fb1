"""The motion as Markdown (CommonMark with a pipe table for the votes)."""

from __future__ import annotations

import re

from motion.exports import common
from motion.exports.document import MotionDocument
from motion.exports.typography import french

_SPECIAL = re.compile(r"([\\`*_\[\]#|<>])")


def _escape(text: str) -> str:
    """Keep contributions' text literal: no accidental emphasis, links, headings or HTML."""
    return _SPECIAL.sub(r"\\\1", text)


def _paragraphs(text: str) -> list[str]:
    return [_escape(french(p.strip())) for p in re.split(r"\n\s*\n", text or "") if p.strip()]


def render_markdown(doc: MotionDocument) -> bytes:
    out: list[str] = []
    if doc.is_draft:
        out += [f"> **{common.DRAFT_NOTICE}**", ""]
    out += [f"# {_escape(french(doc.title))}", ""]
    out += [f"{_escape(line)}  " for line in common.title_page_lines(doc)] + [""]
    out += [f"## {common.PREAMBLE_HEADING}", ""]
    for paragraph in _paragraphs(doc.preamble):
        out += [paragraph, ""]
    for index, section in enumerate(doc.sections, start=1):
        out += [f"## {_escape(common.section_heading(index, section.code, section.title))}", ""]
        if not section.propositions:
            out += ["*Aucune proposition dans cette partie.*", ""]
        for proposition in section.propositions:
            heading = common.proposition_heading(proposition.number, proposition.title)
            out += [f"### {_escape(heading)}", ""]
            for paragraph in _paragraphs(proposition.text):
                out += [paragraph, ""]
            out += [f"*{_escape(french(proposition.provenance_line))}*", ""]
    votes = doc.votes
    if votes:
        out += [f"## {common.VOTES_HEADING}", ""]
        out.append("| " + " | ".join(common.VOTE_COLUMNS) + " |")
        out.append("| --- | --- | ---: | ---: | ---: | --- |")
        for row in votes:
            cells = [_escape(c) for c in common.vote_cells(row.number, row.title, row.vote)]
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    if common.has_annex(doc):
        out += [f"## {common.ANNEX_HEADING}", "", common.annex_intro(doc), ""]
    for proposition in doc.propositions if common.has_annex(doc) else ():
        heading = common.proposition_heading(proposition.number, proposition.title)
        out += [f"### {_escape(heading)}", ""]
        if not proposition.sources:
            out += ["*Aucune contribution rattachée.*", ""]
        quotes, note = common.annex_sources(doc, proposition)
        for source in quotes:
            text = _escape(common.quoted(" ".join(source.text.split())))
            ref = _escape(common.source_line(source, with_author=doc.publish_author_names))
            out.append(f"- {text} ({ref})")
        if note:
            out += ["", f"*{_escape(note)}*"]
        out.append("")
    if doc.generated_at is not None:
        out += [f"*Document généré le {common.fr_date(doc.generated_at)}.*", ""]
    return "\n".join(out).encode("utf-8")
