"""Load test on loopback: 3 app servers and 2 queue workers; 1,000 phones vote within 10 s
while a facilitator re-clusters the campaign; errors, exact tally, vote latency.

Usage: .venv/bin/python bench/bench_load.py [--phones 1000] [--servers 3] [--workers 2]
    [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/motion_bench_load]
    [--redis-url redis://127.0.0.1:6379/0] [--out docs/benchmarks.md]

Setup (not timed): a fresh PostgreSQL database; a campaign in its plenary phase with
2,000 distinct texts (``bench_clustering.perturbed_corpus`` on the dev sets) clustered once,
a motion whose first proposition's vote is open, ``--phones`` élus and a facilitator.
``--servers`` ``motion serve`` (gunicorn, 2 workers each) share PostgreSQL and Redis
(sessions in the database; rate limits and the job queue in Redis), as behind a proxy;
``--workers`` ``motion worker`` processes serve the queue. Each phone logs in on one server
and votes on the next one (any server must do), at times spread over 9 s; one phone in ten
then changes its vote to "abstention", still within 10 s. Meanwhile the facilitator asks
for a new clustering run (the board's "Actualiser les thèmes") and a projector polls the
tally every 250 ms. The tally read at the end must equal what the phones sent.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.bench_clustering import perturbed_corpus  # noqa: E402
from bench.bench_scale import Workers, dev_texts, load  # noqa: E402
from bench.bench_votes import (  # noqa: E402
    Ballot,
    Client,
    free_port,
    login_phones,
    percentile,
    reset_pg,
    wait_ready,
)
from bench.markdown_section import replace_section  # noqa: E402
from bench.processes import ProcessGroup, cpu_seconds, descendants, named  # noqa: E402

MOTION = str(Path(sys.executable).with_name("motion"))
SLUG = "bench-votes"  # bench_votes.Client logs in to this campaign's vote page
PASSWORD = "bench password not secret"  # noqa: S105 (bench_votes' throwaway accounts)
WINDOW = 9.0
HEADING = "## Load: app servers and workers on loopback (votes during a re-clustering)"


def log(*args) -> None:
    print(*args, file=sys.stderr, flush=True)


def seed(app, phones: int) -> int:
    """The campaign, its clustered texts, the élus and an open vote; the session's id."""
    from flask_migrate import upgrade

    from motion.extensions import db
    from motion.models import PhaseKind, Role, User
    from motion.models._types import utcnow
    from motion.services import accounts, campaigns, clustering, frameworks, imports, motions, votes

    with app.app_context():
        upgrade(revision="heads")
        now = utcnow()
        campaign = campaigns.create_campaign(
            SLUG, "Plénière (banc d'essai de charge)",
            framework=frameworks.ensure_default_framework(),
            phase_starts={PhaseKind.COLLECT: now - timedelta(days=30),
                          PhaseKind.SYNTHESIS: now - timedelta(days=2),
                          PhaseKind.PLENARY: now - timedelta(hours=1)})
        with tempfile.NamedTemporaryFile("w", suffix=".csv", encoding="utf-8",
                                         delete=False) as fh:
            import csv

            writer = csv.writer(fh)
            writer.writerow(["id", "text", "workshop"])
            for i, text in enumerate(perturbed_corpus(dev_texts(), 2000)):
                writer.writerow([f"c{i}", text, "Atelier plénière"])
        imports.import_csv(Path(fh.name), campaign)
        os.unlink(fh.name)
        db.session.commit()
        record = clustering.request_run(campaign)
        db.session.commit()
        assert clustering.execute_run(record.id)
        workshop = campaigns.get_workshop(campaign, "atelier-pleniere")
        hashed = accounts.hash_password(PASSWORD)
        users = [User(email=f"phone{i}@bench.local", display_name=f"Élu {i}",
                      collectivite=f"Commune {i % 120}", password_hash=hashed)
                 for i in range(phones)]
        users.append(User(email="anim@bench.local", display_name="Animation",
                          role=Role.FACILITATOR, password_hash=hashed))
        db.session.add_all(users)
        db.session.flush()
        for user in users:
            campaigns.add_member(user, workshop)
        motion = motions.create_motion(campaign)
        proposition = motions.create_proposition(
            motion, motion.sections[0], title="Un référent numérique par intercommunalité",
            text="Chaque intercommunalité désigne un référent chargé de l'inclusion numérique.")
        session = votes.open_vote(proposition, actor=None)
        db.session.commit()
        session_id = session.id
        db.session.remove()
        db.engine.dispose()
    return session_id


