"""The addressees of a campaign's propositions, and which propositions concern each one.

Each campaign keeps its own list (ministries and other bodies), seeded on demand with
defaults. A proposition's addressees are suggested from its engagement (the editable
engagement → addressees mapping) and its text (cosine similarity to each addressee's
description, :func:`nlp.matching.match_labels`), then confirmed by a facilitator. Services
add and flush; the caller commits.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from motion.errors import Conflict, InvalidInput
from motion.extensions import db
from motion.models import (
    Addressee,
    AddresseeEngagement,
    AddresseeKind,
    Campaign,
    DossierDispatch,
    Engagement,
    Motion,
    MotionSection,
    Proposition,
    PropositionAddressee,
    User,
)
from motion.models._types import utcnow
from motion.services import audit, lookup
from motion.validation import clean_text

logger = logging.getLogger(__name__)

KIND_LABELS = {AddresseeKind.MINISTRY: "Ministère", AddresseeKind.OTHER: "Autre instance"}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
REASON_ENGAGEMENT, REASON_TEXT = "engagement", "texte"
# Text suggestions: the cosine floor and the band under the best addressee (USE vectors;
# see nlp.matching). Checked on the demo motion: one or two addressees per proposition.
TEXT_MIN_SCORE = 0.3
TEXT_MARGIN = 0.06
TEXT_MAX = 2


@dataclass(frozen=True)
class DefaultAddressee:
    name: str
    short_name: str
    kind: AddresseeKind
    description: str
    engagements: tuple[str, ...]  # codes of the default framework's engagements


# Neutral naming ("ministère chargé de …"): the exact titles change with each government.
DEFAULTS = (
    DefaultAddressee(
        "Ministère chargé des collectivités territoriales et de la décentralisation",
        "Collectivités territoriales",
        AddresseeKind.MINISTRY,
        "Collectivités territoriales, décentralisation, aménagement du territoire, "
        "intercommunalités et mutualisation entre communes, finances locales, dotations de "
        "l’État et budgets des collectivités, élus locaux, petites communes et ruralité.",
        ("E1", "E3"),
    ),
    DefaultAddressee(
        "Ministère chargé du numérique et de l’intelligence artificielle",
        "Numérique",
        AddresseeKind.MINISTRY,
        "Politique du numérique, intelligence artificielle, très haut débit et fibre, "
        "couverture mobile, inclusion et médiation numérique, conseillers numériques, "
        "cybersécurité, données et souveraineté numérique, logiciels libres.",
        ("E1", "E2", "E4"),
    ),
    DefaultAddressee(
        "Ministère chargé de la transition écologique",
        "Transition écologique",
        AddresseeKind.MINISTRY,
        "Transition écologique, climat, énergie, sobriété, empreinte environnementale du "
        "numérique, réemploi, réparation et recyclage des équipements, économie circulaire, "
        "lutte contre l’obsolescence.",
        ("E2",),
    ),
    DefaultAddressee(
        "Ministère chargé de l’éducation nationale",
        "Éducation nationale",
        AddresseeKind.MINISTRY,
        "Écoles, collèges et lycées, élèves et enseignants, équipement numérique des écoles, "
        "éducation aux médias et au numérique, formation des jeunes, parents d’élèves.",
        (),
    ),
    DefaultAddressee(
        "Ministère chargé de la fonction publique et de la réforme de l’État",
        "Fonction publique",
        AddresseeKind.MINISTRY,
        "Fonction publique et agents publics, formation des agents, simplification des "
        "démarches administratives, services publics en ligne, accueil des usagers, "
        "transformation et réforme de l’État.",
        ("E3",),
    ),
    DefaultAddressee(
        "Agence nationale de la cohésion des territoires (ANCT)",
        "ANCT",
        AddresseeKind.OTHER,
        "Cohésion des territoires, France services, programme Société numérique, "
        "conseillers numériques et médiation numérique, tiers-lieux, accompagnement des "
        "collectivités et des territoires ruraux.",
        ("E1",),
    ),
    DefaultAddressee(
        "Agence nationale de la sécurité des systèmes d’information (ANSSI)",
        "ANSSI",
        AddresseeKind.OTHER,
        "Cybersécurité, sécurité des systèmes d’information, cyberattaques et rançongiciels, "
        "réponse aux incidents, sauvegardes, sensibilisation des agents et des élus.",
        ("E4",),
    ),
    DefaultAddressee(
        "Commission nationale de l’informatique et des libertés (CNIL)",
        "CNIL",
        AddresseeKind.OTHER,
        "Protection des données personnelles, RGPD, vie privée, libertés, algorithmes et "
        "intelligence artificielle, vidéoprotection, délégués à la protection des données.",
        ("E4",),
    ),
)


# ------------------------------------------------------------------ the list


def addressees(campaign: Campaign) -> list[Addressee]:
    """The campaign's addressees, in their order."""
    return list(
        db.session.scalars(
            select(Addressee)
            .where(Addressee.campaign_id == campaign.id)
            .order_by(Addressee.position, Addressee.id)
        )
    )


