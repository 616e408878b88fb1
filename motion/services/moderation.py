"""Reports by users; facilitators hide or restore items, always with a reason."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from motion.errors import Conflict, Forbidden, InvalidInput
from motion.extensions import db
from motion.models import (
    Campaign,
    Comment,
    Contribution,
    ContributionStatus,
    Report,
    ReportStatus,
    User,
)
from motion.models._types import utcnow
from motion.services import audit
from motion.services.contributions import clean_text, is_moderator, set_status
from motion.validation import visible_length

Item = Contribution | Comment


class AlreadyReported(Conflict):
    """The reporter has already reported this item (its report is kept, not repeated)."""


def _campaign_id(item: Item) -> int:
    return item.campaign_id if isinstance(item, Contribution) else item.contribution.campaign_id


def _validate_reason(reason: str | None) -> str:
    reason = clean_text(reason, label=_("Raison"), field="reason")
    if not visible_length(reason):
        raise InvalidInput(_("Indiquez la raison, en quelques mots."))
    maximum = current_app.config["REPORT_REASON_MAX_LENGTH"]
    if len(reason) > maximum:
        raise InvalidInput(_("La raison est trop longue : %(n)d caractères au plus.", n=maximum))
    return reason


def _target(item: Item) -> dict[str, int]:
    if isinstance(item, Contribution):
        return {"contribution_id": item.id}
    return {"comment_id": item.id}


def report(reporter: User, item: Item, reason: str) -> Report:
    """Report a visible contribution or comment; once per user and item."""
    reason = _validate_reason(reason)
    if not item.is_published:
        raise InvalidInput(_("Cet élément n’est plus visible : il n’y a rien à signaler."))
    if item.author_id == reporter.id:
        raise InvalidInput(_("Vous ne pouvez pas signaler votre propre texte : retirez-le ou "
                             "modifiez-le."))
    target = _target(item)
    entry = Report(campaign_id=_campaign_id(item), reporter_id=reporter.id, reason=reason,
                   **target)
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError:
        raise AlreadyReported(_("Vous avez déjà signalé cet élément ; les animateurs vont "
                                "l’examiner.")) from None
    audit.record("report.create", entry, actor=reporter, **target)
    return entry


def _check_moderator(user: User) -> None:
    if not is_moderator(user):
        raise Forbidden(_("La modération est réservée aux animateurs."))


def _resolve_reports(item: Item, moderator: User, decision: str, reason: str) -> int:
    target = _target(item)
    column = Report.contribution_id if "contribution_id" in target else Report.comment_id
    result = db.session.execute(
        update(Report)
        .where(column == item.id, Report.status == ReportStatus.OPEN)
        .values(status=ReportStatus.RESOLVED, resolved_at=utcnow(),
                resolved_by_id=moderator.id, decision=decision, decision_reason=reason)
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount or 0


def hide(moderator: User, item: Item, reason: str) -> None:
    """Hide a published item from everyone but its author and the moderators."""
    _switch_status(moderator, item, reason, "hide", ContributionStatus.PUBLISHED,
                   ContributionStatus.HIDDEN, _("Seul un élément publié peut être masqué."))


def restore(moderator: User, item: Item, reason: str) -> None:
    """Publish a hidden item again."""
    _switch_status(moderator, item, reason, "restore", ContributionStatus.HIDDEN,
                   ContributionStatus.PUBLISHED, _("Seul un élément masqué peut être rétabli."))


def _switch_status(moderator: User, item: Item, reason: str, action: str,
                   expected: ContributionStatus, new: ContributionStatus, refusal: str) -> None:
    """Move ``item`` from ``expected`` to ``new``, close its reports and audit it."""
    _check_moderator(moderator)
    reason = _validate_reason(reason)
    if item.status != expected:
        raise InvalidInput(refusal)
    if isinstance(item, Contribution):
        set_status(item, new)
    else:
        item.status = new
    db.session.flush()
    resolved = _resolve_reports(item, moderator, action, reason)
    audit.record(f"{type(item).__tablename__[:-1]}.{action}", item, actor=moderator,
                 campaign_id=_campaign_id(item), reason=reason, reports=resolved)


def dismiss(moderator: User, item: Item, reason: str) -> None:
    """Close the open reports of an item and leave it published."""
    _check_moderator(moderator)
    reason = _validate_reason(reason)
    resolved = _resolve_reports(item, moderator, "dismiss", reason)
    if not resolved:
        raise InvalidInput(_("Aucun signalement en attente pour cet élément."))
    audit.record("report.dismiss", item, actor=moderator, campaign_id=_campaign_id(item),
                 reason=reason, reports=resolved)


@dataclass(frozen=True)
class QueueEntry:
    item: Item
    reports: list[Report]

    @property
    def kind(self) -> str:
        """The item's kind as the moderation URLs name it."""
        return "contribution" if isinstance(self.item, Contribution) else "commentaire"


def queue(moderator: User, campaign: Campaign) -> list[QueueEntry]:
    """Items with open reports, most reported first."""
    _check_moderator(moderator)
    reports = db.session.scalars(
        select(Report)
        .where(Report.campaign_id == campaign.id, Report.status == ReportStatus.OPEN)
        .options(selectinload(Report.contribution), selectinload(Report.comment),
                 selectinload(Report.reporter))
        .order_by(Report.created_at)
    ).all()
    grouped: dict[tuple[str, int], list[Report]] = {}
    for entry in reports:
        item = entry.contribution or entry.comment
        grouped.setdefault((type(item).__name__, item.id), []).append(entry)
    entries = [QueueEntry(item=rs[0].contribution or rs[0].comment, reports=rs)
               for rs in grouped.values()]
    return sorted(entries, key=lambda e: -len(e.reports))


def hidden_items(moderator: User, campaign: Campaign) -> tuple[list[Contribution], list[Comment]]:
    """Hidden contributions and comments of the campaign, to restore."""
    _check_moderator(moderator)
    contributions = db.session.scalars(
        select(Contribution).where(Contribution.campaign_id == campaign.id,
                                   Contribution.status == ContributionStatus.HIDDEN)
        .order_by(Contribution.updated_at.desc())
    ).all()
    comments = db.session.scalars(
        select(Comment).join(Contribution, Comment.contribution_id == Contribution.id)
        .where(Contribution.campaign_id == campaign.id,
               Comment.status == ContributionStatus.HIDDEN)
        .order_by(Comment.updated_at.desc())
    ).all()
    return list(contributions), list(comments)
