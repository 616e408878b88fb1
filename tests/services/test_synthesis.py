"""Facilitators' operations on the themes: each one, its undo and its audit event; stale
edits refused; every locked decision kept by a re-clustering on the real dev set."""

from __future__ import annotations

import csv

import pytest
from sqlalchemy import func, select

from motion.errors import Conflict, InvalidInput
from motion.extensions import db as _db
from motion.models import (
    AuditEvent,
    Cluster,
    ClusterAssignment,
    ClusteringRun,
    ClusterOperation,
    ClusterSecondaryMember,
    Contribution,
    Support,
)
from motion.services import clustering, contributions, imports, moderation
from motion.services.themes import journal, operations, queries


def _write_rows(path, rows):
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "text", "workshop", "collectivite"])
        for i, row in enumerate(rows):
            writer.writerow([row["id"], row["text"], row["theme"], f"Commune {i % 37}"])
    return path


def _run(campaign):
    record = clustering.request_run(campaign)
    _db.session.commit()
    assert clustering.execute_run(record.id), record.error
    _db.session.expire_all()
    return _db.session.get(ClusteringRun, record.id)


@pytest.fixture
def facilitator(make_user):
    return make_user(role="facilitator", email="anim@example.fr")


@pytest.fixture
def clustered(db, make_campaign, dev_rows, tmp_path):
    campaign = make_campaign("synthese")
    imports.import_csv(_write_rows(tmp_path / "first.csv", dev_rows[:400]), campaign)
    db.session.commit()
    _run(campaign)
    return campaign


def _clusters(db, campaign):
    return db.session.scalars(
        select(Cluster).where(Cluster.campaign_id == campaign.id, Cluster.active.is_(True))
        .order_by(Cluster.size.desc(), Cluster.id)).all()


def _members(db, cluster):
    return set(db.session.scalars(select(ClusterAssignment.contribution_id)
                                  .where(ClusterAssignment.cluster_id == cluster.id)))


def _events(db, action):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def _undo(db, campaign, operation, actor):
    journal.undo(campaign, operation, actor=actor)
    db.session.commit()
    db.session.expire_all()
    [event] = _events(db, "synthesis.undo")[-1:]
    assert event.actor_id == actor.id
    assert event.data["operation"] == operation.id


def test_rename_sets_the_name_and_summary_locks_it_and_undo_restores(db, clustered,
                                                                     facilitator):
    cluster = _clusters(db, clustered)[0]
    old_name, version = cluster.name, cluster.version
    operation = operations.rename(clustered, cluster, name="  Services publics  en ligne ",
                                 summary="Les élus veulent des démarches simples.",
                                 version=version, actor=facilitator, reason="plus clair")
    db.session.commit()
    db.session.expire_all()
    cluster = db.session.get(Cluster, cluster.id)
    assert (cluster.name, cluster.name_locked) == ("Services publics en ligne", True)
    assert cluster.summary == "Les élus veulent des démarches simples."
    assert cluster.version == version + 1
    [event] = _events(db, "synthesis.rename")
    assert (event.actor_id, event.object_id, event.data["reason"]) == (
        facilitator.id, operation.id, "plus clair")
    assert event.data["old_name"] == old_name

    _undo(db, clustered, operation, facilitator)
    cluster = db.session.get(Cluster, cluster.id)
    assert (cluster.name, cluster.name_locked, cluster.summary) == (old_name, False, "")
    assert db.session.get(ClusterOperation, operation.id).is_undone
    with pytest.raises(Conflict):
        journal.undo(clustered, db.session.get(ClusterOperation, operation.id))


def test_a_stale_version_is_refused_and_nothing_changes(db, clustered, facilitator):
    cluster = _clusters(db, clustered)[0]
    stale = cluster.version
    operations.rename(clustered, cluster, name="Première version", version=stale,
                     actor=facilitator)
    db.session.commit()
    with pytest.raises(Conflict, match="modifié par quelqu’un d’autre"):
        operations.rename(clustered, cluster, name="Seconde version", version=stale,
                         actor=facilitator)
    db.session.rollback()
    with pytest.raises(Conflict, match="modifié par quelqu’un d’autre"):
        operations.set_pinned(clustered, cluster, pinned=True, version=stale)
    db.session.rollback()
    assert db.session.get(Cluster, cluster.id).name == "Première version"
    assert db.session.scalar(select(func.count(ClusterOperation.id))) == 1


