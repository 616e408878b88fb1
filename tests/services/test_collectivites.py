"""Collectivités: official code checks, size bands, idempotent import, the élu's link,
the snapshot on contributions and the provenance summary by type and size."""

from __future__ import annotations

from pathlib import Path

import pytest

from motion.exports import builder, common
from motion.models import Collectivite, CollectiviteKind, SizeBand
from motion.models.collectivites import size_band
from motion.services import collectivite_imports, collectivites, motions, provenance

SAMPLE = Path(__file__).resolve().parents[2] / "motion/data/collectivites_exemple.csv"

K = CollectiviteKind


ACCEPTED = [
    (K.COMMUNE, "46042", "46042"),  # Cahors
    (K.COMMUNE, "2A004", "2A004"),  # Ajaccio
    (K.COMMUNE, "2b033", "2B033"),  # Bastia, lower case
    (K.COMMUNE, "97411", "97411"),  # Saint-Denis (La Réunion)
    (K.COMMUNE, "1001", "01001"),  # a spreadsheet dropped the leading zero
    (K.INTERCOMMUNALITE, "243500139", "243500139"),  # Rennes Métropole
    (K.DEPARTEMENT, "2A", "2A"),
    (K.DEPARTEMENT, "974", "974"),
    (K.REGION, "84", "84"),
    (K.AUTRE, "", None),
]
REFUSED = [
    (K.COMMUNE, "20004", "code commune"),  # Corsica is 2A/2B since 1976
    (K.COMMUNE, "2C004", "code commune"),
    (K.COMMUNE, "460420", "code commune"),
    (K.DEPARTEMENT, "20", "code département"),
    (K.DEPARTEMENT, "977", "code département"),
    (K.REGION, "22", "code région"),  # Picardie, merged in 2016
    (K.INTERCOMMUNALITE, "243500138", "clé de contrôle"),
    (K.INTERCOMMUNALITE, "24350013", "9 chiffres"),
    (K.COMMUNE, "", "manquant"),
]


def test_official_codes_are_checked_with_french_reasons(app):
    with app.test_request_context():
        for kind, code, expected in ACCEPTED:
            assert collectivites.validate_code(kind, code) == expected, (kind, code)
        for kind, code, words in REFUSED:
            with pytest.raises(ValueError, match=words):
                collectivites.validate_code(kind, code)


def test_size_bands():
    assert size_band(K.COMMUNE, 1_999) is SizeBand.VILLAGE
    assert size_band(K.COMMUNE, 2_000) is SizeBand.VILLE
    assert size_band(K.COMMUNE, 49_999) is SizeBand.VILLE
    assert size_band(K.COMMUNE, 50_000) is SizeBand.GRANDE_VILLE
    assert size_band(K.COMMUNE, None) is None
    assert size_band(K.INTERCOMMUNALITE, 300) is SizeBand.TERRITOIRE
    assert size_band(K.REGION, None) is SizeBand.TERRITOIRE


def test_sample_file_imports_once_then_is_idempotent(db):
    report = collectivite_imports.import_file(SAMPLE)
    db.session.commit()
    assert report.rejected == []
    assert report.inserted == len(SAMPLE.read_text(encoding="utf-8").splitlines()) - 1
    kinds = {c.kind for c in db.session.query(Collectivite)}
    assert kinds == {K.COMMUNE, K.INTERCOMMUNALITE, K.DEPARTEMENT, K.REGION}
    # La Réunion is both a département (974) and a région (04); 2A is a département only.
    again = collectivite_imports.import_file(SAMPLE)
    db.session.commit()
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, report.inserted)


def test_bad_lines_are_reported_by_number_and_good_ones_kept(db):
    data = (
        "nom;code INSEE;type;population\n"
        "Figeac;46102;commune;9770\n"
        "Nulle part;20004;commune;10\n"
        "Armix;01019;village;26\n"
        "Cahors;46042;ville-centre;20141\n"
        "Figeac bis;46102;commune;1\n"
        ";46042;commune;3\n"
        "Lot;46;département;beaucoup\n"
    ).encode()
    plan = collectivite_imports.read_plan(data, "liste.csv")
    report = collectivite_imports.apply_plan(plan)
    db.session.commit()
    assert report.inserted == 2  # Figeac, Armix ("village" means a commune)
    lines = dict(report.rejected)
    assert sorted(lines) == [3, 5, 6, 7, 8]
    assert lines[3].startswith("code commune « 20004 » invalide")
    assert "type « ville-centre » inconnu" in lines[5]
    assert "même type et même code que la ligne 2" in lines[6]
    assert "nom manquant" in lines[7]
    assert "population « beaucoup »" in lines[8]


def test_import_links_elus_and_contributions_by_name_and_posts_snapshot(
    db, make_user, make_contribution, make_workshop
):
    before = make_user(collectivite="figeac")  # typed before the list existed
    old = make_contribution(author=before)
    assert old.collectivite_id is None
    report = collectivite_imports.import_file(SAMPLE)
    db.session.commit()
    assert (report.users_linked, report.contributions_linked) == (1, 1)
    db.session.refresh(before)
    db.session.refresh(old)
    assert before.collectivite_record.insee_code == "46102"
    assert before.collectivite == "figeac"  # the text is kept
    assert (old.collectivite_kind, old.collectivite_size) == (K.COMMUNE, SizeBand.VILLE)

    # A new élu of a village posts: the contribution carries the village.
    villager = make_user(collectivite="Armix")
    posted = make_contribution(author=villager)
    assert (posted.collectivite_kind, posted.collectivite_size) == (K.COMMUNE, SizeBand.VILLAGE)
    # The élu moves to a région: the contribution keeps the village.
    collectivites.set_user_collectivite(villager, "Occitanie")
    db.session.commit()
    db.session.refresh(posted)
    assert posted.collectivite_size is SizeBand.VILLAGE
    assert villager.collectivite_record.kind is K.REGION


