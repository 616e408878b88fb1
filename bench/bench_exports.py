"""Benchmark the exports: 3,300 dev contributions, a 12-proposition motion, every format.

Usage: .venv/bin/python bench/bench_exports.py [--repeat 3] [--database-url URL]
                                               [--instance DIR] [--markdown]

Seeds a fresh database (SQLite in a temporary folder by default) with the 3,300 answers of
the dev set (workshop = the Grand Débat theme), clusters them with the real embedding
model and drafts a motion from the 12 largest themes (the demo's path: each proposition
carries its theme's contributions as provenance). Then times ``exports.render`` (reading
the database and rendering) for each format, and again in a worst case where every
published contribution is behind some proposition (an annex of 3,300 sources). Prints a
Markdown table (``--markdown``) to paste into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

DEV = Path(os.environ.get("MOTION_SHARED_DATA", REPO.parent / "shared" / "data"))
DEV = DEV if DEV.is_file() else DEV / "granddebat_questions_dev.csv"
FORMATS = [("motion", "odt"), ("motion", "docx"), ("motion", "pdf"), ("motion", "md"),
           ("opendata", "csv"), ("opendata", "json"), ("report", "odt"), ("report", "pdf")]
TARGET_SECONDS = 10.0


def seed(app, rows: list[dict]) -> tuple[int, float]:
    from datetime import timedelta

    from motion.extensions import db
    from motion.models import PhaseKind
    from motion.models._types import utcnow
    from motion.services import campaigns, demo_motion, frameworks, imports

    now = utcnow()
    campaign = campaigns.create_campaign(
        "bench-exports", "Congrès national des élus au numérique — banc d'essai",
        framework=frameworks.ensure_default_framework(),
        phase_starts={PhaseKind.COLLECT: now - timedelta(days=30),
                      PhaseKind.SYNTHESIS: now - timedelta(days=1),
                      PhaseKind.PLENARY: now + timedelta(days=10)},
    )
    campaign.place = "Cahors"
    path = Path(app.instance_path) / "bench_rows.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "text", "workshop", "collectivite"])
        for i, row in enumerate(rows):
            writer.writerow([row["id"], row["text"], row["theme"], f"Commune n°{i % 400}"])
    imports.import_csv(path, campaign)
    db.session.commit()
    started = time.perf_counter()
    demo_motion.create_demo_motion(campaign, n_propositions=12)
    db.session.commit()
    return campaign.id, time.perf_counter() - started


def link_everything(campaign) -> None:
    """Worst case: put every published contribution behind the proposition of its theme,
    or the first proposition when its theme has none."""
    from sqlalchemy import select

    from motion.extensions import db
    from motion.models import Contribution, ContributionStatus
    from motion.services import motions, provenance

    motion = motions.get_motion(campaign)
    propositions = motions.propositions_in_order(motion)
    contributions = list(db.session.scalars(select(Contribution).where(
        Contribution.campaign_id == campaign.id,
        Contribution.status == ContributionStatus.PUBLISHED)))
    provenance.link_contributions(propositions[0], contributions)
    db.session.commit()


def time_formats(campaign, repeat: int) -> list[dict]:
    from motion.exports import builder
    from motion.services import exports

    results = []
    doc = builder.build_motion_document(campaign)
    annex = sum(len(p.sources) for p in doc.propositions)
    for kind, fmt in FORMATS:
        times, size = [], 0
        for _ in range(repeat):
            started = time.perf_counter()
            size = len(exports.render(campaign, kind, fmt).content)
            times.append(time.perf_counter() - started)
        results.append({"kind": kind, "format": fmt, "median": statistics.median(times),
                        "max": max(times), "size": size, "annex": annex,
                        "propositions": len(doc.propositions)})
        print(f"  {kind:9} {fmt:5} median {statistics.median(times):6.2f} s  "
              f"max {max(times):6.2f} s  {size / 1024:8.0f} KiB", flush=True)
    return results


def pdf_pages(campaign) -> int:
    import io

    from pypdf import PdfReader

    from motion.services import exports

    return len(PdfReader(io.BytesIO(exports.render(campaign, "motion", "pdf").content)).pages)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", help="default: SQLite in the instance folder")
    parser.add_argument("--instance", help="instance folder (default: a temporary one; the "
                        "embedding cache lives there)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args()

    with DEV.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    tmp = tempfile.TemporaryDirectory(prefix="bench-exports-")
    instance = Path(args.instance or tmp.name)
    instance.mkdir(parents=True, exist_ok=True)
    os.environ["MOTION_INSTANCE"] = str(instance)
    os.environ.setdefault("MOTION_ENV", "development")
    url = args.database_url or f"sqlite:///{instance / 'bench.sqlite'}"

    from flask_migrate import upgrade
    from sqlalchemy import text

    from motion import create_app
    from motion.extensions import db
    from motion.models import Campaign

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    results: dict[str, list[dict]] = {}
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade(revision="heads")
        print(f"seeding {len(rows)} contributions, clustering, 12-proposition motion…",
              flush=True)
        campaign_id, seconds = seed(app, rows)
        print(f"  seeded in {seconds:.1f} s", flush=True)
        campaign = db.session.get(Campaign, campaign_id)
        print("the demo's motion (12 largest themes):", flush=True)
        results["themes"] = time_formats(campaign, args.repeat)
        pages_themes = pdf_pages(campaign)
        link_everything(campaign)
        print("worst case (all 3,300 contributions in the annex):", flush=True)
        results["all"] = time_formats(campaign, args.repeat)
        pages_all = pdf_pages(campaign)
        db.drop_all()
    tmp.cleanup()

    if args.markdown:
        dialect = url.split(":", 1)[0].split("+", 1)[0]
        print(f"\n{platform.python_version()}, {dialect}, median of {args.repeat} runs\n")
        print("| export | format | 12 themes: median | max | size | all 3,300 in annex: "
              "median | max | size |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
        for a, b in zip(results["themes"], results["all"], strict=True):
            print(f"| {a['kind']} | {a['format']} | {a['median']:.2f} s | {a['max']:.2f} s | "
                  f"{a['size'] / 1024:.0f} KiB | {b['median']:.2f} s | {b['max']:.2f} s | "
                  f"{b['size'] / 1024:.0f} KiB |")
        print(f"\nAnnex: {results['themes'][0]['annex']} sources ({pages_themes} PDF pages) "
              f"vs {results['all'][0]['annex']} ({pages_all} PDF pages).")
    worst = max(r["max"] for r in results["themes"] + results["all"])
    return 0 if worst < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
