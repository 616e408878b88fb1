"""Rewrite one "## " section of a Markdown file (docs/benchmarks.md), keeping the others."""

from __future__ import annotations

from pathlib import Path


def replace_section(out: Path, heading: str, section: str) -> None:
    """Put ``section`` (starting with ``heading``) in place of that section, or at the end."""
    previous = out.read_text(encoding="utf-8") if out.exists() else ""
    if heading in previous:
        start = previous.index(heading)
        end = previous.find("\n## ", start + len(heading))
        rest = previous[end + 1:] if end != -1 else ""
        text = previous[:start] + section.rstrip("\n") + "\n" + ("\n" + rest if rest else "")
    else:
        text = previous.rstrip() + "\n\n" + section
    out.write_text(text, encoding="utf-8")
