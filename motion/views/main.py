"""Home page and language choice."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import func, select

from motion.extensions import db
from motion.models import Contribution, ContributionStatus
from motion.services.campaigns import current_campaign, current_phase

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    """Show the current campaign, its phase and its workshops."""
    campaign = current_campaign()
    phase = current_phase(campaign) if campaign else None
    count = 0
    if campaign is not None:
        count = db.session.scalar(
            select(func.count(Contribution.id)).where(
                Contribution.campaign_id == campaign.id,
                Contribution.status == ContributionStatus.PUBLISHED,
            )
        )
    my_workshop_ids = (
        {w.id for w in current_user.workshops} if current_user.is_authenticated else set()
    )
    return render_template(
        "main/index.html", campaign=campaign, phase=phase, contribution_count=count,
        my_workshop_ids=my_workshop_ids,
    )


@bp.get("/langue/<lang>")
def set_language(lang: str):
    """Switch the interface language (French or English)."""
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    target = request.referrer if _is_local(request.referrer) else url_for("main.index")
    return redirect(target)


@bp.get("/healthz")
def healthz():
    db.session.execute(select(1))
    return {"status": "ok"}


def _is_local(url: str | None) -> bool:
    from urllib.parse import urlparse

    if not url:
        return False
    parsed = urlparse(url)
    return parsed.netloc in ("", request.host)
