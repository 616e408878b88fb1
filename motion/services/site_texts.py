"""The editable texts of the legal pages: a default for each key, replaced by the admin's."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from motion.errors import InvalidInput
from motion.extensions import db
from motion.models import SiteText, User

MAX_LENGTH = 20_000


@dataclass(frozen=True)
class TextSpec:
    key: str
    page: str  # "mentions", "donnees" or "contact": the page the text belongs to
    label: object  # lazy string: the heading on the page and the field's label
    default: object


TEXTS = [
    TextSpec("legal_publisher", "mentions", _l("Éditeur du site"), _l(
        "Association Villes Internet, organisatrice du Congrès national des élus au "
        "numérique.\nAdresse : à compléter par l’administrateur.")),
    TextSpec("legal_director", "mentions", _l("Directeur ou directrice de la publication"),
             _l("La présidence de l’association Villes Internet.")),
    TextSpec("legal_host", "mentions", _l("Hébergement"), _l(
        "Nom, adresse et téléphone de l’hébergeur : à compléter par l’administrateur.")),
    TextSpec("legal_licence", "mentions", _l("Propriété intellectuelle et réutilisation"), _l(
        "Les contributions publiées sont diffusées en données ouvertes sous la licence "
        "choisie pour chaque campagne (par défaut, Licence Ouverte 2.0). Le logiciel motion "
        "est un logiciel libre.")),
    TextSpec("data_purposes", "donnees", _l("Finalités"), _l(
        "Permettre aux élus de contribuer à la motion du Congrès, d’en discuter et de la "
        "voter ; permettre aux animateurs d’en faire la synthèse ; publier les "
        "contributions et la motion adoptée.")),
    TextSpec("data_legal_basis", "donnees", _l("Base légale"), _l(
        "L’exécution d’une mission d’intérêt public de l’association organisatrice et le "
        "consentement des participants, qui créent leur compte sur invitation (article 6 du "
        "RGPD).")),
    TextSpec("data_collected", "donnees", _l("Données traitées"), _l(
        "Adresse e-mail, nom, collectivité, ateliers, contributions, réponses, soutiens, "
        "votes et journal des actions des animateurs. Les votes ne sont publiés qu’en "
        "totaux.")),
    TextSpec("data_retention", "donnees", _l("Durée de conservation"), _l(
        "Les comptes et les données de participation sont conservés pendant la campagne "
        "puis un an après sa clôture ; les contributions publiées et la motion adoptée "
        "sont archivées sans limite de durée, sans adresse e-mail.")),
    TextSpec("data_rights", "donnees", _l("Vos droits"), _l(
        "Vous disposez des droits d’accès, de rectification, d’effacement, de limitation, "
        "d’opposition et de portabilité de vos données. Vous pouvez aussi introduire une "
        "réclamation auprès de la CNIL (cnil.fr).")),
    TextSpec("data_contact", "donnees", _l("Contact pour vos données"), _l(
        "Le délégué à la protection des données de l’association : adresse à compléter "
        "par l’administrateur.")),
    TextSpec("contact", "contact", _l("Nous écrire"), _l(
        "Pour toute question sur le Congrès ou sur ce site, écrivez à l’équipe "
        "d’animation : adresse à compléter par l’administrateur.")),
]
BY_KEY = {spec.key: spec for spec in TEXTS}


def texts(page: str | None = None) -> list[tuple[TextSpec, str]]:
    """The texts (of one page, or all), each with its current body."""
    saved = dict(db.session.execute(select(SiteText.key, SiteText.body)).all())
    return [(spec, saved.get(spec.key) or str(spec.default))
            for spec in TEXTS if page is None or spec.page == page]


def save_texts(values: dict[str, str], *, actor: User | None) -> int:
    """Store the admin's texts (an empty one restores the default); returns how many changed."""
    changed = 0
    for key, value in values.items():
        spec = BY_KEY.get(key)
        if spec is None:
            continue
        body = (value or "").replace("\r\n", "\n").strip()
        if len(body) > MAX_LENGTH:
            raise InvalidInput(_("Le texte est trop long (%(n)d caractères au plus).",
                                 n=MAX_LENGTH), field=key)
        row = db.session.get(SiteText, key)
        if not body or body == str(spec.default):
            if row is not None:
                db.session.delete(row)
                changed += 1
            continue
        if row is None:
            db.session.add(SiteText(key=key, body=body,
                                    updated_by_id=actor.id if actor else None))
            changed += 1
        elif row.body != body:
            row.body, row.updated_by_id = body, actor.id if actor else None
            changed += 1
    db.session.flush()
    return changed
