"""The ``motion`` command line: it calls the same services as the views, then commits."""

from __future__ import annotations

import functools
import multiprocessing
import sys
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from motion.errors import MotionError
from motion.extensions import db
from motion.jobs import JOB_KINDS
from motion.models import PhaseKind, Role, WorkshopJoining

# An import prints this many of its rejected rows, then how many more there are.
SHOWN_REJECTED = 50


def _create_app(*args: Any, **kwargs: Any) -> Flask:
    from motion import ConfigurationError, create_app

    try:
        return create_app()
    except ConfigurationError as error:  # a clear message, not a traceback
        raise click.ClickException(str(error)) from None


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """motion: participatory motion drafting for the Congrès national des élus au numérique."""


def echo_rejected(rejected: list[tuple[int, str]], label: str = "") -> None:
    """Print an import's first rejected rows (line, reason) on stderr, and how many more."""
    for line, reason in rejected[:SHOWN_REJECTED]:
        click.echo(f"  {label}line {line}: rejected: {reason}", err=True)
    if len(rejected) > SHOWN_REJECTED:
        click.echo(f"  … and {len(rejected) - SHOWN_REJECTED} more rejected rows", err=True)


def transactional(func):
    """Run a command in one transaction: commit on success, roll back and report on error."""

    @functools.wraps(func)
    @with_appcontext
    def wrapper(*args: Any, **kwargs: Any):
        try:
            result = func(*args, **kwargs)
            db.session.commit()
            return result
        except MotionError as error:
            db.session.rollback()
            raise click.ClickException(error.message) from None
        except BaseException:
            db.session.rollback()
            raise

    return wrapper


@click.command("init")
@click.option("--demo", is_flag=True, help="Also create the demo campaign and demo accounts.")
@click.option("--admin-email", help="E-mail of the administrator account to create.")
@click.option("--admin-password", help="Its password (12 characters at least).")
@transactional
def init_command(demo: bool, admin_email: str | None, admin_password: str | None) -> None:
    """Create or migrate the database, load the default framework, create an admin."""
    from flask_migrate import upgrade

    from motion.services import accounts, frameworks
    from motion.services import demo as demo_service

    if demo and not current_app.config["DEMO_MODE"]:
        raise click.ClickException(
            "--demo is refused outside demo mode: demo accounts have printed passwords. "
            "Use MOTION_ENV=development (or MOTION_DEMO_MODE=1) for a demo instance."
        )
    upgrade(revision="heads")
    click.echo(f"Database ready: {_safe_url(current_app.config['SQLALCHEMY_DATABASE_URI'])}")
    framework = frameworks.ensure_default_framework()
    click.echo(f"Default framework: {framework.name} ({len(framework.engagements)} engagements)")

    if admin_email or admin_password:
        if not (admin_email and admin_password):
            raise click.UsageError("--admin-email and --admin-password go together.")
        _ensure_admin(admin_email, admin_password)
    elif accounts.count_admins() == 0 and not demo:
        if sys.stdin.isatty():
            email = click.prompt("Administrator e-mail")
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
            _ensure_admin(email, password)
        else:
            click.echo("No administrator yet: create one with "
                       "`motion user add EMAIL --role admin`.")

    if demo:
        result = demo_service.ensure_demo()
        if result.created:
            click.echo(f"Demo campaign '{result.campaign.slug}' created with "
                       f"{result.inserted} real contributions.")
        else:
            click.echo(f"Demo campaign '{result.campaign.slug}' already present.")
        from motion.services.demo_motion import create_demo_motion
        from motion.services.motions import propositions_in_order

        motion = create_demo_motion(result.campaign, actor=None)
        click.echo(f"Demo themes and draft motion ready "
                   f"({len(propositions_in_order(motion))} propositions).")
        click.echo("Demo accounts (demo only; new passwords at every `motion init --demo`):")
        for email, role, password in result.credentials:
            click.echo(f"  {role.value:<12} {email:<32} {password}")


