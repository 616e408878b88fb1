"""Wording and small helpers shared by the document renderers (the documents are French)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from babel.dates import format_date, format_datetime

from motion.exports.document import (
    REPRESENTATIVE_SOURCES,
    MotionDocument,
    PropositionEntry,
    SourceEntry,
    VoteResult,
)
from motion.exports.typography import french, ngettext_fr

DRAFT_MARK = "PROJET"
DRAFT_NOTICE = "PROJET — document de travail, non adopté"
PREAMBLE_HEADING = "Préambule"
ANNEX_HEADING = "Annexe — sources des propositions"
VOTES_HEADING = "Résultats des votes"
VOTE_COLUMNS = ("N°", "Proposition", "Pour", "Contre", "Abstention", "Résultat")
SOURCES_INTRO = (
    "Pour chaque proposition, les contributions publiées qui l’ont inspirée, "
    "avec leur atelier et leur collectivité."
)


def fr_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        text = format_datetime(value, "d MMMM y 'à' HH:mm", tzinfo=value.tzinfo, locale="fr")
    else:
        text = format_date(value, "d MMMM y", locale="fr")
    # French ordinal for the first day of the month: « 1er mars ».
    return "1er" + text[1:] if value.day == 1 else text


def title_page_lines(doc: MotionDocument) -> list[str]:
    """The lines under the title: congress, date and place, adoption, draft notice."""
    lines = [french(doc.congress)]
    where = ", ".join(x for x in (fr_date(doc.congress_date), french(doc.place or "")) if x)
    if where:
        lines.append(where)
    if doc.adopted_on is not None:
        lines.append(f"Motion adoptée le {fr_date(doc.adopted_on)}")
    else:
        lines.append(DRAFT_NOTICE)
    return lines


def section_heading(index: int, code: str, title: str) -> str:
    return french(f"{code} — {title}") if code else french(title)


def proposition_heading(number: str, title: str) -> str:
    return french(f"Proposition {number} — {title}")


def outcome(result: VoteResult) -> str:
    return "Adoptée" if result.adopted else "Rejetée"


def vote_cells(number: str, title: str, result: VoteResult) -> list[str]:
    return [number, french(title), str(result.pour), str(result.contre),
            str(result.abstention), outcome(result)]


def source_line(source: SourceEntry, *, with_author: bool) -> str:
    """ "(n° 123 — Atelier X — Commune Y — Nom)": the reference after a quoted source."""
    parts = [f"n° {source.contribution_id}", source.workshop]
    if source.collectivite:
        parts.append(source.collectivite)
    if with_author and source.author:
        parts.append(source.author)
    if source.supports:
        parts.append(ngettext_fr("%(num)d soutien", "%(num)d soutiens", source.supports))
    return french(" — ".join(parts))


def quoted(text: str) -> str:
    return french(f"« {' '.join(text.split())} »")


def footer_text(doc: MotionDocument) -> str:
    return french(doc.congress)


ANNEX_INTROS = {
    "counts": "Pour chaque proposition, le nombre de contributions publiées qui l’ont "
              "inspirée, par thème, et le nombre de collectivités dont elles viennent.",
    "representative": "Pour chaque proposition, quelques contributions publiées qui l’ont "
                      "inspirée (les plus soutenues), avec leur atelier et leur collectivité.",
    "all": SOURCES_INTRO,
}


def has_annex(doc: MotionDocument) -> bool:
    return doc.annex != "none" and bool(doc.propositions)


def annex_intro(doc: MotionDocument) -> str:
    return ANNEX_INTROS[doc.annex]


def theme_label(name: str | None) -> str:
    """A theme's name fit for a ministry: a keyword list ("Impôts · impôt · baisser")
    keeps its first word only."""
    if not name:
        return "hors thème"
    return name.split(" · ", 1)[0].strip() if " · " in name else name


def annex_sources(doc: MotionDocument, proposition: PropositionEntry
                  ) -> tuple[tuple[SourceEntry, ...], str | None]:
    """The contributions the annex quotes for a proposition, and a line that sums up the
    rest (or everything, for the counts-only annex), then its collectivités by size and type."""
    quotes, note = _annex_quotes(doc, proposition)
    if proposition.collectivite_profile and proposition.sources:
        line = french(proposition.collectivite_profile)
        note = f"{note} {line}" if note else line
    return quotes, note


def _annex_quotes(doc: MotionDocument, proposition: PropositionEntry
                  ) -> tuple[tuple[SourceEntry, ...], str | None]:
    sources = proposition.sources
    if not sources:
        return (), None
    if doc.annex == "counts":
        themes = Counter(theme_label(s.cluster) for s in sources)
        detail = "; ".join(
            ngettext_fr("%(num)d contribution", "%(num)d contributions", n) + f" : {french(name)}"
            for name, n in themes.most_common())
        places = len({s.collectivite for s in sources if s.collectivite})
        line = ngettext_fr("%(num)d contribution", "%(num)d contributions", len(sources))
        if places:
            line += " de " + ngettext_fr("%(num)d collectivité", "%(num)d collectivités", places)
        return (), french(f"{line}. Par thème : {detail}.")
    if doc.annex == "representative" and len(sources) > REPRESENTATIVE_SOURCES:
        chosen = sorted(sources, key=lambda s: (-s.supports, s.contribution_id))
        rest = len(sources) - REPRESENTATIVE_SOURCES
        return tuple(chosen[:REPRESENTATIVE_SOURCES]), french(
            "… et " + ngettext_fr("%(num)d autre contribution", "%(num)d autres contributions",
                                  rest) + ".")
    return sources, None
