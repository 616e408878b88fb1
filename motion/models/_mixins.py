"""Columns that many tables declare alike, as declarative mixins.

Each mixin keeps the column order the migrations created: ``CampaignScoped``'s columns come
first (``sort_order``), ``Timestamped``'s ``created_at`` after the class's own columns.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from motion.models._types import UTCDateTime, utcnow


class CampaignScoped:
    """A row of one campaign, deleted with it: ``id``, then ``campaign_id``."""

    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-2)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), sort_order=-1
    )


class Timestamped:
    """``created_at``: when the row was added (aware UTC)."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
