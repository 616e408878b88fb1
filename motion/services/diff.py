"""A readable word-level diff between two texts (versions of a proposition or preamble)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

# Words with their trailing spaces, so that a changed word is shown with its surroundings
# unchanged and the text reads naturally.
_TOKEN = re.compile(r"\S+\s*|\s+")


@dataclass(frozen=True)
class Segment:
    """A run of text: ``op`` is "equal", "insert" or "delete"."""

    op: str
    text: str


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text or "")


def word_diff(old: str, new: str) -> list[Segment]:
    """The segments turning ``old`` into ``new``, compared word by word."""
    a, b = tokens(old), tokens(new)
    # Compare words without their trailing spaces: a re-flowed line is not a change.
    matcher = difflib.SequenceMatcher(None, [t.strip() for t in a], [t.strip() for t in b],
                                      autojunk=False)
    segments: list[Segment] = []

    def add(op: str, text: str) -> None:
        if not text:
            return
        if segments and segments[-1].op == op:
            segments[-1] = Segment(op, segments[-1].text + text)
        else:
            segments.append(Segment(op, text))

    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add("equal", "".join(b[j1:j2]))
        else:
            if i2 > i1:
                add("delete", "".join(a[i1:i2]))
            if j2 > j1:
                add("insert", "".join(b[j1:j2]))
    return segments


def changed_words(segments: list[Segment]) -> tuple[list[str], list[str]]:
    """The deleted and inserted words (for summaries and tests)."""
    deleted = [w for s in segments if s.op == "delete" for w in s.text.split()]
    inserted = [w for s in segments if s.op == "insert" for w in s.text.split()]
    return deleted, inserted
