"""Comments: short replies under a contribution, threaded one level deep."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from motion.errors import Forbidden, InvalidInput
from motion.extensions import db
from motion.models import Comment, CommentStatus, Contribution, User
from motion.services import audit, lookup, notifications
from motion.services.contributions import (
    add_keyed,
    clean_text,
    find_by_client_key,
    is_moderator,
    validate_client_key,
)
from motion.validation import visible_length


def validate_comment_text(text: str) -> str:
    text = clean_text(text, label=_("Votre réponse"), field="text")
    maximum = current_app.config["COMMENT_MAX_LENGTH"]
    if not visible_length(text):
        raise InvalidInput(_("Le commentaire est vide."), field="text")
    if len(text) > maximum:
        raise InvalidInput(
            _("Votre commentaire est trop long : %(n)d caractères au plus (vous en avez "
              "%(m)d).", n=maximum, m=len(text)), field="text"
        )
    return text


def post_comment(
    author: User,
    contribution: Contribution,
    text: str,
    *,
    parent_id: int | None = None,
    client_key: str | None = None,
) -> Comment:
    """Reply to a published contribution, or to one of its top-level comments."""
    client_key = validate_client_key(client_key)
    existing = find_by_client_key(Comment, author, client_key)
    if existing is not None:
        return existing
    if not contribution.is_published:
        raise Forbidden(_("Cette contribution n’accepte plus de commentaires."))
    parent = None
    if parent_id:
        parent = db.session.get(Comment, parent_id)
        if parent is None or parent.contribution_id != contribution.id or not parent.is_published:
            raise InvalidInput(_("Le commentaire auquel vous répondez n’existe pas ou n’est plus "
                                 "visible."))
        # One level only: a reply to a reply joins its thread.
        if parent.parent_id is not None:
            parent = parent.parent
    comment = Comment(
        contribution_id=contribution.id, parent_id=parent.id if parent else None,
        author_id=author.id, text=validate_comment_text(text), client_key=client_key,
    )
    saved = add_keyed(comment, author)
    if saved is comment:
        audit.record("comment.create", comment, actor=author,
                     campaign_id=contribution.campaign_id, contribution_id=contribution.id)
        notifications.notify_reply(comment)
    return saved


def get_comment(contribution: Contribution, comment_id: int) -> Comment:
    return lookup.get_owned(Comment, comment_id, _("Ce commentaire n’existe pas."),
                            contribution_id=contribution.id)


def withdraw_comment(user: User, comment: Comment) -> None:
    """Withdraw one's own comment (kept for the audit)."""
    if comment.author_id != user.id:
        raise Forbidden(_("Vous ne pouvez retirer que vos propres commentaires."))
    if comment.status == CommentStatus.WITHDRAWN:
        raise InvalidInput(_("Ce commentaire est déjà retiré."))
    comment.status = CommentStatus.WITHDRAWN
    audit.record("comment.withdraw", comment, actor=user,
                 campaign_id=comment.contribution.campaign_id)


def thread(contribution: Contribution, viewer: User) -> list[tuple[Comment, list[Comment]]]:
    """Top-level comments with their replies, oldest first, as the viewer may see them."""
    comments = db.session.scalars(
        select(Comment)
        .where(Comment.contribution_id == contribution.id)
        .options(selectinload(Comment.author))
        .order_by(Comment.created_at, Comment.id)
    ).all()
    moderator = is_moderator(viewer)

    def visible(c: Comment) -> bool:
        return c.is_published or moderator or (
            c.author_id == viewer.id and c.status == CommentStatus.HIDDEN
        )

    tops = [c for c in comments if c.parent_id is None and visible(c)]
    replies: dict[int, list[Comment]] = {}
    for c in comments:
        if c.parent_id is not None and visible(c):
            replies.setdefault(c.parent_id, []).append(c)
    return [(top, replies.get(top.id, [])) for top in tops]
