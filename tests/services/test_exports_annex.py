"""The motion as filed: rejected propositions out of the adopted text, no empty engagement
section, and the annex of sources as chosen (none / counts per theme / representative /
all), in every format."""

from __future__ import annotations

import dataclasses

import pytest

from motion.exports import common, markdown, odt
from motion.exports import docx as docx_export
from motion.exports.document import REJECTED_SECTION, VoteResult, prepare
from motion.exports.html import render_motion_html
from tests.services.test_exports_documents import _motion, _odt_parts


def _with_clusters(doc):
    """Name the sources' themes as clustering does (keyword lists)."""
    sections = []
    for section in doc.sections:
        props = []
        for p in section.propositions:
            sources = tuple(dataclasses.replace(s, cluster="Fibre · réseau · débit" if i % 2
                                                else "Services publics")
                            for i, s in enumerate(p.sources))
            props.append(dataclasses.replace(p, sources=sources))
        sections.append(dataclasses.replace(section, propositions=tuple(props)))
    return dataclasses.replace(doc, sections=tuple(sections))


def test_empty_sections_are_left_out(dev_rows):
    doc = prepare(_motion(dev_rows, adopted=False, empty_last_section=True), annex="all")
    assert [s.code for s in doc.sections] == ["E1", "E2", "E3"]
    text = markdown.render_markdown(doc).decode()
    assert "Aucune proposition dans cette partie" not in text


def test_rejected_propositions_leave_the_adopted_text_for_their_own_section(dev_rows):
    adopted = _motion(dev_rows, adopted=True)
    first = adopted.sections[0]
    rejected = dataclasses.replace(first.propositions[1], vote=VoteResult(5, 40, 2))
    adopted = dataclasses.replace(adopted, sections=(
        dataclasses.replace(first, propositions=(first.propositions[0], rejected)),
        *adopted.sections[1:]))
    doc = prepare(adopted)
    assert [p.number for p in doc.sections[0].propositions] == ["1.1"]
    assert doc.sections[-1].title == REJECTED_SECTION
    assert [p.number for p in doc.sections[-1].propositions] == ["1.2"]
    # A draft keeps every proposition where it was.
    draft = prepare(dataclasses.replace(adopted, adopted_on=None))
    assert [p.number for p in draft.sections[0].propositions] == ["1.1", "1.2"]
    assert all(s.title != REJECTED_SECTION for s in draft.sections)


def test_counts_annex_quotes_nothing_and_names_no_keyword_list(dev_rows):
    doc = prepare(_with_clusters(_motion(dev_rows, adopted=False)), annex="counts")
    text = markdown.render_markdown(doc).decode()
    assert common.ANNEX_HEADING in text
    assert "Par thème" in text
    assert "Fibre · réseau" not in text
    assert "Mots-clés" not in text
    for source in doc.propositions[0].sources:
        assert source.text[:60] not in text
    assert "6 contributions de 6 collectivités" in text


def test_representative_annex_quotes_the_most_supported(dev_rows):
    doc = prepare(_motion(dev_rows, adopted=False, per_proposition=6), annex="representative")
    quotes, note = common.annex_sources(doc, doc.propositions[0])
    assert len(quotes) == 3
    assert [q.supports for q in quotes] == sorted((q.supports for q in quotes), reverse=True)
    assert note == "… et 3 autres contributions."


@pytest.mark.parametrize("annex", ["none", "counts", "representative", "all"])
def test_every_format_follows_the_chosen_annex(dev_rows, annex):
    doc = prepare(_motion(dev_rows, adopted=False), annex=annex)
    # The reference line of the most supported source (quoted unless counts or none).
    reference = f"n° {doc.propositions[0].sources[-1].contribution_id} "
    quoted = annex in ("representative", "all")
    md = markdown.render_markdown(doc).decode()
    html = render_motion_html(doc)
    _document, headings, paragraphs = _odt_parts(odt.render_motion_odt(doc))
    odt_text = "\n".join([h for _level, h in headings] + paragraphs)
    docx_bytes = docx_export.render_motion_docx(doc)
    for name, text in (("md", md), ("html", html), ("odt", odt_text)):
        assert (common.ANNEX_HEADING in text) == (annex != "none"), name
        assert (reference in text) == quoted, name
    assert len(docx_bytes) > 1000
    if annex == "none":
        assert 'href="#sources-' not in html


def test_the_short_annex_is_much_shorter(dev_rows):
    full = prepare(_motion(dev_rows, adopted=False, per_proposition=40), annex="all")
    short = prepare(full, annex="counts")
    assert len(markdown.render_markdown(short)) < len(markdown.render_markdown(full)) / 3


def test_an_unknown_annex_is_refused():
    from motion.exports.document import MotionDocument

    doc = MotionDocument(campaign_slug="c", congress="C", title="T", preamble="", sections=())
    with pytest.raises(ValueError, match="annex must be one of"):
        prepare(doc, annex="tout")
