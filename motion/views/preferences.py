"""The user's own settings: which e-mails they agree to receive."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from motion.extensions import db
from motion.services import notifications as notification_service
from motion.views.forms import PreferencesForm

bp = Blueprint("preferences", __name__, url_prefix="/compte/notifications")


@bp.route("/", methods=["GET", "POST"])
@login_required
def notifications():
    """Choose the e-mail notifications (none until the user ticks them)."""
    pref = notification_service.get_preferences(current_user)
    form = PreferencesForm(obj=pref)
    if form.validate_on_submit():
        notification_service.set_preferences(
            current_user._get_current_object(), replies=form.replies.data,
            weekly_digest=form.weekly_digest.data, phase_changes=form.phase_changes.data,
        )
        db.session.commit()
        flash(_("Vos préférences de notification sont enregistrées."), "success")
        return redirect(url_for(".notifications"))
    return render_template("preferences/notifications.html", form=form)
