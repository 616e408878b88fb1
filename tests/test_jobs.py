"""The job runner (motion.jobs): one stale-job rule, one transaction owner, one failure
path for every kind; the inline backend runs a job in the same process."""

from __future__ import annotations

from datetime import timedelta

import pytest

from motion import jobs
from motion.errors import Conflict
from motion.models import ClusteringRun, ExportJob, ExportStatus, RunStatus
from motion.models._types import utcnow
from motion.services import clustering, exports


def test_a_stale_record_no_longer_blocks_a_new_job(db, make_campaign):
    campaign = make_campaign()
    record = clustering.request_run(campaign)
    db.session.commit()
    with pytest.raises(Conflict, match="déjà en cours"):
        clustering.request_run(campaign)
    db.session.rollback()
    # Its process was killed long ago: the record is stale, a new run may start.
    record.created_at = utcnow() - jobs.STALE_AFTER - timedelta(minutes=1)
    db.session.commit()
    assert clustering.request_run(campaign).id != record.id


def test_inline_backend_runs_a_job_and_commits_its_result(app, db, make_contribution):
    contribution = make_contribution()
    campaign = contribution.campaign
    job = exports.request_export(campaign, "opendata", "json")
    db.session.commit()
    app.config["JOB_BACKEND"] = "inline"
    assert jobs.launch("export", job.id) is True
    db.session.expire_all()
    job = db.session.get(ExportJob, job.id)
    assert (job.status, job.progress, job.message) == (ExportStatus.DONE, 1.0, "Terminé")
    assert job.started_at <= job.finished_at
    assert str(contribution.id).encode() in exports.job_file(job).read_bytes()


def test_a_failing_job_rolls_back_and_records_a_french_error(app, db, make_contribution):
    campaign = make_contribution().campaign  # one contribution: too few to cluster
    record = clustering.request_run(campaign)
    db.session.commit()
    app.config["JOB_BACKEND"] = "inline"
    assert jobs.launch("cluster", record.id) is False
    db.session.expire_all()
    record = db.session.get(ClusteringRun, record.id)
    assert record.status == RunStatus.FAILED
    assert "au moins deux contributions" in record.error
    assert record.n_clusters == 0  # nothing of the failed work was kept


def test_unknown_kinds_are_refused(app):
    with app.test_request_context(), pytest.raises(ValueError, match="unknown job kind"):
        jobs.launch("nothing", 1)
    assert jobs.main(["nothing", "1"]) == 2
    assert jobs.main(["cluster", "x"]) == 2


@pytest.mark.parametrize(("setting", "expected"), [(None, 10), ("3", 3), ("0", 0)])
def test_a_job_process_runs_at_the_configured_lower_cpu_priority(tmp_path, setting, expected):
    """A re-clustering shares the cores with the app servers: job processes (the detached
    ``motion.jobs`` process, ``motion worker`` and its work horses) yield to requests."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTION_")}
    env |= {"MOTION_INSTANCE": str(tmp_path), "MOTION_SECRET_KEY": "test-niceness-key"}
    if setting is not None:
        env["MOTION_JOB_NICENESS"] = setting
    code = ("import os; from motion import create_app; from motion.jobs import lower_priority;"
            "before = os.nice(0); print(lower_priority(create_app()) - before)")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, timeout=120, check=True)
    assert int(out.stdout.split()[-1]) == expected
