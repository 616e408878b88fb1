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

Chunks: a job whose work splits into independent chunks (the embedding of a large
clustering run) enqueues one job per chunk on the ``<JOB_QUEUE>:chunks`` queue
(:func:`share_chunks`), so that idle workers take some while the job's own worker takes the
others; each chunk is claimed once in a Redis hash (:class:`ChunkShare`), and the job keeps
its one progress record.
"""

from __future__ import annotations

import importlib
import logging
import os
import socket
import time
from collections.abc import Iterable
from typing import Any

from flask import Flask, has_app_context

from motion import jobs

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUTS = {"cluster": 3 * 3600, "export": 3600, "dossier": 3600, "import": 3600,
                    "invitations": 1800}


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


CHUNKS = "chunks"  # the queue of the chunk jobs (served by every worker of cluster jobs)


def queues(app: Flask, kinds: Iterable[str] | None = None) -> list[Any]:
    """The RQ queues of ``kinds`` (default: every kind), cluster first, then the chunks'
    queue when cluster jobs are served."""
    from rq import Queue

    redis = connection(app)
    names = list(kinds or jobs.KINDS)
    if "cluster" in names:
        names.append(CHUNKS)
    return [Queue(queue_name(app, name), connection=redis) for name in names]


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


# ------------------------------------------------------------------ chunk jobs

CHUNK_TIMEOUT = 1800  # seconds for one chunk; then its claim is forgotten (a dead worker)
CHUNK_KEEP = 24 * 3600  # seconds the claims of a job's chunks stay in Redis


def worker_name() -> str:
    """The RQ worker running this code, else host and process."""
    from rq import get_current_job

    rq_job = get_current_job()
    if rq_job is not None and rq_job.worker_name:
        return str(rq_job.worker_name)
    return f"{socket.gethostname()}:{os.getpid()}"


class ChunkShare:
    """The chunks of one job in a Redis hash: ``claim:<i>`` (who embeds chunk i, set
    once) and ``done:<i>`` (what that chunk reported)."""

    def __init__(self, app: Flask, name: str, record_id: int) -> None:
        self.redis = connection(app)
        self.key = f"{queue_name(app, CHUNKS)}:{name}:{record_id}"

    def claim(self, index: int) -> bool:
        """Take chunk ``index`` for this worker; False when another has it."""
        taken = bool(self.redis.hsetnx(self.key, f"claim:{index}", worker_name()))
        if taken:
            self.redis.hset(self.key, f"at:{index}", str(time.time()))
            self.redis.expire(self.key, CHUNK_KEEP)
        return taken

    def finish(self, index: int, report: int) -> None:
        self.redis.hset(self.key, f"done:{index}", str(int(report)))

    def state(self) -> dict[str, str]:
        return {k.decode(): v.decode() for k, v in self.redis.hgetall(self.key).items()}

    def claims(self) -> dict[int, str]:
        """Chunk index -> the worker that claimed it."""
        return {int(k[6:]): v for k, v in self.state().items() if k.startswith("claim:")}

    def reports(self) -> dict[int, int]:
        """Chunk index -> what its worker reported, for the finished chunks."""
        return {int(k[5:]): int(v) for k, v in self.state().items() if k.startswith("done:")}

    def wait(self, indexes: Iterable[int], on_progress=None, *, poll: float = 0.2) -> None:
        """Until the chunks ``indexes`` are finished, or their claim is older than
        :data:`CHUNK_TIMEOUT` (a dead worker: the caller does that chunk itself)."""
        waiting = set(indexes)
        while waiting:
            state = self.state()
            now = time.time()
            waiting = {i for i in waiting if f"done:{i}" not in state
                       and now - float(state.get(f"at:{i}", now)) < CHUNK_TIMEOUT}
            if on_progress is not None:
                on_progress(sum(1 for k in state if k.startswith("done:")))
            if waiting:
                time.sleep(poll)


def share_chunks(app: Flask, name: str, record_id: int, target: str,
                 chunk_args: list[tuple]) -> ChunkShare:
    """Enqueue ``target`` ("module:function", called as ``target(record_id, index,
    *args)``) once per chunk on the chunks' queue; the caller claims chunks too."""
    from rq import Queue

    queue = Queue(queue_name(app, CHUNKS), connection=connection(app))
    for index, args in enumerate(chunk_args):
        queue.enqueue(perform_chunk, target, record_id, index, *args,
                      job_timeout=CHUNK_TIMEOUT, result_ttl=3600, failure_ttl=24 * 3600,
                      description=f"motion {name} {record_id} chunk {index}")
    return ChunkShare(app, name, record_id)


def perform_chunk(target: str, *args: Any) -> Any:
    """The RQ task of a chunk: call ``target`` in the app (it claims its chunk)."""
    module, _sep, attribute = target.partition(":")
    function = getattr(importlib.import_module(module), attribute)
    if has_app_context():
        from motion.extensions import db

        db.engine.dispose(close=False)
        return function(*args)
    from motion import create_app

    with create_app().app_context():
        return function(*args)


def _worker_class(heartbeat_grace: int) -> type:
    """RQ's worker with its fixed 60 s heartbeat grace made a setting: a job whose worker
    died is declared abandoned ``job_monitoring_interval + heartbeat_grace`` s after the
    last heartbeat (60 by default, as in RQ; shorter means a faster takeover, at the risk
    of taking over a job whose worker only stalled for that long)."""
    from rq import Worker

    class MotionWorker(Worker):
        def get_heartbeat_ttl(self, job, working_time: float = 0.0) -> int:
            return super().get_heartbeat_ttl(job, working_time) - 60 + heartbeat_grace

    return MotionWorker


def work(app: Flask, kinds: Iterable[str] | None = None, *, burst: bool = False,
         name: str | None = None, maintenance_interval: int = 60, worker_ttl: int = 60,
         job_monitoring_interval: int = 30, heartbeat_grace: int = 60) -> bool:
    """Run one RQ worker on the kinds' queues, in ``app``'s context (``motion worker``).

    An idle worker waits ``worker_ttl - 15`` s on the queues, then cleans the registries
    when ``maintenance_interval`` has passed: the job of a worker dead for more than its
    heartbeat (``job_monitoring_interval`` + ``heartbeat_grace`` s) is retried then.
    """
    worker_class = _worker_class(heartbeat_grace)
    niceness = jobs.lower_priority(app)  # the work horses it forks inherit it
    with app.app_context():
        worker = worker_class(queues(app, kinds), connection=connection(app), name=name,
                              maintenance_interval=maintenance_interval, worker_ttl=worker_ttl,
                              job_monitoring_interval=job_monitoring_interval)
        logger.info("worker %s on %s (pid %s, niceness %s)", worker.name,
                    ", ".join(q.name for q in worker.queues), os.getpid(), niceness)
        return worker.work(burst=burst, with_scheduler=False)
