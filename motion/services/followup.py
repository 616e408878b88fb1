"""Follow-up (suivi) of motions year after year: statuses, notes and links of a closed
campaign's propositions; import of the previous motion into a new campaign; continuations.

Services flush only; the view, CLI command or demo commits.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlsplit

from flask_babel import format_date, lazy_gettext, ngettext
from flask_babel import gettext as _
from sqlalchemy import select

from motion import validation
from motion.errors import Conflict, InvalidInput, NotFound
from motion.extensions import db
from motion.models import (
    Axis,
    Campaign,
    Contribution,
    ContributionContinuation,
    EarlierProposition,
    Engagement,
    FollowUpLink,
    FollowUpNote,
    FollowUpStatus,
    FollowUpStatusChange,
    Motion,
    MotionSection,
    MotionStatus,
    PhaseKind,
    Proposition,
    PropositionAxis,
    PropositionContinuation,
    PropositionFollowUp,
    User,
)
from motion.models._types import utcnow
from motion.services import lookup

logger = logging.getLogger(__name__)

STATUS_LABELS = {
    FollowUpStatus.NOT_TRANSMITTED: lazy_gettext("non transmise"),
    FollowUpStatus.TRANSMITTED: lazy_gettext("transmise"),
    FollowUpStatus.ANSWERED: lazy_gettext("réponse reçue"),
    FollowUpStatus.ADOPTED_IN_TEXT: lazy_gettext("reprise dans un texte"),
    FollowUpStatus.NO_FOLLOW_UP: lazy_gettext("sans suite"),
}
# The bilan's summary: what happened first, what did not last.
SUMMARY_ORDER = [
    FollowUpStatus.TRANSMITTED,
    FollowUpStatus.ANSWERED,
    FollowUpStatus.ADOPTED_IN_TEXT,
    FollowUpStatus.NO_FOLLOW_UP,
    FollowUpStatus.NOT_TRANSMITTED,
]
NOTE_MAX = 5000
LINK_TITLE_MAX = 300
URL_MAX = 2000


def status_label(status: FollowUpStatus | str | None) -> str:
    """The French label of a follow-up status ("non transmise" when there is none)."""
    return str(STATUS_LABELS[FollowUpStatus(status or FollowUpStatus.NOT_TRANSMITTED)])


def _status_count(status: FollowUpStatus, n: int) -> str:
    if status == FollowUpStatus.TRANSMITTED:
        return ngettext("%(num)d proposition transmise", "%(num)d propositions transmises", n)
    if status == FollowUpStatus.ANSWERED:
        return ngettext(
            "%(num)d proposition avec réponse reçue", "%(num)d propositions avec réponse reçue", n
        )
    if status == FollowUpStatus.ADOPTED_IN_TEXT:
        return ngettext("%(num)d reprise dans un texte", "%(num)d reprises dans un texte", n)
    if status == FollowUpStatus.NO_FOLLOW_UP:
        return ngettext("%(num)d sans suite", "%(num)d sans suite", n)
    return ngettext("%(num)d non transmise", "%(num)d non transmises", n)


# ------------------------------------------------------------------ closed campaigns


def is_closed(campaign: Campaign, when: datetime | None = None) -> bool:
    """Whether the campaign's Clôture phase has started."""
    when = when or utcnow()
    return any(p.kind == PhaseKind.CLOSED and p.starts_at <= when for p in campaign.phases)


def _closed_at(campaign: Campaign) -> datetime | None:
    for phase in campaign.phases:
        if phase.kind == PhaseKind.CLOSED:
            return phase.starts_at
    return None


def _motion(campaign: Campaign) -> Motion | None:
    return db.session.scalar(select(Motion).where(Motion.campaign_id == campaign.id))


