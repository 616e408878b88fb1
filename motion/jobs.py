"""The job runner: long work out of the request cycle, with a progress record in the DB.

Every job kind (``cluster``, a clustering run; ``export``, an export job; ``import``, a CSV
import) runs the same way:

1. a service creates the progress record (a :class:`~motion.models._progress.ProgressRecord`)
   and refuses a second one while one is active (:func:`active`; a queued or running
   record older than :data:`STALE_AFTER` is considered dead: its process was killed);
2. the view or CLI commits, then calls :func:`launch`; the configured backend runs
   :func:`execute` later, elsewhere (default ``subprocess``: a detached
   ``python -m motion.jobs KIND RECORD_ID`` with the same configuration; ``inline``:
   at once, in this process);
3. :func:`execute` owns the transaction: it marks the record running, calls the kind's
   work function (which only adds and flushes, and reports progress), then marks it done
   and commits once; on an error it rolls back and records a French message (the
   domain error's own, or a generic one with the details in the log).

Progress updates go through their own short transactions so that the polling page sees
them while the job's own work stays uncommitted.

A backend is anything with ``submit(app, kind, record_id)``; ``rq`` (:mod:`motion.queue`)
enqueues the job on Redis for ``motion worker`` processes. :func:`execute` is idempotent
(a record already done or held by a live worker is not run again) and a retry after a
dead worker takes the record over (``takeover``).
"""

from __future__ import annotations

import importlib
import logging
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol

from flask import Flask, current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

logger = logging.getLogger(__name__)

# A queued or running record older than this is considered dead (its process was killed).
STALE_AFTER = timedelta(minutes=30)

# The work function of a kind: (record, progress(value, message)) -> None; it adds and
# flushes only, sets what the job produced on the record, and raises to fail.
Progress = Callable[[float, str], None]
Work = Callable[[Any, Progress], None]


@dataclass(frozen=True)
class JobKind:
    """A kind of job: its progress record and its work, both named "module:attribute" and
    imported when a job runs (the services import this module, never the reverse)."""

    record: str
    work: str
    failure: Any  # a lazy string: shown when the work fails unexpectedly

    def load(self, target: str) -> Any:
        module, _sep, name = target.partition(":")
        return getattr(importlib.import_module(module), name)


KINDS: dict[str, JobKind] = {
    "cluster": JobKind("motion.models:ClusteringRun", "motion.services.clustering:run_job",
                       _l("erreur inattendue pendant le calcul (détails dans le journal "
                          "du serveur)")),
    "export": JobKind("motion.models:ExportJob", "motion.services.exports:run_job",
                      _l("erreur inattendue pendant l’export (détails dans le journal du "
                         "serveur)")),
    # Transmission dossiers: export jobs (same record and download page), their own work.
    "dossier": JobKind("motion.models:ExportJob", "motion.services.dossiers:run_job",
                       _l("erreur inattendue pendant l’export (détails dans le journal du "
                          "serveur)")),
    "import": JobKind("motion.models.imports:ImportJob", "motion.services.imports:run_job",
                      _l("erreur inattendue pendant l’import (détails dans le journal du "
                         "serveur)")),
    "invitations": JobKind("motion.models.invitations:InvitationJob",
                           "motion.services.invitations:run_job",
                           _l("erreur inattendue pendant l’import (détails dans le journal "
                              "du serveur)")),
}
JOB_KINDS = tuple(KINDS)


# ------------------------------------------------------------------ progress records


def active(model: type, *conditions: Any) -> Any | None:
    """The queued or running record of ``model`` matching ``conditions`` that is not stale."""
    from sqlalchemy import select

    from motion.extensions import db
    from motion.models._progress import JobStatus
    from motion.models._types import utcnow

    return db.session.scalar(
        select(model).where(
            model.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]),
            model.created_at > utcnow() - STALE_AFTER,
            *conditions,
        ).limit(1)
    )


def get(model: type, campaign: Any, record_id: int, missing: str) -> Any:
    """A campaign's progress record of ``model`` (``missing``: the 404 message)."""
    from motion.services.lookup import get_owned

    return get_owned(model, record_id, missing, campaign_id=campaign.id)