def test_invalid_inputs_are_refused_in_french(db, clustered):
    cluster = _clusters(db, clustered)[0]
    with pytest.raises(InvalidInput, match="obligatoire"):
        operations.rename(clustered, cluster, name="   ", version=cluster.version)
    with pytest.raises(InvalidInput, match="référentiel"):
        operations.move_cluster(clustered, cluster, target="a:999999", version=cluster.version)
    with pytest.raises(InvalidInput, match="au moins deux"):
        operations.merge(clustered, [cluster], versions={cluster.id: cluster.version})


def test_move_cluster_overrides_the_mapping_and_undo_restores(db, clustered, facilitator):
    cluster = _clusters(db, clustered)[0]
    before = (cluster.engagement_id, cluster.axis_id, cluster.out_of_frame)
    axis = clustered.framework.engagements[3].axes[1]
    operation = operations.move_cluster(clustered, cluster, target=f"a:{axis.id}",
                                       version=cluster.version, actor=facilitator)
    db.session.commit()
    db.session.expire_all()
    cluster = db.session.get(Cluster, cluster.id)
    assert (cluster.engagement_id, cluster.axis_id, cluster.mapping_locked) == (
        axis.engagement_id, axis.id, True)
    assert len(_events(db, "synthesis.move")) == 1
    operation = operations.move_cluster(clustered, cluster, target="out",
                                       version=cluster.version, actor=facilitator)
    db.session.commit()
    assert (cluster.out_of_frame, cluster.engagement_id) == (True, None)
    _undo(db, clustered, operation, facilitator)
    cluster = db.session.get(Cluster, cluster.id)
    assert (cluster.engagement_id, cluster.axis_id, cluster.out_of_frame) == (
        axis.engagement_id, axis.id, False)
    first = db.session.scalars(select(ClusterOperation).order_by(ClusterOperation.id)).first()
    _undo(db, clustered, first, facilitator)
    cluster = db.session.get(Cluster, cluster.id)
    assert (cluster.engagement_id, cluster.axis_id, cluster.out_of_frame) == before
    assert not cluster.mapping_locked


def test_merge_keeps_every_member_and_history_undo_restores_and_rerun_keeps_it(
    db, clustered, facilitator, dev_rows, tmp_path
):
    first, second, third = _clusters(db, clustered)[1:4]
    members = {c.id: _members(db, c) for c in (first, second, third)}
    second.pinned = True
    db.session.commit()
    operation = operations.merge(
        clustered, [first, second, third],
        versions={c.id: c.version for c in (first, second, third)},
        name="Démarches et accès", actor=facilitator, reason="même sujet",
    )
    db.session.commit()
    db.session.expire_all()
    survivor = db.session.get(Cluster, first.id)
    everyone = members[first.id] | members[second.id] | members[third.id]
    assert _members(db, survivor) == everyone
    assert survivor.size == len(everyone)
    assert (survivor.name, survivor.name_locked) == ("Démarches et accès", True)
    for absorbed in (second, third):
        absorbed = db.session.get(Cluster, absorbed.id)
        assert (absorbed.active, absorbed.merged_into_id, absorbed.pinned) == (
            False, survivor.id, False)
    assert all(db.session.scalars(select(ClusterAssignment.locked).where(
        ClusterAssignment.contribution_id.in_(everyone))))
    [event] = _events(db, "synthesis.merge")
    assert sorted(event.data["merged"]) == sorted([second.id, third.id])

    _undo(db, clustered, operation, facilitator)
    for cluster in (first, second, third):
        cluster = db.session.get(Cluster, cluster.id)
        assert cluster.active
        assert _members(db, cluster) == members[cluster.id]
        assert cluster.size == len(members[cluster.id])
        assert cluster.merged_into_id is None
    assert db.session.get(Cluster, second.id).pinned
    assert not any(db.session.scalars(select(ClusterAssignment.locked).where(
        ClusterAssignment.contribution_id.in_(everyone))))

    # Merged again, the merge survives a re-run with 100 new contributions.
    clusters = [db.session.get(Cluster, c.id) for c in (first, second, third)]
    operations.merge(clustered, clusters, versions={c.id: c.version for c in clusters},
                    actor=facilitator)
    db.session.commit()
    imports.import_csv(_write_rows(tmp_path / "more.csv", dev_rows[400:500]), clustered)
    db.session.commit()
    _run(clustered)
    survivor = db.session.get(Cluster, first.id)
    assert survivor.active
    assert everyone <= _members(db, survivor)
    assert not db.session.get(Cluster, second.id).active
    assert not db.session.get(Cluster, third.id).active