def retained_propositions(motion: Motion) -> list[Proposition]:
    """The motion's propositions that were not rejected, in reading order."""
    return list(
        db.session.scalars(
            select(Proposition)
            .join(MotionSection, Proposition.section_id == MotionSection.id)
            .where(
                Proposition.motion_id == motion.id,
                (Proposition.outcome.is_(None)) | (Proposition.outcome != "rejected"),
            )
            .order_by(MotionSection.position, Proposition.position, Proposition.id)
        )
    )


def followups_by_proposition(proposition_ids: list[int]) -> dict[int, PropositionFollowUp]:
    """The follow-up rows of these propositions, by proposition id."""
    return _followups(proposition_ids)


def _followups(proposition_ids: list[int]) -> dict[int, PropositionFollowUp]:
    if not proposition_ids:
        return {}
    rows = db.session.scalars(
        select(PropositionFollowUp).where(PropositionFollowUp.proposition_id.in_(proposition_ids))
    )
    return {f.proposition_id: f for f in rows}


@dataclass
class FollowUpRow:
    """One proposition on the Suivi page."""

    proposition: Proposition
    followup: PropositionFollowUp | None

    @property
    def status(self) -> FollowUpStatus:
        return self.followup.status if self.followup else FollowUpStatus.NOT_TRANSMITTED

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def notes(self) -> list[FollowUpNote]:
        return list(reversed(self.followup.notes)) if self.followup else []

    @property
    def links(self) -> list[FollowUpLink]:
        return self.followup.links if self.followup else []

    @property
    def changes(self) -> list[FollowUpStatusChange]:
        return list(reversed(self.followup.changes)) if self.followup else []


@dataclass
class FollowUpSection:
    title: str
    rows: list[FollowUpRow] = field(default_factory=list)


def followup_board(campaign: Campaign) -> list[FollowUpSection]:
    """The motion's retained propositions by engagement, with their follow-up."""
    motion = _motion(campaign)
    if motion is None:
        return []
    propositions = retained_propositions(motion)
    followups = _followups([p.id for p in propositions])
    sections: dict[int, FollowUpSection] = {}
    for proposition in propositions:
        section = sections.setdefault(
            proposition.section_id, FollowUpSection(proposition.section.title)
        )
        section.rows.append(FollowUpRow(proposition, followups.get(proposition.id)))
    return list(sections.values())


def status_counts(campaign: Campaign) -> dict[FollowUpStatus, int]:
    """How many retained propositions of the campaign's motion have each status."""
    counts = dict.fromkeys(FollowUpStatus, 0)
    for section in followup_board(campaign):
        for row in section.rows:
            counts[row.status] += 1
    return counts


def get_proposition(campaign: Campaign, proposition_id: int) -> Proposition:
    proposition = db.session.get(Proposition, proposition_id)
    if proposition is None or proposition.motion.campaign_id != campaign.id:
        raise NotFound(_("Proposition introuvable."))
    return proposition


def _require_followable(proposition: Proposition) -> None:
    campaign = proposition.motion.campaign
    if not is_closed(campaign):
        raise Conflict(
            _(
                "Le suivi commence à la clôture de la campagne : « %(title)s » n’est "
                "pas encore close.",
                title=campaign.title,
            )
        )
    if proposition.outcome == "rejected":
        raise Conflict(_("Cette proposition a été rejetée : elle n’a pas de suivi."))


def _followup_for(proposition: Proposition) -> PropositionFollowUp:
    followup = db.session.scalar(
        select(PropositionFollowUp).where(PropositionFollowUp.proposition_id == proposition.id)
    )
    if followup is None:
        followup = PropositionFollowUp(
            proposition=proposition, status=FollowUpStatus.NOT_TRANSMITTED
        )
        db.session.add(followup)
    return followup


def parse_status(value: str | None) -> FollowUpStatus:
    try:
        return FollowUpStatus((value or "").strip())
    except ValueError:
        raise InvalidInput(
            _("Statut de suivi inconnu : « %(value)s ».", value=(value or "")[:40]),
            field="status",
        ) from None


