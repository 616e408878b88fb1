"""Campaigns are separated: every page under a campaign is for its participants only.

The services check membership where they act (reading a contribution, supporting, joining,
voting, searching); this guard adds the same check in front of every route that names a
campaign, so that a new page cannot forget it.
"""

from __future__ import annotations

from flask import Flask, request
from flask_login import current_user

from motion.services import campaigns
from motion.views import url_campaign

# The campaign's public landing page (title, phase, workshop names), like the home page.
PUBLIC_ENDPOINTS = frozenset({"main.campaign_home"})


def require_campaign_membership() -> None:
    """Refuse (403, French page or JSON) a signed-in user outside the URL's campaign."""
    slug = (request.view_args or {}).get("campaign_slug")
    if slug is None or not current_user.is_authenticated or request.endpoint in PUBLIC_ENDPOINTS:
        return  # anonymous users meet login_required in the view itself
    campaigns.require_campaign_member(current_user, url_campaign())


def init_app(app: Flask) -> None:
    app.before_request(require_campaign_membership)
