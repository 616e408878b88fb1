"""Command-line paths not covered elsewhere: init, campaign, users, notify, evaluate."""

from __future__ import annotations

import csv
import json
import re
from datetime import timedelta

from sqlalchemy import select

from motion.models import Campaign, PhaseKind, Role, User
from motion.models._types import utcnow
from motion.services import notifications
from motion.services.campaigns import set_phases
from tests.conftest import DEV_CSV


def test_init_creates_admin_and_default_framework(runner, db):
    result = runner.invoke(args=["init", "--admin-email", "admin@ville.fr",
                                 "--admin-password", "un mot de passe long"])
    assert result.exit_code == 0, result.output
    assert "Default framework: Villes Internet" in result.output
    admin = db.session.scalars(select(User)).one()
    assert (admin.email, admin.role) == ("admin@ville.fr", Role.ADMIN)


def test_init_demo_creates_campaign_and_prints_accounts(runner, db):
    result = runner.invoke(args=["init", "--demo"])
    assert result.exit_code == 0, result.output
    from motion.services.demo import demo_data_path

    n_rows = len(demo_data_path().read_text(encoding="utf-8").splitlines()) - 1
    assert f"{n_rows} real contributions" in result.output
    assert re.search(r"draft motion ready \(([1-9]\d*) propositions\)", result.output)
    for email in ("elu.demo@motion.local", "animation.demo@motion.local",
                  "admin.demo@motion.local"):
        assert email in result.output
    again = runner.invoke(args=["init", "--demo"])
    assert "already present" in again.output


def test_init_demo_is_refused_outside_demo_mode(app, runner, db):
    app.config["DEMO_MODE"] = False
    result = runner.invoke(args=["init", "--demo"])
    assert result.exit_code == 1
    assert "refused outside demo mode" in result.output
    assert db.session.scalars(select(Campaign)).all() == []


def test_campaign_add_with_dates_in_paris_time(runner, db):
    result = runner.invoke(args=["campaign", "add", "congres-2027", "--title", "Congrès 2027",
                                 "--collect-start", "2027-01-15", "--synthesis-start",
                                 "2027-04-01T09:00", "--plenary-start", "2027-05-20"])
    assert result.exit_code == 0, result.output
    campaign = db.session.scalars(select(Campaign)).one()
    collect, synthesis, plenary = campaign.phases
    assert synthesis.starts_at.isoformat() == "2027-04-01T07:00:00+00:00"  # CEST
    assert collect.ends_at == synthesis.starts_at
    assert plenary.ends_at is None
    assert campaign.framework.name.startswith("Villes Internet")


def test_campaign_add_rejects_bad_input_clearly(runner, db):
    bad_slug = runner.invoke(args=["campaign", "add", "Pas Bon", "--title", "X"])
    assert bad_slug.exit_code == 1
    assert "Identifiant de campagne invalide" in bad_slug.output
    bad_date = runner.invoke(args=["campaign", "add", "ok", "--title", "X",
                                   "--collect-start", "15/01/2027"])
    assert "Date invalide" in bad_date.output
    order = runner.invoke(args=["campaign", "add", "ok", "--title", "X", "--collect-start",
                                "2027-02-01", "--synthesis-start", "2027-01-01"])
    assert "doit commencer après" in order.output
    assert db.session.scalars(select(Campaign)).all() == []


def test_user_add_with_workshops(runner, db, make_campaign):
    make_campaign("c")
    result = runner.invoke(args=["user", "add", "Marie@Ville.fr", "--role", "facilitator",
                                 "--password", "mot de passe solide", "--campaign", "c",
                                 "--workshop", "Atelier IA"])
    assert result.exit_code == 0, result.output
    user = db.session.scalars(select(User)).one()
    assert (user.email, user.role) == ("marie@ville.fr", Role.FACILITATOR)
    assert [w.name for w in user.workshops] == ["Atelier IA"]
    duplicate = runner.invoke(args=["user", "add", "marie@ville.fr", "--password", "x" * 12])
    assert duplicate.exit_code == 1
    assert "existe déjà" in duplicate.output


def test_notify_phases_sends_each_notice_once(app, runner, db, make_contribution, tmp_path):
    app.config["MAIL_DIR"] = str(tmp_path / "mail")
    app.config["MAIL_SMTP_HOST"] = None
    contribution = make_contribution()
    notifications.set_preferences(contribution.author, replies=False, weekly_digest=False,
                                  phase_changes=True)
    now = utcnow()
    set_phases(contribution.campaign, {PhaseKind.COLLECT: now - timedelta(days=20),
                                       PhaseKind.SYNTHESIS: now - timedelta(hours=1)})
    db.session.commit()
    first = runner.invoke(args=["notify", "phases"])
    assert "1 phase notice(s) sent." in first.output
    second = runner.invoke(args=["notify", "phases"])
    assert "0 phase notice(s) sent." in second.output
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 1


def test_evaluate_prints_the_metrics_as_json(tmp_path):
    from click.testing import CliRunner

    from motion.cli import main

    # A smaller real sample keeps this fast: the header and the first 400 answers.
    sample = tmp_path / "sample.csv"
    with DEV_CSV.open(encoding="utf-8", newline="") as src, sample.open(
        "w", encoding="utf-8", newline=""
    ) as dst:
        reader = csv.DictReader(src)
        writer = csv.DictWriter(dst, fieldnames=reader.fieldnames)
        writer.writeheader()
        for i, row in enumerate(reader):
            if i == 400:
                break
            writer.writerow(row)
    result = CliRunner().invoke(main, ["evaluate", str(sample), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output.strip().splitlines()[-1])
    assert report["n"] == 400
    assert report["n_labels"] == 11
    assert report["ari"] > 0.3
    assert report["theme_accuracy"] is None
    assert set(report["seconds"]) == {"embed", "cluster", "total"}


def test_evaluate_reports_a_missing_column_without_traceback(tmp_path):
    from click.testing import CliRunner

    from motion.cli import main

    path = tmp_path / "x.csv"
    path.write_text("texte,etiquette\nbonjour,a\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["evaluate", str(path)])
    assert result.exit_code == 1
    assert "text" in result.output
    assert "Traceback" not in result.output


def test_production_without_secret_is_a_clear_cli_error(tmp_path):
    from click.testing import CliRunner

    from motion.cli import main

    result = CliRunner().invoke(main, ["init"], env={
        "MOTION_ENV": "production", "MOTION_SECRET_KEY": None,
        "MOTION_INSTANCE": str(tmp_path / "instance")})
    assert result.exit_code == 1
    assert "No real SECRET_KEY configured" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "instance" / "motion.sqlite").exists()