def set_status(
    proposition: Proposition, status: FollowUpStatus | str, *, actor: User | None = None
) -> bool:
    """Change a proposition's follow-up status and record who did it; False when unchanged."""
    _require_followable(proposition)
    status = parse_status(status)
    followup = _followup_for(proposition)
    old = followup.status if followup.id is not None else None
    if old == status:
        return False
    followup.status = status
    followup.updated_by = actor
    followup.updated_at = utcnow()
    followup.changes.append(
        FollowUpStatusChange(old_status=old, new_status=status, changed_by=actor)
    )
    db.session.flush()
    return True


def parse_day(value: str | date | None) -> date:
    if isinstance(value, date):
        return value
    return validation.parse_day(
        value, _("Date de la note invalide : « %(value)s » (format attendu : AAAA-MM-JJ)."),
        field="noted_on", required=True,
    )


def add_note(
    proposition: Proposition,
    text: str,
    *,
    noted_on: date | str | None = None,
    actor: User | None = None,
) -> FollowUpNote:
    """Add a dated note to a proposition's follow-up (today when no date is given)."""
    _require_followable(proposition)
    text = validation.clean_text(text, label=_("Note"), max_length=NOTE_MAX, min_visible=1)
    day = parse_day(noted_on) if noted_on else utcnow().date()
    followup = _followup_for(proposition)
    note = FollowUpNote(noted_on=day, text=text, author=actor)
    followup.notes.append(note)
    db.session.flush()
    return note


def check_url(url: str) -> str:
    """An absolute http(s) address, or a French error."""
    url = (url or "").strip()
    parts = urlsplit(url) if len(url) <= URL_MAX else None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.netloc
        or any(c.isspace() for c in url)
        or validation.has_forbidden_characters(url)
    ):
        raise InvalidInput(
            _(
                "Adresse du lien invalide : une adresse complète commençant par "
                "https:// ou http:// est attendue."
            ),
            field="url",
        )
    return url


def add_link(
    proposition: Proposition, url: str, title: str, *, actor: User | None = None
) -> FollowUpLink:
    """Add a link (an answer, a law, an article) to a proposition's follow-up."""
    _require_followable(proposition)
    url = check_url(url)
    title = validation.clean_text(
        title, label=_("Titre du lien"), max_length=LINK_TITLE_MAX, min_visible=1, multiline=False
    )
    followup = _followup_for(proposition)
    link = FollowUpLink(url=url, title=title, author_id=actor.id if actor else None)
    followup.links.append(link)
    db.session.flush()
    return link


def update_followup(
    proposition: Proposition,
    *,
    status: str | None,
    note: str = "",
    noted_on: str = "",
    url: str = "",
    link_title: str = "",
    actor: User | None = None,
) -> list[str]:
    """Apply one form of the Suivi page: status, an optional note, an optional link.

    Everything is checked before anything is written. Returns what changed (French).
    """
    _require_followable(proposition)
    new_status = parse_status(status) if status else None
    has_note = bool((note or "").strip())
    has_link = bool((url or "").strip() or (link_title or "").strip())
    if has_note:
        validation.clean_text(
            note, label=_("Note"), max_length=NOTE_MAX, min_visible=1, field="note"
        )
        if noted_on:
            parse_day(noted_on)
    if has_link:
        check_url(url)
        validation.clean_text(
            link_title,
            label=_("Titre du lien"),
            max_length=LINK_TITLE_MAX,
            min_visible=1,
            multiline=False,
            field="link_title",
        )
    done = []
    if new_status is not None and set_status(proposition, new_status, actor=actor):
        done.append(_("statut : %(label)s", label=status_label(new_status)))
    if has_note:
        add_note(proposition, note, noted_on=noted_on or None, actor=actor)
        done.append(_("note ajoutée"))
    if has_link:
        add_link(proposition, url, link_title, actor=actor)
        done.append(_("lien ajouté"))
    return done


# ------------------------------------------------------------------ previous campaign


