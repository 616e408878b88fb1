"""Motion pages over HTTP: drafting, versions, projection control, phone votes, adoption."""

from __future__ import annotations

import re

import pytest

from motion.errors import InvalidInput
from motion.models import Proposition
from motion.services import campaigns, motions
from tests.conftest import csrf_token


def _setup(db, make_campaign, make_user, make_contribution):
    campaign = make_campaign("web-motion")
    workshop = campaigns.get_or_create_workshop(campaign, "Atelier inclusion")
    facilitator = make_user(role="facilitator", campaign=campaign)
    elu = make_user()
    campaigns.add_member(elu, workshop)
    db.session.commit()
    sources = [make_contribution(author=elu, workshop=workshop) for _ in range(2)]
    return campaign, facilitator, elu, sources


def test_facilitator_drafts_edits_projects_and_participants_vote(
        client, db, login, make_campaign, make_user, make_contribution):
    campaign, facilitator, elu, sources = _setup(db, make_campaign, make_user,
                                                 make_contribution)
    base = f"/campagnes/{campaign.slug}/motion"
    login(facilitator)
    token = csrf_token(client, base)
    assert client.post(f"{base}/creer", data={"csrf_token": token}).status_code == 302

    ids = ",".join(str(c.id) for c in sources)
    draft = client.get(f"{base}/propositions/nouvelle?contributions={ids}")
    assert draft.status_code == 200
    page = draft.get_data(as_text=True)
    assert sources[0].text.split()[0] in page  # extractive prefill
    section = re.search(r'<option value="(\d+)" selected', page).group(1)
    created = client.post(f"{base}/propositions/nouvelle", data={
        "csrf_token": token, "contributions": [str(c.id) for c in sources], "section": section,
        "title": "Médiation numérique", "text": "Former des médiateurs dans chaque mairie.",
        "create": "1"})
    assert created.status_code == 302
    db.session.expire_all()
    proposition = db.session.query(Proposition).one()
    assert len(proposition.provenance) == 2

    edited = client.post(f"{base}/propositions/{proposition.id}/modifier", data={
        "csrf_token": token, "title": "Médiation numérique",
        "text": "Former des médiateurs numériques dans chaque mairie rurale.",
        "reason": "précision", "base_version": "1"})
    assert edited.status_code == 302
    stale = client.post(f"{base}/propositions/{proposition.id}/modifier", data={
        "csrf_token": token, "title": "T", "text": "Mon texte à ne pas perdre.",
        "base_version": "1"})
    assert stale.status_code == 409
    assert "Mon texte à ne pas perdre." in stale.get_data(as_text=True)
    diff = client.get(f"{base}/propositions/{proposition.id}/versions?de=1&a=2")
    assert "<ins>numériques </ins>" in diff.get_data(as_text=True)
    assert "<del>mairie.</del><ins>mairie rurale.</ins>" in diff.get_data(as_text=True)

    control = f"{base}/pilotage"
    assert client.post(f"{control}/suivante", data={"csrf_token": token}).status_code == 302
    assert client.post(f"{control}/ouvrir", data={"csrf_token": token}).status_code == 302
    screen = client.get(f"{base}/projection")
    assert screen.status_code == 200
    assert "Médiation numérique" in screen.get_data(as_text=True)
    qr = client.get(f"{base}/qr.svg")
    assert qr.mimetype == "image/svg+xml"
    assert b"<svg" in qr.data

    state = client.get(f"/api/campagnes/{campaign.slug}/motion/etat").get_json()
    session_id = state["session"]["id"]
    assert state["proposition_id"] == proposition.id
    assert state["session"]["status"] == "open"

    # The élu votes from the phone page, then changes the vote through the JSON API.
    client.post("/compte/deconnexion", data={"csrf_token": token})
    login(elu)
    phone = client.get(f"/v/{campaign.slug}")
    assert "Médiation numérique" in phone.get_data(as_text=True)
    elu_token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                          phone.get_data(as_text=True)).group(1)
    voted = client.post(f"/v/{campaign.slug}", data={
        "csrf_token": elu_token, "session": session_id, "choice": "for"})
    assert voted.status_code == 302
    changed = client.post(f"/api/votes/{session_id}", json={"choice": "against"},
                          headers={"X-CSRFToken": elu_token})
    assert changed.status_code == 200
    state = client.get(f"/api/campagnes/{campaign.slug}/motion/etat").get_json()
    assert (state["session"]["pour"], state["session"]["contre"], state["session"]["total"]) \
        == (0, 1, 1)
    assert client.get(control).status_code == 403  # élus do not drive the projector

    client.post("/compte/deconnexion", data={"csrf_token": elu_token})
    login(facilitator)
    token = csrf_token(client, base)
    assert client.post(f"{control}/clore", data={"csrf_token": token}).status_code == 302
    client.post("/compte/deconnexion", data={"csrf_token": token})
    login(elu)
    elu_token = csrf_token(client, f"/v/{campaign.slug}")
    refused = client.post(f"/api/votes/{session_id}", json={"choice": "for"},
                          headers={"X-CSRFToken": elu_token})
    assert refused.status_code == 409
    assert "clos" in refused.get_json()["error"]["message"]
    db.session.expire_all()
    frozen = db.session.get(Proposition, proposition.id)
    assert (frozen.result_for, frozen.result_against, frozen.outcome) == (0, 1, "rejected")


