"""Follow-up pages over HTTP: a closed campaign's Suivi page (facilitators edit, élus
read), the import of the previous motion, and "prolonge la proposition …" links."""

from __future__ import annotations

import re

from sqlalchemy import select

from motion.models import Contribution, FollowUpNote
from motion.services import campaigns, followup, followup_demo, motions
from tests.conftest import csrf_token, field_error


def test_followup_pages_import_and_continuations(client, db, login, make_campaign, make_user):
    current = make_campaign("congres-2026")
    facilitator = make_user(role="facilitator", campaign=current)
    elu = make_user(campaign=current)
    previous = followup_demo.create_previous_campaign([facilitator])
    workshop = campaigns.get_or_create_workshop(previous, "Plénière")
    for user in (facilitator, elu):
        campaigns.add_member(user, workshop)
    db.session.commit()
    row = followup.followup_board(previous)[0].rows[0]
    suivi = f"/campagnes/{previous.slug}/suivi"

    # An élu reads statuses, dated notes and links, without the forms; the archive links here.
    login(elu)
    page = client.get(suivi).get_data(as_text=True)
    assert "reprise dans un texte" in page
    assert "2 avril 2026" in page
    assert 'href="https://www.vie-publique.fr/"' in page
    assert "Enregistrer le suivi" not in page
    assert f'href="{suivi}"' in client.get("/archives").get_data(as_text=True)
    motion_page = client.get(f"/campagnes/{previous.slug}/motion").get_data(as_text=True)
    assert f'href="{suivi}"' in motion_page
    api = client.get(f"/api/v1/campaigns/{previous.slug}/motion").get_json()
    assert api["propositions"][0]["followup"]["label"] == "reprise dans un texte"
    assert api["propositions"][0]["followup"]["last_note_on"] == "2026-04-02"
    client.post("/compte/deconnexion", data={"csrf_token": csrf_token(client, suivi)})

    # A facilitator's bad link is refused in French, with what was typed kept.
    login(facilitator)
    token = csrf_token(client, suivi)
    url = f"{suivi}/propositions/{row.proposition.id}"
    notes_before = db.session.scalar(select(db.func.count(FollowUpNote.id)))
    answered = {
        "csrf_token": token,
        "status": "answered",
        "note": "Réponse du ministère reçue.",
        "noted_on": "2026-09-01",
    }
    refused = client.post(url, data={**answered, "url": "ftp://exemple", "link_title": "Réponse"})
    assert refused.status_code == 400
    body = refused.get_data(as_text=True)
    assert "Adresse du lien invalide" in field_error(
        body, f"url{row.proposition.id}", "Lien (facultatif) : adresse"
    )
    assert "Réponse du ministère reçue." in body
    assert 'value="Réponse"' in body
    assert db.session.scalar(select(db.func.count(FollowUpNote.id))) == notes_before
    saved = client.post(
        url,
        data={
            **answered,
            "url": "https://www.example.fr/reponse",
            "link_title": "Courrier de réponse",
        },
    )
    assert saved.status_code == 302
    page = client.get(suivi).get_data(as_text=True)
    assert "1 septembre 2026" in page
    assert "Courrier de réponse" in page
    db.session.expire_all()
    assert followup.followup_board(previous)[0].rows[0].status_label == "réponse reçue"

    # The new campaign imports the previous motion; importing twice adds nothing.
    earlier_url = f"/campagnes/{current.slug}/suivi/anterieures"
    form = client.get(earlier_url).get_data(as_text=True)
    assert f'<option value="{previous.id}" selected>' in form
    client.post(f"{earlier_url}/importer", data={"csrf_token": token, "source": previous.id})
    page = client.get(earlier_url).get_data(as_text=True)
    n = len(followup_demo.demo_propositions())
    assert f"{n} propositions de « {previous.title} » importées." in page
    assert "réponse reçue" in page
    client.post(f"{earlier_url}/importer", data={"csrf_token": token, "source": previous.id})
    assert f"{n} déjà importées auparavant." in client.get(earlier_url).get_data(as_text=True)
    bogus = client.post(f"{earlier_url}/importer", data={"csrf_token": token, "source": "99999"})
    assert bogus.status_code == 302
    assert "ne peut pas être importée" in client.get(earlier_url).get_data(as_text=True)
    earlier = followup.earlier_propositions(current)[0]

    # A proposition of the new motion continues an earlier one (edit page → proposition page).
    motion = motions.create_motion(current)
    proposition = motions.create_proposition(
        motion, motion.sections[0], title="Médiation", text="Des médiateurs numériques partout."
    )
    db.session.commit()
    base = f"/campagnes/{current.slug}/motion/propositions/{proposition.id}"
    assert 'name="earlier_id"' in client.get(f"{base}/modifier").get_data(as_text=True)
    client.post(
        f"/campagnes/{current.slug}/suivi/propositions/{proposition.id}/prolonge",
        data={"csrf_token": token, "earlier_id": earlier.id},
    )
    assert f"Prolonge la proposition « {earlier.title} »" in client.get(base).get_data(as_text=True)

    # An élu's contribution continues an earlier proposition (optional select on the form).
    client.post("/compte/deconnexion", data={"csrf_token": token})
    login(elu)
    home = client.get(f"/campagnes/{current.slug}/").get_data(as_text=True)
    assert f"Cette campagne prolonge {n} propositions de « {previous.title} »" in home
    workshop = current.workshops[0]
    show = f"/campagnes/{current.slug}/ateliers/{workshop.slug}"
    page = client.get(show).get_data(as_text=True)
    assert f'<option value="{earlier.id}">' in page
    key = re.search(r'name="client_key"[^>]*value="([^"]+)"', page)
    posted = client.post(
        f"{show}/contributions",
        data={
            "csrf_token": csrf_token(client, show),
            "client_key": key.group(1) if key else "",
            "text": "Prolonger les conseillers numériques dans les petites communes rurales.",
            "earlier_id": earlier.id,
        },
    )
    assert posted.status_code == 302
    contribution = db.session.scalars(
        select(Contribution).where(Contribution.campaign_id == current.id)
    ).one()
    shown = client.get(f"/campagnes/{current.slug}/contributions/{contribution.id}")
    assert f"Prolonge la proposition « {earlier.title} »" in shown.get_data(as_text=True)
