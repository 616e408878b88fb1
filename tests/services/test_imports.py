"""CSV imports: idempotent, row by row, clear about what they refused."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from motion.errors import InvalidInput
from motion.models import Contribution, ContributionSource
from motion.services import imports
from tests.conftest import DEV_CSV


def _count(db, campaign) -> int:
    return db.session.scalar(
        select(func.count(Contribution.id)).where(Contribution.campaign_id == campaign.id)
    )


def test_cli_import_of_dev_set_twice_inserts_then_skips(runner, db, make_campaign):
    campaign = make_campaign("gdn")
    first = runner.invoke(args=["import", str(DEV_CSV), "--campaign", "gdn"])
    assert first.exit_code == 0, first.output
    assert "inserted 3300, skipped 0, rejected 0" in first.output
    second = runner.invoke(args=["import", str(DEV_CSV), "--campaign", "gdn"])
    assert second.exit_code == 0, second.output
    assert "inserted 0, skipped 3300, rejected 0" in second.output
    assert _count(db, campaign) == 3300
    sample = db.session.scalars(select(Contribution).limit(1)).one()
    assert sample.source == ContributionSource.IMPORT
    assert sample.external_id.startswith("gddev-")


def test_bad_rows_are_rejected_with_line_numbers_and_good_rows_kept(
    app, db, make_campaign, tmp_path, dev_rows
):
    campaign = make_campaign()
    good = [r["text"] for r in dev_rows[:2]]
    path = tmp_path / "mixed.csv"
    path.write_text(
        "id,text\n"
        f'a1,"{good[0]}"\n'
        "a2,   \n"
        f'a3,"{good[1]}",extra\n'
        f'a4,"{"x" * 6000}"\n'
        f'a5,"multi\nline text kept"\n'
        ',"Un texte sans identifiant mais sinon correct."\n',
        encoding="utf-8",
    )
    report = imports.import_csv(path, campaign)
    db.session.commit()
    assert report.inserted == 2
    assert dict(report.rejected) == {
        3: "texte vide",
        4: "trop de champs (3 au lieu de 2)",
        5: "texte trop long (6000 caractères, 5000 au plus)",
        8: "identifiant vide",
    }
    texts = set(db.session.scalars(select(Contribution.text)))
    assert texts == {good[0], "multi\nline text kept"}


def test_windows_1252_and_semicolons_are_read(app, db, make_campaign, tmp_path):
    campaign = make_campaign()
    path = tmp_path / "excel.csv"
    path.write_bytes(
        "identifiant;contribution\r\n"
        "w1;Créer des espaces numériques où l'on est accompagné à l'écrit\r\n".encode("cp1252")
    )
    report = imports.import_csv(path, campaign, text_column="contribution",
                                id_column="identifiant", workshop_name="Médiation")
    db.session.commit()
    assert (report.inserted, report.encoding) == (1, "windows-1252")
    contribution = db.session.scalars(select(Contribution)).one()
    assert contribution.text.startswith("Créer des espaces numériques où l'on")
    assert contribution.workshop.name == "Médiation"


def test_utf8_with_bom_is_read(app, db, make_campaign, tmp_path):
    campaign = make_campaign()
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffid,text\nb1,Une idée écrite en UTF-8 avec BOM\n".encode())
    report = imports.import_csv(path, campaign)
    assert (report.inserted, report.encoding) == (1, "utf-8")


def test_missing_text_column_names_the_columns_found(app, make_campaign, tmp_path):
    campaign = make_campaign()
    path = tmp_path / "cols.csv"
    path.write_text("id,idee\n1,Quelque chose\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="Colonne « text » absente.*id, idee"):
        imports.import_csv(path, campaign)


def test_missing_text_column_in_cli_is_a_clear_error(runner, make_campaign, tmp_path):
    make_campaign("c1")
    path = tmp_path / "cols.csv"
    path.write_text("id,idee\n1,Quelque chose\n", encoding="utf-8")
    result = runner.invoke(args=["import", str(path), "--campaign", "c1"])
    assert result.exit_code == 1
    assert "Colonne « text » absente" in result.output
    assert "Traceback" not in result.output


def test_rows_without_ids_are_idempotent_through_text_fingerprint(app, db, make_campaign,
                                                                   tmp_path):
    campaign = make_campaign()
    path = tmp_path / "noid.csv"
    path.write_text("text\nUne première idée pour le territoire\nUne seconde idée\n",
                    encoding="utf-8")
    assert imports.import_csv(path, campaign).inserted == 2
    again = imports.import_csv(path, campaign)
    assert (again.inserted, again.skipped) == (0, 2)


def test_rows_already_imported_are_looked_up_in_batches(app, db, make_campaign, tmp_path,
                                                        monkeypatch):
    """One query per LOOKUP_BATCH ids (PostgreSQL refuses more than 65,535 parameters: a
    file of 100,000 rows failed); a re-import still finds every row, across batches."""
    monkeypatch.setattr(imports, "LOOKUP_BATCH", 2)
    campaign = make_campaign()
    path = tmp_path / "ids.csv"
    path.write_text("id,text\n" + "".join(f"r{i},Idée numéro {i} pour la commune\n"
                                          for i in range(5)), encoding="utf-8")
    assert imports.import_csv(path, campaign).inserted == 5
    db.session.commit()
    path.write_text(path.read_text(encoding="utf-8") + "r5,Une idée de plus\n",
                    encoding="utf-8")
    again = imports.import_csv(path, campaign)
    assert (again.inserted, again.skipped) == (1, 5)


def test_unknown_campaign_is_a_clear_cli_error(runner, tmp_path):
    result = runner.invoke(args=["import", str(DEV_CSV), "--campaign", "nope"])
    assert result.exit_code == 1
    assert "Aucune campagne « nope »" in result.output


def test_an_import_into_an_empty_campaign_leaves_the_embedding_to_the_clustering_run(
    app, db, make_campaign, tmp_path
):
    """With nothing published to compare with, the import embeds nothing in its own
    process (100,000 rows would be embedded there, one process, before the clustering
    run's chunk jobs could share them); once the campaign has contributions, imported
    texts are embedded to find rewordings, and stay in the cache."""
    import sqlite3
    from pathlib import Path

    from nlp.embedding import text_key

    def cached(texts: list[str]) -> int:
        store = Path(app.instance_path) / "embeddings" / "embeddings.sqlite3"
        if not store.exists():
            return 0
        keys = [text_key(t) for t in texts]
        with sqlite3.connect(store) as con:
            return con.execute(
                f"SELECT count(*) FROM vectors WHERE text_hash IN ({','.join('?' * len(keys))})",
                keys).fetchone()[0]

    import uuid

    campaign = make_campaign()
    # Texts of this run only: the embedding cache may outlive one test (instance folder).
    tag = uuid.uuid4().hex[:8]
    first = [f"Un tiers-lieu numérique dans chaque canton ({tag})",
             f"Former les agents au RGPD ({tag})"]
    path = tmp_path / "first.csv"
    path.write_text("text\n" + "\n".join(first) + "\n", encoding="utf-8")
    assert imports.import_csv(path, campaign).inserted == 2
    db.session.commit()
    assert cached(first) == 0
    later = [f"Ouvrir les données des marchés publics ({tag})",
             f"Des bornes d'accès au droit en mairie ({tag})"]
    path.write_text("text\n" + "\n".join(later) + "\n", encoding="utf-8")
    assert imports.import_csv(path, campaign).inserted == 2
    assert cached(later) == 2


def test_a_large_import_is_flushed_batch_by_batch(app, db, make_campaign, tmp_path,
                                                  monkeypatch):
    """A file imported through a job (no commit per batch) used to be flushed once, at the
    end: that one unit of work grew with the file and the import grew quadratically
    (measured in-process on SQLite: 5,000 rows 2.4 s, 20,000 rows 26 s; flushed by batch,
    1.3 s and 5.1 s; 100,000 rows had taken more than 20 minutes). Checked by structure,
    not by time: no flush ever holds more than one batch of new rows."""
    from sqlalchemy import event

    monkeypatch.setattr(imports, "COMMIT_EVERY", 50)
    campaign = make_campaign()
    path = tmp_path / "many.csv"
    path.write_text("id,workshop,text\n" + "".join(
        f"m{i},Atelier {i % 2},Idée numéro {i} pour la commune\n" for i in range(230)),
        encoding="utf-8")
    flushed: list[int] = []

    def count_new(session, _context, _instances):
        flushed.append(sum(isinstance(o, Contribution) for o in session.new))

    session = db.session()
    event.listen(session, "before_flush", count_new)
    try:
        report = imports.import_csv(path, campaign)
    finally:
        event.remove(session, "before_flush", count_new)
    assert report.inserted == 230
    assert max(flushed) <= 50, flushed
    assert sum(flushed) == 230
    db.session.commit()
    assert _count(db, campaign) == 230


def test_a_renamed_workshop_takes_the_rows_that_name_it(db, make_campaign, tmp_path):
    """A file naming a workshop by its current name, after a rename (its address keeps the
    former name), or by that former name, fills it instead of creating a second one; the
    invitation import matches names the same way (campaigns.workshops_by_key)."""
    from motion.models import Workshop
    from motion.services import campaign_admin
    from motion.services.campaigns import get_or_create_workshop

    campaign = make_campaign()
    renamed = get_or_create_workshop(campaign, "Atelier eau")
    campaign_admin.save_workshop(campaign, renamed, name="Atelier ressources")
    db.session.commit()
    path = tmp_path / "rows.csv"
    path.write_text("id,text,workshop\n"
                    "r1,Protéger les captages d’eau potable de la commune.,Atelier ressources\n"
                    "r2,Publier la qualité de l’eau en données ouvertes.,atelier EAU\n",
                    encoding="utf-8")
    imports.import_csv(path, campaign)
    db.session.commit()
    workshops = db.session.scalars(select(Workshop).where(Workshop.campaign_id == campaign.id))
    assert [w.name for w in workshops] == ["Atelier ressources"]
    assert {c.workshop_id for c in db.session.scalars(
        select(Contribution).where(Contribution.campaign_id == campaign.id))} == {renamed.id}
