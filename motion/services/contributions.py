"""Posting, editing and withdrawing contributions."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TypeVar

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from motion import validation
from motion.errors import Forbidden, InvalidInput, NotFound
from motion.extensions import db
from motion.models import (
    Campaign,
    Comment,
    Contribution,
    ContributionSource,
    ContributionStatus,
    ContributionVersion,
    Engagement,
    Role,
    Support,
    User,
    Workshop,
)
from motion.models._types import utcnow
from motion.services import audit, collectivites
from motion.services.campaigns import is_collect_open, is_member, require_campaign_member
from motion.services.themes.journal import refresh_sizes_of

# How long the author may undo a withdrawal (the page offers it in the confirmation).
UNDO_WITHDRAWAL = timedelta(minutes=10)
# An idempotency key generated with the form (see views.forms.new_client_key).
CLIENT_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
Keyed = TypeVar("Keyed", Contribution, Comment)  # what a form sends with a client key


def clean_text(text: str | None, *, label: str | None = None, field: str | None = None) -> str:
    """Trim and normalise line endings (inner line breaks are kept); refuse NUL and control
    characters (see :func:`motion.validation.clean_text`)."""
    return validation.clean_text(text, label=label or _("Le texte"), field=field)


def validate_text(text: str) -> str:
    text = clean_text(text, label=_("Votre idée"), field="text")
    minimum = current_app.config["CONTRIBUTION_MIN_LENGTH"]
    maximum = current_app.config["CONTRIBUTION_MAX_LENGTH"]
    # Visible characters: thirty zero-width spaces are not an idea.
    if validation.visible_length(text) < minimum:
        raise InvalidInput(
            _("Votre contribution est trop courte : %(n)d caractères au moins.", n=minimum),
            field="text",
        )
    if len(text) > maximum:
        raise InvalidInput(
            _("Votre contribution est trop longue : %(n)d caractères au plus (vous en avez "
              "%(m)d).", n=maximum, m=len(text)),
            field="text",
        )
    return text


def validate_title(title: str | None) -> str | None:
    title = validation.clean_text(title, label=_("Titre"), multiline=False, field="title")
    if len(title) > 200:
        raise InvalidInput(_("Le titre est trop long : 200 caractères au plus."), field="title")
    return title if validation.visible_length(title) else None


def validate_client_key(key: str | None) -> str | None:
    if not key:
        return None
    if not CLIENT_KEY_RE.match(key):
        raise InvalidInput(_("Le formulaire est invalide. Rechargez la page et recommencez."))
    return key


def resolve_engagement(campaign: Campaign, engagement_id: int | None) -> Engagement | None:
    """The engagement chosen in the form, which must belong to the campaign's framework."""
    if not engagement_id:
        return None
    engagement = db.session.get(Engagement, engagement_id)
    if engagement is None or engagement.framework_id != campaign.framework_id:
        raise InvalidInput(_("Cet engagement n’existe pas dans le référentiel de la campagne."))
    return engagement


def _check_can_post(author: User, workshop: Workshop) -> None:
    if not is_member(author, workshop):
        raise Forbidden(
            _("Vous n’êtes pas membre de l’atelier « %(name)s » : rejoignez-le pour y "
              "contribuer.", name=workshop.name)
        )
    if not is_collect_open(workshop.campaign):
        raise Forbidden(_("La phase de contribution est close : il n’est plus possible de "
                          "publier."))


def find_by_client_key(model: type[Keyed], author: User, client_key: str | None) -> Keyed | None:
    """The contribution or comment (``model``) ``author`` already sent with this key."""
    if not client_key:
        return None
    return db.session.scalar(
        select(model).where(model.author_id == author.id, model.client_key == client_key)
    )


def add_keyed(row: Keyed, author: User) -> Keyed:
    """Add ``author``'s new ``row``; if the same client key raced us from another request,
    the row that one added (the caller records and notifies only when it gets ``row``)."""
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        existing = find_by_client_key(type(row), author, row.client_key)
        if existing is None:
            raise
        return existing
    return row


def post_contribution(
    author: User,
    workshop: Workshop,
    text: str,
    *,
    title: str | None = None,
    engagement_id: int | None = None,
    client_key: str | None = None,
) -> Contribution:
    """Publish an élu's contribution in a workshop they belong to, while collect is open.

    A second call with the same ``client_key`` returns the first contribution unchanged.
    """
    client_key = validate_client_key(client_key)
    existing = find_by_client_key(Contribution, author, client_key)
    if existing is not None:
        return existing
    _check_can_post(author, workshop)
    text = validate_text(text)
    _refuse_exact_repost(author, workshop, text)
    contribution = Contribution(
        campaign_id=workshop.campaign_id,
        workshop=workshop,
        author=author,
        title=validate_title(title),
        text=text,
        engagement=resolve_engagement(workshop.campaign, engagement_id),
        collectivite=author.collectivite,
        source=ContributionSource.WEB,
        status=ContributionStatus.PUBLISHED,
        client_key=client_key,
    )
    collectivites.snapshot(contribution, author)
    saved = add_keyed(contribution, author)
    if saved is contribution:
        audit.record("contribution.create", contribution, actor=author)
    return saved


