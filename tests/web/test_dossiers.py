"""The dossiers pages: a facilitator confirms a proposition's addressees on its page,
downloads the dossier, records its dispatch; the administrator's cover letter and the
addressee list refuse bad input in French."""

from __future__ import annotations

import io
import re
import zipfile
from html import unescape

import pytest
from sqlalchemy import select

from motion.services import addressees, motions
from tests.conftest import csrf_token, field_error, poll_job

SLUG = "dossiers-web"


@pytest.fixture
def congress(db, make_campaign, make_user):
    from datetime import UTC, datetime, timedelta

    from motion.models import PhaseKind
    from motion.models._types import utcnow

    # Collecting since 1 January 2026: a dossier may have been sent from that day on.
    campaign = make_campaign(SLUG, phase_starts={
        PhaseKind.COLLECT: datetime(2026, 1, 1, 8, tzinfo=UTC),
        PhaseKind.SYNTHESIS: utcnow() + timedelta(days=30)})
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
    # A refused date: the page again, the error beside the row's date, what was typed kept.
    bad = client.post(
        f"/campagnes/{SLUG}/dossiers/{a['Numérique'].id}/envoi",
        data={"csrf_token": token, "sent_on": "15/01/2026"},
    )
    assert bad.status_code == 400
    html = unescape(bad.get_data(as_text=True))
    assert "illisible" in field_error(html, f"sent_on-{a['Numérique'].id}", "Date d’envoi")
    assert 'value="15/01/2026"' in html
    assert 'class="flash flash-error' not in html
    assert html.count('aria-invalid="true"') == 1  # the other rows' dates are untouched
    # A date before the campaign began: the same, the first possible day said.
    early = client.post(
        f"/campagnes/{SLUG}/dossiers/{a['Numérique'].id}/envoi",
        data={"csrf_token": token, "sent_on": "1999-01-01"},
    )
    assert early.status_code == 400
    html = unescape(early.get_data(as_text=True))
    assert "ne peut pas précéder le début de la campagne (1 janvier 2026)" in field_error(
        html, f"sent_on-{a['Numérique'].id}", "Date d’envoi")
    assert 'value="1999-01-01"' in html
    assert 'min="2026-01-01"' in html
    assert "Envoyé le 1 janvier 1999" not in _text(client.get(f"/campagnes/{SLUG}/dossiers"))

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
    )
    assert old.status_code == 400
    assert "hors des limites" in field_error(unescape(old.get_data(as_text=True)),
                                              f"sent_on-{a['CNIL'].id}", "Date d’envoi")
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


def test_a_refused_addressee_choice_shows_the_page_again_with_the_error_on_the_boxes(
        client, db, login, congress):
    a, fibre = congress["a"], congress["fibre"]
    login(congress["facilitator"])
    page = f"/campagnes/{SLUG}/motion/propositions/{fibre.id}"
    token = csrf_token(client, page)
    assert 'aria-invalid' not in re.search(
        r'<fieldset[^>]*id="destinataires-choix"[^>]*>', client.get(page).get_data(as_text=True)
    ).group(0)
    legend = "Ministères et instances auxquels la proposition est transmise"
    unknown = client.post(f"{page}/destinataires", data={
        "csrf_token": token, "action": "enregistrer",
        "destinataires": [a["Numérique"].id, 999_999]})
    assert unknown.status_code == 400
    html = unescape(unknown.get_data(as_text=True))
    message = field_error(html, "destinataires-choix", legend, tags="fieldset")
    assert "Destinataire inconnu" in message
    assert 'class="flash flash-error' not in html  # beside the boxes, not a page message
    assert re.search(rf'value="{a["Numérique"].id}"[^>]*checked', html)  # as sent
    assert not re.search(rf'value="{a["ANCT"].id}"[^>]*checked', html)
    assert fibre.title in html  # the proposition page itself
    db.session.rollback()
    assert addressees.confirmed_for(fibre) == []  # nothing saved

    garbage = client.post(f"{page}/destinataires", data={
        "csrf_token": token, "action": "enregistrer", "destinataires": ["abc"]})
    assert garbage.status_code == 400
    assert "identifiant est attendu" in field_error(
        unescape(garbage.get_data(as_text=True)), "destinataires-choix", legend, tags="fieldset")


