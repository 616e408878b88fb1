"""Amendments: élus propose a replacement text; facilitators accept, reject or merge them.

Accepting (or merging) creates a new version of the proposition that credits the authors.
Authors who agreed to be told about replies (``NotificationPreference.replies``) get an
e-mail about the decision, sent after the transaction commits.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from motion.errors import Conflict, Forbidden, InvalidInput
from motion.extensions import db
from motion.models import (
    Amendment,
    AmendmentStatus,
    PhaseKind,
    Proposition,
    PropositionVersion,
    User,
)
from motion.models._types import utcnow
from motion.services import audit, campaigns, lookup, motions, notifications, referents

AMENDMENT_PHASES = (PhaseKind.SYNTHESIS, PhaseKind.PLENARY)
JUSTIFICATION_MAX = 3000


def closed_by_vote(proposition: Proposition) -> str | None:
    """Why the proposition takes no more amendments once put to the vote (its text can no
    longer change: motions.text_lock), else None."""
    voted = motions.latest_round(proposition)
    if voted is None:
        return None
    if voted.is_open:
        return _("Cette proposition est au vote : elle ne reçoit plus d’amendements.")
    return _("Cette proposition a été votée en plénière : elle ne reçoit plus d’amendements.")


def amendments_open(proposition: Proposition) -> bool:
    """Whether élus may propose amendments now (synthesis or plenary, motion not adopted,
    proposition not put to the vote)."""
    if proposition.motion.is_adopted or closed_by_vote(proposition):
        return False
    phase = campaigns.current_phase(proposition.motion.campaign)
    return phase is not None and phase.kind in AMENDMENT_PHASES


def propose(proposition: Proposition, author: User, *, text: str, justification: str) -> \
        Amendment:
    """Record an élu's amendment: a replacement text and its justification."""
    motions.ensure_editable(proposition.motion)
    voted = closed_by_vote(proposition)
    if voted:
        raise Conflict(voted)
    if not amendments_open(proposition):
        raise Forbidden(_("Les amendements ne sont possibles que pendant les phases de synthèse "
                          "et de plénière."))
    text, justification = (text or "").strip(), (justification or "").strip()
    if not text:
        raise InvalidInput(_("Le texte proposé est obligatoire."))
    if len(text) > motions.TEXT_MAX:
        raise InvalidInput(_("Le texte dépasse %(n)d caractères.", n=motions.TEXT_MAX))
    if not justification:
        raise InvalidInput(_("La justification de l’amendement est obligatoire."))
    if len(justification) > JUSTIFICATION_MAX:
        raise InvalidInput(_("La justification dépasse %(n)d caractères.", n=JUSTIFICATION_MAX))
    if text == proposition.text:
        raise InvalidInput(_("Le texte proposé est identique au texte actuel."))
    amendment = Amendment(proposition=proposition, author_id=author.id,
                          base_version=proposition.version_number, text=text,
                          justification=justification)
    db.session.add(amendment)
    audit.record("amendment.propose", amendment, actor=author,
                 campaign_id=proposition.motion.campaign_id)
    return amendment


def get_amendment(proposition: Proposition, amendment_id: int) -> Amendment:
    return lookup.get_owned(Amendment, amendment_id, _("Amendement introuvable."),
                            proposition_id=proposition.id)


def _pending(amendment: Amendment) -> None:
    if amendment.status != AmendmentStatus.PENDING:
        raise Conflict(_("Cet amendement a déjà été traité."))


def _decide(amendment: Amendment, status: AmendmentStatus, actor: User | None,
            reason: str | None, version: PropositionVersion | None) -> None:
    amendment.status = status
    amendment.decided_by_id = actor.id if actor else None
    amendment.decided_at = utcnow()
    amendment.decision_reason = reason
    amendment.result_version = version


