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
from motion.models import Campaign, PhaseKind, Role
from motion.models._types import utcnow
from motion.services import accounts, campaigns, frameworks, imports

DEMO_SLUG = "demo"
DEMO_TITLE = "Congrès national des élus au numérique — démonstration"
DEMO_FILE = "demo_contributions.csv"
DEMO_ACCOUNTS = [
    ("elu.demo@motion.local", "Camille Martin (démo)", Role.ELU, "Commune de Démoville"),
    ("animation.demo@motion.local", "Dominique Bernard (démo)", Role.FACILITATOR, None),
    ("admin.demo@motion.local", "Alex Petit (démo)", Role.ADMIN, None),
]
# Demo workshops (the Grand Débat themes) and the engagement code each one leans towards.
DEMO_WORKSHOP_ENGAGEMENTS = {
    "Organisation de l'État et des services publics": "E1",
    "Transition écologique": "E2",
    "Fiscalité et dépenses publiques": "E3",
    "Démocratie et citoyenneté": None,
}
ELU_WORKSHOPS = ["Organisation de l'État et des services publics", "Transition écologique"]


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
    db.session.flush()
    return DemoResult(campaign, created, credentials, inserted)
