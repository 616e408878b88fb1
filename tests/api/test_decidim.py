"""Decidim interchange: proposals and comments in from Decidim's exports, propositions out."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from sqlalchemy import func, select

from tests.conftest import DATA

DECIDIM = DATA / "decidim"


def _files(*names: str) -> list[tuple[str, bytes]]:
    return [(name, (DECIDIM / name).read_bytes()) for name in names]


@pytest.fixture
def campaign(make_campaign):
    return make_campaign("congres-decidim")


def _import(db, campaign, *names):
    from motion.services import decidim

    report = decidim.import_decidim(campaign, decidim.read_export(_files(*names)))
    db.session.commit()
    return report


def test_importing_the_same_export_twice_inserts_then_nothing(db, campaign):
    from motion.models import Comment, Contribution

    first = _import(db, campaign, "proposals.csv", "proposal_comments.csv")
    assert (first.proposals.inserted, first.proposals.skipped) == (7, 0)
    assert first.proposals.rejected == []
    # 501-504 land; 505 is on a meeting and 506 on a proposal outside the export.
    assert first.comments.inserted == 4
    assert [line for line, _reason in first.comments.rejected] == [6, 7]
    again = _import(db, campaign, "proposals.csv", "proposal_comments.csv")
    assert (again.proposals.inserted, again.proposals.skipped) == (0, 7)
    assert (again.comments.inserted, again.comments.skipped) == (0, 4)
    assert db.session.scalar(select(func.count(Contribution.id))) == 7
    assert db.session.scalar(select(func.count(Comment.id))) == 4


def test_html_bodies_become_safe_text(db, campaign):
    from motion.models import Contribution

    _import(db, campaign, "proposals.csv")
    by_id = {c.external_id: c for c in db.session.scalars(select(Contribution))}
    listed = by_id["decidim:proposal:102"].text
    assert "<" not in listed
    assert "La Poste & la CAF" in listed  # entity decoded
    assert "\n- école, lycée\n" in listed  # list items on their own lines
    withdrawn = by_id["decidim:proposal:104"]
    assert "alert" not in withdrawn.text  # script content dropped
    assert withdrawn.status.value == "withdrawn"
    bold = by_id["decidim:proposal:106"].text
    assert bold.endswith("\nProposition déposée en atelier.")
    for contribution in by_id.values():
        assert "<" not in contribution.text
        assert "&amp;" not in contribution.text


def test_category_scope_and_multilingual_fields(db, campaign):
    from motion.models import Contribution

    _import(db, campaign, "proposals.csv")
    by_id = {c.external_id: c for c in db.session.scalars(select(Contribution))}
    mobility = by_id["decidim:proposal:101"]
    assert mobility.workshop.name == "Mobilités"  # the category names the workshop
    assert mobility.collectivite == "Métropole de Lyon"  # the scope is a territory
    assert mobility.created_at.isoformat() == "2026-10-03T09:15:42+00:00"
    # A category named after an engagement of the framework maps onto it.
    assert by_id["decidim:proposal:102"].engagement.code == "E1"
    # Only an English title: taken; no category: the default workshop.
    english = by_id["decidim:proposal:103"]
    assert english.title == "Basic health services"
    assert english.workshop.name == "Propositions Decidim"
    # Only a machine translation of the title.
    assert by_id["decidim:proposal:105"].title == "Transporte público"
    assert by_id["decidim:proposal:105"].created_at.isoformat() == "2026-10-04T09:02:00+00:00"


def test_comments_keep_one_level_of_replies(db, campaign):
    from motion.models import Comment

    _import(db, campaign, "proposals.csv", "proposal_comments.csv")
    comments = {c.external_id: c for c in db.session.scalars(select(Comment))}
    root = comments["decidim:comment:501"]
    assert root.parent is None
    assert root.contribution.external_id == "decidim:proposal:101"
    assert comments["decidim:comment:502"].parent is root
    # A reply to a reply hangs under the top-level comment (motion has one level).
    deep = comments["decidim:comment:503"]
    assert deep.parent is root
    assert deep.text == "D'accord & je rajoute : les bus de nuit."


def test_json_export_and_open_data_zip(db, campaign, tmp_path):
    from motion.models import Contribution
    from motion.services import decidim

    report = _import(db, campaign, "proposals.json")
    assert report.proposals.inserted == 2
    bikes = db.session.scalar(select(Contribution).where(
        Contribution.external_id == "decidim:proposal:201"))
    assert bikes.title == "Pistes cyclables protégées"
    assert bikes.workshop.name == "Mobilités"
    only_english = db.session.scalar(select(Contribution).where(
        Contribution.external_id == "decidim:proposal:202"))
    assert only_english.status.value == "withdrawn"
    # The open-data ZIP holds one CSV per resource.
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        for name in ("proposals.csv", "proposal_comments.csv"):
            z.writestr(f"participez-open-data-{name}", (DECIDIM / name).read_bytes())
    zipped = decidim.import_decidim(campaign, decidim.read_export(
        [("participez-open-data.zip", archive.getvalue())]))
    db.session.commit()
    assert (zipped.proposals.inserted, zipped.comments.inserted) == (7, 4)


def test_unusable_files_are_refused_in_french(db, campaign):
    from motion.errors import InvalidInput
    from motion.services import decidim

    with pytest.raises(InvalidInput, match="Aucune proposition"):
        decidim.read_export([("autre.csv", b"nom;age\nA;3\n")])
    with pytest.raises(InvalidInput, match="JSON illisible"):
        decidim.read_export([("proposals.json", b"[{")])
    with pytest.raises(InvalidInput, match="ZIP illisible"):
        decidim.read_export([("open-data.zip", b"PK no zip")])


def test_cli_imports_twice_and_exports_for_decidim(runner, db, seeded_motion, tmp_path):
    slug = seeded_motion.campaign.slug
    args = ["import-decidim", str(DECIDIM / "proposals.csv"),
            str(DECIDIM / "proposal_comments.csv"), "--campaign", slug]
    first = runner.invoke(args=args)
    assert first.exit_code == 0, first.output
    assert "proposals: inserted 7, skipped 0, rejected 0" in first.output
    assert "comments: inserted 4, skipped 0, rejected 2" in first.output
    second = runner.invoke(args=args)
    assert "proposals: inserted 0, skipped 7, rejected 0" in second.output
    out = tmp_path / "propositions.csv"
    exported = runner.invoke(args=["export-decidim", "--campaign", slug, "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")), delimiter=";"))
    from motion.services import motions

    propositions = motions.propositions_in_order(seeded_motion.campaign and
                                                 motions.require_motion(seeded_motion.campaign))
    # Decidim's importer requires title/<default locale> and body/<default locale>.
    assert list(rows[0]) == ["title/fr", "body/fr"]
    assert [r["title/fr"] for r in rows] == [p.title for p in propositions]
    assert [r["body/fr"] for r in rows] == [p.text for p in propositions]
    missing = runner.invoke(args=["import-decidim", str(DECIDIM / "README.md"),
                                  "--campaign", slug])
    assert missing.exit_code != 0
