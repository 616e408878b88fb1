"""Exports from the database: the builder, open data, the CLI command and export jobs.

A campaign of real dev answers is clustered with the real embedding model, a draft
motion is made from its largest themes (the demo's path), and one contribution behind a
proposition is hidden, another withdrawn: neither may appear anywhere.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import jsonschema
import pytest
from sqlalchemy import select

from motion.cli_export import export_command
from motion.exports import builder, opendata
from motion.models import Contribution, ContributionStatus, ExportJob, ExportStatus
from motion.models.motions import ProvenanceLink
from motion.services import (
    contributions,
    demo_motion,
    exports,
    imports,
    moderation,
    motions,
    provenance,
    supports,
    votes,
)

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "docs/schemas/opendata.schema.json").read_text()
)
N_ROWS = 300


@pytest.fixture
def exported(db, make_campaign, make_user, make_workshop, dev_rows, tmp_path):
    """A clustered campaign with a draft motion, e-mails, a hidden and a withdrawn source."""
    campaign = make_campaign("export")
    campaign.place = "Cahors"
    path = tmp_path / "rows.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "text", "workshop", "collectivite"])
        for i, row in enumerate(dev_rows[:N_ROWS]):
            writer.writerow([row["id"], row["text"], row["theme"], f"Commune n°{i % 37}"])
    imports.import_csv(path, campaign)
    db.session.commit()
    # Web contributions by named élus (their e-mails must never leave the tool).
    author = make_user(email="camille.secret@example.fr", display_name="Camille Secrète",
                       collectivite="Ville de Figeac")
    workshop = make_workshop("Atelier du congrès", campaign=campaign, members=[author])
    posted = [contributions.post_contribution(author, workshop, dev_rows[N_ROWS + i]["text"])
              for i in range(3)]
    supporter = make_user(email="soutien.secret@example.fr", campaign=campaign)
    supports.add_support(supporter, posted[0])
    db.session.commit()
    motion = demo_motion.create_demo_motion(campaign, n_propositions=4)
    first = motions.propositions_in_order(motion)[0]
    provenance.link_contributions(first, posted)
    db.session.commit()
    moderator = make_user(role="facilitator", email="moderation.secret@example.fr",
                          campaign=campaign)
    hidden, withdrawn = posted[1], posted[2]
    moderation.hide(moderator, hidden, "Hors sujet pour le test.")
    contributions.withdraw_contribution(author, withdrawn)
    db.session.commit()
    return {"campaign": campaign, "motion": motion, "first": first, "posted": posted,
            "hidden": hidden, "withdrawn": withdrawn, "author": author}


def _private_ids(exported) -> set[int]:
    return {exported["hidden"].id, exported["withdrawn"].id}


def test_motion_document_from_the_database(db, exported):
    campaign, first = exported["campaign"], exported["first"]
    doc = builder.build_motion_document(campaign)
    assert doc.is_draft
    assert doc.place == "Cahors"
    assert [s.code for s in doc.sections] == [e.code for e in campaign.framework.engagements]
    assert len(doc.propositions) == 4
    entry = next(p for p in doc.propositions if p.id == first.id)
    links = db.session.scalars(select(ProvenanceLink).where(
        ProvenanceLink.proposition_id == first.id)).all()
    published = {link.contribution_id for link in links} - _private_ids(exported)
    assert set(entry.contribution_ids) == published
    assert not set(entry.contribution_ids) & _private_ids(exported)
    posted = next(s for s in entry.sources if s.contribution_id == exported["posted"][0].id)
    assert posted.supports == 1
    assert posted.collectivite == "Ville de Figeac"
    assert posted.author is None  # the campaign does not publish names
    assert entry.provenance_line.startswith(f"Issue de {len(published)} contributions")

    campaign.publish_author_names = True
    db.session.commit()
    doc = builder.build_motion_document(campaign)
    entry = next(p for p in doc.propositions if p.id == first.id)
    assert {s.author for s in entry.sources} >= {"Camille Secrète"}

    # A closed vote is frozen on the proposition; adoption removes "PROJET".
    user = exported["author"]
    session = votes.open_vote(first, actor=None)
    db.session.commit()
    votes.cast_vote(session.id, user.id, "for")
    db.session.commit()
    votes.close_vote(session.id, actor=None)
    motions.adopt(exported["motion"], actor=None)
    db.session.commit()
    doc = builder.build_motion_document(campaign)
    assert not doc.is_draft
    assert doc.adopted_on is not None
    assert [(r.number, r.vote.pour, r.vote.contre) for r in doc.votes] == [
        (next(p.number for p in doc.propositions if p.id == first.id), 1, 0)]


def test_open_data_json_validates_and_holds_only_published_items(db, exported):
    campaign = exported["campaign"]
    content = exports.render(campaign, "opendata", "json").content
    data = json.loads(content)
    jsonschema.validate(data, SCHEMA, format_checker=jsonschema.FormatChecker())
    published = db.session.scalars(select(Contribution.id).where(
        Contribution.campaign_id == campaign.id,
        Contribution.status == ContributionStatus.PUBLISHED)).all()
    assert sorted(c["id"] for c in data["contributions"]) == sorted(published)
    assert len(published) == N_ROWS + 1
    text = content.decode("utf-8")
    assert "@example.fr" not in text
    assert "secret" not in text.lower()
    for private in _private_ids(exported):
        assert private not in {c["id"] for c in data["contributions"]}
        for cluster in data["clusters"]:
            assert private not in cluster["representative_ids"]
        for proposition in data["motion"]["propositions"]:
            assert private not in proposition["contribution_ids"]
    # Clusters: sizes count the published members listed in contributions.
    for cluster in data["clusters"]:
        members = [c for c in data["contributions"] if c["cluster"] == cluster["id"]]
        assert cluster["size"] == len(members)
        assert {c["cluster_name"] for c in members} <= {cluster["name"]}
    posted = next(c for c in data["contributions"] if c["id"] == exported["posted"][0].id)
    assert (posted["supports"], posted["workshop"], posted["collectivite"]) == (
        1, "Atelier du congrès", "Ville de Figeac")
    assert data["metadata"]["licence"]["id"] == "etalab-2.0"
    assert data["metadata"]["counts"]["propositions"] == 4
    assert data["motion"]["status"] == "draft"
    # The schema is strict: an e-mail field would not validate.
    data["contributions"][0]["email"] = "x@example.fr"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, SCHEMA)


def test_open_data_csv_round_trips_with_the_chosen_licence(db, exported):
    campaign = exported["campaign"]
    exports.set_licence(campaign, "odbl-1.0")
    db.session.commit()
    archive = zipfile.ZipFile(io.BytesIO(exports.render(campaign, "opendata", "csv").content))
    assert sorted(archive.namelist()) == ["LISEZMOI.md", "contributions.csv",
                                          "propositions.csv", "themes.csv"]
    raw = archive.read("contributions.csv")
    raw.decode("utf-8")  # strict UTF-8
    assert b"\r\n" in raw
    assert not raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert tuple(rows[0].keys()) == opendata.CONTRIBUTION_COLUMNS
    assert len(rows) == N_ROWS + 1
    assert not {str(i) for i in _private_ids(exported)} & {r["id"] for r in rows}
    assert all("@" not in value for row in rows for value in row.values() if value)
    # Texts survive quoting exactly (commas, quotes, line breaks).
    by_id = {r["id"]: r for r in rows}
    for contribution in db.session.scalars(select(Contribution).where(
            Contribution.campaign_id == campaign.id,
            Contribution.status == ContributionStatus.PUBLISHED)):
        # Texts a spreadsheet would run as formulas carry an apostrophe before them.
        assert by_id[str(contribution.id)]["text"] == opendata.neutralise(contribution.text)
    assert any("," in r["text"] for r in rows)
    themes = list(csv.DictReader(io.StringIO(archive.read("themes.csv").decode(), newline="")))
    assert tuple(themes[0].keys()) == opendata.CLUSTER_COLUMNS
    props = list(csv.DictReader(io.StringIO(archive.read("propositions.csv").decode(),
                                            newline="")))
    assert len(props) == 4
    first = next(p for p in props if p["id"] == str(exported["first"].id))
    assert str(exported["posted"][0].id) in first["contribution_ids"].split()
    readme = archive.read("LISEZMOI.md").decode("utf-8")
    assert "Open Database License (ODbL) 1.0" in readme
    assert "Date de génération" in readme


def test_export_command_writes_every_format(db, runner, exported, tmp_path):
    from docx import Document
    from odf import teletype, text
    from odf.opendocument import load
    from pypdf import PdfReader

    slug = exported["campaign"].slug
    titles = [p.title for p in motions.propositions_in_order(exported["motion"])]
    for fmt in ("odt", "docx", "pdf", "md", "csv", "json"):
        out = tmp_path / f"export.{fmt}"
        result = runner.invoke(export_command,
                               ["--campaign", slug, "--format", fmt, "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 0
    odt_text = " ".join(teletype.extractText(h) for h in
                        load(str(tmp_path / "export.odt")).text.getElementsByType(text.H))
    docx_text = " ".join(p.text for p in Document(str(tmp_path / "export.docx")).paragraphs)
    pdf_text = " ".join(" ".join(p.extract_text() for p in
                                 PdfReader(str(tmp_path / "export.pdf")).pages).split())
    md_text = (tmp_path / "export.md").read_text(encoding="utf-8")
    for title in titles:
        words = " ".join(title.split()[:4])
        for name, rendered in (("odt", odt_text), ("docx", docx_text), ("md", md_text)):
            assert words.replace("'", "\u2019") in rendered.replace("\\", ""), name
        assert words.replace("'", "\u2019").split()[0] in pdf_text
    assert "PROJET" in pdf_text
    assert zipfile.ZipFile(tmp_path / "export.csv").testzip() is None
    jsonschema.validate(json.loads((tmp_path / "export.json").read_text()), SCHEMA)
    # The synthesis report and errors.
    report = tmp_path / "rapport.odt"
    result = runner.invoke(export_command, ["--campaign", slug, "--format", "odt", "--kind",
                                            "report", "--out", str(report)])
    assert result.exit_code == 0, result.output
    assert "Couverture des engagements" in " ".join(
        teletype.extractText(h) for h in load(str(report)).text.getElementsByType(text.H))
    result = runner.invoke(export_command, ["--campaign", slug, "--format", "docx", "--kind",
                                            "report", "--out", str(tmp_path / "r.docx")])
    assert result.exit_code != 0
    assert "n’est pas proposé" in result.output
    result = runner.invoke(export_command, ["--campaign", "inconnue", "--format", "md",
                                            "--out", str(tmp_path / "x.md")])
    assert result.exit_code != 0
    assert "Aucune campagne" in result.output


def test_report_from_the_database_covers_every_engagement(db, exported):
    campaign = exported["campaign"]
    report = builder.build_report(campaign)
    assert [r.code for r in report.coverage] == [e.code for e in campaign.framework.engagements]
    assert report.n_contributions == N_ROWS + 1
    mapped = sum(r.contributions for r in report.coverage)
    assert mapped + report.n_out_of_frame <= report.n_contributions
    assert mapped > 0
    assert report.clusters
    assert [c.size for c in report.clusters] == sorted((c.size for c in report.clusters),
                                                       reverse=True)
    private = {c.text for c in (exported["hidden"], exported["withdrawn"])}
    for cluster in report.clusters:
        assert cluster.keywords
        assert 1 <= len(cluster.representatives) <= builder.REPORT_REPRESENTATIVES
        assert not private & set(cluster.representatives)


def test_export_job_runs_out_of_process_and_records_progress(db, exported):
    from motion.jobs import main as job_main

    assert job_main(["export", "not-a-number"]) == 2
    assert job_main(["nothing", "1"]) == 2
    campaign = exported["campaign"]
    job = exports.request_export(campaign, "motion", "odt")
    db.session.commit()
    with pytest.raises(Exception, match="déjà en préparation"):
        exports.request_export(campaign, "motion", "odt")
    db.session.rollback()
    process = exports.launch(job.id)
    assert process.wait(timeout=180) == 0
    db.session.expire_all()
    job = db.session.get(ExportJob, job.id)
    assert (job.status, job.progress, job.message) == (ExportStatus.DONE, 1.0, "Terminé")
    path = exports.job_file(job)
    assert path.read_bytes()[:2] == b"PK"
    assert job.size == path.stat().st_size
    assert exports.download_name(job).startswith("motion-export-")
    # A failing job records a French error, not a traceback.
    bad = ExportJob(campaign_id=campaign.id, kind="motion", format="xls")
    db.session.add(bad)
    db.session.commit()
    assert exports.execute_export(bad.id) is False
    db.session.expire_all()
    bad = db.session.get(ExportJob, bad.id)
    assert bad.status == ExportStatus.FAILED
    assert "format xls" in bad.error
