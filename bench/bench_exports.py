"""Benchmark the exports: 3,300 dev contributions, a 12-proposition motion, every format.

Usage: .venv/bin/python bench/bench_exports.py [--repeat 3] [--database-url URL]
                                               [--instance DIR] [--markdown]

Seeds a fresh database (SQLite in a temporary folder by default) with the 3,300 answers of
the dev set (workshop = the Grand Débat theme), clusters them with the real embedding
model and drafts a motion of 12 propositions, one per largest theme (as the demo does).
Then times ``exports.render`` (reading the database and rendering) for each format in two
cases: each proposition linked to at most 25 contributions of its theme (a facilitator's
selection: an annex of at most 300 sources, fewer when a theme is smaller), then to its
whole theme (the demo's path: the 12 largest themes hold almost every answer). The table
names the number of sources each case really quoted (the annex size is counted from the
document, not assumed). Prints a Markdown table (``--markdown``) to paste into
docs/benchmarks.md.
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

DEV = REPO / "tests" / "data"
DEV = DEV if DEV.is_file() else DEV / "granddebat_questions_dev.csv"
FORMATS = [("motion", "odt"), ("motion", "docx"), ("motion", "pdf"), ("motion", "md"),
           ("opendata", "csv"), ("opendata", "json"), ("report", "odt"), ("report", "pdf")]
TARGET_SECONDS = 10.0


SELECTED = 25


def fresh_app(prefix: str, instance_dir: str | None, url: str | None = None):
    """The dev rows, an instance folder (a temporary one unless given) and an app on an
    empty database built by the migrations (SQLite in the instance folder unless ``url``):
    ``(app, rows, url, tmp)``."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from motion import create_app
    from motion.extensions import db

    with DEV.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    tmp = tempfile.TemporaryDirectory(prefix=prefix)
    instance = Path(instance_dir or tmp.name)
    instance.mkdir(parents=True, exist_ok=True)
    os.environ["MOTION_INSTANCE"] = str(instance)
    os.environ.setdefault("MOTION_ENV", "development")
    url = url or f"sqlite:///{instance / 'bench.sqlite'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade(revision="heads")
    return app, rows, url, tmp


def seed_campaign(app, rows: list[dict], slug: str):
    """A campaign in its synthesis phase (place: Cahors) holding ``rows`` (dev-set rows:
    id, text, theme as the workshop), imported through the app's importer; committed."""
    from datetime import timedelta

    from motion.extensions import db
    from motion.models import PhaseKind
    from motion.models._types import utcnow
    from motion.services import campaigns, frameworks, imports

    now = utcnow()
    campaign = campaigns.create_campaign(
        slug, "Congrès national des élus au numérique — banc d'essai",
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
    return campaign


def seed(app, rows: list[dict]) -> tuple[int, float]:
    from sqlalchemy import select

    from motion.extensions import db
    from motion.models import Cluster
    from motion.services import demo_motion, motions
    from motion.services.themes import queries

    campaign = seed_campaign(app, rows, "bench-exports")
    started = time.perf_counter()
    motion = demo_motion.create_demo_motion(campaign, n_propositions=0)  # cluster only
    db.session.commit()
    seconds = time.perf_counter() - started
    largest = db.session.scalars(
        select(Cluster).where(Cluster.campaign_id == campaign.id, Cluster.active.is_(True),
                              Cluster.out_of_frame.is_(False),
                              Cluster.engagement_id.is_not(None))
        .order_by(Cluster.size.desc(), Cluster.id).limit(12)).all()
    for cluster in largest:
        draft = motions.prefill([cluster], [])
        motions.create_proposition(
            motion, motions.section_for(motion, draft.engagement_id), title=draft.title,
            text=draft.text, contributions=queries.members(cluster, limit=SELECTED))
    db.session.commit()
    return campaign.id, seconds


def link_whole_themes(campaign) -> None:
    """Link each proposition to every member of the theme it was made from."""
    from motion.extensions import db
    from motion.models import Cluster
    from motion.services import motions, provenance

    for proposition in motions.propositions_in_order(motions.get_motion(campaign)):
        cluster_id = proposition.provenance[0].cluster_id
        provenance.link_clusters(proposition, [db.session.get(Cluster, cluster_id)])
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

    app, rows, url, tmp = fresh_app("bench-exports-", args.instance, args.database_url)

    from motion.extensions import db
    from motion.models import Campaign

    results: dict[str, list[dict]] = {}
    with app.app_context():
        print(f"seeding {len(rows)} contributions, clustering, 12-proposition motion…",
              flush=True)
        campaign_id, seconds = seed(app, rows)
        print(f"  clustered in {seconds:.1f} s", flush=True)
        campaign = db.session.get(Campaign, campaign_id)
        print(f"12 propositions × {SELECTED} selected contributions:", flush=True)
        results["selected"] = time_formats(campaign, args.repeat)
        pages_selected = pdf_pages(campaign)
        link_whole_themes(campaign)
        print("12 propositions × their whole theme:", flush=True)
        results["themes"] = time_formats(campaign, args.repeat)
        pages_themes = pdf_pages(campaign)
        db.drop_all()
    tmp.cleanup()

    if args.markdown:
        dialect = url.split(":", 1)[0].split("+", 1)[0]
        print(f"\n{platform.python_version()}, {dialect}, median of {args.repeat} runs\n")
        a0, b0 = results["selected"][0], results["themes"][0]
        print(f"| export | format | annex of {a0['annex']}: median | max | size | "
              f"annex of {b0['annex']}: median | max | size |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
        for a, b in zip(results["selected"], results["themes"], strict=True):
            print(f"| {a['kind']} | {a['format']} | {a['median']:.2f} s | {a['max']:.2f} s | "
                  f"{a['size'] / 1024:.0f} KiB | {b['median']:.2f} s | {b['max']:.2f} s | "
                  f"{b['size'] / 1024:.0f} KiB |")
        print(f"\nMotion PDF: {pages_selected} pages with {a0['annex']} sources, "
              f"{pages_themes} pages with {b0['annex']}.")
    worst = max(r["max"] for r in results["selected"] + results["themes"])
    return 0 if worst < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
