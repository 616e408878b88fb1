"""Posting contributions and supporting them."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from motion.errors import Conflict, Forbidden, InvalidInput
from motion.extensions import db
from motion.models import (
    Contribution,
    ContributionSource,
    ContributionStatus,
    Support,
    User,
    Workshop,
)
from motion.services import audit
from motion.services.campaigns import is_collect_open, is_member


def clean_text(text: str) -> str:
    """Trim and normalise line endings; inner line breaks are kept."""
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").split("\n")).strip()


def validate_text(text: str) -> str:
    text = clean_text(text)
    minimum = current_app.config["CONTRIBUTION_MIN_LENGTH"]
    maximum = current_app.config["CONTRIBUTION_MAX_LENGTH"]
    if len(text) < minimum:
        raise InvalidInput(
            _("Votre contribution est trop courte : %(n)d caractères au moins.", n=minimum)
        )
    if len(text) > maximum:
        raise InvalidInput(
            _("Votre contribution est trop longue : %(n)d caractères au plus (vous en avez "
              "%(m)d).", n=maximum, m=len(text))
        )
    return text


def post_contribution(
    author: User, workshop: Workshop, text: str, *, title: str | None = None
) -> Contribution:
    """Publish an élu's contribution in a workshop they belong to, while collect is open."""
    if not is_member(author, workshop):
        raise Forbidden(
            _("Vous n'êtes pas membre de l'atelier « %(name)s » : rejoignez-le pour y "
              "contribuer.", name=workshop.name)
        )
    if not is_collect_open(workshop.campaign):
        raise Forbidden(_("La phase de contribution est close : il n'est plus possible de "
                          "publier."))
    title = " ".join((title or "").split())[:200] or None
    contribution = Contribution(
        campaign_id=workshop.campaign_id,
        workshop=workshop,
        author=author,
        title=title,
        text=validate_text(text),
        collectivite=author.collectivite,
        source=ContributionSource.WEB,
        status=ContributionStatus.PUBLISHED,
    )
    db.session.add(contribution)
    db.session.flush()
    audit.record("contribution.create", contribution, actor=author)
    return contribution


def list_workshop_contributions(workshop: Workshop, *, page: int = 1, per_page: int = 50):
    """Published contributions of a workshop, newest first, with their support counts."""
    support_count = (
        select(func.count(Support.id))
        .where(Support.contribution_id == Contribution.id)
        .correlate(Contribution)
        .scalar_subquery()
    )
    query = (
        select(Contribution, support_count.label("supports"))
        .where(
            Contribution.workshop_id == workshop.id,
            Contribution.status == ContributionStatus.PUBLISHED,
        )
        .order_by(Contribution.created_at.desc(), Contribution.id.desc())
    )
    total = db.session.scalar(
        select(func.count(Contribution.id)).where(
            Contribution.workshop_id == workshop.id,
            Contribution.status == ContributionStatus.PUBLISHED,
        )
    )
    rows = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).all()
    return rows, total or 0


def add_support(user: User, contribution: Contribution) -> Support:
    """Support a contribution once; the database refuses a second support."""
    if contribution.status != ContributionStatus.PUBLISHED:
        raise InvalidInput(_("Cette contribution ne peut plus être soutenue."))
    support = Support(user=user, contribution=contribution)
    try:
        with db.session.begin_nested():
            db.session.add(support)
    except IntegrityError:
        raise Conflict(_("Vous soutenez déjà cette contribution.")) from None
    audit.record("contribution.support", contribution, actor=user)
    return support
