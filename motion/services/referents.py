"""Who leads an engagement's session: the one authorisation rule for référents.

An administrator leads every session. A facilitator who is référent of engagements of a
campaign leads those engagements' sessions only (their propositions, votes, bilan and
objectifs); elsewhere in the campaign they have the rights of a participant for these
actions. A facilitator who is référent of none keeps the facilitators' rights and leads any
session (the campaigns without référents work as before). Élus lead none.

The services call :func:`require_lead` where they act; the views call :func:`can_lead` to
show or hide the buttons and guard their routes.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from motion.errors import Forbidden, InvalidInput
from motion.extensions import db
from motion.models import (
    Campaign,
    Engagement,
    EngagementReferent,
    Membership,
    Role,
    User,
    Workshop,
)
from motion.services import audit, campaigns


def _current(campaign: Campaign):
    """Only the référents of engagements in the campaign's current framework count (a
    framework switch clears the others: :func:`follow_framework`)."""
    return (
        select(Engagement.id)
        .where(Engagement.framework_id == campaign.framework_id)
        .scalar_subquery()
    )


def referent_engagement_ids(user: User | None, campaign: Campaign) -> set[int]:
    """The engagements of ``campaign`` whose session ``user`` leads as référent."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    return set(
        db.session.scalars(
            select(EngagementReferent.engagement_id).where(
                EngagementReferent.campaign_id == campaign.id,
                EngagementReferent.user_id == user.id,
                EngagementReferent.engagement_id.in_(_current(campaign)),
            )
        )
    )


def can_lead(user: User | None, campaign: Campaign, engagement_id: int | None) -> bool:
    """Whether ``user`` may lead the session of ``engagement_id`` (None: "Autres
    propositions") in ``campaign``. ``user`` None is the system (CLI, demo, jobs)."""
    if user is None:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    if user.has_role(Role.ADMIN):
        return True
    if not user.has_role(Role.FACILITATOR):
        return False
    mine = referent_engagement_ids(user, campaign)
    return not mine or engagement_id in mine


def engagement_codes(user: User | None, campaign: Campaign) -> str:
    """The codes of the engagements ``user`` is référent of, in the framework's order
    ("E1, E2"; "" for none)."""
    mine = referent_engagement_ids(user, campaign)
    if not mine:
        return ""
    return ", ".join(
        db.session.scalars(
            select(Engagement.code)
            .where(Engagement.id.in_(mine))
            .order_by(Engagement.position, Engagement.id)
        )
    )


def require_lead(user: User | None, campaign: Campaign, engagement_id: int | None) -> None:
    """Refuse (403) an action on an engagement's session that ``user`` does not lead, saying
    who leads it: for "Autres propositions" (no engagement), the administrators and the
    facilitators who are référents of none, not the référents of an engagement."""
    if can_lead(user, campaign, engagement_id):
        return
    facilitator = user is not None and user.has_role(Role.FACILITATOR)
    if engagement_id is None:
        section = _("Autres propositions")
        if facilitator:
            raise Forbidden(
                _(
                    "Vous êtes référent de %(codes)s : vous menez les séances de ces "
                    "engagements. La partie « %(section)s », qui ne relève d’aucun "
                    "engagement, est menée par les administrateurs et les animateurs qui "
                    "ne sont référents d’aucun engagement.",
                    codes=engagement_codes(user, campaign),
                    section=section,
                )
            )
        raise Forbidden(
            _(
                "Seuls les animateurs et les administrateurs mènent la partie « %(section)s » "
                "de la motion.",
                section=section,
            )
        )
    if facilitator:
        raise Forbidden(
            _(
                "Vous êtes référent d’un autre engagement : la séance de "
                "celui-ci est menée par ses référents et les administrateurs."
            )
        )
    raise Forbidden(_("Seuls les animateurs mènent les séances des engagements."))


# ------------------------------------------------------------------ référents


def referents(campaign: Campaign) -> dict[int, list[User]]:
    """Engagement id -> its référents, by name."""
    rows = db.session.execute(
        select(EngagementReferent.engagement_id, User)
        .join(User, EngagementReferent.user_id == User.id)
        .where(
            EngagementReferent.campaign_id == campaign.id,
            EngagementReferent.engagement_id.in_(_current(campaign)),
        )
        .order_by(User.display_name, User.id)
    ).all()
    result: dict[int, list[User]] = {}
    for engagement_id, user in rows:
        result.setdefault(engagement_id, []).append(user)
    return result


