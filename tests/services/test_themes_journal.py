"""The journal is honest: random sequences of facilitators' operations on a really
clustered campaign, undone newest first, leave the themes exactly as they were.

"Exactly": every column of every cluster, assignment and second-cluster row, ids aside
(a cluster an operation created is deleted again). Two columns are bookkeeping and are
left out on purpose: ``Cluster.version`` only ever grows (a page built before the undo
must still be recognised as stale) and ``ClusterAssignment.updated_at``.
"""

from __future__ import annotations

import csv

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from motion.errors import MotionError
from motion.models import (
    Cluster,
    ClusterAssignment,
    ClusteringRun,
    ClusterSecondaryMember,
    Contribution,
    ContributionStatus,
)
from motion.services import clustering, imports
from motion.services.themes import journal, operations

KINDS = ("rename", "move", "merge", "split", "move_contribution", "pin", "lock", "secondary")
OPERATIONS = st.lists(
    st.tuples(st.sampled_from(KINDS), st.integers(0, 10_000), st.integers(0, 10_000)),
    min_size=1, max_size=8,
)
LEFT_OUT = {"clusters": {"version"}, "cluster_assignments": {"id", "updated_at"},
            "cluster_secondary_members": {"id"}}


def _rows(db, model, key):
    table = model.__table__
    columns = [c for c in table.columns if c.name not in LEFT_OUT[table.name]]
    return {getattr(row, key): {c.name: getattr(row, c.name) for c in columns}
            for row in db.session.execute(select(*columns))}


def _state(db):
    db.session.flush()
    return {
        "clusters": _rows(db, Cluster, "id"),
        "assignments": _rows(db, ClusterAssignment, "contribution_id"),
        "secondary": _rows(db, ClusterSecondaryMember, "contribution_id"),
    }


def _members(db, cluster):
    return sorted(db.session.scalars(
        select(ClusterAssignment.contribution_id)
        .join(Contribution, Contribution.id == ClusterAssignment.contribution_id)
        .where(ClusterAssignment.cluster_id == cluster.id,
               Contribution.status == ContributionStatus.PUBLISHED)))


def _current(db, contribution_id):
    return db.session.scalar(select(ClusterAssignment.cluster_id).where(
        ClusterAssignment.contribution_id == contribution_id))


def _apply(db, campaign, kind, a, b, contributions, actor):
    """One operation chosen by (kind, a, b) among what the campaign holds now."""
    clusters = list(db.session.scalars(
        select(Cluster).where(Cluster.campaign_id == campaign.id, Cluster.active.is_(True))
        .order_by(Cluster.id)))
    cluster, other = clusters[a % len(clusters)], clusters[b % len(clusters)]
    contribution = contributions[a % len(contributions)]
    if kind == "rename":
        return operations.rename(campaign, cluster, name=f"Thème {a}", summary=f"r{b}",
                                 version=cluster.version, actor=actor)
    if kind == "move":
        choices = [value for value, _label in operations.placement_choices(campaign)]
        return operations.move_cluster(campaign, cluster, target=choices[b % len(choices)],
                                       version=cluster.version, actor=actor)
    if kind == "merge":
        return operations.merge(campaign, [cluster, other], actor=actor,
                                versions={cluster.id: cluster.version,
                                          other.id: other.version})
    if kind == "split":
        members = _members(db, cluster)
        return operations.split(campaign, cluster, version=cluster.version, actor=actor,
                                parts=[members[::2], members[1::2]], names=["", f"S{b}"])
    if kind == "move_contribution":
        target = None if b % 5 == 0 else other
        return operations.move_contribution(campaign, contribution, target=target,
                                            expected_cluster_id=_current(db, contribution),
                                            actor=actor)
    if kind == "pin":
        return operations.set_pinned(campaign, cluster, pinned=not cluster.pinned,
                                     version=cluster.version, actor=actor)
    if kind == "lock":
        return operations.set_locked(campaign, contribution, locked=bool(b % 2),
                                     expected_cluster_id=_current(db, contribution),
                                     actor=actor)
    return operations.set_secondary(campaign, contribution,
                                    cluster=None if b % 4 == 0 else other,
                                    expected_cluster_id=_current(db, contribution),
                                    actor=actor)


@pytest.mark.slow
def test_random_operations_undone_newest_first_restore_everything(
        db, make_campaign, make_user, dev_rows, tmp_path):
    campaign = make_campaign("journal")
    path = tmp_path / "rows.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "text", "workshop", "collectivite"])
        writer.writerows([r["id"], r["text"], r["theme"], f"Ville {i % 7}"]
                         for i, r in enumerate(dev_rows[:240]))
    imports.import_csv(path, campaign)
    db.session.commit()
    record = clustering.request_run(campaign)
    db.session.commit()
    assert clustering.execute_run(record.id), db.session.get(ClusteringRun, record.id).error
    # Contributions published after the run have no assignment yet: operations create one.
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "text", "workshop"])
        writer.writerows([r["id"], r["text"], r["theme"]] for r in dev_rows[240:250])
    imports.import_csv(path, campaign)
    db.session.commit()
    actor = make_user(role="facilitator")
    contributions = list(db.session.scalars(
        select(Contribution.id).where(Contribution.campaign_id == campaign.id)
        .order_by(Contribution.id)))[::7]
    start = _state(db)
    assert any(a["reassigned"] for a in start["assignments"].values())
    tried = {"applied": 0, "refused": 0}

    @settings(max_examples=25, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow])
    @given(OPERATIONS)
    def check(sequence):
        done = []
        for kind, a, b in sequence:
            try:
                done.append(_apply(db, campaign, kind, a, b, contributions, actor))
                tried["applied"] += 1
            except MotionError:  # refused (same place, too small...) before changing anything
                tried["refused"] += 1
        for operation in reversed(done):
            journal.undo(campaign, operation, actor=actor)
        assert _state(db) == start

    check()
    assert tried["applied"] >= 2 * tried["refused"]
