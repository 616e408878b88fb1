"""Login and logout."""

from __future__ import annotations

from urllib.parse import urlparse

from flask import (
    Blueprint,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user

from motion.extensions import db
from motion.services import accounts, login_throttle
from motion.views.forms import EmptyForm, LoginForm

bp = Blueprint("auth", __name__, url_prefix="/compte")


def _safe_next(target: str | None) -> str:
    if target:
        parsed = urlparse(target)
        if not parsed.scheme and not parsed.netloc and target.startswith("/"):
            return target
    return url_for("main.index")


@bp.route("/connexion", methods=["GET", "POST"])
def login():
    """Log in with e-mail and password."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        email, address = form.email.data, request.remote_addr
        wait = login_throttle.retry_after(email, address)
        if wait is not None:
            accounts.record_failed_login(email, address, throttled=True)
            db.session.commit()
            flash(ngettext("Trop de tentatives de connexion échouées. Réessayez dans "
                           "%(num)d minute.", "Trop de tentatives de connexion échouées. "
                           "Réessayez dans %(num)d minutes.", max(1, round(wait / 60))),
                  "error")
            response = make_response(render_template("auth/login.html", form=form), 429)
            response.headers["Retry-After"] = str(wait)
            return response
        user = accounts.authenticate(email, form.password.data)
        if user is None:
            login_throttle.record_failure(email, address)
            accounts.record_failed_login(email, address)
            db.session.commit()
            flash(_("Adresse e-mail ou mot de passe incorrect."), "error")
            return render_template("auth/login.html", form=form), 401
        login_throttle.forget_account(email, address)
        lang = session.get("lang")
        session.clear()  # a fresh session at login: nothing from before survives
        if lang:
            session["lang"] = lang
        accounts.start_session(user, user_agent=request.user_agent.string)
        login_user(user)
        db.session.commit()
        flash(_("Bienvenue, %(name)s.", name=user.display_name), "success")
        return redirect(_safe_next(form.next.data))
    return render_template("auth/login.html", form=form)


@bp.post("/deconnexion")
@login_required
def logout():
    """End the session on the server, then in the browser."""
    form = EmptyForm()
    if form.validate_on_submit():
        token = current_user.get_id()
        if token:
            accounts.end_session(token)
        logout_user()
        db.session.commit()
        session.clear()
        flash(_("Vous êtes déconnecté."), "info")
    return redirect(url_for("main.index"))