def test_split_proposal_then_confirmed_split_undo_restores(db, clustered, facilitator):
    cluster = _clusters(db, clustered)[0]
    members = _members(db, cluster)
    plan = operations.propose_split(clustered, cluster, n_parts=2)
    assert len(plan.parts) == 2
    assert {i for part in plan.parts for i in part.contribution_ids} == members
    assert all(part.contribution_ids for part in plan.parts)
    assert all(part.keywords for part in plan.parts)
    # The facilitator adjusts: one contribution of part 1 goes to part 2.
    parts = [list(p.contribution_ids) for p in plan.parts]
    parts[1].append(parts[0].pop())
    operation = operations.split(clustered, cluster, parts=parts,
                                names=["", "Très haut débit"], version=cluster.version,
                                actor=facilitator)
    db.session.commit()
    db.session.expire_all()
    [new_id] = _events(db, "synthesis.split")[0].data["created"]
    new = db.session.get(Cluster, new_id)
    assert (new.name, new.name_locked, new.split_from_id, new.active) == (
        "Très haut débit", True, cluster.id, True)
    assert _members(db, new) == set(parts[1])
    assert _members(db, db.session.get(Cluster, cluster.id)) == set(parts[0])
    assert new.stable_id > max(c.stable_id for c in _clusters(db, clustered) if c.id != new.id)
    assert new.size == len(parts[1])

    _undo(db, clustered, operation, facilitator)
    assert _members(db, db.session.get(Cluster, cluster.id)) == members
    assert db.session.get(Cluster, new_id) is None  # undo deletes the cluster it created

    manual = operations.propose_split(clustered, cluster, n_parts=3, manual=True)
    assert manual.parts[0].contribution_ids
    assert not manual.parts[1].contribution_ids
    with pytest.raises(InvalidInput, match="deux sous-thèmes"):
        operations.split(clustered, cluster, parts=[sorted(members)], version=cluster.version)


def test_move_contribution_lock_and_second_cluster_each_undone(db, clustered, facilitator):
    big, other = _clusters(db, clustered)[:2]
    contribution_id = sorted(_members(db, big))[0]
    moved = operations.move_contribution(clustered, contribution_id, target=other,
                                        expected_cluster_id=big.id, actor=facilitator)
    db.session.commit()
    assignment = db.session.scalar(select(ClusterAssignment).where(
        ClusterAssignment.contribution_id == contribution_id))
    assert (assignment.cluster_id, assignment.locked) == (other.id, True)
    with pytest.raises(Conflict):  # someone else's page still shows it in ``big``
        operations.move_contribution(clustered, contribution_id, target=None,
                                    expected_cluster_id=big.id)
    db.session.rollback()
    to_unsorted = operations.move_contribution(clustered, contribution_id, target=None,
                                              expected_cluster_id=other.id, actor=facilitator)
    db.session.commit()
    assert db.session.get(ClusterAssignment, assignment.id).cluster_id is None
    assert len(_events(db, "synthesis.move_contribution")) == 2
    _undo(db, clustered, to_unsorted, facilitator)
    _undo(db, clustered, moved, facilitator)
    assignment = db.session.get(ClusterAssignment, assignment.id)
    assert (assignment.cluster_id, assignment.locked) == (big.id, False)

    lock = operations.set_locked(clustered, contribution_id, locked=True,
                                expected_cluster_id=big.id, actor=facilitator)
    db.session.commit()
    assert db.session.get(ClusterAssignment, assignment.id).locked
    assert len(_events(db, "synthesis.lock")) == 1
    _undo(db, clustered, lock, facilitator)
    assert not db.session.get(ClusterAssignment, assignment.id).locked

    second = operations.set_secondary(clustered, contribution_id, cluster=other,
                                     expected_cluster_id=big.id, actor=facilitator)
    db.session.commit()
    row = db.session.scalars(select(ClusterSecondaryMember)).one()
    assert (row.contribution_id, row.cluster_id) == (contribution_id, other.id)
    assert [c.id for c in queries.members(other, secondary=True)] == [contribution_id]
    assert len(_events(db, "synthesis.secondary")) == 1
    with pytest.raises(InvalidInput, match="différent"):
        operations.set_secondary(clustered, contribution_id, cluster=big,
                                expected_cluster_id=big.id)
    _undo(db, clustered, second, facilitator)
    assert db.session.scalar(select(func.count(ClusterSecondaryMember.id))) == 0