def candidate_previous_campaigns(campaign: Campaign) -> list[Campaign]:
    """Closed campaigns (other than ``campaign``, closed before it), latest closed first."""
    own_close = _closed_at(campaign) if is_closed(campaign) else None
    closed = [
        c
        for c in db.session.scalars(select(Campaign).where(Campaign.id != campaign.id))
        if is_closed(c) and (own_close is None or _closed_at(c) < own_close)
    ]
    return sorted(closed, key=lambda c: (_closed_at(c), c.id), reverse=True)


def get_source_campaign(campaign: Campaign, source_id: int) -> Campaign:
    """A campaign ``campaign`` may import the motion of (closed before it), or a French error."""
    for candidate in candidate_previous_campaigns(campaign):
        if candidate.id == source_id:
            return candidate
    raise InvalidInput(
        _(
            "Cette campagne ne peut pas être importée : choisissez une campagne close avant "
            "celle-ci."
        )
    )


def previous_campaign(campaign: Campaign) -> Campaign | None:
    """The campaign whose motion ``campaign`` continues: the one it imported, else the
    latest closed campaign with a motion."""
    imported = db.session.scalar(
        select(EarlierProposition.source_campaign_id)
        .where(
            EarlierProposition.campaign_id == campaign.id,
            EarlierProposition.source_campaign_id.is_not(None),
        )
        .order_by(EarlierProposition.imported_at.desc(), EarlierProposition.id.desc())
        .limit(1)
    )
    if imported is not None:
        return db.session.get(Campaign, imported)
    with_motion = set(db.session.scalars(select(Motion.campaign_id)))
    for candidate in candidate_previous_campaigns(campaign):
        if candidate.id in with_motion:
            return candidate
    return None


def adopted_propositions(motion: Motion) -> list[Proposition]:
    """The adopted text's propositions: voted "adopted", or never put to the vote."""
    return [p for p in retained_propositions(motion) if p.outcome == "adopted" or p.outcome is None]


@dataclass
class ImportReport:
    source: Campaign
    added: int = 0
    already: int = 0
    # Engagements of the previous motion with no match in the new campaign's framework
    # (their propositions are imported without an engagement).
    unmapped: list[str] = field(default_factory=list)


def _engagement_map(source: Campaign, target: Campaign) -> dict[int, Engagement | None]:
    """Map the source framework's engagements onto the target's: by code, else by title."""
    targets = target.framework.engagements if target.framework else []
    by_code = {e.code.strip().casefold(): e for e in targets}
    by_title = {" ".join(e.title.split()).casefold(): e for e in targets}
    return {
        e.id: (
            by_code.get(e.code.strip().casefold())
            or by_title.get(" ".join(e.title.split()).casefold())
        )
        for e in (source.framework.engagements if source.framework else [])
    }


def _axes_of(proposition_ids: list[int]) -> dict[int, Axis]:
    """The axis each proposition answers (set on the engagement sessions' page), by id."""
    if not proposition_ids:
        return {}
    rows = db.session.execute(
        select(PropositionAxis.proposition_id, Axis)
        .join(Axis, PropositionAxis.axis_id == Axis.id)
        .where(PropositionAxis.proposition_id.in_(proposition_ids))
    )
    return {proposition_id: axis for proposition_id, axis in rows}


def _matching_axis(axis: Axis | None, engagement: Engagement | None) -> int | None:
    """The id of ``engagement``'s axis with the same code as ``axis`` (else the same title)."""
    if axis is None or engagement is None:
        return None
    for candidate in engagement.axes:
        if candidate.code.strip().casefold() == axis.code.strip().casefold():
            return candidate.id
    title = " ".join(axis.title.split()).casefold()
    for candidate in engagement.axes:
        if " ".join(candidate.title.split()).casefold() == title:
            return candidate.id
    return None


