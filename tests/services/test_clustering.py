"""Clustering a campaign: stored themes, framework mapping, and facilitators' decisions kept."""

from __future__ import annotations

import csv
from collections import Counter

import pytest
from sqlalchemy import func, select

from motion import jobs
from motion.models import (
    AuditEvent,
    Cluster,
    ClusterAssignment,
    ClusteringRun,
    Contribution,
    ContributionStatus,
    RunStatus,
)
from motion.services import clustering, imports


def _write_rows(path, rows):
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "text", "workshop"])
        for row in rows:
            writer.writerow([row["id"], row["text"], row["theme"]])
    return path


@pytest.fixture
def campaign_with_contributions(db, make_campaign, dev_rows, tmp_path):
    campaign = make_campaign("themes")
    imports.import_csv(_write_rows(tmp_path / "first.csv", dev_rows[:600]), campaign)
    db.session.commit()
    return campaign


def _cluster(runner, slug="themes"):
    result = runner.invoke(args=["cluster", "--campaign", slug])
    assert result.exit_code == 0, result.output
    return result


def test_cluster_command_stores_themes_mapped_on_the_framework(
    runner, db, campaign_with_contributions
):
    result = _cluster(runner)
    assert "600 contributions →" in result.output
    campaign = campaign_with_contributions
    clusters = db.session.scalars(select(Cluster).where(Cluster.active.is_(True))).all()
    assert 4 <= len(clusters) <= 60
    assignments = db.session.scalars(select(ClusterAssignment)).all()
    assert len(assignments) == 600
    unassigned = sum(a.cluster_id is None for a in assignments)
    assert unassigned / 600 <= 0.25
    for cluster in clusters:
        assert cluster.keywords, cluster.name
        assert 1 <= len(cluster.representative_ids) <= 5
        assert cluster.size == sum(a.cluster_id == cluster.id for a in assignments)
        assert cluster.out_of_frame or cluster.engagement is not None
        if cluster.engagement is not None:
            assert cluster.engagement.framework_id == campaign.framework_id
        assert 0 < cluster.cohesion <= 1
    for a in assignments:
        assert 0.0 <= a.confidence <= 1.0
        assert a.text_out_of_frame or a.text_engagement is not None
    # Uncertain (reassigned) members carry a lower confidence than core members.
    reassigned = [a.confidence for a in assignments if a.reassigned]
    core = [a.confidence for a in assignments if a.cluster_id and not a.reassigned]
    if reassigned:
        assert max(reassigned) <= min(core) + 1e-9
    run = db.session.scalars(select(ClusteringRun)).one()
    assert (run.status, run.n_contributions, run.n_unassigned) == (
        RunStatus.DONE, 600, unassigned)
    assert db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "clustering.run")) == 1


def test_the_online_procedures_theme_maps_to_access_to_public_services(
    runner, db, campaign_with_contributions
):
    """The theme holding most answers about online procedures lands under engagement E1."""
    _cluster(runner)
    rows = db.session.execute(
        select(ClusterAssignment.cluster_id, Contribution.external_id)
        .join(Contribution, Contribution.id == ClusterAssignment.contribution_id)
        .where(ClusterAssignment.cluster_id.is_not(None))
    ).all()
    online = Counter(cid for cid, external_id in rows if external_id.startswith("gddev-Q174"))
    cluster_id, count = online.most_common(1)[0]
    assert count >= 15
    cluster = db.session.get(Cluster, cluster_id)
    assert cluster.engagement is not None
    assert cluster.engagement.code == "E1"
    assert not cluster.out_of_frame


def test_hidden_contributions_are_left_out(runner, db, campaign_with_contributions):
    hidden = db.session.scalars(select(Contribution).limit(5)).all()
    for contribution in hidden:
        contribution.status = ContributionStatus.HIDDEN
    db.session.commit()
    _cluster(runner)
    ids = {c.id for c in hidden}
    assert not db.session.scalars(
        select(ClusterAssignment).where(ClusterAssignment.contribution_id.in_(ids))).all()