def test_provenance_summary_counts_collectivites_by_type_and_size(
    db, make_user, make_contribution, make_workshop, make_campaign
):
    collectivite_imports.import_file(SAMPLE)
    db.session.commit()
    campaign = make_campaign()
    workshop = make_workshop(campaign=campaign)
    authors = [
        make_user(collectivite=name)
        for name in (
            "Armix",
            "Figeac",
            "Toulouse",
            "Rennes Métropole",
            "Bretagne",
            "Une commune hors liste",
        )
    ]
    authors.append(make_user(collectivite="ARMIX"))  # a second élu of the same village
    posted = [make_contribution(author=a, workshop=workshop) for a in authors]
    motion = motions.create_motion(campaign)
    section = motion.sections[0]
    first = motions.create_proposition(
        motion, section, title="Première", text="Texte un.", contributions=posted[:4]
    )
    second = motions.create_proposition(
        motion, section, title="Seconde", text="Texte deux.", contributions=posted[3:]
    )
    db.session.commit()

    one = provenance.collectivite_summary(first)
    assert (one.elus, one.collectivites) == (4, 4)
    assert one.by_size == {
        SizeBand.VILLAGE: 1,
        SizeBand.VILLE: 1,
        SizeBand.GRANDE_VILLE: 1,
        SizeBand.TERRITOIRE: 1,
    }
    both = provenance.collectivite_summary([first, second])
    whole = provenance.collectivite_summary(motion)
    assert both == whole
    assert (whole.elus, whole.collectivites, whole.contributions) == (7, 6, 7)
    assert whole.by_kind == {K.COMMUNE: 3, K.INTERCOMMUNALITE: 1, K.REGION: 1, None: 1}
    assert whole.by_size[SizeBand.TERRITOIRE] == 2
    assert whole.by_size[None] == 1  # the commune that is not on the list
    text = whole.describe()
    assert text == (
        "7 élus de 6 collectivités : 1 village, 1 ville, 1 grande ville, "
        "2 territoires, 1 de taille inconnue"
    )

    # The export’s annex of sources says the same, after the quoted contributions, in
    # French whatever the reader's interface language (the document is filed in French).
    from flask_babel import force_locale

    with force_locale("en"):
        doc = builder.build_motion_document(campaign)
    entry = next(p for p in doc.propositions if p.id == first.id)
    _quotes, note = common.annex_sources(doc, entry)
    assert note.replace("\u202f", " ").endswith(
        "par taille : 1 village, 1 ville, 1 grande ville, 1 territoire ; "
        "par type : 3 communes, 1 intercommunalité."
    )


def test_contributions_imported_with_a_listed_name_carry_its_type_and_size(
    db, make_campaign, tmp_path
):
    from motion.models import Contribution
    from motion.services import imports

    collectivite_imports.import_file(SAMPLE)
    path = tmp_path / "rows.csv"
    path.write_text(
        "id,text,collectivite\n"
        "a,Un accès au très haut débit pour chaque hameau du canton.,FIGEAC\n"
        "b,Des conseillers numériques dans chaque mairie rurale.,Nulle part\n",
        encoding="utf-8",
    )
    imports.import_csv(path, make_campaign())
    db.session.commit()
    rows = dict(db.session.query(Contribution.external_id, Contribution.collectivite_size))
    assert rows == {"a": SizeBand.VILLE, "b": None}


def test_cli_imports_the_list_then_changes_nothing(runner, db, tmp_path):
    first = runner.invoke(args=["collectivites", "import", str(SAMPLE)])
    assert first.exit_code == 0, first.output
    assert "inserted 40, updated 0, unchanged 0, rejected 0" in first.output
    again = runner.invoke(args=["collectivites", "import", str(SAMPLE)])
    assert "inserted 0, updated 0, unchanged 40, rejected 0" in again.output
    bad = tmp_path / "liste.csv"
    bad.write_text("nom;habitants\nCahors;20141\n", encoding="utf-8")
    refused = runner.invoke(args=["collectivites", "import", str(bad)])
    assert refused.exit_code != 0
    assert "Colonnes manquantes : code INSEE, type" in refused.output


def test_a_spreadsheet_that_dropped_leading_zeros_still_imports(db):
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Nom", "Code INSEE", "Type", "Population"])
    sheet.append(["Armix", 1019, "Commune", 26])  # 01019 typed as a number
    sheet.append(["Ain", 1, "Département", None])
    buffer = io.BytesIO()
    book.save(buffer)
    plan = collectivite_imports.read_plan(buffer.getvalue(), "liste.xlsx")
    assert plan.rejected == []
    assert [(r.code, r.kind, r.population) for r in plan.rows] == [
        ("01019", K.COMMUNE, 26),
        ("01", K.DEPARTEMENT, None),
    ]
