"""Plenary: the projector page, its control page, the QR code and the live state."""

from __future__ import annotations

import io

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from motion import validation
from motion.errors import InvalidInput, NotFound
from motion.extensions import db
from motion.models import Campaign
from motion.services import motions, provenance, votes
from motion.views import facilitator_required, url_campaign
from motion.views.forms import EmptyForm

bp = Blueprint("projection", __name__)


def _load():
    campaign = url_campaign()
    return campaign, motions.require_motion(campaign)


def short_url(campaign: Campaign) -> str:
    return url_for("votes.phone", campaign_slug=campaign.slug, _external=True)


def _context(campaign, motion) -> dict:
    state = votes.projection(motion)
    ordered = motions.propositions_in_order(motion)
    shown = state.proposition
    live = votes.live_state(motion.id)
    return {
        "campaign": campaign, "motion": motion, "shown": shown, "ordered": ordered,
        "index": ordered.index(shown) + 1 if shown in ordered else None,
        "counters": provenance.proposition_counters(shown) if shown else
        provenance.motion_counters(motion),
        "live": live, "short_url": short_url(campaign),
        "state_url": url_for(".state", campaign_slug=campaign.slug),
    }


@bp.get("/campagnes/<campaign_slug>/motion/projection")
@facilitator_required
def screen(campaign_slug: str):
    """The full-screen page for the projector (it follows the control page by itself)."""
    campaign, motion = _load()
    context = _context(campaign, motion)
    db.session.commit()  # the projection state, created on first use
    return render_template("projection/screen.html", **context)


@bp.get("/campagnes/<campaign_slug>/motion/pilotage")
@facilitator_required
def control(campaign_slug: str):
    """The facilitator's control page: previous, next, open and close the vote."""
    campaign, motion = _load()
    context = _context(campaign, motion)
    db.session.commit()
    return render_template("projection/control.html", form=EmptyForm(), **context)


@bp.post("/campagnes/<campaign_slug>/motion/pilotage/<action>")
@facilitator_required
def act(campaign_slug: str, action: str):
    """Drive the projector: move, show a proposition, open or close its vote."""
    campaign, motion = _load()
    if action == "precedente":
        votes.step(motion, -1)
    elif action == "suivante":
        votes.step(motion, +1)
    elif action == "afficher":
        proposition_id = validation.form_id("proposition")
        votes.set_projection(motion, motions.get_proposition(motion, proposition_id)
                             if proposition_id else None)
    elif action == "ouvrir":
        shown = votes.projection(motion).proposition
        if shown is None:
            raise InvalidInput(_("Affichez d’abord une proposition."))
        votes.open_vote(shown, actor=current_user)
        flash(_("Le vote est ouvert."), "success")
    elif action == "clore":
        session = votes.open_session(motion)
        if session is None:
            raise InvalidInput(_("Aucun vote n’est ouvert."))
        closed = votes.close_vote(session.id, actor=current_user)
        flash(_("Vote clos : %(pour)d pour, %(contre)d contre, %(abst)s.",
                pour=closed.count_for, contre=closed.count_against,
                abst=ngettext("%(num)d abstention", "%(num)d abstentions",
                              closed.count_abstain)), "success")
    else:
        raise NotFound(_("Action inconnue."))
    db.session.commit()
    return redirect(url_for(".control", campaign_slug=campaign.slug))


@bp.get("/campagnes/<campaign_slug>/motion/qr.svg")
@login_required
def qr(campaign_slug: str):
    """The QR code of the short vote URL, as SVG (made here, no external service)."""
    import segno

    campaign = url_campaign()
    buffer = io.BytesIO()
    segno.make(short_url(campaign), error="m").save(
        buffer, kind="svg", scale=10, border=2, dark="#000", light="#fff", xmldecl=False,
        svgns=True, title=_("Adresse du vote"))
    response = Response(buffer.getvalue(), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.get("/api/campagnes/<campaign_slug>/motion/etat")
@login_required
def state(campaign_slug: str):
    """The live state polled by the projector and the phones (small JSON)."""
    return jsonify(votes.live_state(motions.require_motion(url_campaign()).id).as_dict())
