"""Workshops: their contributions and a plain form to post one."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from motion.errors import Forbidden
from motion.extensions import db
from motion.models import Role
from motion.services import campaigns, contributions
from motion.views.forms import ContributionForm, EmptyForm

bp = Blueprint("workshops", __name__, url_prefix="/campagnes/<campaign_slug>/ateliers")

PER_PAGE = 50


@bp.get("/")
@login_required
def index(campaign_slug: str):
    """List the campaign's workshops, the user's own first."""
    campaign = campaigns.get_campaign(campaign_slug)
    mine = {w.id for w in current_user.workshops}
    return render_template(
        "workshops/index.html", campaign=campaign, mine=mine, join_form=EmptyForm()
    )


@bp.get("/<workshop_slug>")
@login_required
def show(campaign_slug: str, workshop_slug: str):
    """Show a workshop's published contributions and, to members, the posting form."""
    campaign = campaigns.get_campaign(campaign_slug)
    workshop = campaigns.get_workshop(campaign, workshop_slug)
    page = request.args.get("page", 1, type=int)
    if page < 1:
        abort(404)
    rows, total = contributions.list_workshop_contributions(
        workshop, page=page, per_page=PER_PAGE
    )
    return render_template(
        "workshops/show.html",
        campaign=campaign,
        workshop=workshop,
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // PER_PAGE)),
        member=campaigns.is_member(current_user, workshop),
        collect_open=campaigns.is_collect_open(campaign),
        form=ContributionForm(),
        join_form=EmptyForm(),
    )


@bp.post("/<workshop_slug>/contributions")
@login_required
def post(campaign_slug: str, workshop_slug: str):
    """Publish a contribution in the workshop."""
    campaign = campaigns.get_campaign(campaign_slug)
    workshop = campaigns.get_workshop(campaign, workshop_slug)
    form = ContributionForm()
    if not form.validate_on_submit():
        flash(_("Le texte de la contribution est obligatoire."), "error")
        return redirect(url_for(".show", campaign_slug=campaign.slug, workshop_slug=workshop.slug))
    contributions.post_contribution(current_user, workshop, form.text.data, title=form.title.data)
    db.session.commit()
    flash(_("Votre contribution est publiée. Merci !"), "success")
    return redirect(url_for(".show", campaign_slug=campaign.slug, workshop_slug=workshop.slug))


@bp.post("/<workshop_slug>/rejoindre")
@login_required
def join(campaign_slug: str, workshop_slug: str):
    """Join an open workshop."""
    campaign = campaigns.get_campaign(campaign_slug)
    workshop = campaigns.get_workshop(campaign, workshop_slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not workshop.is_open and not current_user.has_role(Role.ADMIN):
        raise Forbidden(_("Cet atelier n'accepte pas de nouveaux membres."))
    campaigns.add_member(current_user, workshop)
    db.session.commit()
    flash(_("Vous avez rejoint l'atelier « %(name)s ».", name=workshop.name), "success")
    return redirect(url_for(".show", campaign_slug=campaign.slug, workshop_slug=workshop.slug))
