"""The accessibility statement and the legal pages (texts edited by an administrator)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import TextAreaField

from motion import accessibility
from motion.errors import InvalidInput
from motion.extensions import db
from motion.models import Role
from motion.services import site_texts
from motion.views import role_required
from motion.views.forms import attach_error, has_form_errors

bp = Blueprint("legal", __name__)
bp.add_app_template_global(has_form_errors)
bp.add_app_template_global(accessibility.conformance_state, "accessibility_state")

PAGES = {"mentions": "legal_notice", "donnees": "personal_data", "contact": "contact"}


@bp.get("/accessibilite")
def accessibility_statement():
    """The accessibility statement (déclaration d’accessibilité, RGAA 4.1)."""
    return render_template(
        "legal/accessibility.html", checks=accessibility.CHECKS,
        respected=accessibility.respected_count(), total=accessibility.RGAA_CRITERIA,
        rate=accessibility.conformance_rate(), state=accessibility.conformance_state(),
        contact=dict((spec.key, body) for spec, body in site_texts.texts("contact")))


def _text_page(page: str, title: str):
    return render_template("legal/page.html", title=title, texts=site_texts.texts(page))


@bp.get("/mentions-legales")
def legal_notice():
    """The legal notice (mentions légales)."""
    return _text_page("mentions", _("Mentions légales"))


@bp.get("/donnees-personnelles")
def personal_data():
    """How personal data is handled: purposes, legal basis, retention, rights, contact."""
    return _text_page("donnees", _("Données personnelles"))


@bp.get("/contact")
def contact():
    """How to reach the organisers."""
    return _text_page("contact", _("Contact"))


def _texts_form() -> FlaskForm:
    """A form with one text area per editable text."""
    fields = {spec.key: TextAreaField(spec.label) for spec in site_texts.TEXTS}
    form_class = type("SiteTextsForm", (FlaskForm,), fields)
    if request.method == "POST":
        return form_class()
    return form_class(data={spec.key: body for spec, body in site_texts.texts()})


@bp.route("/admin/textes", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_texts():
    """Edit the texts of the legal pages (an empty text restores the default)."""
    form = _texts_form()
    error = None
    if form.validate_on_submit():
        try:
            changed = site_texts.save_texts(
                {spec.key: form[spec.key].data for spec in site_texts.TEXTS},
                actor=current_user)
        except InvalidInput as exc:
            db.session.rollback()
            error = attach_error(form, exc)
        else:
            db.session.commit()
            flash(ngettext("%(num)d texte modifié.", "%(num)d textes modifiés.", changed)
                  if changed else _("Aucune modification."), "success")
            return redirect(url_for(".edit_texts"))
    sections = [(page, [spec for spec in site_texts.TEXTS if spec.page == page])
                for page in PAGES]
    return render_template("legal/edit_texts.html", form=form, sections=sections,
                           form_error=error, pages=PAGES), (400 if form.errors or error else 200)
