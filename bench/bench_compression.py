"""Benchmark response compression (flask-compress): bytes sent and time per page.

Seeds a fresh SQLite instance with 1,000 real answers of the dev set (workshop = Grand
Débat theme), clusters them and drafts a motion (as the demo does), logs a facilitator in
with Flask's test client, then requests the main pages with ``Accept-Encoding: identity``
and with each algorithm, 5 times each, and reports sizes and median request times.

Usage: .venv/bin/python bench/bench_compression.py [--out docs/benchmarks.md]
Rewrites the "## Compression" section of docs/benchmarks.md (the others are kept).
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.markdown_section import replace_section  # noqa: E402

DEV_CSV = REPO / "tests" / "data" / "granddebat_questions_dev.csv"
TEXTS = 1000
REPEAT = 5
PASSWORD = "bench password not secret"
SLUG = "bench-compression"
ALGORITHMS = ("gzip", "br", "zstd")
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SECTION = "## Compression"


def seed(app) -> None:
    from flask_migrate import upgrade

    from motion.extensions import db
    from motion.models import PhaseKind
    from motion.models._types import utcnow
    from motion.services import accounts, campaigns, contributions, frameworks
    from motion.services.demo_motion import create_demo_motion

    with DEV_CSV.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))[:TEXTS]
    with app.app_context():
        upgrade(revision="heads")
        campaign = campaigns.create_campaign(
            SLUG, "Compression", framework=frameworks.ensure_default_framework(),
            phase_starts={PhaseKind.COLLECT: utcnow() - timedelta(days=1)})
        user = accounts.create_user("anim@example.fr", display_name="Animation",
                                    role="facilitator", password=PASSWORD)
        workshops = {}
        for row in rows:
            if row["theme"] not in workshops:
                workshops[row["theme"]] = campaigns.get_or_create_workshop(campaign, row["theme"])
                campaigns.add_member(user, workshops[row["theme"]])
            contributions.post_contribution(user, workshops[row["theme"]], row["text"])
        create_demo_motion(campaign, actor=user)
        db.session.commit()


def pages(app) -> dict[str, str]:
    from sqlalchemy import select

    from motion.extensions import db
    from motion.models import Cluster, Contribution, Workshop

    with app.app_context():
        workshop = db.session.scalars(select(Workshop).order_by(Workshop.id)).first()
        contribution = db.session.scalars(select(Contribution).order_by(Contribution.id)).first()
        largest = db.session.scalars(select(Cluster).where(Cluster.active.is_(True))
                                     .order_by(Cluster.size.desc())).first()
        base = f"/campagnes/{SLUG}"
        return {
            "home": "/",
            "workshop (20 contributions)": f"{base}/ateliers/{workshop.slug}",
            "search « numérique »": f"{base}/contributions/?q=num%C3%A9rique",
            "contribution": f"{base}/contributions/{contribution.id}",
            "themes board": f"{base}/themes",
            f"largest theme ({largest.size} contributions)": f"{base}/themes/{largest.id}",
            "motion": f"{base}/motion",
        }


def measure(client, path: str, encoding: str) -> tuple[int, float]:
    times, size = [], 0
    for _ in range(REPEAT):
        start = time.perf_counter()
        response = client.get(path, headers={"Accept-Encoding": encoding})
        body = response.get_data()
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (path, response.status_code)
        got = response.headers.get("Content-Encoding", "identity")
        assert got == encoding, (path, encoding, got)
        size = len(body)
    return size, statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(REPO / "docs" / "benchmarks.md"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["MOTION_INSTANCE"] = str(Path(tmp) / "instance")
        from motion import create_app

        app = create_app({"TESTING": True, "SECRET_KEY": "bench-secret-key-not-for-production",
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'bench.sqlite'}",
                          "WTF_CSRF_ENABLED": False})
        started = time.perf_counter()
        seed(app)
        print(f"seeded in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        client = app.test_client()
        login = client.post("/compte/connexion",
                            data={"email": "anim@example.fr", "password": PASSWORD})
        assert login.status_code == 302, login.status_code
        results = []
        for name, path in pages(app).items():
            plain, plain_ms = measure(client, path, "identity")
            row = [name, plain, plain_ms]
            for algorithm in ALGORITHMS:
                row.extend(measure(client, path, algorithm))
            results.append(row)
    header = " | ".join(f"{a} bytes (ratio) | {a} ms" for a in ALGORITHMS)
    lines = [
        SECTION,
        "",
        "`bench/bench_compression.py` (`.venv/bin/python bench/bench_compression.py`) seeds a "
        f"fresh SQLite instance with {TEXTS:,} dev answers, clusters them and drafts a motion, "
        "then requests each page with Flask's test client as a facilitator, without "
        f"compression and with each algorithm ({REPEAT} times each; median request time, "
        "rendering included). flask-compress answers with the algorithm the browser prefers "
        "(zstd, then brotli, then gzip); static files, sent as streams, with zstd or brotli. "
        "Requests another site makes a browser send (`Sec-Fetch-Site: cross-site`) are not "
        "compressed (BREACH).",
        "",
        f"| page | identity bytes | identity ms | {header} |",
        "| --- | --- | --- |" + " --- | --- |" * len(ALGORITHMS),
    ]
    for name, plain, plain_ms, *rest in results:
        cells = [f"{name}", f"{plain:,}", f"{plain_ms:.1f}"]
        for i in range(0, len(rest), 2):
            size, ms = rest[i], rest[i + 1]
            cells += [f"{size:,} ({size / plain:.0%})", f"{ms:.1f}"]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "Request times are medians on whatever machine runs this; on a shared one "
              "they are noisy. The bytes are exact.", ""]
    section = "\n".join(lines)
    replace_section(Path(args.out), SECTION, section)
    print(section)


if __name__ == "__main__":
    main()