def test_pin_and_its_undo(db, clustered, facilitator):
    cluster = _clusters(db, clustered)[-1]
    operation = operations.set_pinned(clustered, cluster, pinned=True, version=cluster.version,
                                     actor=facilitator, reason="à garder")
    db.session.commit()
    assert (cluster.pinned, cluster.name_locked) == (True, True)
    [event] = _events(db, "synthesis.pin")
    assert event.data["reason"] == "à garder"
    _undo(db, clustered, operation, facilitator)
    cluster = db.session.get(Cluster, cluster.id)
    assert (cluster.pinned, cluster.name_locked) == (False, False)


def test_an_older_operation_cannot_be_undone_over_a_newer_one(db, clustered, facilitator):
    cluster = _clusters(db, clustered)[0]
    first = operations.rename(clustered, cluster, name="Un", version=cluster.version,
                             actor=facilitator)
    db.session.commit()
    operations.rename(clustered, cluster, name="Deux", version=cluster.version,
                     actor=facilitator)
    db.session.commit()
    with pytest.raises(Conflict, match="plus récentes"):
        journal.undo(clustered, first, actor=facilitator)
    db.session.rollback()
    assert db.session.get(Cluster, cluster.id).name == "Deux"
    assert [o.kind for o in journal.history(clustered, cluster=cluster)] == [
        "rename", "rename"]


def test_board_statistics_count_supports_workshops_and_collectivites(db, clustered,
                                                                      make_user):
    cluster = _clusters(db, clustered)[0]
    members = sorted(_members(db, cluster))
    for user in (make_user(), make_user()):
        db.session.add(Support(user=user, contribution_id=members[0]))
    db.session.commit()
    stats = queries.cluster_stats(clustered)[cluster.id]
    assert stats.supports == 2
    assert stats.workshops
    assert len(stats.collectivites) >= min(len(members), 37) // 2


def test_after_a_merge_the_split_gives_the_name_back_to_the_survivors_ideas(db, clustered,
                                                                          facilitator):
    """A smaller theme absorbs a larger one and keeps its name; splitting it again must not
    hand that name to the larger group of other ideas: the part proposed first (the one the
    theme and its name stay with) is the one holding the theme's representatives."""
    larger, smaller = _clusters(db, clustered)[:2]
    own = _members(db, smaller)
    assert len(own) < len(_members(db, larger))
    operations.merge(clustered, [smaller, larger],
                     versions={smaller.id: smaller.version, larger.id: larger.version},
                     actor=facilitator)
    db.session.commit()
    plan = operations.propose_split(clustered, smaller, n_parts=2)
    first = set(plan.parts[0].contribution_ids)
    assert len(first & own) > len(first) / 2
    assert {part for c, part, _confidence in plan.rows if c.id in first} == {0}