def _ensure_admin(email: str, password: str) -> None:
    from motion.services import accounts

    user = accounts.get_user_by_email(email)
    if user is None:
        accounts.create_user(email, role=Role.ADMIN, password=password)
        click.echo(f"Administrator {email} created.")
    else:
        user.role = Role.ADMIN
        accounts.set_password(user, password)
        click.echo(f"Administrator {email} updated.")


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=None, type=int,
              help="Gunicorn workers (default: 2 × cores + 1, at most 8).")
@click.option("--timeout", default=60, show_default=True, type=int)
@click.option("--control-socket", type=click.Path(dir_okay=False),
              help="Open gunicorn's control socket at this path (default: none).")
def serve_command(host: str, port: int, workers: int | None, timeout: int,
                  control_socket: str | None) -> None:
    """Serve the app with gunicorn (the production server)."""
    from motion.server import Server, gunicorn_settings
    from motion.services.login_throttle import shared_store_warning

    app = _create_app()  # fail now, in the foreground, if the configuration is unusable
    workers = workers or min(8, multiprocessing.cpu_count() * 2 + 1)
    warning = shared_store_warning(app.config["RATELIMIT_STORAGE_URI"], workers)
    if warning:
        click.echo(warning, err=True)
    click.echo(f"motion on http://{host}:{port}/ ({workers} workers)")
    Server(gunicorn_settings(host=host, port=port, workers=workers, timeout=timeout,
                             control_socket=control_socket)).run()


@click.command("worker")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(sorted(JOB_KINDS)),
              help="Only jobs of this kind (repeatable; default: every kind).")
@click.option("--burst", is_flag=True, help="Stop once the queues are empty.")
@click.option("--name", help="Worker name (default: RQ's, unique).")
@click.option("--maintenance-interval", type=int, default=60, show_default=True,
              help="Seconds between registry clean-ups that requeue the jobs of dead "
                   "workers (RQ retries a job once its worker's heartbeat expired).")
@click.option("--worker-ttl", type=int, default=60, show_default=True,
              help="An idle worker's heartbeat period plus 15 s; clean-ups happen between "
                   "two waits on the queues.")
@click.option("--job-monitoring-interval", type=int, default=30, show_default=True,
              help="Seconds between a busy worker's heartbeats.")
@click.option("--heartbeat-grace", type=click.IntRange(min=1), default=60, show_default=True,
              help="Seconds after a missed heartbeat before a dead worker's job is retried "
                   "by another worker.")
def worker_command(kinds: tuple[str, ...], burst: bool, name: str | None,
                   maintenance_interval: int, worker_ttl: int,
                   job_monitoring_interval: int, heartbeat_grace: int) -> None:
    """Run a job worker on the Redis queues (MOTION_JOB_BACKEND=rq, MOTION_REDIS_URL)."""
    import logging

    from motion import queue

    app = _create_app()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        queue.redis_url(app)
    except RuntimeError as error:
        raise click.ClickException(str(error)) from None
    queue.work(app, kinds or None, burst=burst, name=name,
               maintenance_interval=maintenance_interval, worker_ttl=worker_ttl,
               job_monitoring_interval=job_monitoring_interval,
               heartbeat_grace=heartbeat_grace)


@click.command("backup")
@click.argument("out", type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(out: str) -> None:
    """Back up the database while the app runs (SQLite online backup, or pg_dump)."""
    from motion.backup import BackupError, backup

    try:
        path = backup(current_app.config["SQLALCHEMY_DATABASE_URI"], Path(out))
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backup of {_safe_url(current_app.config['SQLALCHEMY_DATABASE_URI'])} "
               f"written to {path} ({path.stat().st_size} bytes).")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(source: str, yes: bool) -> None:
    """Replace the database by a backup (stop the server first)."""
    from motion.backup import BackupError, restore

    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    if not yes:
        click.confirm(f"Replace everything in {_safe_url(url)} by {source}?", abort=True)
    db.engine.dispose()  # no connection of ours stays open on the old content
    try:
        restore(url, Path(source))
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored {source} into {_safe_url(url)}.")


