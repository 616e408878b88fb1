"""Setting a congress up: editing campaigns, their phases and workshops, users' roles,
and which campaigns a person sees side by side (switcher, archive)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from motion import N_
from motion.errors import Conflict, InvalidInput, NotFound
from motion.extensions import db
from motion.models import (
    PHASE_ORDER,
    Campaign,
    Contribution,
    Engagement,
    Membership,
    Motion,
    PhaseKind,
    Role,
    User,
    Workshop,
)
from motion.models._types import utcnow
from motion.services import audit, lookup
from motion.services.campaigns import SLUG_RE, phase_label, set_phases, slugify

# What a person reads for each role (the stored values are English identifiers).
ROLE_LABELS = {
    Role.ELU: N_("Élu"),
    Role.FACILITATOR: N_("Animateur"),
    Role.ADMIN: N_("Administrateur"),
}


USERS_PER_PAGE = 50


def _newest_campaigns() -> list[Campaign]:
    return list(db.session.scalars(
        select(Campaign).order_by(Campaign.created_at.desc(), Campaign.id.desc())))


def overview() -> dict:
    """The admin's home: every campaign (newest first), its contributions, the accounts."""
    return {
        "campaigns": _newest_campaigns(),
        "contribution_counts": dict(db.session.execute(
            select(Contribution.campaign_id, func.count(Contribution.id))
            .group_by(Contribution.campaign_id)).all()),
        "user_total": db.session.scalar(select(func.count(User.id))),
    }


def workshop_figures(campaign: Campaign) -> dict:
    """Members and contributions of each of the campaign's workshops, by workshop id."""
    return {
        "member_counts": dict(db.session.execute(
            select(Membership.workshop_id, func.count(Membership.id))
            .join(Workshop, Workshop.id == Membership.workshop_id)
            .where(Workshop.campaign_id == campaign.id)
            .group_by(Membership.workshop_id)).all()),
        "contribution_counts": dict(db.session.execute(
            select(Contribution.workshop_id, func.count(Contribution.id))
            .where(Contribution.campaign_id == campaign.id)
            .group_by(Contribution.workshop_id)).all()),
    }


def check_timezone(timezone: str) -> str:
    timezone = timezone.strip()
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(_("Fuseau horaire inconnu : %(tz)s", tz=timezone),
                           field="timezone") from None
    return timezone


def update_campaign(campaign: Campaign, *, title: str, slug: str, timezone: str,
                    actor: User | None = None) -> Campaign:
    """Change a campaign's title, address (slug) and time zone."""
    slug = slug.strip().lower()
    if not SLUG_RE.match(slug):
        raise InvalidInput(
            _("Identifiant de campagne invalide : « %(slug)s » (lettres minuscules, chiffres "
              "et tirets, 64 caractères au plus).", slug=slug), field="slug"
        )
    title = " ".join(title.split())
    if not title:
        raise InvalidInput(_("Le titre de la campagne est obligatoire."), field="title")
    timezone = check_timezone(timezone)
    if slug != campaign.slug and db.session.scalar(
        select(Campaign.id).where(Campaign.slug == slug)
    ) is not None:
        raise Conflict(_("La campagne « %(slug)s » existe déjà.", slug=slug), field="slug")
    before = {"title": campaign.title, "slug": campaign.slug, "timezone": campaign.timezone}
    campaign.title, campaign.slug, campaign.timezone = title[:200], slug, timezone
    audit.record("campaign.update", campaign, actor=actor,
                 before=before, after={"title": campaign.title, "slug": slug,
                                       "timezone": timezone})
    return campaign


def change_phases(campaign: Campaign, starts: dict[PhaseKind, datetime], *,
                  actor: User | None = None) -> None:
    """Replace the campaign's phase dates (each phase ends when the next one starts)."""
    if PhaseKind.COLLECT not in starts:
        raise InvalidInput(_("La date d’ouverture des contributions est obligatoire."),
                           field=f"start_{PhaseKind.COLLECT.value}")
    check_phase_order(starts)
    set_phases(campaign, starts)
    audit.record("campaign.phases", campaign, actor=actor,
                 starts={k.value: v.isoformat() for k, v in starts.items()})


def check_phase_order(starts: dict[PhaseKind, datetime]) -> None:
    """Refuse phases that do not follow one another, naming them in words (the error is
    about the start field of the phase that starts too early)."""
    ordered = [(kind, starts[kind]) for kind in PHASE_ORDER if kind in starts]
    for (kind_a, start_a), (kind_b, start_b) in zip(ordered, ordered[1:], strict=False):
        if start_b <= start_a:
            raise InvalidInput(
                _("La phase « %(b)s » doit commencer après la phase « %(a)s ».",
                  a=phase_label(kind_a), b=phase_label(kind_b)), field=f"start_{kind_b.value}"
            )


def phase_starts_local(campaign: Campaign) -> dict[str, str]:
    """The phases' start dates as ``YYYY-MM-DDTHH:MM`` in the campaign's time zone."""
    zone = ZoneInfo(campaign.timezone)
    return {p.kind.value: p.starts_at.astimezone(zone).strftime("%Y-%m-%dT%H:%M")
            for p in campaign.phases}


def _engagement_of(campaign: Campaign, engagement_id: int | None) -> Engagement | None:
    if not engagement_id:
        return None
    engagement = db.session.get(Engagement, engagement_id)
    if engagement is None or campaign.framework is None \
            or engagement.framework_id != campaign.framework.id:
        raise InvalidInput(_("Cet engagement n’appartient pas au référentiel de la campagne."),
                           field="engagement_id")
    return engagement


