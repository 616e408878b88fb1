"""What many models declare alike: declarative mixins, a foreign key, owned children.

Each mixin keeps the column order the migrations created: ``CampaignScoped``'s columns come
first (``sort_order``), ``Timestamped``'s ``created_at`` after the class's own columns.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, MappedColumn, Relationship, mapped_column, relationship

from motion.models._types import UTCDateTime, utcnow

OnDelete = Literal["CASCADE", "SET NULL", "RESTRICT"]


def reference(table: str, *, ondelete: OnDelete, **column: Any) -> MappedColumn[Any]:
    """A foreign key to ``table``'s ``id``; ``ondelete`` says what deleting that row does.

    ``column`` goes to :func:`~sqlalchemy.orm.mapped_column` (``index``, ``unique``,
    ``primary_key``…); the ``Mapped[...]`` annotation says whether it may be NULL.
    """
    return mapped_column(ForeignKey(f"{table}.id", ondelete=ondelete), **column)


def children(*, back_populates: str, order_by: str | None = None) -> Relationship[Any]:
    """The rows that belong to this one: added with it, deleted with it or once removed
    from the list (``all, delete-orphan``), loaded in ``order_by`` order when given."""
    return relationship(
        back_populates=back_populates, cascade="all, delete-orphan", order_by=order_by
    )


class CampaignScoped:
    """A row of one campaign, deleted with it: ``id``, then ``campaign_id``."""

    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-2)
    campaign_id: Mapped[int] = reference("campaigns", ondelete="CASCADE", sort_order=-1)


class Timestamped:
    """``created_at``: when the row was added (aware UTC)."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
