"""Scale through the job queue: N distinct texts imported into PostgreSQL, clustered by
`motion worker` processes on Redis, then the heaviest pages timed; writes its section of
docs/benchmarks.md.

Usage: .venv/bin/python bench/bench_scale.py [--sizes 10000,30000,100000] [--workers 2]
    [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/motion_bench_scale]
    [--redis-url redis://127.0.0.1:6379/0] [--out docs/benchmarks.md]

For each size, from an empty database (dropped and created again):

1. the texts: ``bench_clustering.perturbed_corpus`` on the two dev sets of ``tests/data``
   (every dev text once, then copies with one word dropped and two neighbouring words
   swapped, exact repeats skipped), so no two texts are the same;
2. the import: a CSV of them through ``imports.import_csv`` (the app's importer), timed;
3. the clustering: one run requested as the board does, launched on the ``rq`` backend and
   run by ``--workers`` separate ``motion worker`` processes; its embedding chunks (1,000
   texts) are queue jobs that every worker takes (``jobs.share_chunks``). Embeddings are
   cached in ``instance/embeddings`` (the app's cache, shared with bench_clustering), so a
   re-run mostly clusters: the table says how many texts were embedded anew;
   The peak memory is the largest resident size of a worker with its work horse, sampled
   every 0.5 s while the run lasts;
4. the pages, as a facilitator, in-process (Flask test client: server time, no network):
   the board, the biggest theme's page, "à classer", a search and the contributions list;
   the first request and the median of three more, with the size of the HTML.

The machine is shared (its load average is written beside the results).
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import re
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.bench_clustering import SETS, perturbed_corpus  # noqa: E402
from bench.bench_votes import reset_pg  # noqa: E402
from bench.markdown_section import replace_section  # noqa: E402
from bench.processes import ProcessGroup, descendants, rss_kb  # noqa: E402

MOTION = Path(sys.executable).with_name("motion")
SLUG = "echelle"
PASSWORD = "Banc-d-essai-2026!"  # noqa: S105 (a throwaway account of the bench database)
FACILITATOR = "animation@bench.local"
HEADING = "## Scale through the job queue (distinct texts, PostgreSQL, RQ workers)"


def log(*args) -> None:
    print(*args, file=sys.stderr, flush=True)


def dev_texts() -> list[str]:
    texts = []
    for path in SETS.values():
        with path.open(encoding="utf-8", newline="") as fh:
            texts += [row["text"] for row in csv.DictReader(fh)]
    return texts


def load() -> str:
    return "/".join(f"{v:.1f}" for v in os.getloadavg())


class Workers(ProcessGroup):
    """``motion worker`` processes on the bench's own queues, each in its own session."""

    def __init__(self, n: int, env: dict[str, str], logs: Path) -> None:
        super().__init__()
        for i in range(n):
            with (logs / f"worker-{i}.log").open("ab") as log_file:
                self.spawn([str(MOTION), "worker", "--name", f"{env['MOTION_JOB_QUEUE']}-{i}"],
                           env, REPO, log_file)

    def rss_mb(self) -> list[float]:
        """Resident memory of each worker with the work horse it forked, in MB."""
        return [sum(rss_kb(pid) for pid in (p.pid, *descendants(p.pid))) / 1024
                for p in self.processes]


def login(client) -> None:
    html = client.get("/compte/connexion").get_data(as_text=True)
    token = re.search(r'name="csrf_token" [^>]*value="([^"]+)"', html).group(1)
    response = client.post("/compte/connexion", data={
        "email": FACILITATOR, "password": PASSWORD, "csrf_token": token})
    if response.status_code != 302:
        raise SystemExit("the bench facilitator could not log in")


def time_page(client, path: str) -> dict:
    """The first request, then the median of three, and the HTML's size."""
    times = []
    for _ in range(4):
        started = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code}")
    return {"first": times[0], "median": statistics.median(times[1:]),
            "kb": len(response.get_data()) / 1000}