def import_previous_motion(
    campaign: Campaign, source: Campaign, *, actor: User | None = None
) -> ImportReport:
    """Import ``source``'s adopted propositions into ``campaign`` as earlier propositions.

    Idempotent: a proposition already imported is skipped. Engagements are matched by
    code, then by title; the report names those that could not be matched.
    """
    if source.id == campaign.id:
        raise InvalidInput(_("Choisissez une autre campagne que celle-ci."))
    motion = _motion(source)
    if motion is None:
        raise InvalidInput(
            _("La campagne « %(title)s » n’a pas de motion : rien à importer.", title=source.title)
        )
    if motion.status != MotionStatus.ADOPTED:
        raise InvalidInput(
            _(
                "La motion de « %(title)s » n’a pas été adoptée : seules les "
                "propositions d’une motion adoptée peuvent être reprises.",
                title=source.title,
            )
        )
    if campaign.framework_id is None:
        raise InvalidInput(
            _(
                "Cette campagne n’a pas de référentiel : choisissez-en un avant "
                "d’importer la motion précédente."
            )
        )
    mapping = _engagement_map(source, campaign)
    report = ImportReport(source=source)
    existing = set(
        db.session.scalars(
            select(EarlierProposition.source_proposition_id).where(
                EarlierProposition.campaign_id == campaign.id
            )
        )
    )
    unmapped: dict[int, str] = {}
    propositions = adopted_propositions(motion)
    axes = _axes_of([p.id for p in propositions])
    for position, proposition in enumerate(propositions, start=1):
        section_engagement = proposition.section.engagement
        target = mapping.get(section_engagement.id) if section_engagement else None
        source_axis = axes.get(proposition.id)
        if section_engagement is not None and target is None:
            unmapped[section_engagement.id] = (
                f"{section_engagement.code} — {section_engagement.title}"
            )
        if proposition.id in existing:
            report.already += 1
            continue
        db.session.add(
            EarlierProposition(
                campaign_id=campaign.id,
                source_campaign_id=source.id,
                source_proposition_id=proposition.id,
                engagement_id=target.id if target else None,
                axis_id=_matching_axis(source_axis, target),
                source_axis_code=source_axis.code if source_axis else None,
                source_engagement_code=section_engagement.code if section_engagement else None,
                source_engagement_title=(
                    section_engagement.title if section_engagement else proposition.section.title
                ),
                source_campaign_title=source.title,
                position=position,
                title=proposition.title,
                text=proposition.text,
                imported_by_id=actor.id if actor else None,
            )
        )
        report.added += 1
    report.unmapped = list(unmapped.values())
    db.session.flush()
    logger.info(
        "imported %d earlier propositions into campaign %s from %s",
        report.added,
        campaign.slug,
        source.slug,
    )
    return report


def import_message(report: ImportReport) -> str:
    """The French summary of an import."""
    parts = [
        ngettext(
            "%(num)d proposition de « %(title)s » importée.",
            "%(num)d propositions de « %(title)s » importées.",
            report.added,
            title=report.source.title,
        )
    ]
    if report.already:
        parts.append(
            ngettext(
                "%(num)d déjà importée auparavant.",
                "%(num)d déjà importées auparavant.",
                report.already,
            )
        )
    if report.unmapped:
        parts.append(
            _(
                "Engagements sans correspondance dans le référentiel de cette campagne "
                "(propositions importées sans engagement) : %(names)s.",
                names="; ".join(report.unmapped),
            )
        )
    return " ".join(parts)


def earlier_propositions(
    campaign: Campaign, engagement: Engagement | None = None
) -> list[EarlierProposition]:
    """The earlier propositions imported into ``campaign`` (of one engagement if given)."""
    query = select(EarlierProposition).where(EarlierProposition.campaign_id == campaign.id)
    if engagement is not None:
        query = query.where(EarlierProposition.engagement_id == engagement.id)
    return list(
        db.session.scalars(query.order_by(EarlierProposition.position, EarlierProposition.id))
    )


def get_earlier(campaign: Campaign, earlier_id: int | None) -> EarlierProposition | None:
    if earlier_id is None:
        return None
    return lookup.get_owned(
        EarlierProposition, earlier_id, _("Proposition antérieure inconnue dans cette campagne."),
        error=InvalidInput, campaign_id=campaign.id)