def test_large_dossiers_are_prepared_in_a_job_with_progress(app, client, db, login, congress):
    from docx import Document

    from motion.models import ExportJob

    a, fibre, ecoles = congress["a"], congress["fibre"], congress["ecoles"]
    addressees.confirm(fibre, [a["Numérique"].id, a["ANCT"].id])
    addressees.confirm(ecoles, [a["Numérique"].id])
    db.session.commit()
    # Two propositions in DOCX cost 2, in PDF 8: the limit sends PDF to a job, DOCX not.
    app.config.update(DOSSIER_SYNC_MAX_COST=4, JOB_BACKEND="inline")
    login(congress["facilitator"])
    index = f"/campagnes/{SLUG}/dossiers"
    token = csrf_token(client, index)
    body = client.get(index).get_data(as_text=True)
    assert f"dossiers/{a['Numérique'].id}/fichier?format=docx" in body
    assert f"dossiers/{a['Numérique'].id}/fichier?format=pdf" not in body
    assert "Préparer PDF" in body
    # A link to a large file (bookmarked) explains instead of blocking the request.
    late = client.get(f"{index}/{a['Numérique'].id}/fichier?format=pdf")
    assert late.status_code == 302
    assert "préparé en arrière-plan" in _text(client.get(index))
    # A small file is still sent at once by the same form.
    now = client.post(
        f"{index}/preparer",
        data={"csrf_token": token, "destinataire": a["ANCT"].id, "format": "docx"},
    )
    assert now.status_code == 200
    assert db.session.query(ExportJob).count() == 0

    # The ZIP of every dossier in the three formats (3 propositions × 6) goes to a job.
    response = client.post(f"{index}/preparer", data={"csrf_token": token, "format": "all"})
    assert response.status_code == 302
    job = db.session.scalars(select(ExportJob)).one()
    assert (job.kind, job.format, job.addressee_id) == ("dossiers", "all", None)
    assert response.headers["Location"].endswith(f"/campagnes/{SLUG}/exports/{job.id}")
    status = client.get(f"/api/campagnes/{SLUG}/exports/{job.id}").get_json()
    assert status["status"] == "done", status
    assert "Le fichier est prêt." in client.get(response.headers["Location"]).get_data(as_text=True)
    download = client.get(f"/campagnes/{SLUG}/exports/{job.id}/fichier")
    assert download.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(download.data)).namelist()
    assert sorted(n.rsplit("-", 1)[-1] for n in names) == [
        "anct.docx",
        "anct.odt",
        "anct.pdf",
        "numerique.docx",
        "numerique.odt",
        "numerique.pdf",
    ]
    numerique = next(n for n in names if n.endswith("numerique.docx"))
    with zipfile.ZipFile(io.BytesIO(download.data)) as zf:
        text = " ".join(p.text for p in Document(io.BytesIO(zf.read(numerique))).paragraphs)
    assert fibre.title in text
    assert ecoles.title in text

    # One addressee's PDF in a job, run by a detached process (the "dossier" job kind).
    app.config["JOB_BACKEND"] = "subprocess"
    single = client.post(
        f"{index}/preparer",
        data={"csrf_token": token, "destinataire": a["Numérique"].id, "format": "pdf"},
    )
    job = db.session.get(ExportJob, int(single.headers["Location"].rsplit("/", 1)[1]))
    assert (job.kind, job.format, job.addressee_id) == ("dossier", "pdf", a["Numérique"].id)
    status = poll_job(client.get, f"/api/campagnes/{SLUG}/exports/{job.id}", timeout=120)
    assert status["status"] == "done", status
    pdf = client.get(f"/campagnes/{SLUG}/exports/{job.id}/fichier")
    assert pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    bad = client.post(f"{index}/preparer", data={"csrf_token": token, "format": "exe"})
    assert bad.status_code == 400


def test_every_reader_sees_the_confirmed_addressees_read_only(
    client, db, login, make_user, congress
):
    a, fibre, ecoles = congress["a"], congress["fibre"], congress["ecoles"]
    addressees.confirm(fibre, [a["Numérique"].id, a["ANCT"].id])
    addressees.suggest(congress["campaign"], [ecoles])
    suggested = [c.addressee.name for c in addressees.choices(ecoles) if c.suggested]
    assert suggested
    db.session.commit()
    login(make_user(role="elu", campaign=congress["campaign"]))
    page = client.get(f"/campagnes/{SLUG}/motion/propositions/{fibre.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    section = _text(page).split("Destinataires", 1)[1]
    assert "Ministères et instances auxquels la proposition est adressée" in section
    assert a["Numérique"].name in section
    assert a["ANCT"].name in section
    assert a["CNIL"].name not in section
    assert "Enregistrer les destinataires" not in html
    assert 'name="destinataires"' not in html
    # Suggestions not confirmed by a facilitator are not shown.
    other = _text(client.get(f"/campagnes/{SLUG}/motion/propositions/{ecoles.id}"))
    assert "Aucun destinataire n’est encore confirmé pour cette proposition." in other
    assert not any(name in other for name in suggested)
