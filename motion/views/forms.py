"""WTForms forms (CSRF-protected by Flask-WTF)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class LoginForm(FlaskForm):
    email = EmailField(_l("Adresse e-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Mot de passe"), validators=[DataRequired(), Length(max=1024)])
    next = HiddenField()


class ContributionForm(FlaskForm):
    title = StringField(_l("Titre (facultatif)"), validators=[Optional(), Length(max=200)])
    text = TextAreaField(_l("Votre idée"), validators=[DataRequired()])


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons (join, support, logout)."""
