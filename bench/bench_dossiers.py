"""Benchmark the transmission dossiers: rendering time against the estimated cost that
decides whether a dossier is rendered within the request (``DOSSIER_SYNC_MAX_COST``).

Usage: .venv/bin/python bench/bench_dossiers.py [--repeat 3] [--out docs/benchmarks.md]
                                                [--instance DIR]

Seeds a fresh SQLite instance with the 3,300 dev answers (no clustering), a motion of 64
propositions written from them (title and text from three answers each, about the length
of the demo's propositions, each linked to 20 contributions so that the provenance summary
has something to count) and the 8 default addressees. Then times
``motion.services.dossiers.dossier_file`` — reading the database, building the dossier and
rendering it, as the download does — for one addressee with 1, 2, 4, 8, 16 and 32 confirmed
propositions in ODT, DOCX and PDF, and ``dossiers.archive`` (the ZIP of every dossier) with
8 addressees × 1 and × 8 propositions, in PDF and in the three formats. Each time is the
median of ``--repeat`` runs; the slowest run is reported too (the process's first PDF pays
WeasyPrint's start: fonts and styles, once per worker). The cost is the one
``dossiers.too_large`` computes (propositions × 1 for ODT or DOCX, × 4 for PDF). Writes its
own section of the output file.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.bench_exports import fresh_app, seed_campaign  # noqa: E402
from bench.markdown_section import replace_section  # noqa: E402

SIZES = (1, 2, 4, 8, 16, 32)
HEADING = "## Transmission dossiers: time against cost (`DOSSIER_SYNC_MAX_COST`)"
N_PROPOSITIONS = 64
SOURCES = 20


def seed(app, rows: list[dict]) -> int:

    from sqlalchemy import select

    from motion.extensions import db
    from motion.models import Contribution
    from motion.services import addressees, motions

    campaign = seed_campaign(app, rows, "bench-dossiers")
    contributions = db.session.scalars(
        select(Contribution).where(Contribution.campaign_id == campaign.id)
        .order_by(Contribution.id)).all()
    motion = motions.create_motion(campaign)
    sections = [s for s in motion.sections if s.engagement is not None]
    for i in range(N_PROPOSITIONS):
        answers = [rows[(3 * i + j) % len(rows)]["text"].strip() for j in range(3)]
        title = answers[0].split(".")[0][:120]
        motions.create_proposition(
            motion, sections[i % len(sections)], title=title, text=" ".join(answers),
            contributions=contributions[i * SOURCES:(i + 1) * SOURCES])
    addressees.ensure_defaults(campaign)
    db.session.commit()
    return campaign.id


def confirm(campaign, per_addressee: dict[int, list[int]]) -> None:
    """Confirm exactly ``per_addressee[addressee id]`` propositions for each addressee."""
    from motion.extensions import db
    from motion.services import addressees, motions

    props = motions.propositions_in_order(motions.get_motion(campaign))
    for proposition in props:
        chosen = [aid for aid, ids in per_addressee.items() if proposition.id in ids]
        addressees.confirm(proposition, chosen)
    db.session.commit()


def timed(fn, repeat: int) -> tuple[float, float, int]:
    times, size = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        size = len(fn().content)
        times.append(time.perf_counter() - started)
    return statistics.median(times), max(times), size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", default=str(REPO / "docs" / "benchmarks.md"))
    parser.add_argument("--instance", help="instance folder (default: a temporary one)")
    args = parser.parse_args()

    app, rows, _url, tmp = fresh_app("bench-dossiers-", args.instance)

    from motion.extensions import db
    from motion.models import Campaign
    from motion.services import addressees, dossiers, motions

    singles: list[dict] = []
    archives: list[dict] = []
    with app.app_context():
        campaign = db.session.get(Campaign, seed(app, rows))
        ids = [p.id for p in motions.propositions_in_order(motions.get_motion(campaign))]
        targets = addressees.addressees(campaign)
        first = targets[0]
        for n in SIZES:
            confirm(campaign, {first.id: set(ids[:n])})
            for fmt in ("odt", "docx", "pdf"):
                seconds, slowest, size = timed(
                    lambda fmt=fmt: dossiers.dossier_file(campaign, first, fmt), args.repeat)
                cost = n * dossiers.FORMAT_COST[fmt]
                singles.append({"n": n, "format": fmt, "cost": cost, "s": seconds,
                                "max": slowest, "size": size})
                print(f"  {n:3d} propositions {fmt:4} cost {cost:4d}  {seconds:6.2f} s  "
                      f"{size / 1024:7.0f} KiB", flush=True)
        for each in (1, 8):
            per = {a.id: set(ids[each * i:each * (i + 1)]) for i, a in enumerate(targets[:8])}
            confirm(campaign, per)
            total = sum(len(v) for v in per.values())
            for choice in ("pdf", "all"):
                seconds, slowest, size = timed(
                    lambda choice=choice: dossiers.archive(campaign, choice), args.repeat)
                formats = dossiers.FORMATS if choice == "all" else (choice,)
                cost = total * sum(dossiers.FORMAT_COST[f] for f in formats)
                archives.append({"choice": choice, "cost": cost, "s": seconds, "max": slowest,
                                 "size": size, "n": total, "addressees": len(per),
                                 "each": each})
                print(f"  archive {choice:4} {len(per)} × {each} cost {cost:4d}  "
                      f"{seconds:6.2f} s", flush=True)
        db.drop_all()

    # Seconds per cost unit, from the largest single dossiers (the fixed part is small).
    big = [r for r in singles if r["n"] >= 8]
    per_unit = {fmt: statistics.median(r["s"] / r["cost"] for r in big if r["format"] == fmt)
                for fmt in ("odt", "docx", "pdf")}
    fixed = {fmt: next(r["s"] for r in singles if r["n"] == 1 and r["format"] == fmt)
             for fmt in ("odt", "docx", "pdf")}
    limit = dossiers.SYNC_MAX_COST
    at_limit = max(
        (r for r in singles if r["cost"] <= limit), key=lambda r: (r["cost"], r["s"]))
    above = [r for r in singles if r["cost"] > limit]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        HEADING,
        "",
        f"`bench/bench_dossiers.py` (Python {platform.python_version()}, SQLite, the same "
        f"2-core machine shared with other work; load average {load:.1f} at the end of the "
        f"run; median of {args.repeat} runs). One addressee's dossier with n confirmed "
        f"propositions (texts of about {sum(len(r['text']) for r in rows[:192]) // 64:,} "
        f"characters, {SOURCES} contributions each), timed through "
        "`dossiers.dossier_file` (database read, dossier built, file rendered), against the "
        "cost `dossiers.too_large` estimates (n × 1 in ODT or DOCX, n × 4 in PDF); above "
        f"`DOSSIER_SYNC_MAX_COST` (default {limit}) the file is prepared by a job.",
        "",
        "| propositions | ODT: cost | s | DOCX: cost | s | PDF: cost | s | slowest | PDF size |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for n in SIZES:
        cells = {r["format"]: r for r in singles if r["n"] == n}
        lines.append(
            f"| {n} | {cells['odt']['cost']} | {cells['odt']['s']:.2f} | "
            f"{cells['docx']['cost']} | {cells['docx']['s']:.2f} | {cells['pdf']['cost']} | "
            f"{cells['pdf']['s']:.2f} | {cells['pdf']['max']:.2f} | "
            f"{cells['pdf']['size'] / 1024:,.0f} KiB |"
        )
    lines += [
        "",
        "| ZIP of every dossier | propositions | cost | s | slowest | size |",
        "| --- | --- | --- | --- | --- | --- |",
        *(f"| {a['addressees']} addressees × {a['each']}, {a['choice'].upper()} | {a['n']} | "
          f"{a['cost']} | {a['s']:.2f} | {a['max']:.2f} | {a['size'] / 1024:,.0f} KiB |"
          for a in archives),
        "",
        f"Per cost unit (dossiers of 8 to 32 propositions): ODT {per_unit['odt']:.3f} s, "
        f"DOCX {per_unit['docx']:.3f} s, PDF {per_unit['pdf']:.3f} s per unit "
        f"(PDF {per_unit['pdf'] * 4:.2f} s per proposition); a one-proposition dossier takes "
        f"{fixed['odt']:.2f} / {fixed['docx']:.2f} / {fixed['pdf']:.2f} s. The largest "
        f"single dossier within the limit here ({at_limit['n']} propositions in "
        f"{at_limit['format'].upper()}, cost {at_limit['cost']}) took {at_limit['s']:.2f} s; "
        f"the smallest above it ({min(above, key=lambda r: r['cost'])['n']} propositions in "
        f"{min(above, key=lambda r: r['cost'])['format'].upper()}, cost "
        f"{min(above, key=lambda r: r['cost'])['cost']}) "
        f"{min(above, key=lambda r: r['cost'])['s']:.2f} s.",
        "",
    ]
    section = "\n".join(lines)
    replace_section(Path(args.out), HEADING, section)
    print(section)
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
