"""E-mail notifications, only to users who asked for them.

Replies are queued with the comment; the weekly digest and phase-change notices are
sent by a job (``send_weekly_digests``, ``notify_phase_changes``) which the caller
commits. ``SentNotification`` makes each notice once-only, even when a job runs twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, has_request_context, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from motion.extensions import db
from motion.models import (
    Campaign,
    Comment,
    Contribution,
    ContributionStatus,
    Membership,
    NotificationPreference,
    SentNotification,
    User,
    Workshop,
)
from motion.models._types import utcnow
from motion.services import audit, mail
from motion.services.campaigns import phase_label

DIGEST_MAX_ITEMS = 20
# A phase notice is only sent during the first days of the phase.
PHASE_NOTICE_WINDOW = timedelta(days=7)


def get_preferences(user: User) -> NotificationPreference:
    """The user's preferences (all off until they opt in)."""
    pref = db.session.scalar(
        select(NotificationPreference).where(NotificationPreference.user_id == user.id)
    )
    return pref or NotificationPreference(
        user_id=user.id, replies=False, weekly_digest=False, phase_changes=False
    )


def set_preferences(
    user: User, *, replies: bool, weekly_digest: bool, phase_changes: bool
) -> NotificationPreference:
    """Record what the user agrees to receive by e-mail."""
    pref = get_preferences(user)
    pref.replies, pref.weekly_digest, pref.phase_changes = replies, weekly_digest, phase_changes
    db.session.add(pref)
    audit.record("user.notifications", user, actor=user, replies=replies,
                 weekly_digest=weekly_digest, phase_changes=phase_changes)
    return pref


def _consenting(users: list[User], flag: str) -> list[User]:
    ids = [u.id for u in users]
    if not ids:
        return []
    agreed = set(db.session.scalars(
        select(NotificationPreference.user_id).where(
            NotificationPreference.user_id.in_(ids),
            getattr(NotificationPreference, flag).is_(True),
        )
    ))
    return [u for u in users if u.id in agreed and u.is_active_account]


def _record_once(user: User, kind: str, key: str) -> bool:
    """Record that ``kind``/``key`` goes to ``user``; False if it already went."""
    try:
        with db.session.begin_nested():
            db.session.add(SentNotification(user_id=user.id, kind=kind, key=key))
    except IntegrityError:
        return False
    return True


def _already_sent(user: User, kind: str, key: str) -> bool:
    return db.session.scalar(
        select(SentNotification.id).where(
            SentNotification.user_id == user.id, SentNotification.kind == kind,
            SentNotification.key == key,
        )
    ) is not None


def absolute_url(endpoint: str, **values) -> str:
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    base = current_app.config["PUBLIC_URL"] or "http://127.0.0.1:5000"
    with current_app.test_request_context(base_url=base):
        return url_for(endpoint, _external=True, **values)


def _send(user: User, kind: str, key: str, subject, body) -> bool:
    """Queue one mail built in the user's language, once per (user, kind, key)."""
    if _already_sent(user, kind, key) or not _record_once(user, kind, key):
        return False
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        mail.queue(user.email, subject(), body())
    return True


def notify_reply(comment: Comment) -> int:
    """Tell the contribution's author (and the parent comment's) about a new reply."""
    contribution = comment.contribution
    recipients: dict[int, User] = {}
    for user in (contribution.author, comment.parent.author if comment.parent else None):
        if user is not None and user.id != comment.author_id:
            recipients[user.id] = user
    link = absolute_url("contributions.show", campaign_slug=contribution.campaign.slug,
                        contribution_id=contribution.id) + f"#k{comment.id}"
    sent = 0
    for user in _consenting(list(recipients.values()), "replies"):
        sent += _send(
            user, "reply", str(comment.id),
            lambda: _("Nouvelle réponse à votre contribution"),
            lambda: _("%(name)s a répondu :\n\n%(text)s\n\nVoir la discussion : %(link)s\n\n"
                      "Vous recevez ce message parce que vous avez demandé à être prévenu des "
                      "réponses. Pour ne plus les recevoir : %(prefs)s",
                      name=comment.author.display_name if comment.author else "?",
                      text=comment.text, link=link,
                      prefs=absolute_url("preferences.notifications")),
        )
    return sent


