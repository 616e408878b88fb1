"""The demo's previous campaign: the 2025 congress, closed, with a small adopted motion
whose propositions are followed up, imported into the demo's current campaign.

The propositions, notes and statuses (motion/data/demo_previous_congress.yaml) are invented
for the demonstration (plain French, one or two per engagement of the default framework); the
links point at the home pages of public sites, not at real answers.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib import resources

import yaml
from sqlalchemy import select

from motion.extensions import db
from motion.models import Campaign, PhaseKind, PropositionAxis, User
from motion.models.followup import FollowUpStatus
from motion.services import campaigns, followup, frameworks, motions

PREVIOUS_SLUG = "demo-2025"
PREVIOUS_TITLE = "Congrès national des élus au numérique 2025 — démonstration"
PREVIOUS_WORKSHOP = "Plénière du congrès 2025"
PREVIOUS_PHASES = {
    PhaseKind.COLLECT: datetime(2025, 9, 1, 8, tzinfo=UTC),
    PhaseKind.SYNTHESIS: datetime(2025, 10, 20, 8, tzinfo=UTC),
    PhaseKind.PLENARY: datetime(2025, 11, 20, 8, tzinfo=UTC),
    PhaseKind.CLOSED: datetime(2025, 11, 22, 17, tzinfo=UTC),
}
PREAMBLE = (
    "Réunis en congrès national en novembre 2025, les élus au numérique des communes, "
    "intercommunalités, départements et régions ont adopté les propositions suivantes et les "
    "transmettent aux ministères concernés. (Motion de démonstration.)"
)
PROPOSITIONS_FILE = "demo_previous_congress.yaml"


@dataclass(frozen=True)
class DemoProposition:
    """One adopted proposition of the 2025 demo congress and what became of it."""

    axis_code: str
    title: str
    text: str
    votes: tuple[int, int, int]  # for, against, abstain
    status: FollowUpStatus
    notes: tuple[tuple[date, str], ...]  # (day, note), oldest first
    links: tuple[tuple[str, str], ...] = ()  # (title, url)


@functools.cache
def demo_propositions() -> tuple[DemoProposition, ...]:
    """The propositions of motion/data/demo_previous_congress.yaml."""
    path = resources.files("motion") / "data" / PROPOSITIONS_FILE
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))["propositions"]
    return tuple(
        DemoProposition(
            axis_code=row["axis"],
            title=row["title"],
            text=row["text"],
            votes=(row["votes"]["for"], row["votes"]["against"], row["votes"]["abstain"]),
            status=FollowUpStatus(row["status"]),
            notes=tuple((note["day"], note["note"]) for note in row["notes"]),
            links=tuple((link["title"], link["url"]) for link in row.get("links", ())),
        )
        for row in rows
    )


def ensure_previous_campaign(current: Campaign, members: list[User]) -> Campaign:
    """Create the closed 2025 demo campaign once, and import its motion into ``current``.

    ``members`` (the demo accounts) take part in it, so they can read its motion and its
    follow-up. Idempotent: a second call adds nothing. Flushes only.
    """
    previous = db.session.scalar(select(Campaign).where(Campaign.slug == PREVIOUS_SLUG))
    if previous is None:
        previous = create_previous_campaign(members)
    workshop = campaigns.get_or_create_workshop(previous, PREVIOUS_WORKSHOP)
    for user in members:
        campaigns.add_member(user, workshop)
    followup.import_previous_motion(current, previous)
    return previous


def create_previous_campaign(members: list[User]) -> Campaign:
    """Create the closed 2025 demo campaign with its adopted, followed-up motion."""
    previous = campaigns.create_campaign(
        PREVIOUS_SLUG,
        PREVIOUS_TITLE,
        framework=frameworks.ensure_default_framework(),
        phase_starts=PREVIOUS_PHASES,
        is_demo=True,
    )
    previous.place = "Démoville"
    actor = next((u for u in members if u.role.value == "facilitator"), None)
    motion = motions.create_motion(
        previous, title="Motion du congrès 2025 (démonstration)", preamble=PREAMBLE
    )
    engagements = {e.code: e for e in previous.framework.engagements}
    made = []
    demo = demo_propositions()
    for item in demo:
        engagement = engagements[item.axis_code.split(".")[0]]
        proposition = motions.create_proposition(
            motion, motions.section_for(motion, engagement.id), title=item.title, text=item.text
        )
        proposition.outcome = "adopted"
        proposition.result_for, proposition.result_against = item.votes[:2]
        proposition.result_abstain = item.votes[2]
        proposition.result_at = PREVIOUS_PHASES[PhaseKind.CLOSED]
        db.session.flush()
        axis = next(a for a in engagement.axes if a.code == item.axis_code)
        db.session.add(PropositionAxis(proposition_id=proposition.id, axis_id=axis.id))
        made.append(proposition)
    motions.adopt(motion, actor=actor)
    motion.adopted_at = PREVIOUS_PHASES[PhaseKind.CLOSED]
    for proposition, item in zip(made, demo, strict=True):
        if item.status != FollowUpStatus.TRANSMITTED:
            followup.set_status(proposition, FollowUpStatus.TRANSMITTED, actor=actor)
        followup.set_status(proposition, item.status, actor=actor)
        for day, note in item.notes:
            followup.add_note(proposition, note, noted_on=day, actor=actor)
        for link_title, url in item.links:
            followup.add_link(proposition, url, link_title, actor=actor)
        # The history reads as it happened: transmitted on the first note's day, the last
        # status on the last note's day.
        days = [datetime(d.year, d.month, d.day, 9, tzinfo=UTC) for d, _note in item.notes]
        row = followup.followups_by_proposition([proposition.id])[proposition.id]
        row.changes[0].changed_at = days[0]
        row.changes[-1].changed_at = row.updated_at = days[-1]
    db.session.flush()
    return previous
