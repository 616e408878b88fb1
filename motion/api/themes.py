"""Themes (clusters) with their members, and starting a clustering run (facilitators)."""

from __future__ import annotations

from flask import url_for
from flask_login import current_user
from flask_smorest import Blueprint

from motion import jobs
from motion.api import auth
from motion.api.campaigns import load_campaign
from motion.api.schemas import JobSchema, ThemeDetailSchema, ThemeListSchema
from motion.extensions import db
from motion.models import Cluster
from motion.services import clustering
from motion.services.themes import queries

blp = Blueprint("api_themes", __name__, url_prefix="/api/v1/campaigns/<campaign_slug>",
                description="Themes computed from the contributions (facilitators and "
                            "administrators, as on the web).")


def theme_json(cluster: Cluster) -> dict:
    return {
        "id": cluster.id, "name": cluster.name, "summary": cluster.summary,
        "keywords": list(cluster.keywords or []), "size": cluster.size,
        "engagement_code": cluster.engagement.code if cluster.engagement else None,
        "axis_code": cluster.axis.code if cluster.axis else None,
        "out_of_frame": cluster.out_of_frame,
    }


@blp.get("/themes")
@blp.response(200, ThemeListSchema)
@auth.facilitator_reader
def list_themes(campaign_slug: str):
    """The active themes of the campaign, and how many contributions are « à classer »."""
    campaign = load_campaign(campaign_slug)
    board = queries.board(campaign, unassigned_sample=0)
    return {"items": [theme_json(c) for c in queries.active_clusters(campaign)],
            "unassigned": board.unassigned_count}


@blp.get("/themes/<int:theme_id>")
@blp.response(200, ThemeDetailSchema)
@auth.facilitator_reader
def get_theme(campaign_slug: str, theme_id: int):
    """A theme with its published contributions, least confident first."""
    campaign = load_campaign(campaign_slug)
    detail = queries.cluster_detail(campaign, theme_id)
    return {**theme_json(detail.cluster), "members": [
        {"id": c.id, "text": c.text, "workshop": c.workshop.slug,
         "collectivite": c.collectivite, "confidence": round(a.confidence, 4)}
        for a, c in detail.rows
    ]}


@blp.post("/clustering-runs")
@blp.response(202, JobSchema)
@auth.facilitator_writer
def start_clustering(campaign_slug: str):
    """Start computing the themes outside the request; poll the run until `finished`."""
    campaign = load_campaign(campaign_slug)
    record = clustering.request_run(campaign, actor=current_user)
    db.session.commit()
    jobs.launch("cluster", record.id)
    location = url_for(".get_clustering_run", campaign_slug=campaign.slug, run_id=record.id)
    return record.progress_state(), 202, {"Location": location}


@blp.get("/clustering-runs/<int:run_id>")
@blp.response(200, JobSchema)
@auth.facilitator_reader
def get_clustering_run(campaign_slug: str, run_id: int):
    """The progress record of a clustering run."""
    campaign = load_campaign(campaign_slug)
    return clustering.get_run(campaign, run_id).progress_state()