@click.group("campaign")
def campaign_group() -> None:
    """Manage campaigns (one per congress edition)."""


@campaign_group.command("add")
@click.argument("slug")
@click.option("--title", required=True, help="The congress edition's title.")
@click.option("--timezone", default="Europe/Paris", show_default=True)
@click.option("--framework", "framework_file", type=click.Path(dir_okay=False),
              help="Framework YAML file (default: the association's roadmap).")
@click.option("--collect-start", help="YYYY-MM-DD[THH:MM] in the campaign's time zone "
              "(default: now).")
@click.option("--synthesis-start")
@click.option("--plenary-start")
@click.option("--closed-start")
@click.option("--workshop-joining", type=click.Choice(["open", "invitation"]), default="open",
              show_default=True, help="Who joins workshops: any participant of the campaign "
              "(open workshops), or only through an invitation.")
@transactional
def campaign_add(slug: str, title: str, timezone: str, framework_file: str | None,
                 collect_start: str | None, synthesis_start: str | None,
                 plenary_start: str | None, closed_start: str | None,
                 workshop_joining: str) -> None:
    """Create a campaign with its phases."""
    from motion.models._types import utcnow
    from motion.services import campaigns, frameworks

    starts = {}
    for kind, value in [(PhaseKind.COLLECT, collect_start), (PhaseKind.SYNTHESIS,
                        synthesis_start), (PhaseKind.PLENARY, plenary_start),
                        (PhaseKind.CLOSED, closed_start)]:
        if value:
            starts[kind] = campaigns.parse_local_datetime(value, timezone)
    starts.setdefault(PhaseKind.COLLECT, utcnow())
    campaign = campaigns.create_campaign(
        slug, title, timezone=timezone, phase_starts=starts,
        framework=None if framework_file else frameworks.ensure_default_framework(),
    )
    campaign.workshop_joining = WorkshopJoining(workshop_joining)
    if framework_file:
        frameworks.attach_framework(campaign, framework_file)
    click.echo(f"Campaign '{campaign.slug}' created ({len(campaign.phases)} phases).")


@campaign_group.command("phases")
@click.argument("slug")
@click.option("--collect-start", required=True,
              help="YYYY-MM-DD[THH:MM] in the campaign's time zone.")
@click.option("--synthesis-start")
@click.option("--plenary-start")
@click.option("--closed-start")
@transactional
def campaign_phases(slug: str, collect_start: str, synthesis_start: str | None,
                    plenary_start: str | None, closed_start: str | None) -> None:
    """Set or change a campaign's phase dates (each phase ends when the next starts)."""
    from motion.services import campaign_admin, campaigns

    campaign = campaigns.get_campaign(slug)
    starts = {
        kind: campaigns.parse_local_datetime(value, campaign.timezone)
        for kind, value in [(PhaseKind.COLLECT, collect_start),
                            (PhaseKind.SYNTHESIS, synthesis_start),
                            (PhaseKind.PLENARY, plenary_start),
                            (PhaseKind.CLOSED, closed_start)] if value
    }
    campaign_admin.change_phases(campaign, starts)
    for phase in campaign.phases:
        click.echo(f"{phase.kind.value}: {phase.starts_at.isoformat()}")


@click.group("user")
def user_group() -> None:
    """Manage accounts."""


@user_group.command("add")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), default="elu",
              show_default=True)
@click.option("--name", "display_name", help="Display name (default: from the e-mail).")
@click.option("--collectivite", help="The user's collectivité.")
@click.option("--password", help="Password (prompted if omitted on a terminal).")
@click.option("--campaign", "campaign_slug", help="Campaign of the --workshop options.")
@click.option("--workshop", "workshop_names", multiple=True,
              help="Workshop to join (repeatable; needs --campaign).")
