"""Collectivités: the local authorities élus speak for, with their type and size band.

Size bands (issue 17: "village < 2,000 inhabitants, ville, grande ville, territoire"):

- **village**: a commune of fewer than 2,000 inhabitants. 2,000 is INSEE's historical
  threshold between rural and urban communes (an *unité urbaine* starts at 2,000 people).
- **ville**: a commune of 2,000 to 49,999 inhabitants.
- **grande ville**: a commune of 50,000 inhabitants or more. 50,000 is the population at
  which a group of communes may form a *communauté d’agglomération* (CGCT L5216-1), the
  usual line between towns and large cities in French local-government law.
- **territoire**: an intercommunalité, a département or a région, whatever its population:
  it speaks for a whole territory rather than for one town.

A collectivité of type "autre" gets a band from its population when it has one; a commune
or "autre" without a population has no band ("taille inconnue" on the pages).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from motion.extensions import db
from motion.models._types import UTCDateTime, str_enum, utcnow

VILLAGE_BELOW = 2_000
GRANDE_VILLE_FROM = 50_000


class CollectiviteKind(enum.StrEnum):
    COMMUNE = "commune"
    INTERCOMMUNALITE = "intercommunalite"
    DEPARTEMENT = "departement"
    REGION = "region"
    AUTRE = "autre"


class SizeBand(enum.StrEnum):
    VILLAGE = "village"
    VILLE = "ville"
    GRANDE_VILLE = "grande_ville"
    TERRITOIRE = "territoire"


TERRITORIAL_KINDS = frozenset(
    {CollectiviteKind.INTERCOMMUNALITE, CollectiviteKind.DEPARTEMENT, CollectiviteKind.REGION}
)


def size_band(kind: CollectiviteKind | str, population: int | None) -> SizeBand | None:
    """The size band of a collectivité of ``kind`` with ``population`` inhabitants."""
    if CollectiviteKind(kind) in TERRITORIAL_KINDS:
        return SizeBand.TERRITOIRE
    if population is None:
        return None
    if population < VILLAGE_BELOW:
        return SizeBand.VILLAGE
    if population < GRANDE_VILLE_FROM:
        return SizeBand.VILLE
    return SizeBand.GRANDE_VILLE


class Collectivite(db.Model):
    __tablename__ = "collectivites"
    __table_args__ = (
        CheckConstraint("population IS NULL OR population >= 0", name="population_positive"),
        # Codes are unique per type: département 75 (Paris) is not région 75.
        UniqueConstraint("kind", "insee_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # INSEE code (commune, département, région) or SIREN (intercommunalité); None only for
    # "autre" without an official code. Re-imports match on (kind, insee_code).
    insee_code: Mapped[str | None] = mapped_column(String(9))
    kind: Mapped[CollectiviteKind] = mapped_column(str_enum(CollectiviteKind, "collectivite_kind"))
    population: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def size_band(self) -> SizeBand | None:
        return size_band(self.kind, self.population)

    def __repr__(self) -> str:
        return f"<Collectivite {self.insee_code} {self.name}>"