def recent(model: type, campaign: Any, limit: int = 10) -> list[Any]:
    """A campaign's latest progress records of ``model``, newest first."""
    from sqlalchemy import select

    from motion.extensions import db

    return list(db.session.scalars(
        select(model).where(model.campaign_id == campaign.id)
        .order_by(model.id.desc()).limit(limit)
    ))


def record_progress(model: type, record_id: int, value: float, message: str,
                    *conditions: Any, **fields: Any) -> None:
    """Write a job's progress in its own short transaction, visible to the polling page
    while the job's own work stays uncommitted until it ends (``conditions``: only while
    the job's claim holds)."""
    from sqlalchemy import update

    from motion.extensions import db

    with db.engine.begin() as conn:
        conn.execute(
            update(model).where(model.id == record_id, *conditions)
            .values(progress=value, message=message[:300], **fields)
        )


def _end_read_transaction() -> None:
    """Commit the session's read transaction, keeping the rows it loaded."""
    from motion.extensions import db

    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def _claim(model: type, record_id: int, takeover: bool) -> Any | None:
    """Mark the record running for this worker; its new ``started_at`` is the claim.

    A queued record is claimed; a running one only on a takeover (the queue saw its
    worker die) or once it is stale. None when another worker holds it or it is finished.
    """
    from sqlalchemy import or_, update

    from motion.extensions import db
    from motion.models._progress import JobStatus
    from motion.models._types import utcnow

    claim = utcnow()
    running = model.status == JobStatus.RUNNING
    if not takeover:
        running = running & (model.started_at < claim - STALE_AFTER)
    with db.engine.begin() as conn:
        claimed = conn.execute(
            update(model).where(model.id == record_id,
                                or_(model.status == JobStatus.QUEUED, running))
            .values(status=JobStatus.RUNNING, started_at=claim, progress=0.02,
                    message=_("Démarrage"), error=None, finished_at=None)
        ).rowcount
    return claim if claimed == 1 else None


