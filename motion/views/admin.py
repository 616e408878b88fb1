"""Administration: campaigns, workshops and users at a glance."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import func, select

from motion.extensions import db
from motion.models import Campaign, Contribution, Membership, Role, User, Workshop
from motion.views import role_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@role_required(Role.ADMIN)
def index():
    """List campaigns with their workshops, and users."""
    campaigns = db.session.scalars(select(Campaign).order_by(Campaign.created_at.desc())).all()
    contribution_counts = dict(
        db.session.execute(
            select(Contribution.workshop_id, func.count(Contribution.id)).group_by(
                Contribution.workshop_id
            )
        ).all()
    )
    member_counts = dict(
        db.session.execute(
            select(Membership.workshop_id, func.count(Membership.id)).group_by(
                Membership.workshop_id
            )
        ).all()
    )
    users = db.session.scalars(select(User).order_by(User.role, User.email).limit(500)).all()
    user_total = db.session.scalar(select(func.count(User.id)))
    workshop_total = db.session.scalar(select(func.count(Workshop.id)))
    return render_template(
        "admin/index.html",
        campaigns=campaigns,
        contribution_counts=contribution_counts,
        member_counts=member_counts,
        users=users,
        user_total=user_total,
        workshop_total=workshop_total,
    )
