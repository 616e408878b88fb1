"""The Redis job queue (MOTION_JOB_BACKEND=rq): `motion worker` processes run a clustering
job and an export job on SQLite and PostgreSQL; a worker killed (SIGKILL) mid-clustering
is replaced by another that takes the job over and finishes it once; a job delivered
twice runs once.

The workers run with a 5 s heartbeat grace (``--heartbeat-grace``; RQ's own is 60 s), so a
killed worker's job is declared abandoned within seconds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from motion import jobs, queue
from motion.models import AuditEvent, Cluster, ClusterAssignment, ClusteringRun, ExportJob
from motion.models._progress import JobStatus
from motion.services import clustering, exports, imports
from tests.conftest import REDIS_URL
from tests.services.test_clustering import _write_rows

pytestmark = pytest.mark.slow

MOTION = Path(sys.executable).with_name("motion")


@pytest.fixture
def rq_app(app, redis_client):
    """The test app on the RQ backend, with queues of its own (parallel test runs never
    share one), deleted afterwards."""
    app.config.update(JOB_BACKEND="rq", REDIS_URL=REDIS_URL, JOB_RETRIES=2,
                      JOB_QUEUE=f"motion-test-{uuid.uuid4().hex[:12]}")
    yield app
    for q in queue.queues(app):
        q.delete(delete_jobs=True)


class Workers:
    """`motion worker` processes, each in its own process group (its work horse too)."""

    def __init__(self, app, instance: Path, logs: Path) -> None:
        self.env = jobs.job_environment(app) | {
            "MOTION_INSTANCE": str(instance),
            "MOTION_JOB_BACKEND": "rq",
            "MOTION_REDIS_URL": app.config["REDIS_URL"],
            "MOTION_JOB_QUEUE": app.config["JOB_QUEUE"],
        }
        self.logs = logs
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str) -> None:
        """Start a worker; its RQ name (global in Redis) carries the test's queue name."""
        with (self.logs / f"{name}.log").open("ab") as log:
            self.processes[name] = subprocess.Popen(
                [str(MOTION), "worker", "--name", f"{self.env['MOTION_JOB_QUEUE']}-{name}",
                 "--maintenance-interval", "2", "--worker-ttl", "20",
                 "--job-monitoring-interval", "1", "--heartbeat-grace", "5"],
                env=self.env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self, name: str) -> None:
        """SIGKILL a worker and its work horse (RQ puts the horse in a session of its own,
        so that it outlives its worker unless killed too): a machine that died."""
        pid = self.processes[name].pid
        for child in _children(pid):
            os.kill(child, signal.SIGKILL)
        os.killpg(pid, signal.SIGKILL)
        self.processes[name].wait(timeout=10)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    def output(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}"
                         for p in sorted(self.logs.glob("*.log")))


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += [int(child), *_children(int(child))]
    return found


@pytest.fixture
def workers(rq_app, tmp_path):
    # Their own instance folder: a fresh embedding cache, the export files apart.
    (tmp_path / "logs").mkdir()
    started = Workers(rq_app, tmp_path / "worker-instance", tmp_path / "logs")
    yield started
    started.stop()


def _wait(predicate, timeout: float, workers: Workers, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}\n{workers.output()}")


def _niceness(pid: int) -> int:
    """The nice value of a process (field 19 of /proc/PID/stat)."""
    return int(Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[16])


def _status(db, model, record_id):
    db.session.expire_all()
    record = db.session.get(model, record_id)
    db.session.rollback()  # no open read transaction while the workers write
    return record.status


def _count_events(db, action: str) -> int:
    count = db.session.scalar(select(func.count(AuditEvent.id))
                              .where(AuditEvent.action == action))
    db.session.rollback()
    return count