def get_addressee(campaign: Campaign, addressee_id: int) -> Addressee:
    return lookup.get_owned(Addressee, addressee_id, _("Destinataire introuvable."),
                            campaign_id=campaign.id)


def ensure_defaults(campaign: Campaign, *, actor: User | None = None) -> int:
    """Add the default addressees the campaign lacks (by name); returns how many were added.

    Each gets the engagements of the campaign's framework whose codes the default names.
    """
    existing = {a.name for a in addressees(campaign)}
    engagements = _engagements_by_code(campaign)
    position = _next_position(campaign)
    added = 0
    for default in DEFAULTS:
        if default.name in existing:
            continue
        addressee = Addressee(
            campaign_id=campaign.id,
            name=default.name,
            short_name=default.short_name,
            kind=default.kind,
            description=default.description,
            position=position,
        )
        addressee.engagement_links = [
            AddresseeEngagement(engagement_id=engagements[code].id)
            for code in default.engagements
            if code in engagements
        ]
        db.session.add(addressee)
        position += 1
        added += 1
    db.session.flush()
    if added:
        audit.record(
            "addressee.defaults", campaign, actor=actor, added=added
        )
    return added


def _engagements_by_code(campaign: Campaign) -> dict[str, Engagement]:
    if campaign.framework_id is None:
        return {}
    return {
        e.code: e
        for e in db.session.scalars(
            select(Engagement).where(Engagement.framework_id == campaign.framework_id)
        )
    }


def campaign_engagements(campaign: Campaign) -> list[Engagement]:
    if campaign.framework_id is None:
        return []
    return list(
        db.session.scalars(
            select(Engagement)
            .where(Engagement.framework_id == campaign.framework_id)
            .order_by(Engagement.position, Engagement.id)
        )
    )


def _next_position(campaign: Campaign) -> int:
    top = db.session.scalar(
        select(func.max(Addressee.position)).where(Addressee.campaign_id == campaign.id)
    )
    return 0 if top is None else top + 1


@dataclass(frozen=True)
class AddresseeValues:
    name: str
    short_name: str
    kind: str
    description: str = ""
    email: str = ""
    postal_address: str = ""
    engagement_ids: tuple[int, ...] = ()


def _checked(
    campaign: Campaign, values: AddresseeValues, *, current: Addressee | None = None
) -> AddresseeValues:
    name = clean_text(
        values.name, label=_("Nom"), max_length=300, min_visible=1, multiline=False, field="name"
    )
    short = (
        clean_text(
            values.short_name,
            label=_("Nom court"),
            max_length=80,
            multiline=False,
            field="short_name",
        )
        or name[:80]
    )
    if values.kind not in {k.value for k in AddresseeKind}:
        raise InvalidInput(_("Choisissez le type : ministère ou autre instance."), field="kind")
    email = clean_text(
        values.email, label=_("Adresse e-mail"), max_length=254, multiline=False, field="email"
    )
    if email and not EMAIL.match(email):
        raise InvalidInput(
            _("L’adresse e-mail « %(email)s » n’est pas valide.", email=email), field="email"
        )
    description = clean_text(
        values.description, label=_("Compétences"), max_length=5000, field="description"
    )
    postal = clean_text(
        values.postal_address, label=_("Adresse postale"), max_length=1000, field="postal_address"
    )
    clash = db.session.scalar(
        select(Addressee.id).where(
            Addressee.campaign_id == campaign.id,
            Addressee.name == name,
            Addressee.id != (current.id if current else -1),
        )
    )
    if clash is not None:
        raise Conflict(_("Un destinataire porte déjà ce nom : %(name)s.", name=name))
    allowed = {e.id for e in campaign_engagements(campaign)}
    unknown = set(values.engagement_ids) - allowed
    if unknown:
        raise InvalidInput(_("Engagement inconnu pour cette campagne."), field="engagements")
    return AddresseeValues(
        name=name,
        short_name=short,
        kind=values.kind,
        description=description,
        email=email,
        postal_address=postal,
        engagement_ids=tuple(sorted(set(values.engagement_ids))),
    )


