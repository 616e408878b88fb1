"""The administrators' interchange pages: Decidim upload, spreadsheet with column mapping."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from tests.api.test_decidim import DECIDIM
from tests.conftest import csrf_token

PAGE = "/campagnes/congres-echanges/echanges/"


@pytest.fixture
def admin_client(client, login, make_user, make_campaign):
    make_campaign("congres-echanges")
    admin = make_user(role="admin")
    login(admin)
    return client


def _post(client, path, **data):
    return client.post(path, data={"csrf_token": csrf_token(client, PAGE), **data},
                       content_type="multipart/form-data")


def test_only_administrators_reach_the_page(client, login, make_user, make_campaign):
    campaign = make_campaign("congres-echanges")
    facilitator = make_user(role="facilitator", campaign=campaign)
    login(facilitator)
    assert client.get(PAGE).status_code == 403


def test_decidim_upload_twice_inserts_then_nothing(admin_client, db):
    from motion.models import Contribution

    def upload():
        return _post(admin_client, f"{PAGE}decidim", files=[
            (io.BytesIO((DECIDIM / name).read_bytes()), name)
            for name in ("proposals.csv", "proposal_comments.csv")])

    first = upload()
    assert first.status_code == 200
    # French plurals: "0 écarté" (singular) or the older "0 écartés".
    assert re.search(r"7 ajoutés, 0 déjà présents?, 0 écartés?\.", first.get_data(as_text=True))
    second = upload().get_data(as_text=True)
    assert re.search(r"0 ajoutés?, 7 déjà présents, 0 écartés?\.", second)
    assert db.session.scalar(select(func.count(Contribution.id))) == 7
    bad = _post(admin_client, f"{PAGE}decidim", files=[(io.BytesIO(b"a;b\n1;2\n"), "x.csv")])
    assert bad.status_code == 400
    assert "Aucune proposition" in bad.get_data(as_text=True)


def _xlsx(rows) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_mapping_preview_and_report_with_sheet_rows(admin_client, db, dev_rows):
    from motion.models import Contribution

    texts = [r["text"] for r in dev_rows[200:204]]
    data = _xlsx([
        ["Réf.", "Commune", "Proposition", "Groupe"],
        ["A1", "Brest", texts[0], "Mobilités"],
        ["A2", "Lyon", texts[1] + "\nSeconde ligne de la même cellule.", "Mobilités"],
        ["A3", "Rennes", "", "Santé"],  # no text: rejected, row 4 of the sheet
        ["A4", "Nantes", texts[2], "Santé"],
        ["", "Lille", texts[3], "Santé"],  # no id: rejected, row 6
    ])
    uploaded = _post(admin_client, f"{PAGE}tableur", file=(io.BytesIO(data), "ateliers.xlsx"))
    assert uploaded.status_code == 302
    mapping_url = uploaded.headers["Location"]
    page = admin_client.get(mapping_url).get_data(as_text=True)
    assert "Aperçu des premières lignes" in page
    assert texts[0][:40] in page  # the preview shows the first rows
    assert re.search(r'<option value="2" selected>Proposition</option>', page)
    path = mapping_url.split("?")[0]
    report = admin_client.post(path, data={
        "csrf_token": csrf_token(admin_client, PAGE), "nom": "ateliers.xlsx",
        "text": "2", "id": "0", "collectivite": "1", "workshop": "3", "title": ""})
    html = report.get_data(as_text=True)
    assert report.status_code == 200
    assert "3 contributions importées" in html
    assert "ligne 4" in html  # sheet rows, even after a cell with a line break
    assert "ligne 6" in html
    rows = {c.external_id: c for c in db.session.scalars(select(Contribution))}
    assert rows["A2"].text.endswith("\nSeconde ligne de la même cellule.")
    assert rows["A2"].collectivite == "Lyon"
    assert rows["A4"].workshop.name == "Santé"
    # The pending file is gone: a second run of the same step is refused.
    again = admin_client.post(path, data={"csrf_token": csrf_token(admin_client, PAGE),
                                          "text": "2"})
    assert again.status_code == 404


def test_csv_mapping_needs_a_text_column(admin_client):
    data = "numero;idee\n1;Installer des bornes de recharge dans chaque commune rurale.\n"
    uploaded = _post(admin_client, f"{PAGE}tableur",
                     file=(io.BytesIO(data.encode("cp1252")), "idees.csv"))
    path = uploaded.headers["Location"].split("?")[0]
    refused = admin_client.post(path, data={"csrf_token": csrf_token(admin_client, PAGE),
                                            "text": ""})
    assert refused.status_code == 400
    assert "colonne qui contient le texte" in refused.get_data(as_text=True)
    done = admin_client.post(path, data={"csrf_token": csrf_token(admin_client, PAGE),
                                         "text": "1", "id": "0"})
    assert "1 contribution importée" in done.get_data(as_text=True)
    garbage = _post(admin_client, f"{PAGE}tableur", file=(io.BytesIO(b"PK\x03\x04zz"), "x.xlsx"))
    assert garbage.status_code == 400
    assert "XLSX illisible" in garbage.get_data(as_text=True)


def test_propositions_csv_for_decidim_download(admin_client, db, make_campaign):
    from motion.models import Campaign
    from motion.services import motions

    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == "congres-echanges"))
    motion = motions.create_motion(campaign)
    motions.create_proposition(motion, motion.sections[0], title="Très haut débit",
                               text="Raccorder chaque école au très haut débit.")
    db.session.commit()
    response = admin_client.get(f"{PAGE}decidim/propositions.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # charset once
    assert response.get_data(as_text=True).splitlines() == [
        "title/fr;body/fr", "Très haut débit;Raccorder chaque école au très haut débit."]
