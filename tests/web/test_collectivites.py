"""The collectivités pages: import with preview and line-by-line report; the coverage page
counts contributions per axis by type and size band of collectivité."""

from __future__ import annotations

import io
import re
from pathlib import Path

from motion.models import Collectivite
from motion.services import campaigns, collectivite_imports, contributions, motions
from tests.conftest import csrf_token, field_error
from tests.seeding import place_themes

SAMPLE = Path(__file__).resolve().parents[2] / "motion/data/collectivites_exemple.csv"


def _upload(client, data: bytes, filename: str):
    token = csrf_token(client, "/admin/collectivites/")
    return client.post(
        "/admin/collectivites/import",
        data={"csrf_token": token, "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def test_admin_previews_then_imports_a_list_with_a_line_by_line_report(
    db, client, login, make_user
):
    login(make_user(role="admin"))
    bad = SAMPLE.read_bytes() + "Nulle part,20004,commune,12\nLot bis,46,département,\n".encode()
    preview = _upload(client, bad, "liste.csv")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "40 collectivités nouvelles" in page
    assert "2 lignes écartées" in page
    assert "ligne 42" in page
    assert "code commune « 20004 » invalide" in page
    assert "ligne 43" in page
    assert "même type et même code que la ligne 32" in page
    assert db.session.query(Collectivite).count() == 0  # a preview writes nothing

    name = re.search(r'action="/admin/collectivites/import/([^"]+)"', page).group(1)
    done = client.post(
        f"/admin/collectivites/import/{name}",
        data={"csrf_token": csrf_token(client, "/admin/collectivites/")},
    )
    assert done.status_code == 200
    assert "40 collectivités ajoutées" in done.get_data(as_text=True)
    listing = client.get("/admin/collectivites/").get_data(as_text=True)
    assert "40 collectivités" in listing
    assert "Saint-Apollinaire-de-Rias" in listing
    # Importing the same file again changes nothing.
    again = _upload(client, SAMPLE.read_bytes(), "liste.csv").get_data(as_text=True)
    assert "40 inchangées" in again
    assert "Importer ces collectivités" not in again


def test_a_file_without_the_needed_columns_is_refused_in_french(db, client, login, make_user):
    login(make_user(role="admin"))
    response = _upload(client, b"commune;habitants\nCahors;20141\n", "liste.csv")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    message = field_error(page, "collectivites-file", "Fichier CSV ou XLSX")
    assert "Colonnes manquantes : code INSEE, type" in message


def test_coverage_counts_contributions_by_type_and_size_per_axis(
    db, client, login, make_user, make_campaign, dev_rows
):
    collectivite_imports.import_file(SAMPLE)
    campaign = make_campaign()
    workshop = campaigns.get_or_create_workshop(campaign, "Atelier du congrès")
    authors = [
        make_user(collectivite=name, campaign=campaign)
        for name in ("Armix", "Saint-Apollinaire-de-Rias", "Figeac", "Bretagne")
    ]
    ideas = [
        contributions.post_contribution(a, workshop, dev_rows[i]["text"])
        for i, a in enumerate(authors)
    ]
    engagement = campaign.framework.engagements[0]
    axis = engagement.axes[0]
    [cluster] = place_themes(campaign, [(engagement, axis, ideas[:3])], name="Thème")
    facilitator = make_user(role="facilitator", campaign=campaign)
    db.session.commit()
    login(facilitator)
    page = client.get(f"/campagnes/{campaign.slug}/couverture").get_data(as_text=True)
    sizes = page[page.index('id="voices-size"') : page.index('id="voices-kind"')]
    row = re.search(rf"{re.escape(axis.code)} — .*?</tr>", sizes, re.S).group(0)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    # total 3: two villages, one ville, no grande ville, no territoire (unheard), 0 unknown
    assert [re.sub(r"<[^>]+>", "", c).strip() for c in cells] == [
        "3",
        "2",
        "1",
        "–aucune",
        "–aucune",
        "0",
    ]
    unsorted = re.search(r"À classer</th>.*?</tr>", sizes, re.S).group(0)
    assert re.findall(r"<td[^>]*>(.*?)</td>", unsorted, re.S)[0] == "1"

    # The proposition page says which collectivités it comes from, by size and type.
    motion = motions.create_motion(campaign)
    proposition = motions.create_proposition(
        motion,
        motion.sections[0],
        title="Proposition",
        text="Texte de la proposition.",
        clusters=[cluster],
    )
    db.session.commit()
    shown = client.get(f"/campagnes/{campaign.slug}/motion/propositions/{proposition.id}")
    assert "par taille : 2 villages, 1 ville ; par type : 3 communes" in shown.get_data(
        as_text=True
    ).replace("\u202f", " ")

    # The synthesis report's coverage table counts the same (one read function).
    from motion.exports import builder, report

    synthesis = builder.build_report(campaign)
    header, rows = report.coverage_table(synthesis)
    assert header[3:] == report.SIZE_COLUMNS
    first = next(r for r in rows if r[0].startswith(engagement.code))
    assert first[1] == "3"
    assert first[3:] == ["2", "1", "0", "0", "0"]
