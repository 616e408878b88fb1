"""The demo campaign: real contributions and one account per role, so the app is never empty."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from importlib import resources
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from motion.errors import Forbidden
from motion.extensions import db
from motion.models import Campaign, Contribution, PhaseKind, Role
from motion.models._types import utcnow
from motion.services import (
    accounts,
    campaigns,
    collectivites,
    followup_demo,
    frameworks,
    imports,
    sessions,
)

DEMO_SLUG = "demo"
DEMO_TITLE = "Congrès national des élus au numérique — démonstration"
DEMO_FILE = "demo_contributions.csv"
DEMO_ACCOUNTS = [
    ("elu.demo@motion.local", "Camille Martin (démo)", Role.ELU, "Commune de Démoville"),
    ("animation.demo@motion.local", "Dominique Bernard (démo)", Role.FACILITATOR, None),
    ("admin.demo@motion.local", "Alex Petit (démo)", Role.ADMIN, None),
]
# Demo workshops, one per engagement of the default framework (see data/SOURCES.md for how
# the real answers were chosen to fit them).
DEMO_WORKSHOP_ENGAGEMENTS = {
    "Accès au numérique et services publics dans les territoires": "E1",
    "Numérique responsable et transition écologique": "E2",
    "Services publics en ligne avec les collectivités": "E3",
    "Confiance et risques numériques": "E4",
}
ELU_WORKSHOPS = ["Accès au numérique et services publics dans les territoires",
                 "Services publics en ligne avec les collectivités"]
# The élus the demo's contributions are signed by: fictitious people (no account can log
# in), collectivités of real kinds with invented names.
DEMO_AUTHORS = [
    ("Claire Morvan", "Commune de Saint-Aubin-des-Landes"),
    ("Hervé Castagné", "Communauté de communes du Pays de Vérac"),
    ("Nadia Belkacem", "Commune de Montbrison-le-Vieux"),
    ("Jean-Luc Ferrand", "Département de la Haute-Vallée"),
    ("Sophie Lemarchand", "Communauté d’agglomération Val-de-Loue"),
    ("Karim Haddad", "Commune de Port-Sainte-Marie"),
    ("Mireille Quéré", "Syndicat mixte numérique de l’Argoat"),
    ("Thomas Giraud", "Métropole de Rivebelle"),
    ("Élise Nguyen", "Commune de Villers-sur-Aisne"),
    ("Patrick Dumoulin", "Région Océane"),
    ("Fatou Diallo", "Commune de Lanvallon"),
    ("Bernard Lacombe", "Communauté de communes des Causses et Vallées"),
    ("Aurélie Perrin", "Commune de Sainte-Colombe-en-Bray"),
    ("Yannick Le Goff", "Syndicat intercommunal d’énergie du Léon-Trégor"),
    ("Isabelle Roux", "Commune nouvelle de Val-d’Arvant"),
    ("Mehdi Benali", "Centre communal d’action sociale de Beaulieu"),
]


@dataclass
class DemoResult:
    campaign: Campaign
    created: bool
    credentials: list[tuple[str, Role, str]]
    inserted: int


def demo_data_path() -> Path:
    return Path(str(resources.files("motion") / "data" / DEMO_FILE))


def ensure_demo() -> DemoResult:
    """Create the demo campaign once, and give the demo accounts fresh passwords."""
    if not current_app.config["DEMO_MODE"]:
        raise Forbidden(
            "Demo data is refused outside demo mode (set MOTION_ENV=development "
            "or MOTION_DEMO_MODE=1)."
        )
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == DEMO_SLUG))
    created = campaign is None
    inserted = 0
    if campaign is None:
        now = utcnow()
        campaign = campaigns.create_campaign(
            DEMO_SLUG,
            DEMO_TITLE,
            framework=frameworks.ensure_default_framework(),
            phase_starts={
                PhaseKind.COLLECT: now - timedelta(days=30),
                PhaseKind.SYNTHESIS: now + timedelta(days=60),
                PhaseKind.PLENARY: now + timedelta(days=90),
                PhaseKind.CLOSED: now + timedelta(days=91),
            },
            is_demo=True,
        )
        campaign.place = "Démoville"
        report = imports.import_csv(demo_data_path(), campaign)
        inserted = report.inserted
        engagements = {e.code: e for e in campaign.framework.engagements}
        for workshop in campaign.workshops:
            code = DEMO_WORKSHOP_ENGAGEMENTS.get(workshop.name)
            workshop.engagement = engagements.get(code) if code else None
        _sign_contributions(campaign)
        collectivites.setup_demo()  # every type and size band

    credentials = []
    for email, name, role, collectivite in DEMO_ACCOUNTS:
        password = secrets.token_urlsafe(12)
        user = accounts.get_user_by_email(email)
        if user is None:
            user = accounts.create_user(
                email, display_name=name, role=role, password=password,
                collectivite=collectivite, is_demo=True,
            )
        else:
            accounts.set_password(user, password)
        credentials.append((email, role, password))
        for workshop in campaign.workshops:
            if role != Role.ELU or workshop.name in ELU_WORKSHOPS:
                campaigns.add_member(user, workshop)
    # The 2025 congress, closed, whose followed-up motion this campaign continues.
    followup_demo.ensure_previous_campaign(
        campaign, [accounts.get_user_by_email(email) for email, *_rest in DEMO_ACCOUNTS])
    # Référents, programme, bilan and objectifs of the engagements' sessions.
    sessions.setup_demo(campaign, accounts.get_user_by_email(DEMO_ACCOUNTS[1][0]))
    db.session.flush()
    return DemoResult(campaign, created, credentials, inserted)


def _sign_contributions(campaign: Campaign) -> None:
    """Give the demo's contributions élus and collectivités, so that provenance lines and
    counters read like a congress (each author in the workshops they wrote in)."""
    authors = []
    for i, (name, collectivite) in enumerate(DEMO_AUTHORS, start=1):
        email = f"elu{i:02d}.demo@motion.local"
        user = accounts.get_user_by_email(email) or accounts.create_user(
            email, display_name=name, role=Role.ELU, collectivite=collectivite, is_demo=True)
        authors.append(user)
    contributions = db.session.scalars(
        select(Contribution).where(Contribution.campaign_id == campaign.id)
        .order_by(Contribution.external_id)
    ).all()
    memberships = set()
    for i, contribution in enumerate(contributions):
        author = authors[i % len(authors)]
        contribution.author = author
        contribution.collectivite = author.collectivite
        memberships.add((author, contribution.workshop))
    for author, workshop in sorted(memberships, key=lambda m: (m[0].id, m[1].id)):
        campaigns.add_member(author, workshop)
