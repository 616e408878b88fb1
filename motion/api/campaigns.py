"""Campaigns, their workshops and their framework (référentiel)."""

from __future__ import annotations

from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import select

from motion.api import auth
from motion.api.schemas import (
    CampaignListSchema,
    CampaignSchema,
    FrameworkSchema,
    WorkshopListSchema,
)
from motion.extensions import db
from motion.models import Campaign
from motion.services import campaigns

blp = Blueprint("api_campaigns", __name__, url_prefix="/api/v1/campaigns",
                description="Campaigns (one congress edition), workshops and framework.")


def campaign_json(campaign: Campaign) -> dict:
    phase = campaigns.current_phase(campaign)
    return {
        "slug": campaign.slug, "title": campaign.title, "timezone": campaign.timezone,
        "place": campaign.place, "current_phase": phase.kind.value if phase else None,
        "phases": [{"kind": p.kind.value, "starts_at": p.starts_at, "ends_at": p.ends_at}
                   for p in campaign.phases],
    }


def load_campaign(slug: str) -> Campaign:
    """The campaign, for a caller who takes part in it (as every campaign page requires)."""
    campaign = campaigns.get_campaign(slug)
    campaigns.require_campaign_member(current_user, campaign)
    return campaign


@blp.get("")
@blp.response(200, CampaignListSchema)
@auth.reader
def list_campaigns():
    """List the campaigns the caller takes part in."""
    rows = db.session.scalars(select(Campaign).order_by(Campaign.created_at.desc()))
    return {"items": [campaign_json(c) for c in rows
                      if campaigns.is_campaign_member(current_user, c)]}


@blp.get("/<campaign_slug>")
@blp.response(200, CampaignSchema)
@auth.reader
def get_campaign(campaign_slug: str):
    """A campaign and its dated phases."""
    return campaign_json(load_campaign(campaign_slug))


@blp.get("/<campaign_slug>/workshops")
@blp.response(200, WorkshopListSchema)
@auth.reader
def list_workshops(campaign_slug: str):
    """The campaign's workshops; `member` tells where the caller may post."""
    campaign = load_campaign(campaign_slug)
    mine = {w.id for w in current_user.workshops}
    return {"items": [
        {"slug": w.slug, "name": w.name, "description": w.description,
         "engagement_code": w.engagement.code if w.engagement else None,
         "is_open": w.is_open, "member": w.id in mine}
        for w in campaign.workshops
    ]}


@blp.get("/<campaign_slug>/framework")
@blp.response(200, FrameworkSchema)
@auth.reader
def get_framework(campaign_slug: str):
    """The campaign's framework: engagements and their axes."""
    campaign = load_campaign(campaign_slug)
    framework = campaign.framework
    if framework is None:
        return {"name": None, "engagements": []}
    return {"name": framework.name, "engagements": [
        {"id": e.id, "code": e.code, "title": e.title, "description": e.description,
         "axes": [{"id": a.id, "code": a.code, "title": a.title, "description": a.description}
                  for a in e.axes]}
        for e in framework.engagements
    ]}