def candidates(campaign: Campaign) -> list[User]:
    """The facilitators taking part in ``campaign``: who may be made référent."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.role == Role.FACILITATOR,
                User.id.in_(
                    select(Membership.user_id)
                    .join(Workshop, Membership.workshop_id == Workshop.id)
                    .where(Workshop.campaign_id == campaign.id)
                ),
            )
            .order_by(User.display_name, User.id)
        )
    )


def _engagement(campaign: Campaign, engagement_id: int | None) -> Engagement:
    engagement = db.session.get(Engagement, engagement_id) if engagement_id else None
    if (
        engagement is None
        or campaign.framework_id is None
        or engagement.framework_id != campaign.framework_id
    ):
        raise InvalidInput(_("Cet engagement n’est pas dans le référentiel de la campagne."))
    return engagement


def _referent(
    campaign: Campaign, engagement: Engagement, user_id: int | None
) -> EngagementReferent | None:
    return db.session.scalar(
        select(EngagementReferent).where(
            EngagementReferent.campaign_id == campaign.id,
            EngagementReferent.engagement_id == engagement.id,
            EngagementReferent.user_id == user_id,
        )
    )


def _record(
    action: str, referent: EngagementReferent, engagement: Engagement, actor: User | None
) -> None:
    """Flush the added or removed ``referent`` and audit it."""
    audit.record(
        action,
        referent,
        actor=actor,
        engagement=engagement.code,
        user_id=referent.user_id,
    )


def add_referent(
    campaign: Campaign, engagement_id: int | None, user: User | None, *, actor: User | None = None
) -> EngagementReferent:
    """Make a facilitator of the campaign référent of one of its engagements."""
    engagement = _engagement(campaign, engagement_id)
    if user is None or not user.has_role(Role.FACILITATOR):
        raise InvalidInput(_("Un référent doit être un animateur de la campagne."))
    if not campaigns.is_campaign_member(user, campaign):
        raise InvalidInput(
            _(
                "%(name)s ne participe pas à cette campagne : ajoutez-le d’abord "
                "à l’un de ses ateliers.",
                name=user.display_name,
            )
        )
    existing = _referent(campaign, engagement, user.id)
    if existing is not None:
        return existing
    referent = EngagementReferent(
        campaign_id=campaign.id, engagement_id=engagement.id, user_id=user.id
    )
    db.session.add(referent)
    _record("referent.add", referent, engagement, actor)
    return referent


def remove_referent(
    campaign: Campaign, engagement_id: int | None, user_id: int | None, *, actor: User | None = None
) -> None:
    """Remove a référent from an engagement (nothing if they were not)."""
    engagement = _engagement(campaign, engagement_id)
    referent = _referent(campaign, engagement, user_id)
    if referent is None:
        return
    db.session.delete(referent)
    _record("referent.remove", referent, engagement, actor)


def follow_framework(campaign: Campaign, framework, *, actor: User | None = None) -> int:
    """When ``campaign`` switches to ``framework``: each référent follows their engagement
    to the new framework's engagement of the same code (as workshops do); the référents of
    engagements the new framework lacks are removed, so that they no longer restrict these
    facilitators. Returns how many were removed."""
    by_code = {e.code: e.id for e in framework.engagements}
    rows = db.session.execute(
        select(EngagementReferent, Engagement.code)
        .join(Engagement, EngagementReferent.engagement_id == Engagement.id)
        .where(EngagementReferent.campaign_id == campaign.id)
    ).all()
    removed = 0
    for referent, code in rows:
        target = by_code.get(code)
        if target == referent.engagement_id:
            continue
        if target is None:
            db.session.delete(referent)
            removed += 1
            audit.record(
                "referent.remove",
                referent,
                actor=actor,
                campaign_id=campaign.id,
                engagement=code,
                user_id=referent.user_id,
                reason="framework",
            )
        else:
            referent.engagement_id = target
    db.session.flush()
    return removed
