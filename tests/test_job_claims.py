"""A job's record is claimed before it runs: a job delivered twice runs once, a record a
live worker holds is left alone, a takeover (the queue saw its worker die) runs it again."""

from __future__ import annotations

from sqlalchemy import func, select

from motion import jobs
from motion.models import AuditEvent, ExportJob
from motion.models._progress import JobStatus
from motion.models._types import utcnow
from motion.services import exports


def _generated(db) -> int:
    return db.session.scalar(select(func.count(AuditEvent.id))
                             .where(AuditEvent.action == "export.generate"))


def test_a_record_is_run_once_and_taken_over_only_when_its_worker_died(db, make_contribution):
    campaign = make_contribution().campaign
    job = exports.request_export(campaign, "opendata", "json")
    db.session.commit()
    job_id = job.id
    # Another worker holds it and is alive: not run here.
    job.status, job.started_at = JobStatus.RUNNING, utcnow()
    db.session.commit()
    assert jobs.execute("export", job_id) is False
    db.session.expire_all()
    assert (db.session.get(ExportJob, job_id).status, _generated(db)) == (JobStatus.RUNNING, 0)

    # Its worker died (the queue retries the job): taken over and finished.
    assert jobs.execute("export", job_id, takeover=True) is True
    db.session.expire_all()
    job = db.session.get(ExportJob, job_id)
    assert (job.status, job.progress, _generated(db)) == (JobStatus.DONE, 1.0, 1)
    modified = exports.job_file(job).stat().st_mtime_ns

    # Delivered again, with or without takeover: nothing runs twice.
    assert jobs.execute("export", job_id) is True
    assert jobs.execute("export", job_id, takeover=True) is True
    db.session.expire_all()
    job = db.session.get(ExportJob, job_id)
    assert (job.status, _generated(db)) == (JobStatus.DONE, 1)
    assert exports.job_file(job).stat().st_mtime_ns == modified


def test_a_stale_running_record_is_taken_over_without_a_queue(db, make_contribution):
    campaign = make_contribution().campaign
    job = exports.request_export(campaign, "opendata", "csv")
    db.session.commit()
    job.status, job.started_at = JobStatus.RUNNING, utcnow() - jobs.STALE_AFTER * 2
    db.session.commit()
    assert jobs.execute("export", job.id) is True
    db.session.expire_all()
    assert db.session.get(ExportJob, job.id).status == JobStatus.DONE
