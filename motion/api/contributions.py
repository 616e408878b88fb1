"""Contributions: list with filters and cursor pages, create, read."""

from __future__ import annotations

import base64
import binascii

from flask import current_app
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import select

from motion.api import auth
from motion.api.campaigns import load_campaign
from motion.api.schemas import (
    ContributionCreateSchema,
    ContributionPageSchema,
    ContributionQuerySchema,
    ContributionSchema,
)
from motion.errors import InvalidInput
from motion.extensions import db, limiter
from motion.models import Campaign, Contribution, Engagement
from motion.services import campaigns, contributions, search, supports

blp = Blueprint("api_contributions", __name__,
                url_prefix="/api/v1/campaigns/<campaign_slug>/contributions",
                description="Contributions (élus' ideas) of a campaign.")


def posting_limit() -> str:
    return current_app.config["RATELIMIT_POSTING"]


def contribution_json(contribution: Contribution, supports_count: int) -> dict:
    campaign = contribution.campaign
    author = contribution.author
    return {
        "id": contribution.id, "title": contribution.title, "text": contribution.text,
        "workshop": contribution.workshop.slug,
        "engagement_code": contribution.engagement.code if contribution.engagement else None,
        "collectivite": contribution.collectivite,
        "author": author.display_name if author and campaign.publish_author_names else None,
        "status": contribution.status.value, "source": contribution.source.value,
        "external_id": contribution.external_id, "supports": supports_count,
        "created_at": contribution.created_at,
    }


def encode_cursor(contribution_id: int) -> str:
    return base64.urlsafe_b64encode(f"c{contribution_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not raw.startswith("c"):
            raise ValueError(raw)
        value = int(raw[1:])
        if value < 1:
            raise ValueError(raw)
        return value
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise InvalidInput(_("Curseur de pagination invalide : reprenez la valeur "
                             "« next_cursor » de la page précédente.")) from None


def _engagement_id(campaign: Campaign, code: str | None) -> int | None:
    if not code:
        return None
    engagement_id = db.session.scalar(select(Engagement.id).where(
        Engagement.framework_id == campaign.framework_id, Engagement.code == code))
    if engagement_id is None:
        raise InvalidInput(_("Aucun engagement « %(code)s » dans le référentiel de la "
                             "campagne.", code=code))
    return engagement_id


@blp.get("")
@blp.response(200, ContributionPageSchema)
@auth.reader
@blp.arguments(ContributionQuerySchema, location="query", as_kwargs=True)
def list_contributions(campaign_slug: str, *, cursor: str | None = None, limit: int = 50,
                       workshop: str | None = None, engagement: str | None = None,
                       collectivite: str | None = None, since=None, until=None,
                       q: str | None = None):
    """Published contributions, newest first, `limit` per page (`next_cursor` follows)."""
    campaign = load_campaign(campaign_slug)
    filters = search.Filters(
        query=q or "",
        workshop_id=campaigns.get_workshop(campaign, workshop).id if workshop else None,
        engagement_id=_engagement_id(campaign, engagement),
        collectivite=(collectivite or "").strip() or None, since=since, until=until,
    )
    rows, next_id = search.search_after(
        campaign, filters, viewer=current_user,
        before_id=decode_cursor(cursor) if cursor else None, limit=limit)
    return {"items": [contribution_json(c, n) for c, n in rows],
            "next_cursor": encode_cursor(next_id) if next_id else None}


@blp.post("")
@blp.response(201, ContributionSchema)
@auth.writer
@limiter.shared_limit(posting_limit, scope="posting")
@blp.arguments(ContributionCreateSchema)
def create_contribution(data: dict, campaign_slug: str):
    """Post a contribution in a workshop the caller belongs to, while collect is open."""
    campaign = load_campaign(campaign_slug)
    workshop = campaigns.get_workshop(campaign, data["workshop"])
    contribution = contributions.post_contribution(
        current_user, workshop, data["text"], title=data.get("title"),
        engagement_id=_engagement_id(campaign, data.get("engagement_code")),
        client_key=data.get("client_key"),
    )
    db.session.commit()
    return contribution_json(contribution, supports.count_supports(contribution))


@blp.get("/<int:contribution_id>")
@blp.response(200, ContributionSchema)
@auth.reader
def get_contribution(campaign_slug: str, contribution_id: int):
    """A contribution (hidden ones only to their author and to moderators)."""
    campaign = load_campaign(campaign_slug)
    contribution = contributions.get_contribution(campaign, contribution_id, current_user)
    return contribution_json(contribution, supports.count_supports(contribution))
