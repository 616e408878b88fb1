"""Who is heard where: per engagement and axis of the coverage, how many contributions
come from each type and size band of collectivité (as recorded when each was posted).

The rows are the coverage's own (``themes.queries.coverage``, from the one placement read
model), so the web page and the exports count the same contributions in the same places.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from motion.extensions import db
from motion.models import Campaign, CollectiviteKind, Contribution, SizeBand
from motion.services.themes import queries

KINDS: tuple[CollectiviteKind | None, ...] = (*CollectiviteKind, None)
SIZES: tuple[SizeBand | None, ...] = (*SizeBand, None)


@dataclass
class VoiceRow:
    key: str
    code: str
    title: str
    level: str  # "engagement", "axis" or "other", as in the coverage
    contributions: int = 0
    by_kind: dict[CollectiviteKind | None, int] = field(default_factory=dict)
    by_size: dict[SizeBand | None, int] = field(default_factory=dict)

    def kind_counts(self) -> list[int]:
        return [self.by_kind.get(k, 0) for k in KINDS]

    def size_counts(self) -> list[int]:
        return [self.by_size.get(s, 0) for s in SIZES]

    @property
    def unheard_sizes(self) -> list[SizeBand]:
        """The size bands none of this row's contributions comes from."""
        return [s for s in SizeBand if not self.by_size.get(s)]


def coverage_by_collectivite(
    campaign: Campaign, places: list[queries.Placement] | None = None
) -> list[VoiceRow]:
    """The coverage's rows, each with its contributions counted by type and size band."""
    places = queries.placements(campaign) if places is None else list(places)
    table = queries.coverage(campaign, places)
    profile = {
        cid: (kind, size)
        for cid, kind, size in db.session.execute(
            select(
                Contribution.id, Contribution.collectivite_kind, Contribution.collectivite_size
            ).where(Contribution.campaign_id == campaign.id)
        )
    }
    # Each type and each band is the coverage of its own contributions: the same code
    # decides where a contribution counts, for the page, the report and these columns.
    rows = [
        VoiceRow(line.key, line.code, line.title, line.level, line.contributions) for line in table
    ]
    by_key = {row.key: row for row in rows}
    for kind in KINDS:
        subset = [p for p in places if profile.get(p.contribution_id, (None, None))[0] == kind]
        for line in queries.coverage(campaign, subset):
            if line.contributions and line.key in by_key:
                by_key[line.key].by_kind[kind] = line.contributions
    for size in SIZES:
        subset = [p for p in places if profile.get(p.contribution_id, (None, None))[1] == size]
        for line in queries.coverage(campaign, subset):
            if line.contributions and line.key in by_key:
                by_key[line.key].by_size[size] = line.contributions
    return rows
