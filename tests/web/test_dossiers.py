"""The dossiers pages: a facilitator confirms a proposition's addressees on its page,
downloads the dossier, records its dispatch; the administrator's cover letter and the
addressee list refuse bad input in French."""

from __future__ import annotations

import io
import re
import zipfile
from html import unescape

import pytest

from motion.services import addressees, motions
from tests.conftest import csrf_token

SLUG = "dossiers-web"


@pytest.fixture
def congress(db, make_campaign, make_user):
    campaign = make_campaign(SLUG)
    motion = motions.create_motion(campaign)
    sections = {s.engagement.code: s for s in motion.sections if s.engagement}
    fibre = motions.create_proposition(
        motion,
        sections["E1"],
        title="La fibre dans chaque commune rurale",
        text="Raccorder chaque commune rurale à la fibre optique avant la fin du mandat.",
    )
    ecoles = motions.create_proposition(
        motion,
        sections["E3"],
        title="Des tablettes pour les écoles",
        text="Équiper chaque école primaire de tablettes et former les enseignants.",
    )
    addressees.ensure_defaults(campaign)
    db.session.commit()
    named = {a.short_name: a for a in addressees.addressees(campaign)}
    facilitator = make_user(role="facilitator", campaign=campaign)
    return {
        "campaign": campaign,
        "fibre": fibre,
        "ecoles": ecoles,
        "a": named,
        "facilitator": facilitator,
    }


