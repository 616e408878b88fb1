"""Every WTForms form of the web pages (CSRF-protected by Flask-WTF). Fields only parse:
the services validate and explain."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from flask import flash, get_flashed_messages
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from jinja2 import pass_context
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from motion.errors import MotionError
from motion.extensions import db
from motion.models import AddresseeKind
from motion.services import api_tokens


def options(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """A select or radio field's choices from ``(value, label)`` pairs (WTForms deprecates
    plain tuples and removes them in 3.4)."""
    return [SelectChoice(value, label) for value, label in pairs]


class PlainForm(FlaskForm):
    """A form without a token of its own: the page's other form (or the button) carries it,
    and the app-wide CSRFProtect checks the token of every POST."""

    class Meta:
        csrf = False


class LoginForm(FlaskForm):
    email = EmailField(_l("Adresse e-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Mot de passe"), validators=[DataRequired(), Length(max=1024)])
    next = HiddenField()


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons (join, support, logout)."""


def attach_error(form: FlaskForm, error: MotionError, default: str | None = None) -> str | None:
    """Show ``error`` beside its field (or the field ``default`` when it names none) when
    that is one of ``form``; else return its message."""
    name = error.field or default
    field = form._fields.get(name) if name else None
    if field is None:
        return error.message
    field.errors = [*field.errors, error.message]
    return None


def show_error(error: MotionError, form: FlaskForm | None = None,
               default: str | None = None) -> None:
    """Show ``error`` beside its field of ``form`` (or the field ``default`` when it names
    none: the field macro ties and focuses it), else as a flashed message."""
    message = attach_error(form, error, default) if form is not None else error.message
    if message is not None:
        flash(message, "error")


def refuse(error: MotionError, form: FlaskForm | None = None, default: str | None = None) -> None:
    """Roll back what the request changed, then :func:`show_error`: the page shown next
    (again, with what was typed) explains the refusal."""
    db.session.rollback()
    show_error(error, form, default)


@pass_context
def has_form_errors(context) -> bool:
    """Whether the page shows errors (a form's or flashed): its title then starts with "Erreur"."""
    if context.get("form_error") or get_flashed_messages(category_filter=["error"]):
        return True
    return any(isinstance(value, FlaskForm) and value.errors for value in context.values())


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


class CampaignSettingsForm(FlaskForm):
    """A campaign's title, address and time zone (its settings page)."""

    title = StringField(_l("Titre"))
    slug = StringField(_l("Identifiant dans les adresses"))
    timezone = StringField(_l("Fuseau horaire"))


class CampaignForm(CampaignSettingsForm):
    """A new campaign: its settings (Paris time by default), a framework file and its
    workshops (the phase dates are plain inputs, see templates/admin/_phases.html)."""

    timezone = StringField(_l("Fuseau horaire"), default="Europe/Paris")
    framework_file = FileField(_l("Référentiel (fichier YAML, facultatif)"))
    engagement_workshops = BooleanField(_l("Créer un atelier par engagement du référentiel"),
                                        default=True)


class ContributionImportForm(FlaskForm):
    """A CSV file of contributions to import into a campaign."""

    csv_file = FileField(_l("Fichier CSV"))
    workshop_name = StringField(_l("Atelier de destination (facultatif)"))


class RoleForm(FlaskForm):
    """A user's role and access (one row of the accounts list; its label names the user)."""

    role = SelectField(_l("Rôle"), validate_choice=False)
    active = BooleanField(_l("actif"), false_values=("", "0", "false"))


class FollowUpForm(FlaskForm):
    """One proposition's follow-up (status, a dated note, a link); its fields' ids end with
    the proposition's id, see ``row_ids``."""

    status = SelectField(_l("Statut"), validate_choice=False)
    noted_on = StringField(_l("Date de la note"))
    note = TextAreaField(_l("Note (facultatif)"))
    url = StringField(_l("Lien (facultatif) : adresse"))
    link_title = StringField(_l("Titre du lien"))


def row_ids(form: FlaskForm, suffix) -> FlaskForm:
    """Give ``form``'s fields the ids ``<name><suffix>``, for one form per row of a page."""
    for field in form:
        field.id = f"{field.name}{suffix}"
        field.label.field_id = field.id
    return form


class CollectivitesImportForm(FlaskForm):
    """A list of collectivités to preview, then import."""

    file = FileField(_l("Fichier CSV ou XLSX"), id="collectivites-file")


class SessionTextsForm(FlaskForm):
    """An engagement session's bilan and objectifs."""

    bilan = TextAreaField(_l("Bilan"), id="bilan-texte")
    objectifs = TextAreaField(_l("Objectifs"), id="objectifs-texte")


class WorkshopForm(FlaskForm):
    """A workshop (admin); the engagement's choices are the campaign's framework's."""

    name = StringField(_l("Nom"))
    description = TextAreaField(_l("Description"))
    engagement_id = SelectField(_l("Engagement du référentiel"), validate_choice=False)
    is_open = BooleanField(_l("Ouvert : les élus de la campagne peuvent le rejoindre"),
                           default=True)


