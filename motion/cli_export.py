"""``motion export``: the motion, open data or the synthesis report, written to a file."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask.cli import with_appcontext

from motion.errors import MotionError
from motion.extensions import db


@click.command("export")
@click.option("--campaign", "campaign_slug", required=True)
@click.option("--format", "fmt", required=True,
              type=click.Choice(["odt", "docx", "pdf", "md", "csv", "json"]),
              help="odt|docx|pdf|md: the motion; csv (a ZIP of CSV files)|json: open data.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (its folder must exist).")
@click.option("--kind", type=click.Choice(["motion", "opendata", "report"]),
              help="What to export (default: motion, or open data for csv/json); "
                   "'report' is the facilitators' synthesis report (odt or pdf).")
@click.option("--licence", help="Record this open-data licence for the campaign first "
              "(etalab-2.0, odbl-1.0, cc-by-4.0, cc0-1.0).")
@with_appcontext
def export_command(campaign_slug: str, fmt: str, out: Path, kind: str | None,
                   licence: str | None) -> None:
    """Export a campaign's motion, open data or synthesis report to a file."""
    from motion.services import audit, campaigns, exports

    kind = kind or exports.default_kind(fmt)
    if not out.parent.is_dir():
        raise click.UsageError(f"--out: folder {out.parent} does not exist.")
    started = time.perf_counter()
    try:
        campaign = campaigns.get_campaign(campaign_slug)
        exports.check(kind, fmt)
        if licence:
            exports.set_licence(campaign, licence)
        result = exports.render(campaign, kind, fmt)
        audit.record("export.generate", campaign, kind=kind,
                     format=fmt, size=len(result.content), via="cli")
        out.write_bytes(result.content)
        db.session.commit()
    except MotionError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    click.echo(f"{kind} ({fmt}) → {out} ({len(result.content):,} bytes, "
               f"{time.perf_counter() - started:.1f} s)")
