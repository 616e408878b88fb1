"""The RGAA 4.1 criteria that the test suite checks, for the accessibility statement.

No full RGAA audit has been made yet: the statement counts only what the browser suite
(``tests/e2e/test_accessibility_in_browser.py``) verifies on every main page, and says
"non conforme" or "partiellement conforme" from the rate over all 106 criteria.

A criterion is counted as respected only through a test that proves it: ``PROOFS`` names,
for each test of that suite, the criteria it checks, and each of those tests carries the
same criteria in its ``@pytest.mark.rgaa(...)`` marker (``tests/web/test_legal_pages.py``
compares the two). The suite fails, and nothing is released, while one of them fails.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

RGAA_CRITERIA = 106  # RGAA 4.1

SUBJECTS = {
    "1.1": _l("Chaque image porteuse d’information a une alternative textuelle"),
    "3.2": _l("Le contraste entre le texte et son arrière-plan est suffisant"),
    "3.3": _l("Les composants d’interface et l’indicateur de focus sont assez contrastés"),
    "6.2": _l("Chaque lien a un intitulé"),
    "7.5": _l("Les messages de statut sont restitués par les technologies d’assistance"),
    "8.3": _l("La langue par défaut est présente"),
    "8.5": _l("Chaque page a un titre"),
    "8.6": _l("Le titre de chaque page est pertinent (unique, propre à la page)"),
    "10.7": _l("La prise de focus est visible"),
    "10.11": _l("Le contenu se lit sans défilement horizontal à 320 px"),
    "11.1": _l("Chaque champ de formulaire a une étiquette"),
    "11.10": _l("Le contrôle de saisie est pertinent (erreurs liées à leurs champs)"),
    "11.11": _l("Les erreurs de saisie sont accompagnées de suggestions"),
    "11.13": _l("La finalité des champs de connexion est identifiée (autocomplete)"),
    "12.7": _l("Un lien d’évitement vers le contenu principal est présent"),
    "12.8": _l("L’ordre de tabulation est cohérent (focus rendu à l’élément déplacé)"),
}

# Test of tests/e2e/test_accessibility_in_browser.py → the criteria it proves.
PROOFS = {
    "test_axe_finds_no_violation_on_any_main_page": (
        "1.1", "3.2", "6.2", "8.3", "8.5", "11.1", "12.7"),
    "test_the_focus_indicator_has_enough_contrast": ("3.3", "10.7"),
    "test_live_regions_are_atomic_sentences": ("7.5",),
    "test_every_page_has_its_own_title": ("8.6",),
    "test_no_page_scrolls_sideways_at_320_px": ("10.11",),
    "test_a_failed_submit_focuses_the_first_error_which_names_its_field": (
        "11.10", "11.11", "11.13"),
    "test_a_keyboard_move_on_the_board_returns_focus_to_the_moved_item": ("12.8",),
}

# How each of those tests checks its criteria, in words: what the statement shows its
# readers (the test names above are for developers).
METHODS = {
    "test_axe_finds_no_violation_on_any_main_page": _l(
        "l’outil axe-core ne relève aucune erreur (WCAG 2.1, niveaux A et AA) sur les pages "
        "principales de chaque profil, sur un écran de téléphone et d’ordinateur"),
    "test_the_focus_indicator_has_enough_contrast": _l(
        "chaque élément atteint au clavier est entouré d’un cadre de focus contrasté (3:1 au "
        "moins)"),
    "test_live_regions_are_atomic_sentences": _l(
        "les écrans de la séance plénière annoncent l’état du vote en phrases complètes, "
        "espacées d’au moins dix secondes"),
    "test_every_page_has_its_own_title": _l(
        "chaque page a un titre qui lui est propre"),
    "test_no_page_scrolls_sideways_at_320_px": _l(
        "aucune page ne défile horizontalement sur un écran de 320 pixels de large"),
    "test_a_failed_submit_focuses_the_first_error_which_names_its_field": _l(
        "un formulaire mal rempli place le curseur sur le premier champ en erreur, dont le "
        "message nomme le champ et lui est relié ; les champs de connexion annoncent leur "
        "finalité"),
    "test_a_keyboard_move_on_the_board_returns_focus_to_the_moved_item": _l(
        "sur le tableau des thèmes, un déplacement fait au clavier rend le focus à "
        "l’élément déplacé"),
}


@dataclass(frozen=True)
class Check:
    criterion: str  # RGAA 4.1 criterion number
    subject: object  # what it asks (a lazy string, shown on the statement)
    tests: tuple[str, ...]  # the tests that prove it

    @property
    def methods(self) -> tuple[object, ...]:
        """How its tests check it, in words (lazy strings, shown on the statement)."""
        return tuple(METHODS[test] for test in self.tests)


def _key(criterion: str) -> tuple[int, ...]:
    return tuple(int(part) for part in criterion.split("."))


CHECKS = [
    Check(criterion, SUBJECTS[criterion],
          tuple(test for test, proven in PROOFS.items() if criterion in proven))
    for criterion in sorted({c for proven in PROOFS.values() for c in proven}, key=_key)
]


def respected_count() -> int:
    """The criteria a passing test proves (every listed one: a failing test stops a release)."""
    return len(CHECKS)


def conformance_rate() -> float:
    """Share of the RGAA criteria known to be respected (the others are not evaluated yet)."""
    return respected_count() / RGAA_CRITERIA


def conformance_state() -> str:
    """RGAA's wording: "totalement" at 100 %, "partiellement" from 50 %, else "non conforme"."""
    rate = conformance_rate()
    if rate >= 1:
        return str(_l("totalement conforme"))
    return str(_l("partiellement conforme") if rate >= 0.5 else _l("non conforme"))