def test_an_adopted_motion_refuses_edits_with_a_clear_message(
        client, db, login, make_campaign, make_user, make_contribution):
    campaign, facilitator, _elu, _sources = _setup(db, make_campaign, make_user,
                                                   make_contribution)
    motion = motions.create_motion(campaign)
    proposition = motions.create_proposition(motion, motion.sections[0], title="T",
                                             text="Texte.")
    motions.adopt(motion, actor=facilitator)
    db.session.commit()
    base = f"/campagnes/{campaign.slug}/motion"
    login(facilitator)
    token = csrf_token(client, base)
    page = client.get(base).get_data(as_text=True)
    assert "Motion adoptée le" in page
    response = client.post(f"{base}/propositions/{proposition.id}/modifier", data={
        "csrf_token": token, "title": "T", "text": "Autre.", "base_version": "1"})
    assert response.status_code == 403
    assert "adoptée" in response.get_data(as_text=True)


def _visible(html: str) -> str:
    """The page's text as read: tags dropped, spaces folded."""
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def test_counters_agree_in_number_with_one_and_zero(
        client, db, login, make_campaign, make_user, make_contribution):
    campaign, facilitator, _elu, sources = _setup(db, make_campaign, make_user,
                                                  make_contribution)
    motion = motions.create_motion(campaign)
    one = motions.create_proposition(motion, motion.sections[0], title="Une source",
                                     text="Texte.", contributions=sources[:1])
    none = motions.create_proposition(motion, motion.sections[0], title="Sans source",
                                      text="Texte.")
    db.session.commit()
    base = f"/campagnes/{campaign.slug}/motion"
    login(facilitator)
    page = _visible(client.get(f"{base}/propositions/{one.id}").get_data(as_text=True))
    assert "1 contribution 1 élu 1 collectivité" in page
    page = _visible(client.get(f"{base}/propositions/{none.id}").get_data(as_text=True))
    assert "0 contribution 0 élu 0 collectivité" in page  # French: 0 is singular
    page = _visible(client.get(base).get_data(as_text=True))
    assert "1 contribution 1 élu 1 collectivité 1 contribution sans proposition liée" in page
    assert not re.search(r"\b[01] (contributions|élus|collectivités)\b", page)
    unused = _visible(client.get(f"{base}/a-classer").get_data(as_text=True))
    assert "Contributions publiées : 2. Sans proposition : 1." in unused


def test_the_amendment_notice_says_which_preference_brings_the_decision(
        client, db, login, make_campaign, make_user):
    from motion.services import notifications

    campaign = make_campaign("amendement-avis", collect_open=False)  # synthesis phase
    elu = make_user(campaign=campaign)
    motion = motions.create_motion(campaign)
    proposition = motions.create_proposition(motion, motion.sections[0], title="Tiers-lieux",
                                             text="Un tiers-lieu par canton.")
    db.session.commit()
    url = f"/campagnes/{campaign.slug}/motion/propositions/{proposition.id}"
    login(elu)
    token = csrf_token(client, url)

    def propose(text: str) -> str:
        response = client.post(f"{url}/amendements", follow_redirects=True, data={
            "csrf_token": token, "text": text, "justification": "Plus précis."})
        assert response.status_code == 200
        return _visible(response.get_data(as_text=True))

    page = propose("Un tiers-lieu par intercommunalité.")
    assert "Votre amendement est déposé." in page
    assert ("cochez « Les réponses à mes contributions » dans vos préférences de notification"
            in page)
    notifications.set_preferences(elu, replies=True, weekly_digest=False, phase_changes=False)
    db.session.commit()
    page = propose("Un tiers-lieu par commune.")
    assert ("Vous recevrez un e-mail quand les animateurs l’auront accepté, rejeté ou "
            "fusionné." in page)


