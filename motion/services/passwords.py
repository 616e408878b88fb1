"""Password policy: long enough, not common, not a trivial pattern, hard to guess.

Checks, in order, each with a French message that says why a password is refused:
length; a list of common passwords (the 20,000 most common French ones, Richelieu, plus
zxcvbn's 30,000 international ones), also with digits or symbols around; trivial patterns
(digits only, one repeated character or block, a keyboard row in AZERTY, QWERTY or
QWERTZ, an alphabetical or numeric run); then zxcvbn's guess estimate, with French words
and passwords added to its dictionaries, which must reach ``MIN_SCORE``. Sources and
licences of the lists: ``motion/data/SOURCES.md``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from pathlib import Path

from flask_babel import gettext as _

from motion.errors import InvalidInput

DATA = Path(__file__).resolve().parent.parent / "data" / "passwords"
FRENCH_PASSWORDS = DATA / "french_passwords_top20000.txt"
FRENCH_WORDS = DATA / "french_words_top15000.txt"
# zxcvbn score 3: about 10^8 guesses ("safely unguessable" for an online attack).
MIN_SCORE = 3
ZXCVBN_MAX_LENGTH = 72
KEYBOARD_ROWS = (
    "azertyuiop", "qsdfghjklm", "wxcvbn",  # AZERTY
    "qwertyuiop", "asdfghjkl", "zxcvbnm",  # QWERTY
    "qwertzuiop", "yxcvbnm",  # QWERTZ
    "1234567890", "&é\"'(-è_çà",  # digit rows, with and without shift in AZERTY
)
RUNS = ("abcdefghijklmnopqrstuvwxyz", "0123456789")


def _lines(path: Path) -> list[str]:
    return [line.strip().lower() for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


@functools.cache
def common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(_lines(FRENCH_PASSWORDS)) | frozenset(FREQUENCY_LISTS["passwords"])


@functools.cache
def _zxcvbn():
    from zxcvbn import matching, zxcvbn

    matching.add_frequency_lists({
        "french_passwords": _lines(FRENCH_PASSWORDS),
        "french_words": _lines(FRENCH_WORDS),
    })
    return zxcvbn


def _core(password: str) -> str:
    """The password without the digits and symbols people add around a word."""
    return re.sub(r"^[\W\d_]+|[\W\d_]+$", "", password.lower())


def _keyboard_or_run(text: str) -> bool:
    """True if ``text`` is a piece of a keyboard row or of an alphabetical/numeric run
    (either direction), or several such pieces glued together."""
    sequences = KEYBOARD_ROWS + RUNS
    sequences += tuple(s[::-1] for s in sequences)
    position = 0
    while position < len(text):
        best = 0
        for sequence in sequences:
            length = 0
            while (position + length < len(text)
                   and text[position:position + length + 1] in sequence):
                length += 1
            best = max(best, length)
        if best < 2:
            return False
        position += best
    return True


def _repeated(text: str) -> bool:
    """True if ``text`` is one block repeated (aaaa, abcabc, 1212)."""
    return re.fullmatch(r"(.{1,4}?)\1+", text) is not None


def weakness(password: str, user_inputs: Iterable[str] = ()) -> str | None:
    """Why ``password`` is too weak (a French sentence), or None if it is acceptable."""
    lowered = password.lower()
    if lowered in common_passwords() or _core(password) in common_passwords():
        return _("ce mot de passe figure parmi les plus courants (listes de mots de passe "
                 "divulgués).")
    if lowered.isdigit():
        return _("il n’est fait que de chiffres.")
    if _repeated(lowered):
        return _("il répète un même caractère ou un même motif.")
    if _keyboard_or_run(lowered):
        return _("il suit une rangée du clavier (azerty, qwerty…) ou une suite "
                 "(abcd, 1234).")
    inputs = [part for value in user_inputs for part in re.split(r"[\W_]+", value.lower())
              if len(part) >= 3]
    result = _zxcvbn()(password[:ZXCVBN_MAX_LENGTH], user_inputs=inputs + ["motion"])
    if result["score"] >= MIN_SCORE:
        return None
    patterns = {match["pattern"] for match in result["sequence"]}
    if "dictionary" in patterns and any(
        m.get("dictionary_name") == "user_inputs" for m in result["sequence"]
    ):
        return _("il reprend votre nom ou votre adresse e-mail.")
    if "spatial" in patterns:
        return _("il suit une rangée du clavier (azerty, qwerty…) ou une suite "
                 "(abcd, 1234).")
    if "dictionary" in patterns:
        return _("il repose sur un mot ou un mot de passe courant, à peine modifié.")
    if "date" in patterns:
        return _("il contient une date, facile à deviner.")
    return _("il est trop facile à deviner.")


def check(password: str, user_inputs: Iterable[str] = ()) -> None:
    """Raise InvalidInput with the reason if ``password`` is too weak."""
    reason = weakness(password, user_inputs)
    if reason is not None:
        raise InvalidInput(
            _("Mot de passe refusé : %(reason)s Choisissez par exemple une phrase de "
              "quatre mots sans rapport entre eux.", reason=reason)
        )