@transactional
def user_add(email: str, role: str, display_name: str | None, collectivite: str | None,
             password: str | None, campaign_slug: str | None,
             workshop_names: tuple[str, ...]) -> None:
    """Create an account."""
    from motion.services import accounts, campaigns

    if password is None and sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = accounts.create_user(email, display_name=display_name, role=role,
                                password=password, collectivite=collectivite)
    if workshop_names:
        if not campaign_slug:
            raise click.UsageError("--workshop needs --campaign.")
        campaign = campaigns.get_campaign(campaign_slug)
        for name in workshop_names:
            campaigns.add_member(user, campaigns.get_or_create_workshop(campaign, name))
    click.echo(f"User {user.email} created with role {user.role.value}"
               + ("" if password else " (no password yet: it cannot log in)") + ".")


@click.group("framework")
def framework_group() -> None:
    """Manage frameworks (référentiels)."""


@framework_group.command("load")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--campaign", "campaign_slug", required=True)
@transactional
def framework_load(file: str, campaign_slug: str) -> None:
    """Load a framework YAML file and attach it to a campaign."""
    from motion.services import campaigns, frameworks

    campaign = campaigns.get_campaign(campaign_slug)
    framework = frameworks.attach_framework(campaign, file)
    axes = sum(len(e.axes) for e in framework.engagements)
    click.echo(f"Framework '{framework.name}' loaded into '{campaign.slug}': "
               f"{len(framework.engagements)} engagements, {axes} axes.")


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--campaign", "campaign_slug", required=True)
@click.option("--workshop", "workshop_name",
              help="Put every row in this workshop (default: the 'workshop' column, "
                   "else 'Contributions importées').")
@click.option("--text-column", default="text", show_default=True)
@click.option("--id-column", default="id", show_default=True,
              help="Column of stable external ids (rows without: the text's hash).")
@transactional
def import_command(file: str, campaign_slug: str, workshop_name: str | None,
                   text_column: str, id_column: str) -> None:
    """Import contributions from a CSV file (idempotent)."""
    from motion.services import campaigns, imports

    campaign = campaigns.get_campaign(campaign_slug)
    report = imports.import_csv(Path(file), campaign, workshop_name=workshop_name,
                                text_column=text_column, id_column=id_column,
                                commit_batch=db.session.commit)
    echo_rejected(report.rejected)
    for line, warning in report.warnings[:50]:
        click.echo(f"  line {line}: imported, but {warning}", err=True)
    click.echo(f"inserted {report.inserted}, skipped {report.skipped}, "
               f"rejected {report.rejected_count} ({report.encoding})")


@click.command("cluster")
@click.option("--campaign", "campaign_slug", required=True)
@click.option("--themes", "n_themes", type=int, default=None,
              help="Target number of themes (granularity); default: chosen from the data.")
@with_appcontext
def cluster_command(campaign_slug: str, n_themes: int | None) -> None:
    """Cluster a campaign's published contributions into themes (keeps locked decisions)."""
    from motion.services import campaigns, clustering

    try:
        campaign = campaigns.get_campaign(campaign_slug)
        record = clustering.request_run(campaign, n_themes=n_themes)
        db.session.commit()
    except MotionError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    if not clustering.execute_run(record.id):  # commits its result itself, once
        db.session.refresh(record)
        raise click.ClickException(f"clustering failed: {record.error}")
    db.session.refresh(record)
    summary = record.summary or {}
    click.echo(
        f"{record.n_contributions} contributions → {record.n_clusters} clusters, "
        f"{record.n_unassigned} left 'à classer' "
        f"({summary.get('seconds', {}).get('total', '?')} s)."
    )
    if summary.get("previous_run_id"):
        click.echo(
            f"Since the previous run: {summary.get('new_contributions', 0)} new contributions, "
            f"{len(summary.get('new_clusters', []))} new clusters, "
            f"{summary.get('moved', 0)} contributions changed cluster."
        )


@click.command("evaluate")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--text-column", default="text", show_default=True)
@click.option("--label-column", default="label", show_default=True)
@click.option("--framework", "framework_file", type=click.Path(exists=True, dir_okay=False),
              help="Framework YAML: also measure the engagement mapping.")