class InvitationImportForm(FlaskForm):
    campaign = SelectField(_l("Campagne"), validate_choice=False)
    file = FileField(_l("Fichier CSV (email, nom, collectivité, ateliers)"))


class SetPasswordForm(FlaskForm):
    password = PasswordField(_l("Mot de passe"))
    confirm = PasswordField(_l("Confirmez le mot de passe"))


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Mot de passe actuel"), validators=[DataRequired()])
    password = PasswordField(_l("Nouveau mot de passe"), validators=[DataRequired()])
    confirm = PasswordField(_l("Confirmez le nouveau mot de passe"), validators=[DataRequired()])


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Adresse e-mail"), validators=[DataRequired(), Length(max=254)])


# ---------------------------------------------------------------- themes (views/themes.py)

DESTINATIONS = 3  # destinations of one "move the chosen contributions" submit


class RenameForm(PlainForm):
    name = StringField(_l("Nom du thème"), validators=[DataRequired(), Length(max=200)])
    summary = TextAreaField(_l("Résumé (un paragraphe)"), validators=[Optional()])
    reason = StringField(_l("Justification (facultative)"),
                         validators=[Optional(), Length(max=2000)])


class MoveManyForm(PlainForm):
    """Where the chosen contributions of a theme go: each row names a destination (1 to
    ``DESTINATIONS``), and this form says where each destination is."""

    mode = RadioField(_l("Action"), default="deplacer", choices=options([
        ("deplacer", _l("Déplacer (verrouillées à leur destination)")),
        ("second", _l("Ajouter en second thème (elles restent ici)")),
    ]))
    # Its own id: the theme's page also shows the rename form's "reason".
    reason = StringField(_l("Justification (facultative)"), id="move-reason",
                         validators=[Optional(), Length(max=2000)])


class PlaceForm(PlainForm):
    """Where a theme goes: an engagement, an axis or "hors cadre" (its page's form)."""

    target = SelectField(_l("Déplacer vers"), validate_choice=False)


class MergeForm(PlainForm):
    """The theme merged into this one (a value "id:version"; this one keeps its name)."""

    clusters = SelectField(_l("Fusionner avec (ce thème garde son nom)"), id="merge",
                           validate_choice=False)


for _n in range(1, DESTINATIONS + 1):
    setattr(MoveManyForm, f"destination_{_n}",
            SelectField(_l("Destination %(n)d", n=_n), validators=[Optional()]))
    setattr(MoveManyForm, f"name_{_n}",
            StringField(_l("Nom si la destination %(n)d est un nouveau thème (facultatif)",
                           n=_n), validators=[Optional(), Length(max=200)]))


# ---------------------------------------------------------------- dossiers (views/dossiers.py)

class _Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form) -> None:  # the service checks the values
        pass


class PropositionAddresseesForm(FlaskForm):
    """A proposition's addressees (the checkboxes of its page, ``destinataires``)."""

    addressees = _Checkboxes(_l("Ministères et instances auxquels la proposition est transmise"),
                             name="destinataires", id="destinataires-choix")


class AddresseeForm(FlaskForm):
    name = StringField(_l("Nom"))
    short_name = StringField(_l("Nom court (pour les listes et les fichiers)"))
    kind = SelectField(
        _l("Type"),
        choices=options([
            (AddresseeKind.MINISTRY.value, _l("Ministère")),
            (AddresseeKind.OTHER.value, _l("Autre instance")),
        ]),
    )
    description = TextAreaField(_l("Compétences"), render_kw={"rows": 3})
    email = StringField(_l("Adresse e-mail (facultative)"))
    postal_address = TextAreaField(_l("Adresse postale (facultative)"), render_kw={"rows": 3})
    engagements = _Checkboxes(
        _l("Engagements dont les propositions lui sont proposées"), coerce=int
    )


class LetterForm(FlaskForm):
    association = StringField(_l("Association"))
    signatory = StringField(_l("Signataire"))
    letter = TextAreaField(_l("Lettre d’accompagnement"), render_kw={"rows": 14})


class DispatchForm(PlainForm):
    """The day an addressee's dossier was sent (one per row of the dossiers table: its id
    ends with the addressee's, see ``row_ids``)."""

    sent_on = StringField(_l("Date d’envoi"))


# ---------------------------------------------------------------- API tokens (api/tokens.py)

class TokenForm(FlaskForm):
    name = StringField(_l("Nom du jeton (l’outil qui l’utilisera)"),
                       validators=[DataRequired(), Length(max=100)])
    scope = RadioField(_l("Portée"), default="read", choices=options([
        ("read", _l("Lecture seule")),
        ("write", _l("Lecture et écriture (publier, lancer un calcul, un export)")),
    ]))
    days = SelectField(_l("Validité"), coerce=int, default=90, choices=options(
        (days, lazy_ngettext("%(num)d jour", "%(num)d jours", days))
        for days in api_tokens.LIFETIMES_DAYS))
