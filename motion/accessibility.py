"""The RGAA 4.1 criteria that the test suite checks, for the accessibility statement.

No full RGAA audit has been made yet: the statement counts only what the browser suite
(``tests/e2e/test_accessibility_in_browser.py``) verifies on every main page, and says
"non conforme" or "partiellement conforme" from the rate over all 106 criteria.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

RGAA_CRITERIA = 106  # RGAA 4.1


@dataclass(frozen=True)
class Check:
    criterion: str  # RGAA 4.1 criterion number
    subject: object  # what it asks (a lazy string, shown on the statement)
    test: str  # the test of tests/e2e/test_accessibility_in_browser.py that checks it
    respected: bool  # True while that test passes on every main page


AXE = "test_axe_finds_no_violation_on_any_main_page"
CHECKS = [
    Check("1.1", _l("Chaque image porteuse d'information a une alternative textuelle"),
          AXE, True),
    Check("3.2", _l("Le contraste entre le texte et son arrière-plan est suffisant"),
          AXE, True),
    Check("3.3", _l("Les composants d'interface et l'indicateur de focus sont assez contrastés"),
          "test_the_focus_indicator_has_enough_contrast", True),
    Check("6.2", _l("Chaque lien a un intitulé"), AXE,
          True),
    Check("7.5", _l("Les messages de statut sont restitués par les technologies d'assistance"),
          "test_live_regions_are_atomic_sentences", True),
    Check("8.3", _l("La langue par défaut est présente"), AXE,
          True),
    Check("8.5", _l("Chaque page a un titre"), AXE, True),
    Check("8.6", _l("Le titre de chaque page est pertinent (unique, propre à la page)"),
          "test_every_page_has_its_own_title", True),
    Check("10.7", _l("La prise de focus est visible"),
          "test_the_focus_indicator_has_enough_contrast", True),
    Check("10.11", _l("Le contenu se lit sans défilement horizontal à 320 px"),
          "test_no_page_scrolls_sideways_at_320_px", True),
    Check("11.1", _l("Chaque champ de formulaire a une étiquette"),
          AXE, True),
    Check("11.10", _l("Le contrôle de saisie est pertinent (erreurs liées à leurs champs)"),
          "test_a_failed_submit_focuses_the_first_error_which_names_its_field", True),
    Check("11.11", _l("Les erreurs de saisie sont accompagnées de suggestions"),
          "test_a_failed_submit_focuses_the_first_error_which_names_its_field", True),
    Check("11.13", _l("La finalité des champs de connexion est identifiée (autocomplete)"),
          "test_a_failed_submit_focuses_the_first_error_which_names_its_field", True),
    Check("12.7", _l("Un lien d'évitement vers le contenu principal est présent"),
          AXE, True),
    Check("12.8", _l("L'ordre de tabulation est cohérent (focus rendu à l'élément déplacé)"),
          "test_a_keyboard_move_on_the_board_returns_focus_to_the_moved_item", True),
]


def respected_count() -> int:
    return sum(check.respected for check in CHECKS)


def conformance_rate() -> float:
    """Share of the RGAA criteria known to be respected (the others are not evaluated yet)."""
    return respected_count() / RGAA_CRITERIA


def conformance_state() -> str:
    """RGAA's wording: "totalement" at 100 %, "partiellement" from 50 %, else "non conforme"."""
    rate = conformance_rate()
    if rate >= 1:
        return str(_l("totalement conforme"))
    return str(_l("partiellement conforme") if rate >= 0.5 else _l("non conforme"))