def test_a_killed_worker_s_job_is_taken_over_and_finishes_once(
    rq_app, db, workers, make_campaign, dev_rows, tmp_path
):
    campaign = make_campaign("file-d-attente")
    imports.import_csv(_write_rows(tmp_path / "rows.csv", dev_rows[:600]), campaign)
    db.session.commit()
    workers.start("alpha")
    workers.start("beta")

    run = clustering.request_run(campaign)
    db.session.commit()
    run_id = run.id
    rq_cluster = jobs.launch("cluster", run_id)
    assert rq_cluster.origin == f"{rq_app.config['JOB_QUEUE']}:cluster"
    assert rq_cluster.timeout == queue.DEFAULT_TIMEOUTS["cluster"]
    _wait(lambda: _status(db, ClusteringRun, run_id) == JobStatus.RUNNING, 120, workers,
          "a worker to start the clustering job")
    rq_cluster.refresh()
    victim = rq_cluster.worker_name.rpartition("-")[2]
    survivor = ({"alpha", "beta"} - {victim}).pop()
    # Jobs yield the CPU to the app servers: the worker and its work horse run niced.
    victim_pids = [workers.processes[victim].pid]
    victim_pids += _children(victim_pids[0])
    assert len(victim_pids) >= 2  # the worker and the horse running the clustering
    assert {_niceness(pid) for pid in victim_pids} == {rq_app.config["JOB_NICENESS"]}

    export = exports.request_export(campaign, "opendata", "csv")
    db.session.commit()
    export_id = export.id
    workers.kill(victim)  # mid-clustering: the model is loading or embedding
    rq_export = jobs.launch("export", export_id)

    _wait(lambda: _status(db, ExportJob, export_id) == JobStatus.DONE, 120, workers,
          "the export")
    assert _status(db, ClusteringRun, run_id) == JobStatus.RUNNING  # the dead worker's
    _wait(lambda: _status(db, ClusteringRun, run_id) in ClusteringRun.FINISHED, 300, workers,
          "the clustering job to be taken over and finished")

    run = db.session.get(ClusteringRun, run_id)
    assert run.status == JobStatus.DONE, (run.error, workers.output())
    assert run.n_contributions == 600
    rq_cluster.refresh()
    assert rq_cluster.get_status() == "finished"
    assert rq_cluster.worker_name.endswith(f"-{survivor}")
    assert rq_cluster.retries_left == 1  # one retry spent on the dead worker
    assert rq_cluster.return_value() is True
    # One result: one run's clusters, one audit event; one export file.
    assert db.session.scalar(select(func.count(ClusteringRun.id))) == 1
    assert db.session.scalar(select(func.count(Cluster.id))) == run.n_clusters > 1
    assert db.session.scalar(select(func.count(ClusterAssignment.id))) == 600
    assert _count_events(db, "clustering.run") == 1
    export = db.session.get(ExportJob, export_id)
    folder = tmp_path / "worker-instance" / "exports"
    assert [p.name for p in folder.iterdir()] == [export.filename]
    assert export.size == (folder / export.filename).stat().st_size > 0
    rq_export.refresh()
    assert rq_export.return_value() is True
    db.session.rollback()

    # The same jobs delivered again: nothing runs twice.
    modified = (folder / export.filename).stat().st_mtime_ns
    again = [queue.queues(rq_app, [kind])[0].enqueue(queue.perform, kind, record_id)
             for kind, record_id in (("export", export_id), ("cluster", run_id))]
    for rq_job in again:
        _wait(lambda rq_job=rq_job: rq_job.get_status(refresh=True) == "finished", 60,
              workers, "a duplicate delivery")
        assert rq_job.return_value() is True
    assert (folder / export.filename).stat().st_mtime_ns == modified
    assert _count_events(db, "export.generate") == 1
    assert _count_events(db, "clustering.run") == 1


def test_embedding_chunks_are_queue_jobs_that_both_workers_take(
    rq_app, db, workers, make_campaign, dev_rows, tmp_path
):
    """A clustering run of 800 texts in chunks of 100: eight chunk jobs on the chunks'
    queue; the run's own worker and the idle one each embed some; one progress record."""
    from rq.registry import FinishedJobRegistry

    campaign = make_campaign("morceaux")
    imports.import_csv(_write_rows(tmp_path / "rows.csv", dev_rows[:800]), campaign)
    db.session.commit()
    workers.env["MOTION_EMBED_CHUNK"] = "100"
    workers.start("alpha")
    workers.start("beta")
    run = clustering.request_run(campaign)
    db.session.commit()
    run_id = run.id
    jobs.launch("cluster", run_id)
    _wait(lambda: _status(db, ClusteringRun, run_id) in ClusteringRun.FINISHED, 600, workers,
          "the clustering run")

    run = db.session.get(ClusteringRun, run_id)
    assert run.status == JobStatus.DONE, (run.error, workers.output())
    assert run.n_contributions == 800
    by_worker = run.summary["embedded"]["chunks_by_worker"]
    prefix = rq_app.config["JOB_QUEUE"]
    assert sorted(by_worker) == [f"{prefix}-alpha", f"{prefix}-beta"], workers.output()
    assert sum(by_worker.values()) == 8
    assert min(by_worker.values()) >= 1
    chunks = queue.queues(rq_app, ["cluster"])[-1]
    assert chunks.name == f"{prefix}:{queue.CHUNKS}"
    assert FinishedJobRegistry(queue=chunks).count == 8  # one queue job per chunk
    assert sorted(queue.ChunkShare(rq_app, "embed", run_id).reports()) == list(range(8))
    assert db.session.scalar(select(func.count(ClusteringRun.id))) == 1
    assert db.session.scalar(select(func.count(ClusterAssignment.id))) == 800
    db.session.rollback()