def test_rerun_keeps_locked_decisions_and_reports_changes(
    runner, db, campaign_with_contributions, dev_rows, tmp_path
):
    campaign = campaign_with_contributions
    _cluster(runner)
    clusters = db.session.scalars(
        select(Cluster).where(Cluster.active.is_(True)).order_by(Cluster.size.desc())).all()
    big, other = clusters[0], clusters[1]
    # A facilitator renames and pins the biggest theme, fixes its mapping, and moves
    # three contributions of another theme into it, locking them.
    big.name, big.name_locked, big.pinned = "Fiscalité locale", True, True
    big.mapping_locked, big.engagement = True, campaign.framework.engagements[2]
    moved = db.session.scalars(
        select(ClusterAssignment).where(ClusterAssignment.cluster_id == other.id).limit(3)).all()
    for assignment in moved:
        assignment.cluster, assignment.locked = big, True
    db.session.commit()
    moved_ids = {a.contribution_id for a in moved}

    imports.import_csv(_write_rows(tmp_path / "more.csv", dev_rows[600:750]), campaign)
    db.session.commit()
    result = _cluster(runner)
    assert "Since the previous run: 150 new contributions" in result.output

    db.session.expire_all()
    big = db.session.get(Cluster, big.id)
    assert (big.name, big.pinned, big.active) == ("Fiscalité locale", True, True)
    assert big.engagement.code == "E3"
    for assignment in db.session.scalars(
        select(ClusterAssignment).where(ClusterAssignment.contribution_id.in_(moved_ids))
    ):
        assert assignment.cluster_id == big.id
        assert assignment.locked
    assert db.session.scalar(select(func.count(ClusterAssignment.id))) == 750
    last = db.session.scalars(select(ClusteringRun).order_by(ClusteringRun.id.desc())).first()
    assert last.summary["new_contributions"] == 150
    assert last.summary["previous_run_id"] is not None


def test_too_few_contributions_fail_with_a_clear_message(runner, db, make_campaign):
    make_campaign("vide")
    result = runner.invoke(args=["cluster", "--campaign", "vide"])
    assert result.exit_code == 1
    assert "au moins deux contributions" in result.output
    run = db.session.scalars(select(ClusteringRun)).one()
    assert run.status == RunStatus.FAILED


def test_a_second_run_is_refused_while_one_is_active(db, campaign_with_contributions):
    from motion.errors import Conflict

    clustering.request_run(campaign_with_contributions)
    db.session.commit()
    with pytest.raises(Conflict, match="déjà en cours"):
        clustering.request_run(campaign_with_contributions)


def test_job_runs_in_a_separate_process_with_progress(app, db, campaign_with_contributions):
    record = clustering.request_run(campaign_with_contributions)
    db.session.commit()
    process = jobs.launch("cluster", record.id)
    assert process.wait(timeout=240) == 0
    db.session.expire_all()
    record = db.session.get(ClusteringRun, record.id)
    assert record.status == RunStatus.DONE
    assert record.progress == 1.0
    assert record.finished_at >= record.started_at
    assert db.session.scalar(select(func.count(Cluster.id))) == record.n_clusters