def _refuse_exact_repost(author: User, workshop: Workshop, text: str) -> None:
    """Refuse the same text twice from the same author in a campaign (back + resubmit gives
    the form a new idempotency key; the text is what stays the same)."""
    same = db.session.scalar(
        select(Contribution).where(
            Contribution.author_id == author.id,
            Contribution.campaign_id == workshop.campaign_id,
            Contribution.status == ContributionStatus.PUBLISHED,
            Contribution.text == text,
        ).limit(1)
    )
    if same is not None:
        raise InvalidInput(
            _("Vous avez déjà publié exactement ce texte (contribution n° %(id)d, atelier "
              "« %(workshop)s ») : il n’est pas publié une seconde fois.",
              id=same.id, workshop=same.workshop.name)
        )


def can_restore(contribution: Contribution) -> bool:
    """Whether a withdrawn contribution may still be put back by its author."""
    return (contribution.status == ContributionStatus.WITHDRAWN
            and contribution.updated_at >= utcnow() - UNDO_WITHDRAWAL)


def check_author(user: User, contribution: Contribution) -> None:
    _check_author(user, contribution)


def restore_withdrawn(user: User, contribution: Contribution) -> None:
    """Undo one's own withdrawal, within UNDO_WITHDRAWAL of it."""
    _check_author(user, contribution)
    if contribution.status != ContributionStatus.WITHDRAWN:
        raise InvalidInput(_("Cette contribution n’est pas retirée."))
    if not can_restore(contribution):
        raise InvalidInput(_("Le retrait ne peut plus être annulé (délai de %(delay)s "
                             "passé) : publiez de nouveau votre idée.",
                             delay=ngettext("%(num)d minute", "%(num)d minutes",
                                            int(UNDO_WITHDRAWAL.total_seconds() // 60))))
    set_status(contribution, ContributionStatus.PUBLISHED)
    audit.record("contribution.restore", contribution, actor=user)


def is_moderator(user: User) -> bool:
    return user.has_role(Role.FACILITATOR, Role.ADMIN)


def get_contribution(campaign: Campaign, contribution_id: int, viewer: User) -> Contribution:
    """A contribution of the campaign the viewer may see (hidden ones: author and moderators).

    Only participants of the campaign see its contributions.
    """
    require_campaign_member(viewer, campaign)
    contribution = db.session.get(Contribution, contribution_id)
    if contribution is None or contribution.campaign_id != campaign.id or not (
        contribution.is_published
        or contribution.author_id == viewer.id
        or is_moderator(viewer)
    ):
        raise NotFound(_("Cette contribution n’existe pas ou n’est plus visible."))
    return contribution


def _check_author(user: User, contribution: Contribution) -> None:
    if contribution.author_id != user.id:
        raise Forbidden(_("Vous ne pouvez modifier que vos propres contributions."))


def check_can_edit(user: User, contribution: Contribution) -> None:
    """Only the author edits, only a published contribution, only while collect is open."""
    _check_author(user, contribution)
    if not contribution.is_published:
        raise Forbidden(_("Cette contribution n’est plus publiée : elle ne peut plus être "
                          "modifiée."))
    if not is_collect_open(contribution.campaign):
        raise Forbidden(_("La phase de contribution est close : les contributions ne peuvent "
                          "plus être modifiées."))


def edit_contribution(
    user: User, contribution: Contribution, text: str, *, title: str | None = None
) -> bool:
    """Replace the text of one's own published contribution, keeping the previous version.

    Returns False when nothing changed.
    """
    check_can_edit(user, contribution)
    new_text, new_title = validate_text(text), validate_title(title)
    if new_text == contribution.text and new_title == contribution.title:
        return False
    number = len(contribution.versions) + 1
    contribution.versions.append(
        ContributionVersion(number=number, title=contribution.title, text=contribution.text,
                            editor_id=user.id)
    )
    contribution.text, contribution.title = new_text, new_title
    audit.record("contribution.edit", contribution, actor=user, version=number)
    return True


def set_status(contribution: Contribution, status: ContributionStatus) -> None:
    """Publish, hide or withdraw ``contribution``; the themes holding it keep a true size."""
    contribution.status = status
    refresh_sizes_of(contribution)


def withdraw_contribution(user: User, contribution: Contribution) -> None:
    """Withdraw one's own contribution: kept for the audit, hidden from everyone else."""
    _check_author(user, contribution)
    if contribution.status == ContributionStatus.WITHDRAWN:
        raise InvalidInput(_("Cette contribution est déjà retirée."))
    previous = contribution.status
    set_status(contribution, ContributionStatus.WITHDRAWN)
    audit.record("contribution.withdraw", contribution, actor=user, previous=previous.value)


def support_count_column():
    return (
        select(func.count(Support.id))
        .where(Support.contribution_id == Contribution.id)
        .correlate(Contribution)
        .scalar_subquery()
        .label("supports")
    )


def list_workshop_contributions(workshop: Workshop, *, page: int = 1, per_page: int = 50):
    """Published contributions of a workshop, newest first, with their support counts."""
    query = (
        select(Contribution, support_count_column())
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
