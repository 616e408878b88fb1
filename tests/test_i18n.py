"""Every French UI string has its English translation, and the compiled catalogue is fresh."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

REPO = Path(__file__).resolve().parents[1]
CATALOGUE = REPO / "motion" / "translations" / "en" / "LC_MESSAGES"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None,
            "N_": None}


def _source_ids() -> set:
    ids = set()
    for folder, pattern in (("motion", "**.py"), ("templates", "**.html")):
        method = "python" if pattern.endswith(".py") else "jinja2"
        for _file, _line, message, _comments, _ctx in extract_from_dir(
            REPO / folder, method_map=[(pattern, method)], keywords=KEYWORDS,
        ):
            ids.add(message[0] if isinstance(message, tuple) else message)
    return ids


def test_every_ui_string_has_an_english_translation():
    with (CATALOGUE / "messages.po").open("rb") as f:
        catalogue = read_po(f)
    translated = {
        (m.id[0] if isinstance(m.id, tuple) else m.id)
        for m in catalogue
        if m.id and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }
    source = _source_ids()
    assert len(source) > 300  # the extraction itself works
    missing = sorted(source - translated)
    assert not missing, f"{len(missing)} strings without English (make i18n): {missing[:10]}"


def _hashable(value):
    return tuple(value) if isinstance(value, list | tuple) else value


def test_compiled_catalogue_matches_the_po_file():
    with (CATALOGUE / "messages.po").open("rb") as f:
        po = {_hashable(m.id): _hashable(m.string) for m in read_po(f) if m.id}
    with (CATALOGUE / "messages.mo").open("rb") as f:
        mo = {_hashable(m.id): _hashable(m.string) for m in read_mo(f) if m.id}
    assert po == mo, "run `make i18n` to recompile messages.mo"


def test_french_ui_strings_use_the_typographic_apostrophe():
    """« l’atelier », not « l'atelier »: the screens follow the exports' typography."""
    import re

    elision = re.compile(r"\b(?:[ldnscjmt]|qu|jusqu|lorsqu|puisqu|aujourd|presqu|quelqu)'"
                         r"(?=[a-zà-ÿ])", re.IGNORECASE)
    straight = sorted(m for m in _source_ids() if elision.search(m))
    assert not straight, f"use ’ in: {straight[:10]}"
