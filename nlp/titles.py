"""Readable theme titles: a short phrase taken from the theme's own texts.

A theme's c-TF-IDF keywords ("impôts · impôt · baisser") say what it is about but do not
read as a title. :func:`propose_title` looks, in the theme's most central texts first, for
the shortest clause that carries most of the keywords, and falls back to a noun phrase
built from the first two keywords. The facilitator can always rename the theme.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from nlp.labelling import fold, tokenize

__all__ = ["propose_title", "keyword_title"]

# Clause boundaries: sentence ends, semicolons, colons, dashes, parentheses, line breaks.
_CLAUSES = re.compile(r"[.!?;:()\[\]\n\r…]+|\s[-–—]\s")
_SPACES = re.compile(r"\s+")
# A title names the matter, it does not speak in the first person.
_PERSONAL = re.compile(r"^(?:je|j['’]|on|nous|moi|il|elle|ils|elles|dans)\b", re.IGNORECASE)
_LEADING = re.compile(r"^(?:et|ou|mais|donc|car|puis|alors|que|qu['’]|oui|non)\b[\s,]*",
                      re.IGNORECASE)


def _stem(word: str) -> str:
    """Accent-folded, without a plural ending: "Impôts" and "impôt" give "impot"."""
    key = fold(word)
    return key[:-1] if len(key) > 4 and key[-1] in "sx" else key


def keyword_title(keywords: Sequence[str]) -> str | None:
    """"Impôts et taxes": the first two keywords as a noun phrase (None without any)."""
    words = []
    for keyword in keywords:
        if keyword and _stem(keyword) not in {_stem(w) for w in words}:
            words.append(keyword)
        if len(words) == 2:
            break
    if not words:
        return None
    title = " et ".join(words)
    return title[:1].upper() + title[1:]


def _clauses(text: str) -> list[str]:
    out = []
    for part in _CLAUSES.split(text):
        clause = _SPACES.sub(" ", part).strip(" ,'\"«»“”-")
        clause = _LEADING.sub("", clause).strip(" ,")
        if clause:
            out.append(clause)
    return out


def propose_title(texts: Sequence[str], keywords: Sequence[str], *, min_words: int = 3,
                  max_words: int = 10) -> str | None:
    """A readable French title for a theme.

    Args:
        texts: the theme's texts, most central first (e.g. its representatives).
        keywords: its keywords, best first (see :func:`nlp.labelling.ctfidf_keywords`).
        min_words, max_words: the length of an acceptable clause, in words.

    Returns:
        the clause of ``texts`` with the most distinct keywords (at least two, or the only
        one), ties going to the more central text then the shorter clause, capitalised and
        without final punctuation; else :func:`keyword_title`; None without keywords or
        texts.
    """
    if min_words < 1 or max_words < min_words:
        raise ValueError(f"need 1 <= min_words <= max_words, got {min_words}, {max_words}")
    top = [_stem(k) for k in keywords[:6] if k]
    if not top:
        return None
    needed = min(2, len(set(top)))
    best: tuple[int, bool, int, int, str] | None = None
    for rank, text in enumerate(texts):
        for clause in _clauses(text):
            n_words = len(clause.split())
            if not min_words <= n_words <= max_words:
                continue
            found = {_stem(surface) for _key, surface in tokenize(clause)} & set(top)
            if len(found) < needed:
                continue
            # More keywords first, impersonal clauses, the more central text, the shorter.
            score = (-len(found), bool(_PERSONAL.match(clause)), rank, n_words, clause)
            if best is None or score < best:
                best = score
    if best is None:
        return keyword_title(keywords)
    clause = best[-1].rstrip(" ,")
    return clause[:1].upper() + clause[1:]
