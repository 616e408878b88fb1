"""Backups of the database while the app runs, and their restoration.

SQLite: SQLite's online backup API copies a consistent snapshot while other connections
keep writing (WAL), into a file that is itself a SQLite database. PostgreSQL: ``pg_dump``
in its custom format (consistent by its own snapshot), restored by ``pg_restore``. The
password of the database URL goes through ``PGPASSWORD``, never on a command line.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess  # nosec B404
from pathlib import Path

from sqlalchemy.engine import URL, make_url

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


class BackupError(RuntimeError):
    """A backup or a restoration could not be made (the message says why, in English)."""


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def _pg_command(program: str, url: URL) -> tuple[list[str], dict[str, str]]:
    if shutil.which(program) is None:
        raise BackupError(f"{program} not found: install the PostgreSQL client tools")
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    conninfo = url.set(drivername="postgresql", password=None).render_as_string(
        hide_password=False)
    return [program, f"--dbname={conninfo}"], env


def _run(command: list[str], env: dict[str, str]) -> None:
    # A fixed program (pg_dump, pg_restore) and argument list, never through a shell.
    result = subprocess.run(  # nosec B603
        command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[-2000:]}")


def backup(database_url: str, out: Path) -> Path:
    """Write a backup of the database at ``database_url`` to ``out`` (replaced if there)."""
    url = make_url(database_url)
    out = Path(out)
    partial = out.with_name(out.name + ".part")
    partial.unlink(missing_ok=True)
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(_sqlite_path(url))
        target = sqlite3.connect(partial)
        try:
            with target:
                source.backup(target)  # one step: a consistent snapshot
        finally:
            target.close()
            source.close()
    elif url.get_backend_name() == "postgresql":
        command, env = _pg_command("pg_dump", url)
        _run(command + ["--format=custom", "--no-owner", f"--file={partial}"], env)
    else:
        raise BackupError(f"no backup method for {url.get_backend_name()}")
    partial.replace(out)
    return out


def restore(database_url: str, source: Path) -> None:
    """Replace the database at ``database_url`` by the backup ``source``."""
    url = make_url(database_url)
    source = Path(source)
    with source.open("rb") as f:
        head = f.read(16)
    if url.get_backend_name() == "sqlite":
        if not head.startswith(SQLITE_MAGIC):
            raise BackupError(f"{source} is not a SQLite backup")
        target_path = _sqlite_path(url)
        target_path.parent.mkdir(parents=True, exist_ok=True)
        backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        target = sqlite3.connect(target_path)
        try:
            with target:
                backup_db.backup(target)
        finally:
            target.close()
            backup_db.close()
    elif url.get_backend_name() == "postgresql":
        if not head.startswith(PG_DUMP_MAGIC):
            raise BackupError(f"{source} is not a pg_dump custom-format backup")
        command, env = _pg_command("pg_restore", url)
        _run(command + ["--clean", "--if-exists", "--no-owner", "--single-transaction",
                        "--exit-on-error", str(source)], env)
    else:
        raise BackupError(f"no restore method for {url.get_backend_name()}")
