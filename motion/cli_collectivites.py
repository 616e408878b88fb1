"""``motion collectivites import FILE``: load or refresh the list of collectivités."""

from __future__ import annotations

from pathlib import Path

import click

from motion.cli import transactional


@click.group("collectivites")
def collectivites_group() -> None:
    """The list of collectivités (communes, intercommunalités, départements, régions)."""


@collectivites_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@transactional
def import_command(file: Path) -> None:
    """Import a CSV or XLSX file with the columns nom, code INSEE, type and population.

    Lines are matched by type and code: importing the same file again changes nothing.
    Élus whose collectivité is named in the file are linked to it.
    """
    from motion.services import collectivite_imports

    report = collectivite_imports.import_file(file)
    for line, reason in report.rejected[:50]:
        click.echo(f"  ligne {line} : {reason}", err=True)
    click.echo(
        f"collectivités: inserted {report.inserted}, updated {report.updated}, "
        f"unchanged {report.unchanged}, rejected {len(report.rejected)}; "
        f"élus linked {report.users_linked}, "
        f"contributions linked {report.contributions_linked}"
    )