def test_a_theme_size_follows_moderation_and_withdrawal(db, clustered, facilitator, make_user):
    """A theme's stored size is what every page and export reads (sessions, new proposition,
    report, open data, API): hiding, withdrawing or restoring one of its contributions
    changes it, as it changes the board's live count."""
    cluster = _clusters(db, clustered)[0]
    contribution = db.session.get(Contribution, min(_members(db, cluster)))
    author = make_user(email="auteur@example.fr")
    contribution.author_id = author.id
    db.session.commit()
    size = cluster.size

    def sizes():
        db.session.expire_all()
        live = queries.theme_sizes(queries.placements(clustered))[cluster.id]
        return db.session.get(Cluster, cluster.id).size, live

    moderation.hide(facilitator, contribution, "Propos hors charte")
    db.session.commit()
    assert sizes() == (size - 1, size - 1)
    moderation.restore(facilitator, contribution, "Signalement examiné")
    db.session.commit()
    assert sizes() == (size, size)
    contributions.withdraw_contribution(author, contribution)
    db.session.commit()
    assert sizes() == (size - 1, size - 1)
    contributions.restore_withdrawn(author, contribution)
    db.session.commit()
    assert sizes() == (size, size)


def test_compare_two_runs_lists_moves_and_new_clusters(db, clustered, facilitator, dev_rows,
                                                       tmp_path):
    first_run = db.session.scalars(select(ClusteringRun)).one()
    assert len(first_run.snapshot) == 400
    big, other = _clusters(db, clustered)[:2]
    contribution_id = sorted(_members(db, big))[0]
    operations.move_contribution(clustered, contribution_id, target=other,
                                expected_cluster_id=big.id, actor=facilitator)
    db.session.commit()
    imports.import_csv(_write_rows(tmp_path / "more.csv", dev_rows[400:550]), clustered)
    db.session.commit()
    second_run = _run(clustered)
    comparison = clustering.compare_runs(clustered, second_run.id, first_run.id)
    assert (comparison.first.id, comparison.second.id) == (first_run.id, second_run.id)
    assert comparison.added == 150
    moved = {c.id: (a, b) for c, a, b in comparison.moved}
    assert moved[contribution_id][0].id == big.id
    assert moved[contribution_id][1].id == other.id
    new_ids = set(second_run.summary["new_clusters"])
    assert {c.id for c in comparison.new_clusters} >= new_ids


