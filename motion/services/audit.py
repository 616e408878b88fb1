"""Recording audit events."""

from __future__ import annotations

from typing import Any

from motion.extensions import db
from motion.models import AuditEvent, Campaign, User


def record(
    action: str,
    obj: Any | None = None,
    *,
    actor: User | None = None,
    campaign_id: int | None = None,
    **data: Any,
) -> AuditEvent:
    """Add an audit event for ``action`` on ``obj``.

    The session is flushed first, so that the caller's work is written and checked before
    it is recorded and a new ``obj`` has its id: a service that ends with its audit event
    needs no flush of its own. ``campaign_id`` defaults to ``obj``'s campaign (``obj``
    itself when it is a campaign).
    """
    db.session.flush()
    if campaign_id is None:
        campaign_id = obj.id if isinstance(obj, Campaign) else getattr(obj, "campaign_id", None)
    event = AuditEvent(
        actor=actor,
        action=action,
        object_type=type(obj).__tablename__ if obj is not None else "system",
        object_id=getattr(obj, "id", None),
        campaign_id=campaign_id,
        data=data,
    )
    db.session.add(event)
    return event