def create_addressee(
    campaign: Campaign, values: AddresseeValues, *, actor: User | None = None
) -> Addressee:
    """Add an addressee at the end of the list."""
    values = _checked(campaign, values)
    addressee = Addressee(campaign_id=campaign.id, position=_next_position(campaign))
    _apply(addressee, values)
    db.session.add(addressee)
    audit.record(
        "addressee.create", addressee, actor=actor, campaign_id=campaign.id, name=addressee.name
    )
    return addressee


def update_addressee(
    addressee: Addressee, values: AddresseeValues, *, actor: User | None = None
) -> Addressee:
    """Rename or describe an addressee, and choose its engagements."""
    before = addressee.name
    values = _checked(addressee.campaign, values, current=addressee)
    _apply(addressee, values)
    audit.record(
        "addressee.update",
        addressee,
        actor=actor,
        before=before,
        after=addressee.name,
    )
    return addressee


def _apply(addressee: Addressee, values: AddresseeValues) -> None:
    addressee.name, addressee.short_name = values.name, values.short_name
    addressee.kind = AddresseeKind(values.kind)
    addressee.description = values.description
    addressee.email = values.email or None
    addressee.postal_address = values.postal_address or None
    current = {link.engagement_id: link for link in addressee.engagement_links}
    addressee.engagement_links = [
        current.get(i) or AddresseeEngagement(engagement_id=i) for i in values.engagement_ids
    ]


def move_addressee(addressee: Addressee, delta: int, *, actor: User | None = None) -> None:
    """Move an addressee up (-1) or down (+1) in the list."""
    if delta not in (-1, 1):
        raise InvalidInput(_("Déplacement inconnu."))
    ordered = addressees(addressee.campaign)
    index = next(i for i, a in enumerate(ordered) if a.id == addressee.id)
    target = index + delta
    if not 0 <= target < len(ordered):
        return
    ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, item in enumerate(ordered):
        item.position = position
    audit.record(
        "addressee.move", addressee, actor=actor, position=target
    )


def usage(addressee: Addressee) -> tuple[int, int]:
    """How many propositions are confirmed for it, and how many dossiers were sent to it."""
    confirmed = (
        db.session.scalar(
            select(func.count(PropositionAddressee.id)).where(
                PropositionAddressee.addressee_id == addressee.id,
                PropositionAddressee.confirmed.is_(True),
            )
        )
        or 0
    )
    sent = (
        db.session.scalar(
            select(func.count(DossierDispatch.id)).where(
                DossierDispatch.addressee_id == addressee.id
            )
        )
        or 0
    )
    return int(confirmed), int(sent)


def delete_addressee(addressee: Addressee, *, actor: User | None = None) -> None:
    """Delete an addressee no proposition is confirmed for and no dossier was sent to."""
    confirmed, sent = usage(addressee)
    if sent:
        raise Conflict(
            _(
                "« %(name)s » ne peut pas être supprimé : un dossier lui a déjà été envoyé.",
                name=addressee.name,
            )
        )
    if confirmed:
        raise Conflict(
            _(
                "« %(name)s » ne peut pas être supprimé : des propositions lui sont "
                "destinées. Retirez-le d’abord de ces propositions.",
                name=addressee.name,
            )
        )
    campaign_id, name = addressee.campaign_id, addressee.name
    db.session.delete(addressee)
    audit.record("addressee.delete", None, actor=actor, campaign_id=campaign_id, name=name)


# ------------------------------------------------------------------ suggestions


def _propositions(campaign: Campaign) -> list[Proposition]:
    return list(
        db.session.scalars(
            select(Proposition)
            .join(Motion, Proposition.motion_id == Motion.id)
            .join(MotionSection, Proposition.section_id == MotionSection.id)
            .where(Motion.campaign_id == campaign.id)
            .order_by(MotionSection.position, Proposition.position, Proposition.id)
        )
    )