def accept(amendment: Amendment, *, actor: User | None, reason: str = "") -> PropositionVersion:
    """Adopt the amendment's text as a new version crediting its author."""
    _pending(amendment)
    proposition = amendment.proposition
    author = db.session.get(User, amendment.author_id) if amendment.author_id else None
    version = motions.add_version(
        proposition, title=proposition.title, text=amendment.text, actor=actor, kind="amendment",
        reason=reason.strip() or _("Amendement de %(name)s accepté",
                                   name=author.display_name if author else "?"))
    _decide(amendment, AmendmentStatus.ACCEPTED, actor, reason.strip() or None, version)
    audit.record("amendment.accept", amendment, actor=actor,
                 campaign_id=proposition.motion.campaign_id, version=version.number)
    _notify(amendment)
    return version


def reject(amendment: Amendment, *, actor: User | None, reason: str) -> Amendment:
    """Reject the amendment with a reason given to its author."""
    _pending(amendment)
    motions.ensure_editable(amendment.proposition.motion)
    referents.require_lead(actor, amendment.proposition.motion.campaign,
                           amendment.proposition.section.engagement_id)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Indiquez la raison du rejet : elle sera transmise à l’auteur."),
                           field="reason")
    _decide(amendment, AmendmentStatus.REJECTED, actor, reason[:JUSTIFICATION_MAX], None)
    audit.record("amendment.reject", amendment, actor=actor,
                 campaign_id=amendment.proposition.motion.campaign_id)
    _notify(amendment)
    return amendment


def merge(proposition: Proposition, amendment_ids: list[int], *, text: str,
          actor: User | None, reason: str = "") -> PropositionVersion:
    """Combine several amendments into one new version crediting all their authors."""
    found = list(db.session.scalars(select(Amendment).where(
        Amendment.id.in_(amendment_ids), Amendment.proposition_id == proposition.id)))
    if len(set(amendment_ids)) < 2 or len(found) != len(set(amendment_ids)):
        raise InvalidInput(_("Choisissez au moins deux amendements de cette proposition."))
    for amendment in found:
        _pending(amendment)
    version = motions.add_version(
        proposition, title=proposition.title, text=text, actor=actor, kind="amendment",
        reason=reason.strip() or _("Fusion des amendements %(ids)s",
                                   ids=", ".join(f"n° {a.id}" for a in found)))
    for amendment in found:
        _decide(amendment, AmendmentStatus.MERGED, actor, reason.strip() or None, version)
    audit.record("amendment.merge", proposition, actor=actor,
                 campaign_id=proposition.motion.campaign_id,
                 amendments=[a.id for a in found], version=version.number)
    for amendment in found:
        _notify(amendment)
    return version


def credited_authors(version: PropositionVersion) -> list[User]:
    """The authors of the amendments a version came from."""
    ids = [a.author_id for a in version.amendments if a.author_id]
    if not ids:
        return []
    return list(db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.id)))


def _notify(amendment: Amendment) -> int:
    author = db.session.get(User, amendment.author_id) if amendment.author_id else None
    if author is None or not notifications._consenting([author], "replies"):
        return 0
    proposition = amendment.proposition
    campaign = proposition.motion.campaign
    link = notifications.absolute_url("motions.proposition", campaign_slug=campaign.slug,
                                      proposition_id=proposition.id)
    status = amendment.status

    def subject() -> str:
        if status == AmendmentStatus.REJECTED:
            return _("Votre amendement n’a pas été retenu")
        return _("Votre amendement a été retenu")

    def body() -> str:
        if status == AmendmentStatus.REJECTED:
            head = _("Votre amendement à la proposition « %(title)s » n’a pas été retenu. "
                     "Raison : %(reason)s", title=proposition.title,
                     reason=amendment.decision_reason or "")
        elif status == AmendmentStatus.MERGED:
            head = _("Votre amendement à la proposition « %(title)s » a été fusionné avec "
                     "d’autres dans une nouvelle version qui vous cite.", title=proposition.title)
        else:
            head = _("Votre amendement à la proposition « %(title)s » a été accepté : la "
                     "nouvelle version vous cite.", title=proposition.title)
        return _("%(head)s\n\nVoir la proposition : %(link)s\n\nPour ne plus recevoir ces "
                 "messages : %(prefs)s", head=head, link=link,
                 prefs=notifications.absolute_url("preferences.notifications"))

    return int(notifications._send(author, "amendment", str(amendment.id), subject, body))
