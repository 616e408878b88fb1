"""The synthesis report for facilitators (ODT and PDF): coverage per engagement, themes.

The coverage chart is drawn twice from the same numbers: as SVG in the HTML (for the
PDF) and as a PNG for the ODT; both come with a data table and a text alternative.
"""

from __future__ import annotations

import io
from functools import cache
from html import escape

from motion.exports.document import CoverageRow, ReportCluster, SynthesisReport
from motion.exports.typography import french, ngettext_fr

COVERAGE_HEADING = "Couverture des engagements"
CLUSTERS_HEADING = "Thèmes"
BAR_COLOUR = (0x1F, 0x4E, 0x79)


def report_title(report: SynthesisReport) -> str:
    return french(f"Rapport de synthèse — {report.congress}")


def summary_lines(report: SynthesisReport) -> list[str]:
    from motion.exports.common import fr_date

    published = ngettext_fr("%(num)d contribution publiée", "%(num)d contributions publiées",
                            report.n_contributions)
    themes = ngettext_fr("%(num)d thème", "%(num)d thèmes", len(report.clusters))
    unassigned = ngettext_fr("%(num)d contribution à classer",
                             "%(num)d contributions à classer", report.n_unassigned)
    lines = [french(f"{published}, {themes} ; {unassigned}, {report.n_out_of_frame} hors cadre.")]
    if report.generated_at is not None:
        lines.append(f"Rapport généré le {fr_date(report.generated_at)}.")
    return lines


SIZE_COLUMNS = ["Villages", "Villes", "Grandes villes", "Territoires", "Taille inconnue"]


def coverage_table(report: SynthesisReport) -> tuple[list[str], list[list[str]]]:
    header = ["Engagement", "Contributions", "Thèmes"]
    rows = [[french(f"{r.code} — {r.title}"), str(r.contributions), str(r.clusters)]
            for r in report.coverage]
    if any(r.by_size for r in report.coverage):  # who speaks: by size of collectivité
        header += SIZE_COLUMNS
        for row, r in zip(rows, report.coverage, strict=True):
            row += [str(n) for n in r.by_size]
    return header, rows


def chart_description(report: SynthesisReport) -> str:
    parts = [f"{r.code} : "
             + ngettext_fr("%(num)d contribution", "%(num)d contributions", r.contributions)
             + ", " + ngettext_fr("%(num)d thème", "%(num)d thèmes", r.clusters)
             for r in report.coverage]
    return french("Contributions par engagement. " + " ; ".join(parts) + ".")


def cluster_facts(cluster: ReportCluster) -> list[str]:
    size = ngettext_fr("%(num)d contribution", "%(num)d contributions", cluster.size)
    lines = [french(f"{size} ; mots-clés : {', '.join(cluster.keywords) or '—'}")]
    where = cluster.engagement or "Hors cadre"
    if cluster.axis:
        where += f", axe {cluster.axis}"
    lines.append(french(f"Rattachement : {where}"))
    if cluster.workshops:
        lines.append(french(f"Ateliers : {', '.join(cluster.workshops)}"))
    return lines


# ---------------------------------------------------------------- the chart

_WIDTH, _ROW, _LABEL, _MARGIN = 640, 34, 70, 12


def _bars(rows: tuple[CoverageRow, ...]) -> list[tuple[CoverageRow, int, int]]:
    peak = max((r.contributions for r in rows), default=0) or 1
    room = _WIDTH - _LABEL - 2 * _MARGIN - 60
    return [(r, _MARGIN + i * _ROW, round(room * r.contributions / peak))
            for i, r in enumerate(rows)]


def chart_svg(report: SynthesisReport) -> str:
    height = 2 * _MARGIN + _ROW * max(len(report.coverage), 1)
    colour = "#{:02x}{:02x}{:02x}".format(*BAR_COLOUR)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {_WIDTH} {height}" width="{_WIDTH}" height="{height}" '
        f'aria-labelledby="chart-title">',
        # The title is the text alternative (the PDF's /Alt): it says the numbers.
        f'<title id="chart-title">{escape(chart_description(report))}</title>',
        f'<desc id="chart-desc">{escape(COVERAGE_HEADING)}</desc>',
    ]
    for row, y, width in _bars(report.coverage):
        parts.append(
            f'<text x="{_MARGIN}" y="{y + 21}" font-family="DejaVu Sans" font-size="14">'
            f'{escape(row.code)}</text>'
            f'<rect x="{_LABEL}" y="{y + 6}" width="{max(width, 1)}" height="20" '
            f'fill="{colour}"/>'
            f'<text x="{_LABEL + width + 8}" y="{y + 21}" font-family="DejaVu Sans" '
            f'font-size="14">{row.contributions}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


@cache
def _font(size: int):
    from PIL import ImageFont

    for name in ("DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                 "LiberationSans-Regular.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default()


def chart_png(report: SynthesisReport, scale: int = 2) -> tuple[bytes, tuple[float, float]]:
    """The chart as a PNG and its size in centimetres (17 cm wide)."""
    from PIL import Image, ImageDraw

    height = 2 * _MARGIN + _ROW * max(len(report.coverage), 1)
    image = Image.new("RGB", (_WIDTH * scale, height * scale), "white")
    draw = ImageDraw.Draw(image)
    font = _font(14 * scale)
    for row, y, width in _bars(report.coverage):
        draw.text((_MARGIN * scale, (y + 8) * scale), row.code, fill="black", font=font)
        draw.rectangle([_LABEL * scale, (y + 6) * scale, (_LABEL + max(width, 1)) * scale,
                        (y + 26) * scale], fill=BAR_COLOUR)
        draw.text(((_LABEL + width + 8) * scale, (y + 8) * scale), str(row.contributions),
                  fill="black", font=font)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    width_cm = 17.0
    return buffer.getvalue(), (width_cm, round(width_cm * height / _WIDTH, 2))


# ---------------------------------------------------------------- renderers


def render_report_odt(report: SynthesisReport) -> bytes:
    from motion.exports import odt

    png, size = chart_png(report)
    return odt.render_report_odt(report, png, size, chart_description(report))


def render_report_html(report: SynthesisReport, *, stylesheet: str | None = None) -> str:
    from motion.exports import html

    kwargs = {"stylesheet": stylesheet} if stylesheet else {}
    return html.render_report_html(report, chart_svg(report), **kwargs)


def render_report_pdf(report: SynthesisReport) -> bytes:
    from motion.exports.pdf import html_to_pdf

    return html_to_pdf(render_report_html(report))
