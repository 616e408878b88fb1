"""WTForms forms (CSRF-protected by Flask-WTF)."""

from __future__ import annotations

from flask import get_flashed_messages
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from jinja2 import pass_context
from wtforms import EmailField, HiddenField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from motion.errors import MotionError


class LoginForm(FlaskForm):
    email = EmailField(_l("Adresse e-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Mot de passe"), validators=[DataRequired(), Length(max=1024)])
    next = HiddenField()


class ContributionForm(FlaskForm):
    title = StringField(_l("Titre (facultatif)"), validators=[Optional(), Length(max=200)])
    text = TextAreaField(_l("Votre idée"), validators=[DataRequired()])


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons (join, support, logout)."""


def attach_error(form: FlaskForm, error: MotionError) -> str | None:
    """Show ``error`` beside its field when it names one of ``form``; else return its message."""
    field = form._fields.get(error.field) if error.field else None
    if field is None:
        return error.message
    field.errors = [*field.errors, error.message]
    return None


@pass_context
def has_form_errors(context) -> bool:
    """Whether the page shows errors (a form's or flashed): its title then starts with "Erreur"."""
    if context.get("form_error") or get_flashed_messages(category_filter=["error"]):
        return True
    return any(isinstance(value, FlaskForm) and value.errors for value in context.values())