def _text_matches(
    propositions: list[Proposition], targets: list[Addressee]
) -> list[dict[int, float]]:
    """For each proposition, the addressees its text is closest to (id → cosine)."""
    from nlp.matching import match_labels

    described = [a for a in targets if a.description.strip()]
    if not propositions or not described:
        return [{} for _ in propositions]
    from motion.services.embedding import embedder

    model = embedder()
    items = model.encode([f"{p.title}. {p.text}" for p in propositions])
    labels = model.encode([f"{a.name}. {a.description}" for a in described])
    matches = match_labels(
        items, labels, min_score=TEXT_MIN_SCORE, margin=TEXT_MARGIN, max_labels=TEXT_MAX
    )
    return [{described[m.label].id: m.score for m in found} for found in matches]


def suggest(campaign: Campaign, propositions: list[Proposition] | None = None) -> int:
    """Record suggested addressees for propositions (all of the campaign's by default).

    Decisions already taken are kept: a suggestion only adds rows or refreshes the reason
    and score of undecided ones. Returns how many new suggestions were recorded.
    """
    propositions = _propositions(campaign) if propositions is None else propositions
    targets = addressees(campaign)
    if not propositions or not targets:
        return 0
    by_engagement: dict[int, set[int]] = {}
    for link in db.session.scalars(
        select(AddresseeEngagement).where(
            AddresseeEngagement.addressee_id.in_([a.id for a in targets])
        )
    ):
        by_engagement.setdefault(link.engagement_id, set()).add(link.addressee_id)
    texts = _text_matches(propositions, targets)
    existing = {
        (row.proposition_id, row.addressee_id): row
        for row in db.session.scalars(
            select(PropositionAddressee).where(
                PropositionAddressee.proposition_id.in_([p.id for p in propositions])
            )
        )
    }
    added = 0
    for proposition, text in zip(propositions, texts, strict=True):
        engagement_id = proposition.section.engagement_id
        from_engagement = by_engagement.get(engagement_id, set()) if engagement_id else set()
        for addressee in targets:
            reasons = [
                r
                for r, hit in (
                    (REASON_ENGAGEMENT, addressee.id in from_engagement),
                    (REASON_TEXT, addressee.id in text),
                )
                if hit
            ]
            if not reasons:
                continue
            row = existing.get((proposition.id, addressee.id))
            if row is None:
                row = PropositionAddressee(proposition_id=proposition.id, addressee_id=addressee.id)
                db.session.add(row)
                added += 1
            if row.decided_at is None or not row.suggested:
                row.suggested = True
                row.reason = "+".join(reasons)
                row.score = round(text[addressee.id], 4) if addressee.id in text else None
    db.session.flush()
    return added


@dataclass(frozen=True)
class Choice:
    """One addressee on a proposition's form: whether it is suggested, confirmed, checked."""

    addressee: Addressee
    suggested: bool
    reason: str
    confirmed: bool
    decided: bool

    @property
    def checked(self) -> bool:
        """What the form shows ticked: the decision, or the suggestion before any."""
        return self.confirmed if self.decided else self.suggested


def choices(proposition: Proposition) -> list[Choice]:
    """Every addressee of the campaign, with what is known for ``proposition``."""
    rows = {
        r.addressee_id: r
        for r in db.session.scalars(
            select(PropositionAddressee).where(
                PropositionAddressee.proposition_id == proposition.id
            )
        )
    }
    out = []
    for addressee in addressees(proposition.motion.campaign):
        row = rows.get(addressee.id)
        out.append(
            Choice(
                addressee,
                bool(row and row.suggested),
                row.reason if row else "",
                bool(row and row.confirmed),
                bool(row and row.decided_at),
            )
        )
    return out


def has_suggestions(proposition: Proposition) -> bool:
    return (
        db.session.scalar(
            select(func.count(PropositionAddressee.id)).where(
                PropositionAddressee.proposition_id == proposition.id,
                PropositionAddressee.suggested.is_(True),
            )
        )
        > 0
    )