class Servers(ProcessGroup):
    """``motion serve`` processes on free ports, each in its own session."""

    grace = 20

    def __init__(self, n: int, env: dict[str, str], logs: Path) -> None:
        super().__init__()
        self.ports, self.logs = [], []
        for i in range(n):
            port = free_port()
            log_file = (logs / f"server-{i}.log").open("w+")
            self.spawn([MOTION, "serve", "--host", "127.0.0.1", "--port", str(port),
                        "--workers", "2"], env, REPO, log_file)
            self.ports.append(port)
            self.logs.append(log_file)
        for port, process, log_file in zip(self.ports, self.processes, self.logs, strict=True):
            wait_ready(port, process, log_file)

    def stop(self) -> None:
        super().stop()
        for log_file in self.logs:
            log_file.close()


def bench_backends(url: str) -> list[int]:
    """The PostgreSQL backends connected to the bench's database (not other agents')."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    engine = create_engine(target.set(database="postgres"))
    try:
        with engine.connect() as conn:
            return list(conn.scalars(text("SELECT pid FROM pg_stat_activity WHERE datname = :d"),
                                     {"d": target.database}))
    finally:
        engine.dispose()


def cpu_snapshot(servers: Servers, workers: Workers, pg_url: str) -> dict:
    """CPU seconds used so far by each part of the set-up: where the 2 cores go. Exited
    processes count through their parent (gunicorn workers, RQ work horses); PostgreSQL
    counts per backend of the bench's database (:func:`cpu_used` takes the difference)."""
    import resource

    def tree(roots: list[int]) -> float:
        return sum(cpu_seconds(root, children=True)
                   + sum(cpu_seconds(p) for p in descendants(root)) for root in roots)

    own = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "app servers": tree([p.pid for p in servers.processes]),
        "queue workers": tree([p.pid for p in workers.processes]),
        "PostgreSQL": {pid: cpu_seconds(pid) for pid in bench_backends(pg_url)},
        "Redis": sum(cpu_seconds(p) for p in named("redis-server")),
        "bench clients": own.ru_utime + own.ru_stime,
    }


def cpu_used(before: dict, after: dict) -> dict[str, float]:
    """CPU seconds between two snapshots (a backend gone by the end is not counted)."""
    used = {}
    for key, value in after.items():
        if isinstance(value, dict):
            used[key] = sum(v - before[key].get(pid, 0.0) for pid, v in value.items())
        else:
            used[key] = value - before[key]
    return used


