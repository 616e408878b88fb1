"""Login and logout, the account page (password, sessions), forgotten passwords."""

from __future__ import annotations

from urllib.parse import urlparse

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
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

from motion.errors import InvalidInput
from motion.extensions import db, limiter
from motion.services import accounts, login_throttle
from motion.views.forms import (
    ChangePasswordForm,
    EmptyForm,
    ForgotPasswordForm,
    LoginForm,
    SetPasswordForm,
)

bp = Blueprint("auth", __name__, url_prefix="/compte")
bp.add_app_template_global(accounts.idle_timers)  # the idle warning of every signed-in page



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
    token = current_user.get_id()
    if token:
        accounts.end_session(token)
    logout_user()
    db.session.commit()
    session.clear()
    flash(_("Vous êtes déconnecté."), "info")
    return redirect(url_for("main.index"))


def _me():
    """The logged-in user itself (services record it in the audit log), not the proxy."""
    return current_user._get_current_object()  # type: ignore[attr-defined]


@bp.get("/")
@login_required
def account():
    """One's account: change the password, see and end one's other sessions."""
    return render_template("auth/account.html", form=ChangePasswordForm(), end_form=EmptyForm(),
                           sessions=accounts.list_sessions(current_user))


@bp.post("/mot-de-passe")
@login_required
def change_password():
    """Change one's password; one's other sessions end."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            ended = accounts.change_password(_me(), form.current.data,
                                             form.password.data, form.confirm.data)
        except InvalidInput as error:
            db.session.rollback()
            flash(error.message, "error")
            return render_template("auth/account.html", form=form, end_form=EmptyForm(),
                                   sessions=accounts.list_sessions(current_user)), 400
        db.session.commit()
        flash(_("Votre mot de passe est changé.") + " " + ngettext(
            "%(num)d autre session a été fermée.", "%(num)d autres sessions ont été fermées.",
            ended), "success")
    return redirect(url_for(".account"))


@bp.post("/sessions/autres")
@login_required
def end_other_sessions():
    """End every session of one's account but this one."""
    ended = accounts.end_other_sessions(_me())
    db.session.commit()
    flash(ngettext("%(num)d autre session a été fermée.",
                   "%(num)d autres sessions ont été fermées.", ended), "success")
    return redirect(url_for(".account"))


@bp.post("/session/prolonger")
@login_required
def keep_alive():
    """Extend the session (the idle warning's button); JSON for the script."""
    until = accounts.keep_alive(_me())
    if request.accept_mimetypes.best == "application/json":
        return jsonify(idle_until=until.isoformat())
    flash(_("Votre session est prolongée."), "success")
    return redirect(_safe_next(request.form.get("next")))


@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN_IP"], methods=["POST"],
               key_func=lambda: f"reset-ip:{request.remote_addr}")
def forgot_password():
    """Ask for a link to choose a new password."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data, _reset_link)
        db.session.commit()
        flash(_("Si un compte existe pour cette adresse, un lien pour choisir un nouveau mot "
                "de passe vient d’y être envoyé."), "info")
        return redirect(url_for(".login"))
    return render_template("auth/forgot.html", form=form)


def _reset_link(token: str) -> str:
    return url_for("auth.reset_password", token=token, _external=True)


@bp.route("/reinitialisation/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password through a reset link (once; the access log masks the token)."""
    accounts.get_password_reset(token)
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(token, form.password.data or "", form.confirm.data or "")
        except InvalidInput as error:
            db.session.rollback()
            flash(error.message, "error")
            return render_template("auth/reset.html", form=form, token=token), 400
        db.session.commit()
        flash(_("Votre mot de passe est enregistré : vous pouvez vous connecter."), "success")
        return redirect(url_for(".login"))
    return render_template("auth/reset.html", form=form, token=token)