# ------------------------------------------------------------------ for the sessions' bilan


@dataclass(frozen=True)
class PreviousProposition:
    """A proposition of the previous campaign, with what became of it."""

    title: str
    text: str
    status: FollowUpStatus
    status_label: str
    last_note: str | None
    last_note_on: date | None
    campaign_title: str
    earlier_id: int | None = None
    links: tuple[tuple[str, str], ...] = ()
    # The axis it answered, in the newer campaign's framework when it maps (else the
    # earlier code, title None); None when the proposition had no axis.
    axis_code: str | None = None
    axis_title: str | None = None


def _previous(
    followup: PropositionFollowUp | None,
    proposition: Proposition | EarlierProposition,
    *,
    campaign_title: str,
    axis: Axis | None = None,
    axis_code: str | None = None,
) -> PreviousProposition:
    """``proposition`` (of the previous motion, or imported from it) with its follow-up;
    ``axis_code`` when it has no ``axis`` in this campaign's framework."""
    status = followup.status if followup else FollowUpStatus.NOT_TRANSMITTED
    note = followup.notes[-1] if followup and followup.notes else None
    imported = isinstance(proposition, EarlierProposition)
    return PreviousProposition(
        title=proposition.title,
        text=proposition.text,
        status=status,
        status_label=status_label(status),
        last_note=note.text if note else None,
        last_note_on=note.noted_on if note else None,
        campaign_title=campaign_title,
        earlier_id=proposition.id if imported else None,
        links=tuple((link.title, link.url) for link in followup.links) if followup else (),
        axis_code=axis.code if axis else axis_code,
        axis_title=axis.title if axis else None,
    )


def previous_propositions(campaign: Campaign, engagement: Engagement) -> list[PreviousProposition]:
    """The previous campaign's propositions of ``engagement`` with their follow-up.

    When the campaign imported the previous motion, its earlier propositions mapped onto
    ``engagement``; otherwise the latest closed campaign's adopted propositions whose
    engagement has the same framework code.
    """
    imported = earlier_propositions(campaign, engagement)
    if imported:
        followups = _followups(
            [e.source_proposition_id for e in imported if e.source_proposition_id is not None]
        )
        return [
            _previous(followups.get(e.source_proposition_id), e,
                      campaign_title=e.source_campaign_title, axis=e.axis,
                      axis_code=e.source_axis_code)
            for e in imported
        ]
    if (
        db.session.scalar(
            select(EarlierProposition.id)
            .where(EarlierProposition.campaign_id == campaign.id)
            .limit(1)
        )
        is not None
    ):
        return []  # imported, but nothing maps onto this engagement
    source = previous_campaign(campaign)
    motion = _motion(source) if source else None
    if motion is None:
        return []
    code = engagement.code.strip().casefold()
    propositions = [
        p
        for p in adopted_propositions(motion)
        if p.section.engagement is not None and p.section.engagement.code.strip().casefold() == code
    ]
    followups = _followups([p.id for p in propositions])
    axes = _axes_of([p.id for p in propositions])
    return [
        _previous(followups.get(p.id), p, campaign_title=source.title, axis=axes.get(p.id))
        for p in propositions
    ]


def summaries(campaign: Campaign, proposition_ids: list[int]) -> dict[int, PreviousProposition]:
    """For exports: the follow-up of a closed campaign's propositions, by proposition id.

    Empty while the campaign is not closed; a proposition without a follow-up row is
    "non transmise" (rejected ones are left out).
    """
    if not proposition_ids or not is_closed(campaign):
        return {}
    propositions = db.session.scalars(
        select(Proposition).where(Proposition.id.in_(proposition_ids))
    ).all()
    followups = _followups(list(proposition_ids))
    return {
        p.id: _previous(followups.get(p.id), p, campaign_title=campaign.title)
        for p in propositions
        if p.outcome != "rejected"
    }