def measure(ports: list[int], session_id: int, phones_n: int, snapshot=None) -> dict:
    n = len(ports)
    started = time.perf_counter()
    phones, tokens = login_phones(ports, phones_n)
    login_s = time.perf_counter() - started
    # Each phone now votes on the next server: its session must hold there too.
    for i, phone in enumerate(phones):
        phone.port = ports[(i + 1) % n]
        phone.conn.close()
        phone.conn = http.client.HTTPConnection("127.0.0.1", phone.port, timeout=30)
    projector = Client(ports[0])
    projector.login("anim@bench.local")
    facilitator = Client(ports[-1])
    facilitator.login("anim@bench.local")
    board_token = facilitator.csrf(f"/campagnes/{SLUG}/themes")
    ballot = Ballot(phones, tokens, projector, session_id, changers=phones_n // 10)

    cpu_before = snapshot() if snapshot else {}
    t0 = ballot.start()
    status, _ = facilitator.request(
        "POST", f"/campagnes/{SLUG}/themes/calculer",
        urlencode({"csrf_token": board_token, "granularite": "fins"}).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"})
    elapsed = ballot.vote(t0, WINDOW, 0.9, threads=96)
    cpu_after = snapshot() if snapshot else {}
    found = ballot.finish()
    vote_times, poll_times = found.pop("vote_times"), found.pop("poll_times")
    return {
        "phones": phones_n, "servers": n, "login_s": login_s, "seconds": elapsed, **found,
        "recluster_status": status,
        "p50": percentile(vote_times, 0.5) * 1000, "p95": percentile(vote_times, 0.95) * 1000,
        "max": max(vote_times) * 1000,
        "polls": len(poll_times), "poll_p95": percentile(poll_times, 0.95) * 1000,
        "cpu": cpu_used(cpu_before, cpu_after) if snapshot else {},
    }


def cpu_sentence(cpu: dict[str, float], seconds: float, niceness: int) -> str:
    """Where the cores went during the voting window (this run's processes only)."""
    available = seconds * (os.cpu_count() or 1)
    parts = ", ".join(f"{name} {used:.1f} s" for name, used in cpu.items())
    parts = parts.replace("PostgreSQL", "PostgreSQL (the bench database's backends)")
    return (f"CPU time used during the {seconds:.1f} s window ({available:.0f} s of CPU on "
            f"{os.cpu_count()} cores): {parts}; {sum(cpu.values()) / available:.0%} of the "
            "cores for this set-up alone (other agents' work comes on top). The queue workers "
            f"run at niceness {niceness} (`MOTION_JOB_NICENESS`; 0 is the app servers' own).")


def wait_for_run(app, timeout: float = 900) -> dict:
    """The re-clustering run asked for during the votes, once finished."""
    from sqlalchemy import select

    from motion.extensions import db
    from motion.models import ClusteringRun

    deadline = time.monotonic() + timeout
    with app.app_context():
        while time.monotonic() < deadline:
            run = db.session.scalars(select(ClusteringRun)
                                     .order_by(ClusteringRun.id.desc())).first()
            if run is not None and run.is_finished and run.id > 1:
                found = {"status": run.status.value, "error": run.error,
                         "finished_after_s": (run.finished_at - run.created_at)
                         .total_seconds()}
                db.session.remove()
                return found
            db.session.rollback()
            time.sleep(1)
    return {"status": "not finished", "error": None, "finished_after_s": None}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=1000)
    parser.add_argument("--servers", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pg-url",
                        default="postgresql+psycopg://postgres@127.0.0.1:5432/motion_bench_load")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "benchmarks.md")
    args = parser.parse_args()

    from motion import create_app, jobs

    reset_pg(args.pg_url)
    queue_name = f"motion-load-{uuid.uuid4().hex[:8]}"
    instance = REPO / "instance"  # the app's embedding cache
    os.environ["MOTION_INSTANCE"] = str(instance)
    settings = {"SECRET_KEY": "bench-secret-key-not-for-production",
                "SQLALCHEMY_DATABASE_URI": args.pg_url, "ENV": "development",
                "JOB_BACKEND": "rq", "REDIS_URL": args.redis_url, "JOB_QUEUE": queue_name}
    app = create_app({**settings, "JOB_BACKEND": "inline"})
    load_before = load()
    session_id = seed(app, args.phones)
    app.config.update(settings)
    log(f"seeded: vote session {session_id}")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTION_")}
    env |= jobs.job_environment(app) | {
        "MOTION_INSTANCE": str(instance), "MOTION_JOB_BACKEND": "rq",
        "MOTION_REDIS_URL": args.redis_url, "MOTION_JOB_QUEUE": queue_name,
        "MOTION_RATELIMIT_STORAGE_URI": args.redis_url,
        "MOTION_RATELIMIT_LOGIN_IP": "100000 per 15 minutes",
        "MOTION_RATELIMIT_LOGIN_ACCOUNT": "100 per 15 minutes"}
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        workers = Workers(args.workers, env, Path(tmp))
        servers = None
        try:
            servers = Servers(args.servers, env, Path(tmp))
            result = measure(servers.ports, session_id, args.phones,
                             lambda: cpu_snapshot(servers, workers, args.pg_url))
            result["run"] = wait_for_run(app)
        finally:
            if servers is not None:
                servers.stop()
            workers.stop()
            from motion import queue

            for q in queue.queues(app):
                q.delete(delete_jobs=True)
    result["load"] = f"{load_before} → {load()}"
    log(json.dumps(result, indent=1, default=str))
    run = result["run"]
    took = f" in {run['finished_after_s']:.0f} s" if run["finished_after_s"] else ""
    section = "\n".join([
        HEADING, "",
        "`bench/bench_load.py` on loopback, PostgreSQL and Redis: "
        f"{result['servers']} `motion serve` (gunicorn, 2 workers each) and {args.workers} "
        f"`motion worker`; {result['phones']:,} élus log in on one server and vote on the "
        "next (sessions in the database, rate limits and queue in Redis), spread over 9 s, "
        "one in ten changing to abstention before 10 s, while a facilitator asks for a new "
        "clustering of 2,000 texts and a projector polls the tally every 250 ms. "
        f"{os.cpu_count()} cores shared with other agents (load average 1/5/15 min before → "
        "after).", "",
        "| phones | votes sent | in | errors | tally exact | vote p50 | vote p95 | vote max "
        "| polls | poll p95 | re-clustering | load |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        f"| {result['phones']:,} | {result['votes']:,} | {result['seconds']:.1f} s | "
        f"{result['errors']} | {'yes' if result['exact'] else 'NO'} "
        f"({result['tally']['pour']}/{result['tally']['contre']}/"
        f"{result['tally']['abstention']}) | {result['p50']:.0f} ms | {result['p95']:.0f} ms | "
        f"{result['max']:.0f} ms | {result['polls']} | {result['poll_p95']:.0f} ms | "
        f"{run['status']}{took} | {result['load']} |",
        "", f"Logging the {result['phones']:,} phones in beforehand (argon2, not timed in the "
        f"window) took {result['login_s']:.0f} s."
        + (f" Errors seen: {result['error_sample']}." if result["errors"] else ""), "",
        cpu_sentence(result["cpu"], result["seconds"], app.config["JOB_NICENESS"]), ""])
    replace_section(args.out, HEADING, section)
    return 0 if result["exact"] and not result["errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
