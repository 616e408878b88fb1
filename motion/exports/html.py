"""The HTML documents shown on the web and printed to PDF (one template for both).

A plain Jinja environment (not the app's) renders them: the documents are French
whatever the reader's interface language, and the renderers must work without an app.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from motion.exports import common
from motion.exports.document import MotionDocument, SynthesisReport
from motion.exports.typography import french

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
STATIC = ROOT / "static"
STYLESHEET = "exports.css"


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["fr"] = french
    env.filters["fr_date"] = common.fr_date
    env.globals["common"] = common
    return env


def _paragraphs(text: str) -> list[str]:
    import re

    return [french(" ".join(p.split())) for p in re.split(r"\n\s*\n", text or "") if p.strip()]


def render_motion_html(doc: MotionDocument, *, stylesheet: str = STYLESHEET,
                       web: bool = False) -> str:
    """The motion as a standalone HTML document (``web``: screen page with a back link)."""
    return environment().get_template("exports/motion.html").render(
        doc=doc, stylesheet=stylesheet, web=web, paragraphs=_paragraphs,
    )


def render_report_html(report: SynthesisReport, chart_svg: str, *,
                       stylesheet: str = STYLESHEET) -> str:
    from motion.exports import report as report_module

    header, rows = report_module.coverage_table(report)
    return environment().get_template("exports/report.html").render(
        report=report, chart_svg=chart_svg, stylesheet=stylesheet, r=report_module,
        coverage_header=header, coverage_rows=rows,
    )