def draft_bilan(campaign: Campaign, engagement: Engagement) -> str:
    """A first draft of an engagement's bilan from the previous propositions' statuses.

    E.g. "Suivi des propositions de « Congrès 2025 » : 3 propositions transmises, 1 reprise
    dans un texte." followed by one line per proposition. Empty when there is nothing.
    """
    previous = previous_propositions(campaign, engagement)
    if not previous:
        return ""
    counts: dict[FollowUpStatus, int] = {}
    for item in previous:
        counts[item.status] = counts.get(item.status, 0) + 1
    summary = ", ".join(
        _status_count(status, counts[status]) for status in SUMMARY_ORDER if counts.get(status)
    )
    lines = [
        _(
            "Suivi des propositions de « %(title)s » : %(summary)s.",
            title=previous[0].campaign_title,
            summary=summary,
        )
    ]
    for item in previous:
        line = _("– « %(title)s » : %(status)s", title=item.title, status=item.status_label)
        if item.last_note:
            line += _(
                " (%(date)s : %(note)s)",
                date=format_date(item.last_note_on, "d MMMM y"),
                note=item.last_note.rstrip(" ."),
            )
        lines.append(line + ".")
    return "\n".join(lines)


# ------------------------------------------------------------------ continuations


def continued_by_contribution(contribution: Contribution) -> EarlierProposition | None:
    row = db.session.get(ContributionContinuation, contribution.id)
    return row.earlier if row else None


def continued_by_proposition(proposition: Proposition) -> EarlierProposition | None:
    row = db.session.get(PropositionContinuation, proposition.id)
    return row.earlier if row else None


def set_contribution_continues(contribution: Contribution, earlier_id: int | None) -> None:
    """Record (or clear) the earlier proposition a contribution continues."""
    earlier = get_earlier(contribution.campaign, earlier_id)
    _set_continuation(ContributionContinuation, "contribution_id", contribution.id, earlier)


def set_proposition_continues(
    proposition: Proposition, earlier_id: int | None, *, actor: User | None = None
) -> EarlierProposition | None:
    """Record (or clear) the earlier proposition a proposition continues."""
    earlier = get_earlier(proposition.motion.campaign, earlier_id)
    _set_continuation(PropositionContinuation, "proposition_id", proposition.id, earlier,
                      set_by_id=actor.id if actor else None)
    return earlier


def _set_continuation(model: type[ContributionContinuation | PropositionContinuation],
                      key: str, key_id: int, earlier: EarlierProposition | None,
                      **values: int | None) -> None:
    """Point the continuation row ``key``=``key_id`` at ``earlier`` (with ``values``),
    creating it if needed; delete it when ``earlier`` is None."""
    row = db.session.get(model, key_id)
    if earlier is None:
        if row is not None:
            db.session.delete(row)
    else:
        if row is None:
            row = model(**{key: key_id})
            db.session.add(row)
        row.earlier_id = earlier.id
        for name, value in values.items():
            setattr(row, name, value)
    db.session.flush()


def continuation_labels(proposition_ids: list[int]) -> dict[int, str]:
    """For exports: "Prolonge la proposition « … » (…)" of each proposition that continues one."""
    if not proposition_ids:
        return {}
    rows = db.session.scalars(
        select(PropositionContinuation).where(
            PropositionContinuation.proposition_id.in_(proposition_ids)
        )
    )
    return {row.proposition_id: continuation_label(row.earlier, sentence=True) for row in rows}


def continuation_label(earlier: EarlierProposition, *, sentence: bool = False) -> str:
    """The label "prolonge la proposition « … » (Congrès 2025)", capitalised as a sentence."""
    if sentence:
        return _(
            "Prolonge la proposition « %(title)s » (%(campaign)s)",
            title=earlier.title,
            campaign=earlier.source_campaign_title,
        )
    return _(
        "prolonge la proposition « %(title)s » (%(campaign)s)",
        title=earlier.title,
        campaign=earlier.source_campaign_title,
    )