def confirm(
    proposition: Proposition, addressee_ids: list[int], *, actor: User | None = None
) -> list[Addressee]:
    """Save a facilitator's choice: exactly ``addressee_ids`` receive the proposition."""
    campaign = proposition.motion.campaign
    targets = {a.id: a for a in addressees(campaign)}
    unknown = set(addressee_ids) - set(targets)
    if unknown:
        raise InvalidInput(_("Destinataire inconnu pour cette campagne."), field="addressees")
    chosen = set(addressee_ids)
    rows = {
        r.addressee_id: r
        for r in db.session.scalars(
            select(PropositionAddressee).where(
                PropositionAddressee.proposition_id == proposition.id
            )
        )
    }
    now = utcnow()
    for addressee_id in targets:
        row = rows.get(addressee_id)
        if row is None and addressee_id not in chosen:
            continue
        if row is None:
            row = PropositionAddressee(proposition_id=proposition.id, addressee_id=addressee_id)
            db.session.add(row)
        row.confirmed = addressee_id in chosen
        row.decided_at, row.decided_by_id = now, actor.id if actor else None
    audit.record(
        "proposition.addressees",
        proposition,
        actor=actor,
        campaign_id=campaign.id,
        addressees=sorted(chosen),
    )
    return [targets[i] for i in targets if i in chosen]


def confirmed_ids(addressee: Addressee) -> list[int]:
    """The propositions confirmed for ``addressee``."""
    return list(
        db.session.scalars(
            select(PropositionAddressee.proposition_id).where(
                PropositionAddressee.addressee_id == addressee.id,
                PropositionAddressee.confirmed.is_(True),
            )
        )
    )


def confirmed_for(proposition: Proposition) -> list[Addressee]:
    """The addressees confirmed for ``proposition``, in the campaign's order (what every
    reader of the motion sees on the proposition's page)."""
    return list(
        db.session.scalars(
            select(Addressee)
            .join(PropositionAddressee, PropositionAddressee.addressee_id == Addressee.id)
            .where(
                PropositionAddressee.proposition_id == proposition.id,
                PropositionAddressee.confirmed.is_(True),
            )
            .order_by(Addressee.position, Addressee.id)
        )
    )


def confirmed_counts(campaign: Campaign) -> dict[int, int]:
    """How many propositions each addressee of the campaign is confirmed for."""
    return {
        a: int(n)
        for a, n in db.session.execute(
            select(PropositionAddressee.addressee_id, func.count(PropositionAddressee.id))
            .join(Addressee, PropositionAddressee.addressee_id == Addressee.id)
            .where(Addressee.campaign_id == campaign.id, PropositionAddressee.confirmed.is_(True))
            .group_by(PropositionAddressee.addressee_id)
        )
    }


def without_addressee(campaign: Campaign) -> int:
    """How many of the campaign's propositions no addressee is confirmed for."""
    confirmed = select(PropositionAddressee.proposition_id).where(
        PropositionAddressee.confirmed.is_(True)
    )
    return int(
        db.session.scalar(
            select(func.count(Proposition.id))
            .join(Motion, Proposition.motion_id == Motion.id)
            .where(Motion.campaign_id == campaign.id, Proposition.id.not_in(confirmed))
        )
        or 0
    )


def confirm_suggestions(campaign: Campaign, *, actor: User | None = None) -> int:
    """Confirm every undecided suggestion of the campaign (the demo, or a facilitator who
    accepts them all); returns how many were confirmed."""
    rows = db.session.scalars(
        select(PropositionAddressee)
        .join(Addressee, PropositionAddressee.addressee_id == Addressee.id)
        .where(
            Addressee.campaign_id == campaign.id,
            PropositionAddressee.suggested.is_(True),
            PropositionAddressee.decided_at.is_(None),
        )
    ).all()
    now = utcnow()
    for row in rows:
        row.confirmed, row.decided_at = True, now
        row.decided_by_id = actor.id if actor else None
    db.session.flush()
    if rows:
        audit.record(
            "proposition.addressees.confirm_all",
            campaign,
            actor=actor,
            confirmed=len(rows),
        )
    return len(rows)


def setup_demo(campaign: Campaign) -> int:
    """The demo's addressees: the defaults, suggested for each proposition of the demo
    motion and confirmed as a facilitator would; idempotent. Returns the confirmed count."""
    ensure_defaults(campaign)
    undecided = [
        p
        for p in _propositions(campaign)
        if not db.session.scalar(
            select(func.count(PropositionAddressee.id)).where(
                PropositionAddressee.proposition_id == p.id
            )
        )
    ]
    suggest(campaign, undecided)
    return confirm_suggestions(campaign)