def save_workshop(campaign: Campaign, workshop: Workshop | None, *, name: str,
                  description: str = "", engagement_id: int | None = None,
                  is_open: bool = True, actor: User | None = None) -> Workshop:
    """Create a workshop (``workshop`` None) or change one."""
    name = " ".join(name.split())
    if not name:
        raise InvalidInput(_("Le nom de l’atelier est obligatoire."), field="name")
    engagement = _engagement_of(campaign, engagement_id)
    if workshop is None:
        slug = slugify(name)
        if db.session.scalar(select(Workshop.id).where(
                Workshop.campaign_id == campaign.id, Workshop.slug == slug)) is not None:
            raise Conflict(_("Un atelier « %(name)s » existe déjà dans cette campagne.",
                             name=name), field="name")
        workshop = Workshop(campaign=campaign, slug=slug, name=name[:200])
        db.session.add(workshop)
        action = "workshop.create"
    else:
        action = "workshop.update"
    workshop.name = name[:200]
    workshop.description = description.strip()
    workshop.engagement = engagement
    workshop.is_open = is_open
    audit.record(action, workshop, actor=actor, campaign_id=campaign.id, name=workshop.name,
                 engagement=engagement.code if engagement else None)
    return workshop


def create_engagement_workshops(campaign: Campaign, *, actor: User | None = None
                                ) -> list[Workshop]:
    """Create one workshop per engagement of the framework that has none yet."""
    if campaign.framework is None:
        raise InvalidInput(_("Cette campagne n’a pas de référentiel : chargez-en un d’abord."))
    covered = {w.engagement_id for w in campaign.workshops if w.engagement_id}
    taken = {w.slug for w in campaign.workshops}
    created = []
    for engagement in campaign.framework.engagements:
        if engagement.id in covered:
            continue
        name = engagement.title[:200]
        if slugify(name) in taken:
            name = f"{engagement.code} — {engagement.title}"[:200]
        created.append(save_workshop(campaign, None, name=name, engagement_id=engagement.id,
                                     actor=actor))
        taken.add(slugify(name))
    return created


def get_workshop_by_id(campaign: Campaign, workshop_id: int) -> Workshop:
    return lookup.get_owned(Workshop, workshop_id, _("Atelier introuvable."),
                            campaign_id=campaign.id)


# ------------------------------------------------------------------ users


def search_users(query: str, *, page: int | None = None):
    """Accounts by role then e-mail, filtered on name, e-mail or collectivité; one page."""
    statement = select(User).order_by(User.role, User.email)
    if query:
        # autoescape: "%" and "_" typed by the admin are searched for, not wildcards.
        statement = statement.where(or_(*(
            func.lower(column).contains(query.lower(), autoescape=True)
            for column in (User.email, User.display_name, User.collectivite))))
    return db.paginate(statement, page=page, per_page=USERS_PER_PAGE, error_out=False)


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("Compte introuvable."))
    return user


def set_role(user: User, role: str, *, active: bool = True, actor: User | None = None) -> None:
    """Change a user's role and whether the account may log in; one admin always remains."""
    try:
        new_role = Role(role)
    except ValueError:
        raise InvalidInput(_("Rôle inconnu : %(role)s", role=role), field="role") from None
    losing_admin = user.role == Role.ADMIN and (new_role != Role.ADMIN or not active)
    if losing_admin and _active_admins() <= 1:
        raise Conflict(_("Il doit rester au moins un administrateur actif."), field="role")
    before = (user.role.value, user.is_active_account)
    user.role, user.is_active_account = new_role, active
    audit.record("user.role", user, actor=actor, before=list(before),
                 after=[new_role.value, active])


def _active_admins() -> int:
    return len(db.session.scalars(select(User.id).where(
        User.role == Role.ADMIN, User.is_active_account.is_(True))).all())


# ------------------------------------------------------------------ side by side


def is_closed(campaign: Campaign, when: datetime | None = None) -> bool:
    phase = campaign.phase_at(when or utcnow())
    if phase is not None:
        return phase.kind == PhaseKind.CLOSED
    # After the last phase ended (or before any began): closed only if it had started.
    return any(p.starts_at <= (when or utcnow()) for p in campaign.phases)


def visible_campaigns(user) -> list[Campaign]:
    """The campaigns a person may switch between, newest first.

    Administrators see every campaign; élus and facilitators the campaigns they take part
    in (through a workshop); a visitor sees every campaign's home page.
    """
    campaigns = _newest_campaigns()
    if not getattr(user, "is_authenticated", False) or user.has_role(Role.ADMIN):
        return campaigns
    mine = set(db.session.scalars(
        select(Workshop.campaign_id).join(Membership, Membership.workshop_id == Workshop.id)
        .where(Membership.user_id == user.id)
    ))
    return [c for c in campaigns if c.id in mine]


def default_campaign(user) -> Campaign | None:
    """The campaign the home page shows: the person's newest one still running."""
    campaigns = visible_campaigns(user)
    for campaign in campaigns:
        if not is_closed(campaign):
            return campaign
    return campaigns[0] if campaigns else None


def archived_campaigns(user) -> list[tuple[Campaign, Motion | None]]:
    """The closed campaigns a person may see, each with its motion (if any)."""
    closed = [c for c in visible_campaigns(user) if is_closed(c)]
    motions = {m.campaign_id: m for m in db.session.scalars(
        select(Motion).where(Motion.campaign_id.in_([c.id for c in closed])))} if closed else {}
    return [(c, motions.get(c.id)) for c in closed]


def campaign_for_request(slug: str | None, user) -> Campaign | None:
    """The campaign a page is about: the one in its URL, else the person's default one."""
    if slug:
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        if campaign is not None:
            return campaign
    return default_campaign(user)