@click.option("--theme-column", help="Column holding the expected engagement code.")
@click.option("--label-map", "label_map_file", type=click.Path(exists=True, dir_okay=False),
              help="YAML giving each label's expected engagement (`famille`), instead of "
                   "--theme-column (e.g. tests/data/granddebat_questions_atlaas.yaml).")
@click.option("--sure-only", is_flag=True,
              help="With --label-map: keep only the labels marked `sure: true`.")
@click.option("--stability", is_flag=True,
              help="Also cluster 90 %% then add 10 %% incrementally (incremental_kept).")
@click.option("--embedder", "embedder_spec", default="use", show_default=True,
              help="use | st:PATH_OR_NAME | tfidf")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on the last line.")
def evaluate_command(file: str, text_column: str, label_column: str,
                     framework_file: str | None, theme_column: str | None,
                     label_map_file: str | None, sure_only: bool, stability: bool,
                     embedder_spec: str, as_json: bool) -> None:
    """Measure the clustering pipeline on a labelled CSV, without a database."""
    import json

    from motion import instance_folder
    from nlp import evaluate as nlp_evaluate
    from nlp import framework as nlp_framework

    if framework_file and not (theme_column or label_map_file):
        raise click.UsageError("--framework needs --theme-column or --label-map.")
    try:
        texts, labels, themes = nlp_evaluate.read_labelled_csv(
            file, text_column=text_column, label_column=label_column, theme_column=theme_column
        )
        if label_map_file:
            texts, labels, themes = _apply_label_map(label_map_file, texts, labels, sure_only)
        framework = nlp_framework.load_framework(framework_file) if framework_file else None
        report = nlp_evaluate.evaluate(
            texts, labels, embedder_spec=embedder_spec, framework=framework, themes=themes,
            stability=stability, cache_dir=instance_folder() / "embeddings",
        )
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False))
        return
    for key, value in report.items():
        click.echo(f"{key:>18}: {value}")


def _apply_label_map(path: str, texts: list[str], labels: list[str], sure_only: bool):
    """Expected engagement of each text from its label (None: out of frame), keeping only
    the labels the map knows (and, with ``sure_only``, those marked sure)."""
    import yaml

    with open(path, encoding="utf-8") as fh:
        entries = (yaml.safe_load(fh) or {}).get("labels") or {}
    unknown = sorted(set(labels) - set(entries))
    if unknown:
        raise ValueError(f"{path}: no entry for label(s) {unknown}")
    kept = [i for i, label in enumerate(labels)
            if not sure_only or entries[label].get("sure", False)]
    return ([texts[i] for i in kept], [labels[i] for i in kept],
            [entries[labels[i]].get("famille") for i in kept])


@click.group("notify")
def notify_group() -> None:
    """Send the periodic e-mails (run from cron; each mail goes out once)."""


@notify_group.command("digest")
@transactional
def notify_digest() -> None:
    """Send the weekly digest to the users who asked for it."""
    from motion.services import notifications

    click.echo(f"{notifications.send_weekly_digests()} digest(s) sent.")


@notify_group.command("phases")
@transactional
def notify_phases() -> None:
    """Tell the users who asked for it that a campaign phase has started."""
    from motion.services import notifications

    click.echo(f"{notifications.notify_phase_changes()} phase notice(s) sent.")


def register_commands(app: Flask) -> None:
    from motion.cli_collectivites import collectivites_group
    from motion.cli_decidim import export_decidim_command, import_decidim_command
    from motion.cli_export import export_command

    for command in (init_command, serve_command, worker_command, backup_command,
                    restore_command,
                    campaign_group, user_group,
                    framework_group, import_command, cluster_command, notify_group,
                    export_command, import_decidim_command, export_decidim_command,
                    collectivites_group):
        app.cli.add_command(command)


# Commands that need no app (nor database) hang on the group itself.
main.add_command(evaluate_command)
