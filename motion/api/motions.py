"""The motion, its propositions with their provenance, and the vote results."""

from __future__ import annotations

from flask_smorest import Blueprint

from motion.api import auth
from motion.api.campaigns import load_campaign
from motion.api.schemas import MotionSchema, PropositionDetailSchema, VoteListSchema
from motion.models import Proposition
from motion.services import followup, motions, provenance

blp = Blueprint("api_motion", __name__, url_prefix="/api/v1/campaigns/<campaign_slug>/motion",
                description="The campaign's motion and its propositions, each with the "
                            "contributions it came from and its vote result.")


def vote_json(proposition: Proposition) -> dict:
    """The frozen result of the last closed vote (null fields before any)."""
    return {"outcome": proposition.outcome, "pour": proposition.result_for,
            "contre": proposition.result_against, "abstention": proposition.result_abstain,
            "closed_at": proposition.result_at}


def followup_json(summary) -> dict | None:
    """A closed campaign's follow-up of one proposition (None before it closes)."""
    if summary is None:
        return None
    return {"status": summary.status.value, "label": summary.status_label,
            "last_note": summary.last_note, "last_note_on": summary.last_note_on,
            "links": [{"title": title, "url": url} for title, url in summary.links]}


def proposition_json(proposition: Proposition, summary=None) -> dict:
    counters = provenance.proposition_counters(proposition)
    section = proposition.section
    return {
        "id": proposition.id, "section": section.title,
        "engagement_code": section.engagement.code if section.engagement else None,
        "position": proposition.position, "title": proposition.title,
        "text": proposition.text, "version": proposition.version_number,
        "vote": vote_json(proposition),
        "provenance": {"contributions": counters.contributions, "elus": counters.elus,
                       "collectivites": counters.collectivites},
        "followup": followup_json(summary),
    }


@blp.get("")
@blp.response(200, MotionSchema)
@auth.reader
def get_motion(campaign_slug: str):
    """The motion: preamble and propositions in reading order."""
    campaign = load_campaign(campaign_slug)
    motion = motions.require_motion(campaign)
    propositions = motions.propositions_in_order(motion)
    summaries = followup.summaries(campaign, [p.id for p in propositions])
    return {"title": motion.title, "status": motion.status.value, "preamble": motion.preamble,
            "adopted_at": motion.adopted_at,
            "propositions": [proposition_json(p, summaries.get(p.id)) for p in propositions]}


@blp.get("/propositions/<int:proposition_id>")
@blp.response(200, PropositionDetailSchema)
@auth.reader
def get_proposition(campaign_slug: str, proposition_id: int):
    """A proposition with the contributions behind it (its provenance)."""
    campaign = load_campaign(campaign_slug)
    proposition = motions.get_proposition(motions.require_motion(campaign), proposition_id)
    summary = followup.summaries(campaign, [proposition.id]).get(proposition.id)
    return {**proposition_json(proposition, summary), "sources": [
        {"contribution_id": row.contribution.id, "text": row.contribution.text,
         "workshop": row.workshop, "collectivite": row.collectivite, "supports": row.supports,
         "theme": row.link.cluster_name}
        for row in provenance.sources(proposition)
    ]}


@blp.get("/votes")
@blp.response(200, VoteListSchema)
@auth.reader
def list_votes(campaign_slug: str):
    """The result of each proposition's last closed vote."""
    motion = motions.require_motion(load_campaign(campaign_slug))
    return {"items": [{"proposition_id": p.id, "title": p.title, **vote_json(p)}
                      for p in motions.propositions_in_order(motion)]}