def measure(size: int, texts: list[str], args, tmp: Path) -> dict:
    from sqlalchemy import select

    from motion import create_app, jobs
    from motion.extensions import db
    from motion.models import Cluster, ClusteringRun, PhaseKind
    from motion.models._types import utcnow
    from motion.services import accounts, campaigns, clustering, frameworks, imports

    reset_pg(args.pg_url)
    queue_name = f"motion-bench-{uuid.uuid4().hex[:8]}"
    instance = REPO / "instance"
    os.environ["MOTION_INSTANCE"] = str(instance)
    app = create_app({"SECRET_KEY": "bench-secret-key-not-for-production",
                      "SQLALCHEMY_DATABASE_URI": args.pg_url, "ENV": "development",
                      "JOB_BACKEND": "rq", "REDIS_URL": args.redis_url,
                      "JOB_QUEUE": queue_name, "RATELIMIT_ENABLED": False})
    result: dict = {"n": size, "load_before": load()}
    path = tmp / f"texts-{size}.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "text", "workshop", "collectivite"])
        for i, text in enumerate(texts):
            writer.writerow([f"b{i}", text, f"Atelier {i % 8 + 1}", f"Commune {i % 97}"])
    with app.app_context():
        from flask_migrate import upgrade

        upgrade(revision="heads")
        now = utcnow()
        campaign = campaigns.create_campaign(
            SLUG, "Congrès (banc d'essai de l'échelle)",
            framework=frameworks.ensure_default_framework(),
            phase_starts={PhaseKind.COLLECT: now - timedelta(days=30),
                          PhaseKind.SYNTHESIS: now - timedelta(days=1)})
        db.session.commit()
        started = time.perf_counter()
        imports.import_csv(path, campaign)
        db.session.commit()
        result["import_s"] = time.perf_counter() - started
        log(f"{size}: imported in {result['import_s']:.1f} s")

        env = {k: v for k, v in os.environ.items() if not k.startswith("MOTION_")}
        env |= jobs.job_environment(app) | {
            "MOTION_INSTANCE": str(instance), "MOTION_JOB_BACKEND": "rq",
            "MOTION_REDIS_URL": args.redis_url, "MOTION_JOB_QUEUE": queue_name}
        workers = Workers(args.workers, env, tmp)
        try:
            run = clustering.request_run(campaign)
            db.session.commit()
            run_id = run.id
            started = time.perf_counter()
            jobs.launch("cluster", run_id)
            peak = [0.0] * args.workers
            while True:
                db.session.expire_all()
                run = db.session.get(ClusteringRun, run_id)
                if run.is_finished:
                    break
                db.session.rollback()
                peak = [max(a, b) for a, b in zip(peak, workers.rss_mb(), strict=True)]
                time.sleep(0.5)
            result["peak_mb"] = max(peak)
            result["cluster_s"] = time.perf_counter() - started
            if run.error:
                raise SystemExit(f"clustering failed: {run.error} (logs in {tmp})")
            summary = run.summary or {}
            result["embed_s"] = summary.get("seconds", {}).get("embed")
            result["embedded"] = summary.get("embedded", {})
            result["themes"] = run.n_clusters
            log(f"{size}: clustered in {result['cluster_s']:.1f} s ({run.n_clusters} themes)")
        finally:
            workers.stop()
            from motion import queue

            for q in queue.queues(app):
                q.delete(delete_jobs=True)

        facilitator = accounts.create_user(FACILITATOR, display_name="Animation",
                                           role="facilitator", password=PASSWORD)
        campaigns.add_member(facilitator, campaigns.get_workshop(campaign, "atelier-1"))
        db.session.commit()
        biggest = db.session.scalars(select(Cluster.id).where(Cluster.active.is_(True))
                                     .order_by(Cluster.size.desc())).first()
        db.session.rollback()
        client = app.test_client()
        login(client)
        base = f"/campagnes/{SLUG}"
        result["pages"] = {
            "board": time_page(client, f"{base}/themes"),
            "theme": time_page(client, f"{base}/themes/{biggest}"),
            "unsorted": time_page(client, f"{base}/themes/a-classer"),
            "search": time_page(client, f"{base}/contributions/?q=internet"),
            "list": time_page(client, f"{base}/contributions/"),
        }
        db.session.remove()
        db.engine.dispose()
    result["load_after"] = load()
    return result


def section(results: list[dict], workers: int) -> str:
    pages = ("board", "theme", "unsorted", "search", "list")
    names = {"board": "board", "theme": "biggest theme", "unsorted": "à classer",
             "search": "search", "list": "contributions"}
    lines = [
        HEADING, "",
        f"`bench/bench_scale.py`, {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores shared with other agents (load average 1/5/15 min before "
        f"and after each size in the table). Texts: `perturbed_corpus` of "
        "`bench/bench_clustering.py` on the two dev sets of `tests/data` (each dev text once, "
        "then copies with one word dropped and two neighbouring words swapped; no two texts "
        "alike). Imported by `imports.import_csv` into PostgreSQL; clustered by one run "
        f"through RQ with {workers} `motion worker` processes (embedding chunks of 1,000 are "
        "queue jobs shared by the workers); embeddings from the app's cache where present "
        "(\"embedded\" says how many were new).", "",
        "| texts | import | clustering run (queue) | of which embedding | embedded new "
        "| chunks per worker | themes | peak memory of a worker | load before → after |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        embedded = r.get("embedded") or {}
        chunks = embedded.get("chunks_by_worker") or {}
        lines.append(
            f"| {r['n']:,} | {r['import_s']:.0f} s | {r['cluster_s']:.0f} s | "
            f"{r['embed_s'] or 0:.0f} s | {embedded.get('new', 0):,} | "
            f"{', '.join(str(v) for _k, v in sorted(chunks.items())) or '—'} | "
            f"{r['themes']} | {r.get('peak_mb', 0) / 1024:.1f} GB | "
            f"{r['load_before']} → {r['load_after']} |")
    lines += ["", "Pages as a facilitator, in-process (server time; first request / median "
              "of three more; HTML size before compression):", "",
              "| texts | " + " | ".join(names[p] for p in pages) + " |",
              "| --- |" + " --- |" * len(pages)]
    for r in results:
        cells = [f"{r['pages'][p]['first']:.2f} / {r['pages'][p]['median']:.2f} s, "
                 f"{r['pages'][p]['kb']:.0f} kB" for p in pages]
        lines.append(f"| {r['n']:,} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,30000,100000")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pg-url",
                        default="postgresql+psycopg://postgres@127.0.0.1:5432/motion_bench_scale")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "benchmarks.md")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    corpus = perturbed_corpus(dev_texts(), max(sizes))
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        for size in sizes:
            results.append(measure(size, corpus[:size], args, Path(tmp)))
            replace_section(args.out, HEADING, section(results, args.workers))
            log(f"{size}: written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
