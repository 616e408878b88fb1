"""Recording audit events."""

from __future__ import annotations

from typing import Any

from motion.extensions import db
from motion.models import AuditEvent, User


def record(
    action: str,
    obj: Any | None = None,
    *,
    actor: User | None = None,
    campaign_id: int | None = None,
    **data: Any,
) -> AuditEvent:
    """Add an audit event for ``action`` on ``obj`` (flushed with the caller's work)."""
    event = AuditEvent(
        actor=actor,
        action=action,
        object_type=type(obj).__tablename__ if obj is not None else "system",
        object_id=getattr(obj, "id", None),
        campaign_id=campaign_id if campaign_id is not None else getattr(obj, "campaign_id", None),
        data=data,
    )
    db.session.add(event)
    return event
