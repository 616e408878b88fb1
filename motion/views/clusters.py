"""Facilitators' view of the themes (clusters) and of the clustering runs."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from motion import jobs
from motion.extensions import db
from motion.models import Role
from motion.services import campaigns, clustering
from motion.services.themes import queries
from motion.views import role_required
from motion.views.forms import EmptyForm
from motion.views.synthesis import board_context, detail_context

bp = Blueprint("clusters", __name__)

FACILITATORS = (Role.FACILITATOR, Role.ADMIN)


@bp.get("/campagnes/<campaign_slug>/themes")
@role_required(*FACILITATORS)
def board(campaign_slug: str):
    """Show the clusters grouped by engagement and axis, then out of frame and unsorted."""
    campaign = campaigns.get_campaign(campaign_slug)
    return render_template(
        "clusters/board.html",
        campaign=campaign,
        board=queries.board(campaign),
        run=clustering.latest_run(campaign),
        form=EmptyForm(),
        **board_context(campaign),
    )


@bp.post("/campagnes/<campaign_slug>/themes/calculer")
@role_required(*FACILITATORS)
def run(campaign_slug: str):
    """Start a clustering run outside the request; the board then shows its progress."""
    campaign = campaigns.get_campaign(campaign_slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    record = clustering.request_run(campaign, actor=current_user)
    db.session.commit()
    jobs.launch("cluster", record.id)
    flash(_("Le calcul des thèmes a démarré. Cette page se met à jour toute seule."), "info")
    return redirect(url_for(".board", campaign_slug=campaign.slug))


@bp.get("/campagnes/<campaign_slug>/themes/<int:cluster_id>")
@role_required(*FACILITATORS)
def show(campaign_slug: str, cluster_id: int):
    """List a cluster's contributions, least confident first."""
    campaign = campaigns.get_campaign(campaign_slug)
    detail = queries.cluster_detail(campaign, cluster_id)
    return render_template("clusters/show.html", campaign=campaign, detail=detail,
                           **detail_context(campaign, detail))


@bp.get("/api/campagnes/<campaign_slug>/calculs/<int:run_id>")
@role_required(*FACILITATORS)
def run_status(campaign_slug: str, run_id: int):
    """The progress record of a run, polled by the board."""
    campaign = campaigns.get_campaign(campaign_slug)
    record = clustering.get_run(campaign, run_id)
    return jsonify(
        id=record.id,
        status=record.status.value,
        progress=round(record.progress, 3),
        message=record.message,
        finished=record.is_finished,
        error=record.error,
    )
