"""The RQ backend of the job runner: jobs on Redis, run by ``motion worker`` processes.

``MOTION_JOB_BACKEND=rq`` hands every job (:data:`motion.jobs.KINDS`) to RQ instead of a
detached process: one queue per kind, named ``<JOB_QUEUE>:<kind>`` (default
``motion:cluster``, ``motion:export``...), on ``REDIS_URL`` (``MOTION_REDIS_URL``; when unset,
the rate-limit storage if it is a Redis URI). Workers (``motion worker``, on this machine or
others sharing PostgreSQL, Redis and the instance folder) build the app from their own
environment.

Timeouts: ``JOB_TIMEOUTS`` (seconds per kind). Retries: ``JOB_RETRIES`` (RQ ``Retry``). A
worker killed mid-job leaves its RQ job "started"; once its heartbeat has expired (about a
minute, RQ's rule) another worker's maintenance requeues it, and :func:`perform` runs it
again as a takeover: :func:`motion.jobs.execute` claims the record anew (the dead worker's
uncommitted work was rolled back by the database), finishes it once, and skips a record
already done.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from typing import Any

from flask import Flask, has_app_context

from motion import jobs

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUTS = {"cluster": 3 * 3600, "export": 3600, "import": 3600, "invitations": 1800}


def redis_url(app: Flask) -> str:
    """The Redis of the queue: ``REDIS_URL``, else the rate-limit storage if it is Redis."""
    url = app.config.get("REDIS_URL")
    if not url:
        storage = str(app.config.get("RATELIMIT_STORAGE_URI") or "")
        if storage.startswith(("redis://", "rediss://")):
            url = storage
    if not url:
        raise RuntimeError("MOTION_JOB_BACKEND=rq needs MOTION_REDIS_URL (redis://HOST:6379/0)")
    return url


def connection(app: Flask) -> Any:
    from redis import Redis

    return Redis.from_url(redis_url(app))


def queue_name(app: Flask, kind: str) -> str:
    return f"{app.config.get('JOB_QUEUE') or 'motion'}:{kind}"


def queues(app: Flask, kinds: Iterable[str] | None = None) -> list[Any]:
    """The RQ queues of ``kinds`` (default: every kind), cluster first."""
    from rq import Queue

    redis = connection(app)
    return [Queue(queue_name(app, kind), connection=redis) for kind in (kinds or jobs.KINDS)]


class RQBackend:
    """Enqueue :func:`perform` on the kind's queue, with its timeout and retries."""

    def submit(self, app: Flask, kind: str, record_id: int) -> Any:
        from rq import Queue, Retry

        timeouts = {**DEFAULT_TIMEOUTS, **(app.config.get("JOB_TIMEOUTS") or {})}
        retries = int(app.config.get("JOB_RETRIES", 2))
        queue = Queue(queue_name(app, kind), connection=connection(app))
        return queue.enqueue(
            perform, kind, record_id,
            job_timeout=timeouts[kind],
            retry=Retry(max=retries) if retries > 0 else None,
            result_ttl=24 * 3600,
            failure_ttl=7 * 24 * 3600,
            description=f"motion {kind} job {record_id}",
            meta={"retries": retries},
        )


def perform(kind: str, record_id: int) -> bool:
    """The RQ task: execute the recorded job; a retry takes over the record."""
    from rq import get_current_job

    rq_job = get_current_job()
    # A first attempt has all its retries left; a later one follows a dead worker or an
    # error outside the job's own handling.
    takeover = bool(rq_job is not None and rq_job.retries_left is not None
                    and rq_job.retries_left < int(rq_job.meta.get("retries", 0)))
    if has_app_context():
        from motion.extensions import db

        # The work horse is a fork of the worker: never reuse the parent's connections.
        db.engine.dispose(close=False)
        return jobs.execute(kind, record_id, takeover=takeover)
    from motion import create_app

    with create_app().app_context():
        return jobs.execute(kind, record_id, takeover=takeover)


def work(app: Flask, kinds: Iterable[str] | None = None, *, burst: bool = False,
         name: str | None = None, maintenance_interval: int = 60, worker_ttl: int = 60,
         job_monitoring_interval: int = 30) -> bool:
    """Run one RQ worker on the kinds' queues, in ``app``'s context (``motion worker``).

    An idle worker waits ``worker_ttl - 15`` s on the queues, then cleans the registries
    when ``maintenance_interval`` has passed: the job of a worker dead for more than its
    heartbeat (``job_monitoring_interval`` + 60 s) is retried then.
    """
    from rq import Worker

    with app.app_context():
        worker = Worker(queues(app, kinds), connection=connection(app), name=name,
                        maintenance_interval=maintenance_interval, worker_ttl=worker_ttl,
                        job_monitoring_interval=job_monitoring_interval)
        logger.info("worker %s on %s (pid %s)", worker.name,
                    ", ".join(q.name for q in worker.queues), os.getpid())
        return worker.work(burst=burst, with_scheduler=False)
