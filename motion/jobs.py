"""Long work out of the request cycle: a detached process per job, a progress record in the DB.

A view (or the CLI) creates the progress record and commits, then calls :func:`launch`,
which starts ``python -m motion.jobs KIND RECORD_ID`` with the same configuration
(kinds: ``cluster``, a clustering run; ``export``, an export job; ``import``, a CSV
import). The
page polls the record. The job owns its transaction: it commits its results once; the
progress updates go through their own short transactions so that the page sees them.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, current_app

logger = logging.getLogger(__name__)


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


JOB_KINDS = ("cluster", "export", "import")


def record_progress(model: type, record_id: int, value: float, message: str,
                    **fields: Any) -> None:
    """Write a job's progress in its own short transaction, visible to the polling page
    while the job's own work stays uncommitted until it ends."""
    from sqlalchemy import update

    from motion.extensions import db

    with db.engine.begin() as conn:
        conn.execute(
            update(model).where(model.id == record_id)
            .values(progress=value, message=message[:300], **fields)
        )


def launch(kind: str, record_id: int) -> subprocess.Popen[bytes]:
    """Start a detached job process; its output goes to ``instance/jobs/``."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
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


def _runner(kind: str) -> Callable[[int], bool] | None:
    """The function that executes a recorded job of ``kind`` (and commits its result)."""
    if kind == "cluster":
        from motion.services.clustering import execute_run

        return execute_run
    if kind == "export":
        from motion.services.exports import execute_export

        return execute_export
    if kind == "import":
        from motion.services.imports import execute_import

        return execute_import
    return None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2 or argv[0] not in JOB_KINDS or not argv[1].isdigit():
        print(f"usage: python -m motion.jobs {{{'|'.join(JOB_KINDS)}}} RECORD_ID",
              file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    from motion import create_app

    app = create_app()
    with app.app_context():
        ok = _runner(argv[0])(int(argv[1]))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