def test_twenty_operations_survive_300_new_contributions_and_a_rerun(
    db, make_campaign, dev_rows, tmp_path, facilitator
):
    """The issue's acceptance test: 20 manual operations on the real dev set, 300 new
    contributions, a re-run: every locked decision is intact."""
    campaign = make_campaign("vingt")
    imports.import_csv(_write_rows(tmp_path / "first.csv", dev_rows[:600]), campaign)
    db.session.commit()
    _run(campaign)
    clusters = _clusters(db, campaign)
    assert len(clusters) >= 10, [c.size for c in clusters]
    engagements = campaign.framework.engagements
    n_operations = 0

    def done():
        nonlocal n_operations
        db.session.commit()
        n_operations += 1

    # 3 renames (one with a summary)
    renamed = {}
    for i, cluster in enumerate(clusters[:3]):
        operations.rename(campaign, cluster, name=f"Thème choisi {i}", summary=f"Résumé {i}",
                         version=cluster.version, actor=facilitator)
        renamed[cluster.id] = f"Thème choisi {i}"
        done()
    # 2 moves to an axis / "hors cadre"
    moved_clusters = {}
    for cluster, target in ((clusters[3], f"a:{engagements[2].axes[0].id}"),
                            (clusters[4], "out")):
        operations.move_cluster(campaign, cluster, target=target, version=cluster.version,
                               actor=facilitator)
        moved_clusters[cluster.id] = (cluster.engagement_id, cluster.axis_id,
                                      cluster.out_of_frame)
        done()
    # 1 merge of three clusters
    merged = clusters[5:8]
    merged_members = set().union(*(_members(db, c) for c in merged))
    operations.merge(campaign, merged, versions={c.id: c.version for c in merged},
                    actor=facilitator)
    survivor = merged[0]
    done()
    # 1 split (the proposal, confirmed)
    split_source = clusters[8]
    plan = operations.propose_split(campaign, split_source, n_parts=2)
    operation = operations.split(campaign, split_source,
                                parts=[p.contribution_ids for p in plan.parts],
                                names=["", "Sous-thème gardé"], version=split_source.version,
                                actor=facilitator)
    [created] = [int(k) for k, v in operation.before["clusters"].items() if v is None]
    split_new = db.session.get(Cluster, created)
    split_parts = {split_source.id: set(plan.parts[0].contribution_ids),
                   split_new.id: set(plan.parts[1].contribution_ids)}
    done()
    # 2 pins
    pinned = [clusters[9], clusters[2]]
    for cluster in pinned:
        operations.set_pinned(campaign, cluster, pinned=True, version=cluster.version,
                             actor=facilitator)
        done()
    # 6 contribution moves (4 to other clusters, 2 to "à classer")
    moved_contributions = {}
    donors = [c for c in _clusters(db, campaign) if c.id not in (survivor.id, split_new.id,
                                                                  split_source.id)]
    targets = [survivor, clusters[0], clusters[1], clusters[9], None, None]
    for donor, target in zip(donors[-6:], targets, strict=True):
        contribution_id = sorted(_members(db, donor))[0]
        operations.move_contribution(campaign, contribution_id, target=target,
                                    expected_cluster_id=donor.id, actor=facilitator)
        moved_contributions[contribution_id] = target.id if target else None
        done()
    # 3 locks in place
    locked = {}
    for donor in donors[:3]:
        contribution_id = sorted(_members(db, donor))[-1]
        operations.set_locked(campaign, contribution_id, locked=True,
                             expected_cluster_id=donor.id, actor=facilitator)
        locked[contribution_id] = donor.id
        done()
    # 2 second clusters
    seconds = {}
    for contribution_id, cluster in ((sorted(_members(db, clusters[1]))[1], clusters[2]),
                                     (sorted(_members(db, clusters[2]))[1], clusters[0])):
        primary = db.session.scalar(select(ClusterAssignment.cluster_id).where(
            ClusterAssignment.contribution_id == contribution_id))
        operations.set_secondary(campaign, contribution_id, cluster=cluster,
                                expected_cluster_id=primary, actor=facilitator)
        seconds[contribution_id] = cluster.id
        done()
    assert n_operations == 20
    assert len(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action.like("synthesis.%"))).all()) == 20

    imports.import_csv(_write_rows(tmp_path / "more.csv", dev_rows[600:900]), campaign)
    db.session.commit()
    run = _run(campaign)
    assert run.summary["new_contributions"] == 300

    def cluster_of(contribution_id):
        return db.session.scalar(select(ClusterAssignment.cluster_id).where(
            ClusterAssignment.contribution_id == contribution_id))

    for cluster_id, name in renamed.items():
        cluster = db.session.get(Cluster, cluster_id)
        assert (cluster.name, cluster.active) == (name, True)
    for cluster_id, place in moved_clusters.items():
        cluster = db.session.get(Cluster, cluster_id)
        assert (cluster.engagement_id, cluster.axis_id, cluster.out_of_frame) == place
    assert merged_members <= _members(db, db.session.get(Cluster, survivor.id))
    assert not any(db.session.get(Cluster, c.id).active for c in merged[1:])
    for cluster_id, part in split_parts.items():
        assert part <= _members(db, db.session.get(Cluster, cluster_id))
    assert db.session.get(Cluster, split_new.id).name == "Sous-thème gardé"
    for cluster in pinned:
        cluster = db.session.get(Cluster, cluster.id)
        assert (cluster.pinned, cluster.active) == (True, True)
    for contribution_id, cluster_id in (moved_contributions | locked).items():
        assert cluster_of(contribution_id) == cluster_id
    for contribution_id, cluster_id in seconds.items():
        assert db.session.scalar(select(ClusterSecondaryMember.cluster_id).where(
            ClusterSecondaryMember.contribution_id == contribution_id)) == cluster_id
    # The new contributions were placed: most of them in existing themes.
    assert db.session.scalar(select(func.count(ClusterAssignment.id))) == 900