def execute(kind: str, record_id: int, *, takeover: bool = False) -> bool:
    """Run a recorded job of ``kind``: its work, then done and one commit; on an error,
    rollback and a failed record with a French message. True when it succeeded.

    Idempotent: a record already done is not run again (True), a failed one neither
    (False), nor one another live worker is running (False). ``takeover``: the queue
    knows the worker that had it died, so a running record is run again (its work was
    never committed); the dead worker's claim can no longer finish it.
    """
    from sqlalchemy import update

    from motion.errors import InvalidInput, NotFound
    from motion.extensions import db
    from motion.models._progress import JobStatus
    from motion.models._types import utcnow

    job = KINDS[kind]
    model = job.load(job.record)
    _end_read_transaction()
    claim = _claim(model, record_id, takeover)
    record = db.session.get(model, record_id)
    if record is None:
        raise NotFound(f"no {kind} job {record_id}")
    db.session.refresh(record)
    # The progress updates written from now on must precede the session's next
    # snapshot (SQLite).
    _end_read_transaction()
    if claim is None:
        logger.info("%s job %s not run: it is %s", kind, record_id, record.status)
        return record.status == JobStatus.DONE
    mine = (model.id == record_id, model.status == JobStatus.RUNNING,
            model.started_at == claim)

    def progress(value: float, message: str, **fields: Any) -> None:
        record_progress(model, record_id, value, message, *mine, **fields)

    try:
        job.load(job.work)(record, progress)
        db.session.flush()
        # Done only while the claim is still ours: a worker taken over finishes nothing.
        finished = db.session.execute(
            update(model).where(*mine).values(
                status=JobStatus.DONE, progress=1.0, message=_("Terminé"),
                finished_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
        if finished != 1:
            db.session.rollback()
            logger.warning("%s job %s was taken over by another worker", kind, record_id)
            return False
        db.session.commit()
        return True
    except Exception as error:
        db.session.rollback()
        logger.exception("%s job %s failed", kind, record_id)
        message = error.message if isinstance(error, InvalidInput | NotFound) else \
            str(job.failure)
        progress(1.0, _("Échec"), status=JobStatus.FAILED, error=message,
                 finished_at=utcnow())
        return False


# ------------------------------------------------------------------ backends


class Backend(Protocol):
    def submit(self, app: Flask, kind: str, record_id: int) -> Any: ...


def job_environment(app: Flask) -> dict[str, str]:
    """The environment a job process needs to build the same app as ``app``."""
    env = dict(os.environ)
    env.update(
        {
            "MOTION_INSTANCE": app.instance_path,
            "MOTION_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "MOTION_SECRET_KEY": str(app.config["SECRET_KEY"]),
            "MOTION_ENV": str(app.config["ENV"]),
            "MOTION_EMBEDDING_MODEL": str(app.config["EMBEDDING_MODEL"]),
        }
    )
    return env


class SubprocessBackend:
    """A detached process per job; its output goes to ``instance/jobs/``."""

    def submit(self, app: Flask, kind: str, record_id: int) -> subprocess.Popen[bytes]:
        log_dir = Path(app.instance_path) / "jobs"
        log_dir.mkdir(parents=True, exist_ok=True)
        log = (log_dir / f"{kind}-{record_id}.log").open("ab")
        try:
            return subprocess.Popen(
                [sys.executable, "-m", "motion.jobs", kind, str(record_id)],
                env=job_environment(app),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                close_fds=True,
            )
        finally:
            log.close()


class InlineBackend:
    """The job at once, in this process and this app (tests, one-off commands)."""

    def submit(self, app: Flask, kind: str, record_id: int) -> bool:
        with app.app_context():
            return execute(kind, record_id)


def _rq_backend() -> Backend:
    from motion.queue import RQBackend

    return RQBackend()


BACKENDS: dict[str, Callable[[], Backend]] = {
    "subprocess": SubprocessBackend,
    "inline": InlineBackend,
    "rq": _rq_backend,  # Redis and ``motion worker`` processes (motion.queue)
}


def launch(kind: str, record_id: int) -> Any:
    """Hand a recorded job to the backend named by ``JOB_BACKEND`` (default subprocess)."""
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    backend = BACKENDS[app.config.get("JOB_BACKEND", "subprocess")]()
    return backend.submit(app, kind, record_id)


def share_chunks(name: str, record_id: int, target: str, chunk_args: list[tuple]) -> Any:
    """On a queue backend (``rq``), hand the chunks of a job's work to other workers too:
    one queue job per chunk calling ``target(record_id, index, *args)``; returns the
    share (claim a chunk before doing it, wait for the others). None on the embedded
    backends: the job does every chunk itself."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config.get("JOB_BACKEND", "subprocess") != "rq" or len(chunk_args) < 2:
        return None
    from motion.queue import share_chunks as share

    return share(app, name, record_id, target, chunk_args)


def chunk_share(name: str, record_id: int) -> Any:
    """The share of a job's chunks, seen from a chunk job (see :func:`share_chunks`)."""
    from motion.queue import ChunkShare

    return ChunkShare(current_app._get_current_object(), name, record_id)  # type: ignore[attr-defined]


def lower_priority(app: Flask) -> int:
    """Lower this process's CPU priority by ``JOB_NICENESS`` (children inherit it), so that
    a job sharing cores with the app servers yields to requests; the niceness reached."""
    increment = int(app.config.get("JOB_NICENESS") or 0)
    return os.nice(max(0, increment))


def run(kind: str, record_id: int) -> bool:
    """Build the app from the environment and execute one job (a worker's entry point)."""
    from motion import create_app

    app = create_app()
    lower_priority(app)
    with app.app_context():
        return execute(kind, record_id)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2 or argv[0] not in KINDS or not argv[1].isdigit():
        print(f"usage: python -m motion.jobs {{{'|'.join(KINDS)}}} RECORD_ID",
              file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    return 0 if run(argv[0], int(argv[1])) else 1


if __name__ == "__main__":
    sys.exit(main())
