"""Moderation: the facilitators' queue of reports; hide, restore or dismiss with a reason."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from motion.errors import InvalidInput
from motion.extensions import db
from motion.models import Comment, Contribution
from motion.services import moderation
from motion.views import facilitator_required, url_campaign
from motion.views.forms import ReasonForm

bp = Blueprint("moderation", __name__, url_prefix="/campagnes/<campaign_slug>/moderation")

ACTIONS = {"masquer": moderation.hide, "retablir": moderation.restore,
           "classer": moderation.dismiss}
KINDS = {"contribution": Contribution, "commentaire": Comment}


@bp.get("/")
@facilitator_required
def index(campaign_slug: str):
    """Show the open reports and the hidden items."""
    campaign = url_campaign()
    hidden_contributions, hidden_comments = moderation.hidden_items(current_user, campaign)
    return render_template(
        "moderation/index.html", campaign=campaign,
        queue=moderation.queue(current_user, campaign),
        hidden_contributions=hidden_contributions, hidden_comments=hidden_comments,
        form=ReasonForm(formdata=None),
    )


@bp.post("/<kind>/<int:item_id>/<action>")
@facilitator_required
def decide(campaign_slug: str, kind: str, item_id: int, action: str):
    """Hide, restore, or dismiss the reports of a contribution or comment."""
    campaign = url_campaign()
    if kind not in KINDS or action not in ACTIONS:
        raise InvalidInput(_("Action de modération inconnue."))
    item = db.session.get(KINDS[kind], item_id)
    item_campaign = None
    if isinstance(item, Contribution):
        item_campaign = item.campaign_id
    elif isinstance(item, Comment):
        item_campaign = item.contribution.campaign_id
    if item is None or item_campaign != campaign.id:
        raise InvalidInput(_("Cet élément n’existe pas dans cette campagne."))
    form = ReasonForm()
    ACTIONS[action](current_user, item, form.reason.data)
    db.session.commit()
    flash({"masquer": _("L’élément est masqué."), "retablir": _("L’élément est rétabli."),
           "classer": _("Les signalements sont classés sans suite.")}[action], "success")
    return redirect(url_for(".index", campaign_slug=campaign.slug))
