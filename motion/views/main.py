"""Home page and language choice."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import select

from motion.extensions import db
from motion.services import campaign_admin
from motion.services.campaigns import current_phase, phase_label, published_count
from motion.views import url_campaign

bp = Blueprint("main", __name__)
bp.add_app_template_global(phase_label)  # a phase's name, on every page that shows one


@bp.get("/")
def index():
    """Show the person's current campaign, its phase and its workshops."""
    return _campaign_page(campaign_admin.default_campaign(current_user))


@bp.get("/campagnes/<campaign_slug>/")
def campaign_home(campaign_slug: str):
    """Show one campaign (the switcher links here; the campaign is in the URL)."""
    return _campaign_page(url_campaign())


@bp.get("/archives")
def archive():
    """Past campaigns with their motions."""
    return render_template("main/archive.html",
                           archived=campaign_admin.archived_campaigns(current_user))


def _campaign_page(campaign):
    phase = current_phase(campaign) if campaign else None
    count = published_count(campaign) if campaign is not None else 0
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


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico even with the <link rel=icon> of every page."""
    return redirect(url_for("static", filename="favicon.svg"), 301)


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
