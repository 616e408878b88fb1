"""The account page where users create and revoke their personal API tokens."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from motion.errors import InvalidInput
from motion.extensions import db
from motion.services import api_tokens
from motion.views.forms import EmptyForm, TokenForm

bp = Blueprint("api_tokens", __name__, url_prefix="/compte/jetons")



def _page(form: TokenForm, *, secret: str | None = None, error: str | None = None,
          status: int = 200):
    return render_template("api/tokens.html", form=form, tokens=api_tokens.active_tokens(
        current_user), secret=secret, form_error=error, revoke_form=EmptyForm()), status


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    """List one's live tokens; create one (its secret is shown once, on this response)."""
    form = TokenForm()
    if request.method == "GET":
        return _page(form)
    if not form.validate_on_submit():
        return _page(form, error=_("Le formulaire est invalide : vérifiez le nom du jeton."),
                     status=400)
    try:
        _token, secret = api_tokens.create_token(
            current_user._get_current_object(), form.name.data, form.scope.data,
            form.days.data)
    except InvalidInput as error:
        db.session.rollback()
        return _page(form, error=error.message, status=400)
    db.session.commit()
    return _page(TokenForm(formdata=None), secret=secret)


@bp.post("/<int:token_id>/revoquer")
@login_required
def revoke(token_id: int):
    """Revoke one of one's tokens: it stops working at once."""
    api_tokens.revoke_token(current_user._get_current_object(), token_id)
    db.session.commit()
    flash(_("Le jeton est révoqué."), "success")
    return redirect(url_for(".index"))
