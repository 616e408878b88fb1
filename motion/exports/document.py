"""What the exports render: plain frozen values, built once from the database.

Every renderer (ODT, DOCX, HTML/PDF, Markdown, open data) takes these objects and
nothing else, so that they can be tested on documents built from real rows without a
database, and so that all formats say exactly the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from motion.exports.typography import ngettext_fr

LANGUAGE = "fr-FR"
# What the annex of sources holds: nothing, counts per theme, a few representative
# contributions per proposition, or every contribution. The ministries' version is short.
ANNEX_CHOICES = ("none", "counts", "representative", "all")
DEFAULT_ANNEX = "counts"
REPRESENTATIVE_SOURCES = 3
REJECTED_SECTION = "Propositions rejetées en séance plénière"


@dataclass(frozen=True)
class SourceEntry:
    """A published contribution behind a proposition (the annex of sources)."""

    contribution_id: int
    text: str
    workshop: str
    collectivite: str | None = None
    # Only set when the campaign allows publishing authors' names.
    author: str | None = None
    supports: int = 0
    cluster: str | None = None


@dataclass(frozen=True)
class FollowUpEntry:
    """What became of a proposition after the congress (closed campaigns only)."""

    status: str  # "transmitted", "answered", "in_text", "no_follow_up", "not_transmitted"
    label: str  # in French: "transmise", "réponse reçue"…
    last_note: str | None = None
    last_note_on: date | None = None
    links: tuple[tuple[str, str], ...] = ()  # (title, url)


@dataclass(frozen=True)
class VoteResult:
    """The count of one vote: the one truth for the exports, the live tally and the
    proposition's outcome (services/votes.py)."""

    pour: int
    contre: int
    abstention: int

    @property
    def total(self) -> int:
        return self.pour + self.contre + self.abstention

    @property
    def adopted(self) -> bool:
        # Abstentions are not counted among the votes cast (suffrages exprimés).
        return self.pour > self.contre

    def as_dict(self) -> dict[str, int]:
        return {"pour": self.pour, "contre": self.contre, "abstention": self.abstention,
                "total": self.total}


@dataclass(frozen=True)
class PropositionEntry:
    id: int
    number: str  # "1.2": section 1, second proposition
    title: str
    text: str
    sources: tuple[SourceEntry, ...] = ()
    cluster_ids: tuple[int, ...] = ()
    vote: VoteResult | None = None
    followup: FollowUpEntry | None = None
    # "Prolonge la proposition « … » (Congrès 2025)": the earlier proposition it continues.
    continues: str | None = None

    # The annex's line on the collectivités behind it (by size band and type).
    collectivite_profile: str | None = None

    @property
    def contribution_ids(self) -> tuple[int, ...]:
        return tuple(s.contribution_id for s in self.sources)

    @property
    def collectivites(self) -> tuple[str, ...]:
        return tuple(sorted({s.collectivite for s in self.sources if s.collectivite}))

    @property
    def workshops(self) -> tuple[str, ...]:
        return tuple(sorted({s.workshop for s in self.sources if s.workshop}))

    @property
    def provenance_line(self) -> str:
        """ "Issue de 12 contributions de 5 collectivités, ateliers A et B." """
        n = len(self.sources)
        if n == 0:
            line = "Proposition rédigée en atelier, sans contribution rattachée."
            return f"{line} {self.continues}." if self.continues else line
        m = len(self.collectivites)
        parts = ["Issue de " + ngettext_fr("%(num)d contribution", "%(num)d contributions", n)]
        if m:
            parts.append(" de " + ngettext_fr("%(num)d collectivité", "%(num)d collectivités", m))
        workshops = self.workshops
        if workshops:
            label = "atelier" if len(workshops) == 1 else "ateliers"
            names = ", ".join(workshops[:-1]) + (" et " if len(workshops) > 1 else "")
            parts.append(f", {label} {names}{workshops[-1]}")
        line = "".join(parts) + "."
        return f"{line} {self.continues}." if self.continues else line


@dataclass(frozen=True)
class Section:
    """One engagement of the framework and the propositions placed under it."""

    code: str
    title: str
    propositions: tuple[PropositionEntry, ...] = ()


class FiledDocument:
    """What the motion and a transmission dossier share: engagement sections of
    propositions, and a draft until the motion is adopted."""

    sections: tuple[Section, ...]
    adopted_on: date | None

    @property
    def is_draft(self) -> bool:
        """Before adoption every export says "PROJET"."""
        return self.adopted_on is None

    @property
    def propositions(self) -> tuple[PropositionEntry, ...]:
        return tuple(p for s in self.sections for p in s.propositions)


@dataclass(frozen=True)
class MotionDocument(FiledDocument):
    campaign_slug: str
    congress: str  # the campaign's title
    title: str  # the motion's title
    preamble: str
    sections: tuple[Section, ...]
    place: str | None = None
    congress_date: date | None = None
    adopted_on: date | None = None
    publish_author_names: bool = False
    generated_at: datetime | None = None
    language: str = LANGUAGE
    annex: str = "all"

    @property
    def votes(self) -> tuple[PropositionEntry, ...]:
        """The propositions put to the vote, for the table of results."""
        return tuple(p for p in self.propositions if p.vote)

    @property
    def n_contributions(self) -> int:
        return len({i for p in self.propositions for i in p.contribution_ids})

    @property
    def n_collectivites(self) -> int:
        return len({c for p in self.propositions for c in p.collectivites})


def prepare(doc: MotionDocument, *, annex: str = DEFAULT_ANNEX) -> MotionDocument:
    """The document as it is filed: no empty engagement section; once the motion is
    adopted, the propositions the plenary rejected leave the body for a section of their
    own at the end; the annex as chosen (see ANNEX_CHOICES)."""
    if annex not in ANNEX_CHOICES:
        raise ValueError(f"annex must be one of {ANNEX_CHOICES}, got {annex!r}")
    sections, rejected = [], []
    for section in doc.sections:
        kept = section.propositions
        if not doc.is_draft:
            kept = tuple(p for p in section.propositions if p.vote is None or p.vote.adopted)
            rejected += [p for p in section.propositions if p not in kept]
        if kept:
            sections.append(replace(section, propositions=kept))
    if rejected:
        sections.append(Section(code="", title=REJECTED_SECTION, propositions=tuple(rejected)))
    return replace(doc, sections=tuple(sections), annex=annex)


# ------------------------------------------------------------------ synthesis report


@dataclass(frozen=True)
class CoverageRow:
    """How many contributions and themes fall under one engagement."""

    code: str
    title: str
    contributions: int
    clusters: int
    # Its contributions by size band of their collectivité: villages, villes, grandes
    # villes, territoires, unknown (services/collectivite_coverage.py); () when not given.
    by_size: tuple[int, ...] = ()


@dataclass(frozen=True)
class ClusterEntry:
    """What every export says of a theme: its id, name, size and keywords."""

    id: int
    name: str
    size: int
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class ReportCluster(ClusterEntry):
    representatives: tuple[str, ...]
    engagement: str | None = None  # "E1 — title", or None when out of frame
    axis: str | None = None
    workshops: tuple[str, ...] = ()


@dataclass(frozen=True)
class SynthesisReport:
    campaign_slug: str
    congress: str
    coverage: tuple[CoverageRow, ...]
    clusters: tuple[ReportCluster, ...]
    n_contributions: int
    n_out_of_frame: int = 0
    n_unassigned: int = 0
    generated_at: datetime | None = None
    language: str = LANGUAGE
