"""``motion import-decidim`` and ``motion export-decidim``: interchange with Decidim."""

from __future__ import annotations

from pathlib import Path

import click

from motion.cli import echo_rejected, transactional


@click.command("import-decidim")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--campaign", "campaign_slug", required=True)
@transactional
def import_decidim_command(files: tuple[Path, ...], campaign_slug: str) -> None:
    """Import proposals and comments from Decidim's exports (CSV, JSON or the open-data
    ZIP); importing the same files again adds nothing."""
    from motion.services import campaigns, decidim

    campaign = campaigns.get_campaign(campaign_slug)
    export = decidim.read_export([(f.name, f.read_bytes()) for f in files])
    report = decidim.import_decidim(campaign, export)
    for label, part in (("proposals", report.proposals), ("comments", report.comments)):
        echo_rejected(part.rejected, f"{label} ")
        click.echo(f"{label}: inserted {part.inserted}, skipped {part.skipped}, "
                   f"rejected {part.rejected_count}")


@click.command("export-decidim")
@click.option("--campaign", "campaign_slug", required=True)
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="CSV file to write, for Decidim's « Import proposals from a file ».")
@click.option("--locale", default="fr", show_default=True,
              help="The Decidim organisation's default locale (column title/LOCALE).")
@transactional
def export_decidim_command(campaign_slug: str, out: Path, locale: str) -> None:
    """Write the motion's propositions as a CSV Decidim's proposal import accepts."""
    from motion.services import campaigns, decidim, motions

    motion = motions.require_motion(campaigns.get_campaign(campaign_slug))
    out.write_bytes(decidim.export_propositions_csv(motion, locale=locale))
    click.echo(f"wrote {out}")