def _iso_week(when: datetime) -> str:
    year, week, _day = when.isocalendar()
    return f"{year}-W{week:02d}"


def send_weekly_digests(now: datetime | None = None) -> int:
    """Mail each consenting user the week's new contributions of their workshops."""
    now = now or utcnow()
    week = _iso_week(now)
    since = now - timedelta(days=7)
    users = list(db.session.scalars(
        select(User).join(NotificationPreference, NotificationPreference.user_id == User.id)
        .where(NotificationPreference.weekly_digest.is_(True), User.is_active_account.is_(True))
    ))
    sent = 0
    for user in users:
        workshop_ids = select(Membership.workshop_id).where(Membership.user_id == user.id)
        items = db.session.execute(
            select(Contribution, Workshop)
            .join(Workshop, Contribution.workshop_id == Workshop.id)
            .where(
                Contribution.workshop_id.in_(workshop_ids),
                Contribution.status == ContributionStatus.PUBLISHED,
                Contribution.created_at >= since,
                Contribution.created_at < now,
            )
            .order_by(Workshop.name, Contribution.created_at.desc())
        ).all()
        if not items:
            continue

        def body(items=items) -> str:
            lines = [_("Les nouvelles contributions de vos ateliers cette semaine :"), ""]
            for contribution, workshop in items[:DIGEST_MAX_ITEMS]:
                excerpt = contribution.title or contribution.text[:140]
                lines.append(f"- [{workshop.name}] {excerpt}")
                lines.append("  " + absolute_url(
                    "contributions.show", campaign_slug=workshop.campaign.slug,
                    contribution_id=contribution.id))
            if len(items) > DIGEST_MAX_ITEMS:
                lines.append(ngettext("… et %(num)d autre.", "… et %(num)d autres.",
                                           len(items) - DIGEST_MAX_ITEMS))
            lines += ["", _("Pour ne plus recevoir ce résumé : %(prefs)s",
                            prefs=absolute_url("preferences.notifications"))]
            return "\n".join(lines)

        n = len(items)
        sent += _send(user, "digest", week,
                      lambda n=n: ngettext(
                          "Votre résumé hebdomadaire : %(num)d nouvelle contribution",
                          "Votre résumé hebdomadaire : %(num)d nouvelles contributions", n),
                      body)
    return sent


def notify_phase_changes(now: datetime | None = None) -> int:
    """Tell consenting members of each campaign that a new phase has started."""
    now = now or utcnow()
    sent = 0
    for campaign in db.session.scalars(select(Campaign)):
        phase = campaign.phase_at(now)
        if phase is None or now - phase.starts_at > PHASE_NOTICE_WINDOW:
            continue
        members = list(db.session.scalars(
            select(User).distinct()
            .join(Membership, Membership.user_id == User.id)
            .join(Workshop, Membership.workshop_id == Workshop.id)
            .where(Workshop.campaign_id == campaign.id)
        ))
        for user in _consenting(members, "phase_changes"):
            sent += _send(
                user, "phase", str(phase.id),
                lambda phase=phase, campaign=campaign: _(
                    "%(campaign)s : nouvelle phase « %(phase)s »",
                    campaign=campaign.title, phase=phase_label(phase.kind)),
                lambda phase=phase, campaign=campaign: _(
                    "La phase « %(phase)s » de la campagne %(campaign)s a commencé.\n\n"
                    "%(link)s\n\nPour ne plus recevoir ces messages : %(prefs)s",
                    phase=phase_label(phase.kind), campaign=campaign.title,
                    link=absolute_url("main.index"),
                    prefs=absolute_url("preferences.notifications")),
            )
    return sent