def test_an_empty_preamble_is_refused_on_its_form(
        client, db, login, make_campaign, make_user, make_contribution):
    from tests.conftest import field_error

    campaign, facilitator, _elu, _sources = _setup(db, make_campaign, make_user,
                                                   make_contribution)
    motion = motions.create_motion(campaign)
    motions.save_preamble(motion, "Les élus, réunis en congrès,", actor=facilitator)
    db.session.commit()
    url = f"/campagnes/{campaign.slug}/motion/preambule"
    login(facilitator)
    token = csrf_token(client, url)
    response = client.post(url, data={"csrf_token": token, "text": "  \n ", "reason": "vide",
                                      "base_version": "2"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Préambule enregistré" not in html
    assert "ne peut pas être vide" in field_error(html, "text", "Texte du préambule",
                                                  tags="textarea")
    # The empty first version (the motion's creation) is not offered for restoring.
    assert 'name="restore" value="1"' not in html
    assert 'name="restore" value="2"' not in html  # the current one
    db.session.expire_all()
    assert motion.preamble == "Les élus, réunis en congrès,"
    assert len(motion.preamble_versions) == 2
    with pytest.raises(InvalidInput):
        motions.restore_preamble(motion, 1, actor=facilitator)


def test_a_refused_merge_comes_back_with_the_error_and_the_typed_text(
        client, db, login, make_campaign, make_user):
    from motion.services import amendments
    from tests.conftest import field_error

    campaign = make_campaign("fusion-refusee", collect_open=False)  # synthesis phase
    facilitator = make_user(role="facilitator", campaign=campaign)
    authors = [make_user(campaign=campaign) for _ in range(2)]
    motion = motions.create_motion(campaign)
    proposition = motions.create_proposition(motion, motion.sections[0], title="Tiers-lieux",
                                             text="Un tiers-lieu par canton.")
    pending = [amendments.propose(proposition, author, text=f"Un tiers-lieu par {place}.",
                                  justification="Plus précis.")
               for author, place in zip(authors, ("commune", "quartier"), strict=True)]
    db.session.commit()
    url = f"/campagnes/{campaign.slug}/motion/propositions/{proposition.id}"
    login(facilitator)
    token = csrf_token(client, url)
    response = client.post(f"{url}/amendements/fusion", data={
        "csrf_token": token, "amendements": [str(pending[0].id)],
        "text": "Un tiers-lieu par commune et par quartier."})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Choisissez au moins deux amendements" in field_error(
        html, "fusion", "Fusionner des amendements", tags="fieldset")
    assert "Un tiers-lieu par commune et par quartier.</textarea>" in html
    assert re.search(rf'value="{pending[0].id}"[^>]*checked', html)  # the ticks are kept
    assert not re.search(rf'value="{pending[1].id}"[^>]*checked', html)
    assert "<h1>Tiers-lieux</h1>" in html  # the proposition page, not an error page
    db.session.expire_all()
    assert proposition.version_number == 1


def test_a_referent_drafts_in_a_section_they_lead_and_a_refusal_says_why(
        client, db, login, make_campaign, make_user, make_contribution):
    from motion.services import referents

    campaign, _facilitator, elu, sources = _setup(db, make_campaign, make_user,
                                                   make_contribution)
    referent = make_user(role="facilitator", campaign=campaign)
    e1, e2, e3 = campaign.framework.engagements[:3]
    referents.add_referent(campaign, e1.id, referent)
    referents.add_referent(campaign, e2.id, referent)
    motion = motions.create_motion(campaign)
    db.session.commit()
    by_engagement = {s.engagement_id: s for s in motion.sections}
    base = f"/campagnes/{campaign.slug}/motion/propositions/nouvelle"
    ids = "&".join(f"contributions={c.id}" for c in sources)  # no engagement: "Autres"
    login(referent)
    page = client.get(f"{base}?{ids}").get_data(as_text=True)
    offered = re.findall(r'<option value="(\d+)"( selected)?>', page)
    assert offered == [(str(by_engagement[e1.id].id), " selected"),
                       (str(by_engagement[e2.id].id), "")]  # theirs only, the first chosen
    assert "Autres propositions" not in page
    e2_workshop = campaigns.get_or_create_workshop(campaign, "Atelier sobriété")
    e2_workshop.engagement_id = e2.id
    from_e2 = make_contribution(author=elu, workshop=e2_workshop)
    page = client.get(f"{base}?contributions={from_e2.id}").get_data(as_text=True)
    assert re.search(r'<option value="(\d+)" selected', page).group(1) == \
        str(by_engagement[e2.id].id)  # the section of the contribution's workshop
    created = client.post(base, data={
        "csrf_token": csrf_token(client, f"{base}?{ids}"), "create": "1",
        "contributions": [str(c.id) for c in sources], "section": offered[0][0],
        "title": "Médiation", "text": "Former des médiateurs."})
    assert created.status_code == 302

    refused = client.post(base, data={
        "csrf_token": csrf_token(client, f"{base}?{ids}"), "create": "1",
        "contributions": [str(c.id) for c in sources], "section": by_engagement[e3.id].id,
        "title": "Mon titre gardé", "text": "Mon texte à ne pas perdre."})
    assert refused.status_code == 403
    html = refused.get_data(as_text=True)
    from tests.conftest import field_error

    message = field_error(html, "section", "Partie de la motion", tags="select")
    assert f"Vous êtes référent de {e1.code}, {e2.code}" in message
    assert "d’un autre engagement" not in message
    assert 'value="Mon titre gardé"' in html
    assert "Mon texte à ne pas perdre.</textarea>" in html
    db.session.expire_all()
    assert len(motions.propositions_in_order(motion)) == 1


def test_adoption_is_confirmed_and_names_the_propositions_never_voted(
        client, db, login, make_campaign, make_user, make_contribution):
    from motion.models import AuditEvent
    from tests.conftest import field_error

    campaign, facilitator, _elu, _sources = _setup(db, make_campaign, make_user,
                                                   make_contribution)
    motion = motions.create_motion(campaign)
    motions.save_preamble(motion, "Les élus, réunis en congrès,", actor=facilitator)
    section = motion.sections[0]
    voted, rejected, never, later = (
        motions.create_proposition(motion, section, title=title, text="Texte.")
        for title in ("Fibre partout", "Tout dématérialiser", "Médiateurs", "Cybersécurité"))
    for proposition, outcome, counts in ((voted, "adopted", (12, 3, 1)),
                                         (rejected, "rejected", (2, 14, 0))):
        proposition.outcome = outcome
        proposition.result_for, proposition.result_against, proposition.result_abstain = counts
    db.session.commit()
    base = f"/campagnes/{campaign.slug}/motion"
    login(facilitator)
    index = client.get(base).get_data(as_text=True)
    assert f'action="{base}/adopter"' not in index  # no one-click adoption any more
    assert f'href="{base}/adopter"' in index
    token = csrf_token(client, f"{base}/adopter")

    page = client.get(f"{base}/adopter")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    text = _visible(html)
    assert "ne peut pas être annulée" in text
    assert "Propositions rejetées en séance plénière" in text  # where rejected ones go
    unvoted = html.split('id="sans-vote"', 1)[1].split("</fieldset>", 1)[0]
    assert [title in unvoted for title in ("Médiateurs", "Cybersécurité", "Fibre partout",
                                           "Tout dématérialiser")] == [True, True, False, False]
    assert re.findall(r'name="sans_vote" value="(\d+)"', html) == \
        [str(never.id), str(later.id)]

    # Without the confirmation of the unvoted propositions: refused on the page.
    refused = client.post(f"{base}/adopter", data={
        "csrf_token": token, "sans_vote": [str(never.id), str(later.id)]})
    assert refused.status_code == 400
    assert "sans vote" in field_error(refused.get_data(as_text=True), "sans-vote",
                                      "Propositions non mises au vote", tags="fieldset")
    # A confirmation that does not name the propositions unvoted now (one was added since).
    stale = client.post(f"{base}/adopter", data={
        "csrf_token": token, "sans_vote": [str(never.id)], "confirmer_sans_vote": "1"})
    assert stale.status_code == 409
    assert "ont changé" in _visible(stale.get_data(as_text=True))
    db.session.expire_all()
    assert not motion.is_adopted

    adopted = client.post(f"{base}/adopter", data={
        "csrf_token": token, "sans_vote": [str(never.id), str(later.id)],
        "confirmer_sans_vote": "1"})
    assert adopted.status_code == 302
    db.session.expire_all()
    assert motion.is_adopted
    event = db.session.query(AuditEvent).filter_by(action="motion.adopt").one()
    assert event.data["adopted_without_vote"] == [never.id, later.id]
    assert client.get(f"{base}/adopter").status_code == 302  # nothing left to confirm



def _amended_proposition(make_campaign, make_user, slug):
    """A campaign in its synthesis phase, its facilitator, and a proposition with one
    pending amendment by an élu."""
    from motion.services import amendments

    campaign = make_campaign(slug, collect_open=False)  # synthesis phase
    facilitator = make_user(role="facilitator", campaign=campaign)
    author = make_user(campaign=campaign)
    motion = motions.create_motion(campaign)
    proposition = motions.create_proposition(motion, motion.sections[0], title="Tiers-lieux",
                                             text="Un tiers-lieu par canton.")
    amendment = amendments.propose(proposition, author, text="Un tiers-lieu par commune.",
                                   justification="Plus proche.")
    return campaign, facilitator, proposition, amendment


def test_a_voted_proposition_says_its_text_can_no_longer_change(
        client, db, login, make_campaign, make_user):
    from motion.models import PropositionVersion
    from motion.services import votes

    campaign, facilitator, proposition, pending = _amended_proposition(
        make_campaign, make_user, "texte-vote")
    votes.close_vote(votes.open_vote(proposition, actor=None).id, actor=None)
    db.session.commit()
    url = f"/campagnes/{campaign.slug}/motion/propositions/{proposition.id}"
    login(facilitator)
    page = _visible(client.get(url).get_data(as_text=True))
    assert "Texte voté en plénière (version 1) : il ne peut plus être modifié." in page
    assert f"{url}/modifier" not in client.get(url).get_data(as_text=True)
    assert "Accepter" not in page
    assert "Rejeter" in page  # rejecting leaves the text as voted
    assert "Cette proposition a été votée en plénière : elle ne reçoit plus d’amendements." \
        in page

    edit = client.get(f"{url}/modifier")
    assert edit.status_code == 200
    assert "La plénière a voté cette proposition sur sa version 1" in edit.get_data(as_text=True)
    assert 'name="text"' not in edit.get_data(as_text=True)
    token = csrf_token(client, url)
    saved = client.post(f"{url}/modifier", data={
        "csrf_token": token, "title": "Tiers-lieux", "text": "Mon texte à ne pas perdre.",
        "base_version": "1"})
    assert saved.status_code == 409
    html = saved.get_data(as_text=True)
    assert "La plénière a voté cette proposition sur sa version 1" in html
    assert re.search(r"<textarea [^>]*readonly>Mon texte à ne pas perdre.</textarea>", html)
    accepted = client.post(f"{url}/amendements/{pending.id}/accepter",
                           data={"csrf_token": token})
    assert accepted.status_code == 409
    db.session.expire_all()
    assert (proposition.version_number, pending.status) == (1, "pending")

    # A text changed after its vote (before this was refused): the adoption page flags it,
    # and its versions offer the version voted back.
    proposition.versions.append(PropositionVersion(number=2, title="Tiers-lieux",
                                                   text="Changé après le vote.", kind="edit"))
    proposition.text, proposition.version_number = "Changé après le vote.", 2
    db.session.commit()
    adopt = _visible(client.get(f"/campagnes/{campaign.slug}/motion/adopter")
                     .get_data(as_text=True))
    assert "Texte modifié depuis ce vote." in adopt
    assert "Tiers-lieux — version votée : 1, version actuelle : 2" in adopt
    versions = client.get(f"{url}/versions").get_data(as_text=True)
    assert re.findall(r"/versions/(\d+)/restaurer", versions) == ["1"]
    assert "Rétablir la version votée" in versions


def test_a_refused_amendment_decision_comes_back_on_the_proposition_page(
        client, db, login, make_campaign, make_user):
    from tests.conftest import field_error

    campaign, facilitator, proposition, amendment = _amended_proposition(
        make_campaign, make_user, "rejet-sans-raison")
    db.session.commit()
    url = f"/campagnes/{campaign.slug}/motion/propositions/{proposition.id}"
    login(facilitator)
    token = csrf_token(client, url)
    label = "Raison du rejet (transmise à l’auteur)"
    for sent in ({}, {"reason": "   "}):  # past the browser's check: no field, only spaces
        response = client.post(f"{url}/amendements/{amendment.id}/rejeter",
                               data={"csrf_token": token, **sent})
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        assert "<h1>Tiers-lieux</h1>" in html  # the proposition page, not an error page
        assert "Indiquez la raison du rejet" in field_error(html, f"reason{amendment.id}", label)
        assert f'value="{sent.get("reason", "")}"' in re.search(
            rf'<input [^>]*id="reason{amendment.id}"[^>]*>', html).group(0)  # as typed
    db.session.expire_all()
    assert amendment.status == "pending"

    assert client.post(f"{url}/amendements/{amendment.id}/rejeter", data={
        "csrf_token": token, "reason": "Hors sujet."}).status_code == 302
    stale = client.post(f"{url}/amendements/{amendment.id}/accepter",  # from a stale page
                        data={"csrf_token": token})
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert "<h1>Tiers-lieux</h1>" in html
    assert re.search(r'class="flash flash-error form-error" role="alert">Cet amendement a déjà '
                     r"été traité.<", html)
    db.session.expire_all()
    assert (amendment.status, proposition.version_number) == ("rejected", 1)


def test_a_referent_refused_on_other_propositions_is_told_who_leads_them(
        client, db, login, make_user, make_campaign, dev_rows):
    """"Autres propositions" belongs to no engagement: a référent refused there is told it
    is led by the administrators and the facilitators who are référents of none."""
    from motion.errors import Forbidden
    from motion.models import Amendment
    from motion.services import referents
    from tests.services.test_sessions import seed_congress

    c = seed_congress(db, make_user, make_campaign, dev_rows)  # r1: référent of E1
    other = motions.create_proposition(c.motion, motions.section_for(c.motion, None),
                                       title="Hors engagement", text="Un texte.")
    amendment = Amendment(proposition=other, author_id=c.elu.id, base_version=1,
                          text="Un autre texte.", justification="Mieux.")
    db.session.add(amendment)
    db.session.commit()
    expected = (f"Vous êtes référent de {c.e1.code} : vous menez les séances de ces "
                "engagements. La partie « Autres propositions », qui ne relève d’aucun "
                "engagement, est menée par les administrateurs et les animateurs qui ne sont "
                "référents d’aucun engagement.")
    base = f"/campagnes/{c.campaign.slug}/motion"
    url = f"{base}/propositions/{other.id}"
    login(c.r1)
    token = csrf_token(client, url)
    client.post(f"{base}/pilotage/afficher", data={"csrf_token": token, "proposition": other.id})
    refused = [
        client.get(f"{url}/modifier"),
        client.post(f"{url}/modifier", data={"csrf_token": token, "title": "T", "text": "X",
                                             "base_version": "1"}),
        client.post(f"{base}/pilotage/ouvrir", data={"csrf_token": token}),
        client.post(f"{url}/amendements/{amendment.id}/rejeter",
                    data={"csrf_token": token, "reason": "Non."}),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused)
    for response in refused:
        html = _visible(response.get_data(as_text=True))
        assert expected in html
        assert "d’un autre engagement" not in html
    with pytest.raises(Forbidden, match="Seuls les animateurs et les administrateurs mènent "
                                        "la partie « Autres propositions » de la motion."):
        referents.require_lead(c.elu, c.campaign, None)
    with pytest.raises(Forbidden, match="référent d’un autre engagement"):  # an engagement's
        referents.require_lead(c.r1, c.campaign, c.e2.id)
    client.post("/compte/deconnexion", data={"csrf_token": token})
    login(c.facilitator)  # référent of none: leads "Autres propositions"
    assert client.get(f"{url}/modifier").status_code == 200
