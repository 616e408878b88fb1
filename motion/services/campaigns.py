"""Campaigns, their phases and workshops."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import gettext as _
from sqlalchemy import func, select

from motion import N_, validation
from motion.errors import Conflict, Forbidden, InvalidInput, NotFound
from motion.extensions import db
from motion.models import (
    PHASE_ORDER,
    Campaign,
    Contribution,
    ContributionStatus,
    Framework,
    Membership,
    Phase,
    PhaseKind,
    Role,
    User,
    Workshop,
    WorkshopJoining,
)
from motion.models._types import utcnow
from motion.services import audit

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")

# What a person reads for each phase (the stored values are English identifiers): pages,
# e-mails and error messages all name a phase through phase_label().
PHASE_LABELS = {
    PhaseKind.COLLECT: N_("Contributions ouvertes"),
    PhaseKind.SYNTHESIS: N_("Synthèse"),
    PhaseKind.PLENARY: N_("Plénière"),
    PhaseKind.CLOSED: N_("Clôture"),
}


def phase_label(kind: PhaseKind | str | None) -> str:
    """A phase's name in the user's language; None (no phase yet): "Pas encore ouverte"."""
    if kind is None:
        return _("Pas encore ouverte")
    return _(PHASE_LABELS[PhaseKind(kind)])


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:64] or "atelier"


def parse_local_datetime(value: str, timezone: str) -> datetime:
    """Parse ``YYYY-MM-DD[THH:MM]`` in the campaign's time zone into aware UTC."""
    try:
        naive = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(
            _("Date invalide : « %(value)s » (format attendu : AAAA-MM-JJ ou AAAA-MM-JJTHH:MM)",
              value=value)
        ) from None
    if naive.tzinfo is not None:
        return naive.astimezone(UTC)
    return naive.replace(tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def get_campaign(slug: str) -> Campaign:
    # A slug that cannot exist (NUL, oversized) never reaches the database.
    campaign = None if not validation.usable_key(slug, 64) else db.session.scalar(
        select(Campaign).where(Campaign.slug == slug))
    if campaign is None:
        raise NotFound(_("Aucune campagne « %(slug)s ».", slug=slug[:64]))
    return campaign


def published_count(campaign: Campaign) -> int:
    """How many contributions the campaign has published."""
    return db.session.scalar(
        select(func.count(Contribution.id)).where(
            Contribution.campaign_id == campaign.id,
            Contribution.status == ContributionStatus.PUBLISHED)
    ) or 0


def current_campaign() -> Campaign | None:
    """The campaign shown on the home page: the latest one not closed, else the latest."""
    campaigns = db.session.scalars(select(Campaign).order_by(Campaign.created_at.desc())).all()
    now = utcnow()
    for campaign in campaigns:
        phase = campaign.phase_at(now)
        if phase is None or phase.kind != PhaseKind.CLOSED:
            return campaign
    return campaigns[0] if campaigns else None


def create_campaign(
    slug: str,
    title: str,
    *,
    timezone: str = "Europe/Paris",
    framework: Framework | None = None,
    phase_starts: dict[PhaseKind, datetime] | None = None,
    is_demo: bool = False,
    actor: User | None = None,
) -> Campaign:
    """Create a campaign; phases run one after another from their start dates."""
    slug = slug.strip().lower()
    if not SLUG_RE.match(slug):
        raise InvalidInput(
            _("Identifiant de campagne invalide : « %(slug)s » (lettres minuscules, chiffres "
              "et tirets, 64 caractères au plus).", slug=slug), field="slug"
        )
    title = title.strip()
    if not title:
        raise InvalidInput(_("Le titre de la campagne est obligatoire."), field="title")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(_("Fuseau horaire inconnu : %(tz)s", tz=timezone),
                           field="timezone") from None
    if db.session.scalar(select(Campaign.id).where(Campaign.slug == slug)) is not None:
        raise Conflict(_("La campagne « %(slug)s » existe déjà.", slug=slug), field="slug")
    campaign = Campaign(
        slug=slug, title=title[:200], timezone=timezone, framework=framework, is_demo=is_demo
    )
    db.session.add(campaign)
    set_phases(campaign, phase_starts or {PhaseKind.COLLECT: utcnow()})
    audit.record("campaign.create", campaign, actor=actor)
    return campaign


def set_phases(campaign: Campaign, starts: dict[PhaseKind, datetime]) -> None:
    """Replace the campaign's phases; each ends when the next one starts."""
    ordered = [(kind, starts[kind]) for kind in PHASE_ORDER if kind in starts]
    for (kind_a, start_a), (kind_b, start_b) in zip(ordered, ordered[1:], strict=False):
        if start_b <= start_a:
            raise InvalidInput(
                _("La phase « %(b)s » doit commencer après la phase « %(a)s ».",
                  a=kind_a.value, b=kind_b.value)
            )
    campaign.phases.clear()
    db.session.flush()
    for i, (kind, start) in enumerate(ordered):
        end = ordered[i + 1][1] if i + 1 < len(ordered) else None
        campaign.phases.append(Phase(kind=kind, starts_at=start, ends_at=end))


def current_phase(campaign: Campaign, when: datetime | None = None) -> Phase | None:
    return campaign.phase_at(when or utcnow())


def is_collect_open(campaign: Campaign, when: datetime | None = None) -> bool:
    phase = current_phase(campaign, when)
    return phase is not None and phase.kind == PhaseKind.COLLECT


def workshops_by_key(campaign: Campaign) -> dict[str, Workshop]:
    """The campaign's workshops by the key a name in a file is matched on (its slug: case,
    accents, spaces and punctuation do not count): their names', and their addresses'
    (which keep a renamed workshop's former name)."""
    keys = {w.slug: w for w in campaign.workshops}
    keys.update((slugify(w.name), w) for w in campaign.workshops)
    return keys


def get_or_create_workshop(
    campaign: Campaign, name: str, *, actor: User | None = None
) -> Workshop:
    name = validation.clean_text(name, label=_("Nom de l’atelier"), max_length=200,
                                 min_visible=1, multiline=False)
    slug = slugify(name)
    workshop = workshops_by_key(campaign).get(slug)
    if workshop is None:
        workshop = Workshop(campaign=campaign, name=name[:200], slug=slug)
        db.session.add(workshop)
        audit.record("workshop.create", workshop, actor=actor, name=workshop.name)
    return workshop


def get_workshop(campaign: Campaign, slug: str) -> Workshop:
    workshop = None if not validation.usable_key(slug, 80) else db.session.scalar(
        select(Workshop).where(Workshop.campaign_id == campaign.id, Workshop.slug == slug)
    )
    if workshop is None:
        raise NotFound(_("Aucun atelier « %(slug)s » dans cette campagne.", slug=slug[:80]))
    return workshop


def is_member(user: User, workshop: Workshop) -> bool:
    return (
        db.session.scalar(
            select(Membership.id).where(
                Membership.user_id == user.id, Membership.workshop_id == workshop.id
            )
        )
        is not None
    )


def add_member(user: User, workshop: Workshop, *, actor: User | None = None) -> Membership:
    """Make ``user`` a member of ``workshop`` (no-op if already a member)."""
    existing = db.session.scalar(
        select(Membership).where(
            Membership.user_id == user.id, Membership.workshop_id == workshop.id
        )
    )
    if existing is not None:
        return existing
    membership = Membership(user=user, workshop=workshop)
    db.session.add(membership)
    audit.record(
        "workshop.join", workshop, actor=actor or user,
        user_id=user.id,
    )
    return membership


def is_campaign_member(user: User, campaign: Campaign) -> bool:
    """Whether ``user`` takes part in ``campaign``: administrators always, others through a
    membership of one of its workshops (given by an invitation, the CLI or an administrator)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.has_role(Role.ADMIN):
        return True
    return db.session.scalar(
        select(Membership.id).join(Workshop, Membership.workshop_id == Workshop.id)
        .where(Membership.user_id == user.id, Workshop.campaign_id == campaign.id).limit(1)
    ) is not None


def require_campaign_member(user: User, campaign: Campaign) -> None:
    """Refuse (403) a user who does not take part in ``campaign``."""
    if not is_campaign_member(user, campaign):
        raise Forbidden(
            _("Vous ne participez pas à la campagne « %(title)s » : ses pages (et ses votes) "
              "sont réservées à ses participants. Pour la rejoindre, utilisez le lien "
              "d’invitation reçu par courriel ou demandez-le aux animateurs du congrès.",
              title=campaign.title)
        )


def join_workshop(user: User, workshop: Workshop) -> Membership:
    """Join a workshop as the campaign allows: members of the campaign join its open workshops
    when joining is open; otherwise only through an invitation. Administrators always may."""
    campaign = workshop.campaign
    if not user.has_role(Role.ADMIN):
        require_campaign_member(user, campaign)
        if campaign.workshop_joining == WorkshopJoining.INVITATION:
            raise Forbidden(_("Dans cette campagne, on rejoint un atelier sur invitation "
                              "seulement : adressez-vous aux animateurs."))
        if not workshop.is_open:
            raise Forbidden(_("Cet atelier n’accepte pas de nouveaux membres."))
    return add_member(user, workshop)