def _text(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def test_facilitator_confirms_downloads_and_records_the_dispatch(client, login, congress):
    a, fibre = congress["a"], congress["fibre"]
    login(congress["facilitator"])
    page = f"/campagnes/{SLUG}/motion/propositions/{fibre.id}"
    token = csrf_token(client, page)
    assert "Enregistrer les destinataires" in client.get(page).get_data(as_text=True)
    action = f"{page}/destinataires"
    # Suggestions from engagement E1 come pre-ticked; the facilitator keeps two.
    client.post(action, data={"csrf_token": token, "action": "suggerer"})
    html = client.get(page).get_data(as_text=True)
    assert re.search(rf'value="{a["ANCT"].id}"[^>]*checked', html)
    response = client.post(
        action,
        data={
            "csrf_token": token,
            "action": "enregistrer",
            "destinataires": [a["Numérique"].id, a["ANCT"].id],
        },
    )
    assert response.status_code == 302
    assert "2 destinataires confirmés" in _text(client.get(page))
    refused = client.post(action, data={"csrf_token": token, "destinataires": ["abc"]})
    assert refused.status_code == 400

    index = client.get(f"/campagnes/{SLUG}/dossiers")
    body = index.get_data(as_text=True)
    assert "Marquer comme envoyé" in body
    assert "Télécharger tous les dossiers (ZIP)" in body
    link = re.search(
        rf'href="([^"]*dossiers/{a["Numérique"].id}/fichier\?format=docx)"', body
    ).group(1)
    download = client.get(unescape(link))
    assert download.status_code == 200
    assert download.mimetype.endswith("wordprocessingml.document")
    from docx import Document

    text = " ".join(p.text for p in Document(io.BytesIO(download.data)).paragraphs)
    assert fibre.title in text
    assert congress["ecoles"].title not in text
    archive = client.get(f"/campagnes/{SLUG}/dossiers/archive?format=odt")
    assert sorted(
        n.rsplit("-", 1)[-1] for n in zipfile.ZipFile(io.BytesIO(archive.data)).namelist()
    ) == ["anct.odt", "numerique.odt"]
    empty = client.get(f"/campagnes/{SLUG}/dossiers/{a['CNIL'].id}/fichier?format=pdf")
    assert empty.status_code == 400
    assert "Aucune proposition n’est confirmée" in _text(empty)

    sent = client.post(
        f"/campagnes/{SLUG}/dossiers/{a['Numérique'].id}/envoi",
        data={"csrf_token": token, "sent_on": "2026-01-15"},
    )
    assert sent.status_code == 302
    assert "Envoyé le 15 janvier 2026" in _text(client.get(f"/campagnes/{SLUG}/dossiers"))
    bad = client.post(
        f"/campagnes/{SLUG}/dossiers/{a['Numérique'].id}/envoi",
        data={"csrf_token": token, "sent_on": "15/01/2026"},
        follow_redirects=True,
    )
    assert "Date d’envoi illisible" in _text(bad)

    # An addressee in use cannot be deleted; an unused one can.
    in_use = client.post(
        f"/campagnes/{SLUG}/destinataires/{a['Numérique'].id}/supprimer", data={"csrf_token": token}
    )
    assert in_use.status_code == 409
    assert "ne peut pas être supprimé" in _text(in_use)
    gone = client.post(
        f"/campagnes/{SLUG}/destinataires/{a['CNIL'].id}/supprimer", data={"csrf_token": token}
    )
    assert gone.status_code == 302
    added = client.post(
        f"/campagnes/{SLUG}/destinataires",
        data={"csrf_token": token, "name": "", "kind": "ministry"},
    )
    assert added.status_code == 400
    assert "« Nom » est vide" in _text(added)
    # Only administrators edit the cover letter.
    assert client.get(f"/campagnes/{SLUG}/dossiers/lettre").status_code == 403


def test_admin_letter_refuses_unknown_placeholders(client, login, make_user, congress):
    login(make_user(role="admin"))
    page = f"/campagnes/{SLUG}/dossiers/lettre"
    token = csrf_token(client, page)
    response = client.post(
        page,
        data={
            "csrf_token": token,
            "association": "Villes Internet",
            "signatory": "La présidente",
            "letter": "Madame la {ministre}, voici {destinataire}.",
        },
    )
    assert response.status_code == 400
    assert "Champ inconnu dans la lettre : {ministre}" in _text(response)
    saved = client.post(
        page,
        data={
            "csrf_token": token,
            "association": "Villes Internet",
            "signatory": "La présidente",
            "letter": "À {destinataire}, de la part de {association}.",
        },
    )
    assert saved.status_code == 302
    assert "À {destinataire}, de la part de {association}." in unescape(
        client.get(page).get_data(as_text=True)
    )


def test_hostile_input_gets_a_french_answer_never_a_500(client, login, congress):
    a = congress["a"]
    login(congress["facilitator"])
    token = csrf_token(client, f"/campagnes/{SLUG}/destinataires")
    add = f"/campagnes/{SLUG}/destinataires"
    for data in (
        {"name": "Ministère\x00", "kind": "ministry"},
        {"name": "Ministère X", "kind": "ministry", "engagements": str(2**63)},
        {"name": "Ministère X", "kind": "ministère"},
        {"name": "Ministère X", "kind": "ministry", "email": "x@"},
        {"name": "x" * 301, "kind": "ministry"},
    ):
        response = client.post(add, data={"csrf_token": token, **data})
        assert response.status_code == 400, data
    edit = f"/campagnes/{SLUG}/destinataires/{a['CNIL'].id}"
    clash = client.post(edit, data={"csrf_token": token, "name": a["ANSSI"].name, "kind": "other"})
    assert clash.status_code == 409
    assert "Un destinataire porte déjà ce nom" in _text(clash)
    old = client.post(
        f"/campagnes/{SLUG}/dossiers/{a['CNIL'].id}/envoi",
        data={"csrf_token": token, "sent_on": "0001-01-01"},
        follow_redirects=True,
    )
    assert "Date d’envoi hors des limites" in _text(old)
    bad_format = client.get(f"/campagnes/{SLUG}/dossiers/{a['CNIL'].id}/fichier?format=exe")
    assert bad_format.status_code == 400
    assert client.get(f"/campagnes/{SLUG}/dossiers/archive?format=exe").status_code == 400
    big = client.post(
        f"/campagnes/{SLUG}/motion/propositions/{congress['fibre'].id}/destinataires",
        data={"csrf_token": token, "destinataires": str(2**63)},
    )
    assert big.status_code in (400, 404)
    assert [a.name for a in addressees.addressees(congress["campaign"])] == [
        d.name for d in addressees.DEFAULTS
    ]  # nothing half-saved