def test_cluster_command_takes_a_granularity_and_keeps_decisions_across_granularities(
    runner, db, campaign_with_contributions
):
    result = runner.invoke(args=["cluster", "--campaign", "themes", "--themes", "6"])
    assert result.exit_code == 0, result.output
    run = db.session.scalars(select(ClusteringRun)).one()
    assert run.n_themes == 6
    active = db.session.scalars(
        select(Cluster).where(Cluster.active.is_(True)).order_by(Cluster.size.desc())).all()
    assert 4 <= len(active) <= 6
    # a facilitator pins the smallest theme and locks three contributions into the biggest
    big, small = active[0], active[-1]
    small.pinned = True
    moved = db.session.scalars(
        select(ClusterAssignment).where(ClusterAssignment.cluster_id == active[1].id).limit(3)
    ).all()
    for assignment in moved:
        assignment.cluster, assignment.locked = big, True
    db.session.commit()
    moved_ids = {a.contribution_id for a in moved}

    result = runner.invoke(args=["cluster", "--campaign", "themes", "--themes", "14"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    finer = db.session.scalars(select(Cluster).where(Cluster.active.is_(True))).all()
    assert len(finer) >= 10
    assert db.session.get(Cluster, small.id).active
    for assignment in db.session.scalars(
        select(ClusterAssignment).where(ClusterAssignment.contribution_id.in_(moved_ids))
    ):
        assert (assignment.cluster_id, assignment.locked) == (big.id, True)

    result = runner.invoke(args=["cluster", "--campaign", "themes", "--themes", "1"])
    assert result.exit_code == 1
    assert "entre 2 et 500" in result.output


def test_board_granularity_choices(db, make_campaign):
    from motion.errors import InvalidInput

    campaign = make_campaign("granularite")
    with pytest.raises(InvalidInput, match="Calculez d’abord"):
        clustering.granularity(campaign, "fins", None)
    assert clustering.granularity(campaign, "", None) is None
    db.session.add(ClusteringRun(campaign_id=campaign.id, status=RunStatus.DONE,
                                 n_clusters=12, n_themes=None))
    db.session.flush()
    assert clustering.granularity(campaign, "larges", None) == 8
    assert clustering.granularity(campaign, "fins", None) == 18
    assert clustering.granularity(campaign, "nombre", " 7 ") == 7
    assert clustering.granularity(campaign, "auto", None) is None
    with pytest.raises(InvalidInput, match="nombre de thèmes"):
        clustering.granularity(campaign, "nombre", "beaucoup")
    db.session.add(ClusteringRun(campaign_id=campaign.id, status=RunStatus.DONE,
                                 n_clusters=9, n_themes=9))
    db.session.flush()
    assert clustering.granularity(campaign, None, None) == 9  # a refresh keeps it
    with pytest.raises(InvalidInput, match="entre 2 et 500"):
        clustering.request_run(campaign, n_themes=501)


def test_a_theme_spanning_engagements_places_its_ideas_one_by_one(
    runner, db, campaign_with_contributions
):
    """Never below per-text mapping: a theme whose members mostly disagree with its centroid
    lets each idea sit where its own text maps, until a facilitator places the theme."""
    from motion.services.themes import journal, operations, queries

    _cluster(runner)
    campaign = campaign_with_contributions
    clusters = db.session.scalars(select(Cluster).where(Cluster.active.is_(True))).all()
    assignments = db.session.scalars(
        select(ClusterAssignment).where(ClusterAssignment.cluster_id.is_not(None))).all()
    # The run's flag follows the members' agreement with the centroid (nlp's 30 % rule).
    for cluster in clusters:
        own = [a.text_engagement_id for a in assignments if a.cluster_id == cluster.id]
        agreement = sum(e == cluster.engagement_id for e in own) / len(own)
        assert cluster.mapped_per_text == (agreement < 0.3), (cluster.name, agreement)

    # Flag the theme whose members are the most divided, and read where they sit.
    def spread(cluster):
        own = Counter(a.text_engagement_id for a in assignments if a.cluster_id == cluster.id)
        return len(own), -own.most_common(1)[0][1]
    theme = max(clusters, key=spread)
    own = {a.contribution_id: a.text_engagement_id for a in assignments
           if a.cluster_id == theme.id}
    assert len(set(own.values())) >= 2
    theme.mapped_per_text = True
    db.session.commit()
    placed = {p.contribution_id: p.engagement_id for p in queries.placements(campaign)
              if p.cluster_id == theme.id}
    assert placed == own

    # A facilitator places the theme: its ideas follow it; undo brings the per-text places back.
    target = next(e for e in campaign.framework.engagements if e.id != theme.engagement_id)
    operation = operations.move_cluster(campaign, theme, target=f"e:{target.id}",
                                        version=theme.version)
    db.session.commit()
    assert not theme.mapped_per_text
    assert {p.engagement_id for p in queries.placements(campaign)
            if p.cluster_id == theme.id} == {target.id}
    journal.undo(campaign, operation)
    db.session.commit()
    assert theme.mapped_per_text
    assert {p.contribution_id: p.engagement_id for p in queries.placements(campaign)
            if p.cluster_id == theme.id} == own


def test_the_unsorted_placements_read_by_the_database_are_those_of_the_full_list(
    runner, db, campaign_with_contributions
):
    """The "à classer" page asks the database for the rows in no active theme only
    (``placements(unsorted_only=True)``): the same rows, in the same order and places, as
    the full list filtered in Python, whether a row has no theme or an inactive one."""
    from motion.services.themes import queries

    _cluster(runner)
    campaign = campaign_with_contributions
    dropped = db.session.scalars(select(Cluster).where(Cluster.active.is_(True))
                                 .order_by(Cluster.size)).first()
    dropped.active = False  # its members now sit "à classer" through an inactive theme
    for assignment in db.session.scalars(select(ClusterAssignment).limit(7)):
        assignment.cluster_id = None
    db.session.commit()
    everything = queries.placements(campaign)
    expected = [p for p in everything if p.cluster_id is None]
    assert len(expected) >= max(7, dropped.size)
    assert len(expected) < len(everything)
    assert queries.placements(campaign, unsorted_only=True) == expected
