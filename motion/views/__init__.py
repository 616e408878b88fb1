"""Blueprints: parse and validate → call one service → commit → redirect.

Every POST's CSRF token is checked once, by the global ``CSRFProtect`` (motion/extensions.py),
before any view runs; a missing or stale token is the French "Formulaire expiré" page
(motion/errors.py). Views do not check it again: ``EmptyForm`` only renders the token."""

from __future__ import annotations

from functools import wraps
from io import BytesIO
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from flask import abort, flash, g, redirect, request, send_file
from flask_babel import gettext as _
from flask_login import current_user, login_required

from motion.extensions import db
from motion.models import Role

if TYPE_CHECKING:
    from flask import Flask

    from motion.models import Campaign


def role_required(*roles: Role | str):
    """Require a logged-in user with one of ``roles`` (403 otherwise)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def facilitator_required(view):
    """Require a facilitator or an administrator (403 otherwise)."""
    return role_required(Role.FACILITATOR, Role.ADMIN)(view)


def load_campaign(endpoint: str | None, values: dict | None) -> None:
    """Load the campaign a URL names (``campaign_slug``) once per request, into ``g``;
    an unknown slug is a French 404 before any view or guard runs."""
    slug = (values or {}).get("campaign_slug")
    if slug is not None:
        from motion.services.campaigns import get_campaign

        g.campaign = get_campaign(slug)


def url_campaign() -> Campaign:
    """The campaign the request's URL names (see :func:`load_campaign`)."""
    return g.campaign


def committed(target: str, message: str | None = None, category: str = "success"):
    """End a POST that worked: commit its one transaction, flash ``message`` (if any) and
    redirect to ``target`` (POST/redirect/GET)."""
    db.session.commit()
    if message is not None:
        flash(message, category)
    return redirect(target)


def past_the_last_page(page: int, pages: int):
    """None when ``page`` is one of the list's ``pages``; after the last one (a stale link:
    the list has shrunk since), a redirect to the same list, filters kept, at its last
    page, which says so. (A page number that cannot be one is validation.arg_page's 404.)"""
    if page <= pages:
        return None
    args = request.args.to_dict(flat=False)
    args.pop("page", None)
    if pages > 1:
        args["page"] = [str(pages)]
    flash(_("Cette liste ne compte qu’une page : la voici.") if pages == 1 else
          _("Cette liste s’arrête à la page %(page)d : la voici.", page=pages), "info")
    return redirect(request.path + (f"?{urlencode(args, doseq=True)}" if args else ""))


def send_rendered(result):
    """A file rendered in memory (``content``, ``mimetype``, ``filename``) as a download."""
    return send_file(BytesIO(result.content), mimetype=result.mimetype, as_attachment=True,
                     download_name=result.filename)


def register_blueprints(app: Flask) -> None:
    from motion.views import (
        admin,
        auth,
        collectivites,
        contributions,
        dossiers,
        exports,
        followup,
        invitations,
        legal,
        main,
        moderation,
        motions,
        preferences,
        projection,
        sessions,
        themes,
        votes,
        workshops,
    )

    app.url_value_preprocessor(load_campaign)
    app.register_blueprint(main.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(workshops.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(admin.api_bp)
    app.register_blueprint(contributions.bp)
    app.register_blueprint(contributions.api_bp)
    app.register_blueprint(moderation.bp)
    app.register_blueprint(preferences.bp)
    app.register_blueprint(invitations.bp)
    app.register_blueprint(exports.bp)
    app.register_blueprint(dossiers.bp)
    app.register_blueprint(themes.bp)
    app.register_blueprint(motions.bp)
    app.register_blueprint(projection.bp)
    app.register_blueprint(sessions.bp)
    app.register_blueprint(votes.bp)
    app.register_blueprint(legal.bp)
    app.register_blueprint(followup.bp)
    app.register_blueprint(collectivites.bp)

    from motion import api

    api.init_app(app)  # the JSON API under /api/v1 and the token page

    from motion.views import access

    access.init_app(app)
