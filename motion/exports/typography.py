"""French typography for exported documents.

The Imprimerie nationale's rules, as far as plain text allows: a narrow non-breaking
space (U+202F) before « ; : ! ? » and after « , guillemets instead of straight double
quotes, typographic apostrophes and an ellipsis character. URLs, times (10:30) and
numbers keep their colon; text that already follows the rules is left unchanged, so the
function is idempotent.
"""

from __future__ import annotations

import re
from functools import cache

from babel import Locale

NNBSP = "\u202f"  # narrow no-break space (espace fine insécable)
NBSP = "\u00a0"

_SPACES = f"[ \t{NBSP}{NNBSP}]"
# A straight double-quoted passage on one line: "…" → « … ».
_QUOTED = re.compile(r'"([^"\n]+)"')
# Spaces (or none) before a high punctuation mark, unless part of a URL, a time or "::".
_BEFORE_HIGH = re.compile(rf"(?<=\S){_SPACES}*([;:!?»])")
_AFTER_OPENING = re.compile(rf"«{_SPACES}*")
_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
_URL = re.compile(r"\b(?:https?|ftp|mailto):\S+|\bwww\.\S+", re.IGNORECASE)
# Characters XML 1.0 forbids (ODT and DOCX are XML): pasted texts sometimes carry them.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _fix_segment(text: str) -> str:
    text = _QUOTED.sub(lambda m: f"«{NNBSP}{m.group(1).strip()}{NNBSP}»", text)
    text = _AFTER_OPENING.sub(f"«{NNBSP}", text)

    def before_high(match: re.Match[str]) -> str:
        mark = match.group(1)
        start = match.start()
        previous = text[start - 1] if start else ""
        following = text[match.end(): match.end() + 1]
        # 10:30, 2:1, ratios and "::" are not punctuation; nor "?!" pairs (one space only).
        if mark == ":" and previous.isdigit() and following.isdigit():
            return match.group(0)
        if previous in "!?;:" and match.group(0) == mark:
            return match.group(0)
        if previous == "«":
            return match.group(0)
        return f"{NNBSP}{mark}"

    text = _BEFORE_HIGH.sub(before_high, text)
    text = _APOSTROPHE.sub("\u2019", text)
    return text.replace("...", "…")


def french(text: str | None) -> str:
    """Return ``text`` with French typographic spacing and quotation marks."""
    if not text:
        return ""
    text = _XML_ILLEGAL.sub(" ", text)
    parts = []
    last = 0
    for match in _URL.finditer(text):
        parts.append(_fix_segment(text[last:match.start()]))
        parts.append(match.group(0))
        last = match.end()
    parts.append(_fix_segment(text[last:]))
    return "".join(parts)


@cache
def _french_locale() -> Locale:
    return Locale.parse("fr")


def ngettext_fr(singular: str, plural: str, n: int) -> str:
    """``singular`` or ``plural`` by the French plural rule (CLDR: 0 and 1 take the
    singular), ``%(num)d`` replaced by ``n``: ``ngettext_fr("%(num)d thème", "%(num)d
    thèmes", 0)`` is "0 thème". Flask-Babel's ngettext follows the reader's interface
    language; an exported document is French whatever it is, and is rendered without an app.
    """
    form = singular if _french_locale().plural_form(n) == "one" else plural
    return form % {"num": n}
