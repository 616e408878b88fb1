"""Forms of the contribution pages. Fields only parse: the services validate and explain."""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional


def new_client_key() -> str:
    """An idempotency key for one rendering of a form: a re-sent form reuses it."""
    return secrets.token_urlsafe(18)


def _optional_int(value):
    try:
        return int(value) if value not in (None, "", "None") else None
    except (TypeError, ValueError):
        return None


class PostForm(FlaskForm):
    title = StringField(_l("Titre (facultatif)"), validators=[Optional()])
    text = TextAreaField(_l("Votre idée"))
    engagement = SelectField(_l("Engagement concerné (facultatif)"), coerce=_optional_int,
                             validate_choice=False)
    client_key = HiddenField()


class EditForm(FlaskForm):
    title = StringField(_l("Titre (facultatif)"), validators=[Optional()])
    text = TextAreaField(_l("Votre idée"))


class CommentForm(FlaskForm):
    text = TextAreaField(_l("Votre réponse"))
    parent_id = HiddenField()
    client_key = HiddenField()


class ReasonForm(FlaskForm):
    """Reporting, hiding, restoring: a reason is always required."""

    reason = TextAreaField(_l("Raison"))


class PreferencesForm(FlaskForm):
    replies = BooleanField(_l("Les réponses à mes contributions"))
    weekly_digest = BooleanField(_l("Un résumé hebdomadaire des nouvelles idées de mes ateliers"))
    phase_changes = BooleanField(_l("Les changements de phase de la campagne"))


class InvitationImportForm(FlaskForm):
    campaign = SelectField(_l("Campagne"), validate_choice=False)
    file = FileField(_l("Fichier CSV (email, nom, collectivité, ateliers)"))


class SetPasswordForm(FlaskForm):
    password = PasswordField(_l("Mot de passe"))
    confirm = PasswordField(_l("Confirmez le mot de passe"))
