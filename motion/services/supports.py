"""Supports: one per élu and contribution, enforced by the database."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from motion.errors import InvalidInput
from motion.extensions import db
from motion.models import Contribution, Support, User
from motion.services import audit
from motion.services.campaigns import require_campaign_member


def add_support(user: User, contribution: Contribution) -> bool:
    """Support a published contribution; return False if the user already supports it.

    Concurrent requests race on the unique constraint: exactly one insert wins.
    Only participants of the contribution's campaign may support it.
    """
    require_campaign_member(user, contribution.campaign)
    if not contribution.is_published:
        raise InvalidInput(_("Cette contribution ne peut plus être soutenue."))
    if contribution.author_id == user.id:
        raise InvalidInput(_("Vous ne pouvez pas soutenir votre propre contribution."))
    if has_supported(user, contribution):
        return False
    try:
        with db.session.begin_nested():
            db.session.add(Support(user_id=user.id, contribution_id=contribution.id))
    except IntegrityError:
        return False
    audit.record("contribution.support", contribution, actor=user)
    return True


def remove_support(user: User, contribution: Contribution) -> bool:
    """Cancel the user's support; return False if there was none."""
    result = db.session.execute(
        delete(Support).where(
            Support.user_id == user.id, Support.contribution_id == contribution.id
        )
    )
    if not result.rowcount:
        return False
    db.session.expire(contribution, ["supports"])
    audit.record("contribution.unsupport", contribution, actor=user)
    return True


def has_supported(user: User, contribution: Contribution) -> bool:
    return db.session.scalar(
        select(Support.id).where(
            Support.user_id == user.id, Support.contribution_id == contribution.id
        )
    ) is not None


def count_supports(contribution: Contribution) -> int:
    return db.session.scalar(
        select(func.count(Support.id)).where(Support.contribution_id == contribution.id)
    ) or 0


def supported_ids(user: User, contribution_ids: Iterable[int]) -> set[int]:
    """The ids among ``contribution_ids`` that ``user`` supports."""
    ids = list(contribution_ids)
    if not ids:
        return set()
    return set(db.session.scalars(
        select(Support.contribution_id).where(
            Support.user_id == user.id, Support.contribution_id.in_(ids)
        )
    ))
