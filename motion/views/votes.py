"""Voting from a phone: a short URL per campaign, pour / contre / abstention."""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from motion import validation
from motion.errors import InvalidInput, MotionError
from motion.extensions import db
from motion.services import contributions, motions
from motion.services import votes as vote_service
from motion.views import url_campaign
from motion.views.forms import EmptyForm

bp = Blueprint("votes", __name__)


@bp.get("/v/<campaign_slug>")
@login_required
def phone(campaign_slug: str):
    """The phone page: the proposition shown in the room and the vote buttons."""
    campaign = url_campaign()
    motion = motions.require_motion(campaign)
    live = vote_service.live_state(motion.id)
    shown = motions.get_proposition(motion, live.proposition_id) if live.proposition_id else None
    mine = vote_service.my_vote(live.session_id, current_user.id) if live.session_id else None
    return render_template("votes/phone.html", campaign=campaign, motion=motion, live=live,
                           shown=shown, mine=mine, form=EmptyForm())


@bp.post("/v/<campaign_slug>")
@login_required
def vote(campaign_slug: str):
    """Record a vote from the form (without JavaScript)."""
    campaign = url_campaign()
    session_id = validation.form_id("session")
    if not session_id:
        raise InvalidInput(_("Aucun vote n’est indiqué."))
    try:
        vote_service.cast_vote(session_id, current_user.id, request.form.get("choice", ""))
    except MotionError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".phone", campaign_slug=campaign.slug))
    db.session.commit()
    flash(_("Votre vote est enregistré. Vous pouvez le changer tant que le vote est ouvert."),
          "success")
    return redirect(url_for(".phone", campaign_slug=campaign.slug))


@bp.post("/api/votes/<int:session_id>")
@login_required
def api_vote(session_id: int):
    """Record a vote (JSON for vote.js): one statement, one commit.

    vote.js sends an ``Idempotency-Key`` per tap and resends it after a 503 (busy
    database): the vote is an upsert, so a resent tap changes nothing more.
    """
    body = request.get_json(silent=True)
    body = body if isinstance(body, dict) else {}
    choice = body.get("choice") or request.form.get("choice", "")
    key = contributions.validate_client_key(request.headers.get("Idempotency-Key"))
    vote_service.cast_vote(session_id, current_user.id, str(choice))
    db.session.commit()
    return jsonify(ok=True, session=session_id, choice=choice, key=key)
