"""Amendments: proposed in synthesis and plenary, accepted (a version crediting the author),
rejected with a reason, merged; authors who agreed are notified by e-mail."""

from __future__ import annotations

import pytest

from motion.errors import Conflict, Forbidden, InvalidInput
from motion.models import AmendmentStatus
from motion.services import amendments, mail, motions, notifications


@pytest.fixture
def drafting(db, make_campaign, make_user):
    campaign = make_campaign("amendements", collect_open=False)  # synthesis phase
    facilitator = make_user(role="facilitator")
    motion = motions.create_motion(campaign)
    proposition = motions.create_proposition(
        motion, motion.sections[0], title="Tiers-lieux",
        text="Ouvrir un tiers-lieu numérique par canton.", actor=facilitator)
    db.session.commit()
    return proposition, facilitator


def _mails(app) -> dict[str, str]:
    directory = mail.mail_dir(app)
    return {p.name: p.read_text() for p in directory.glob("*.eml")} if directory.exists() else {}


def _new_mails(app, before: dict[str, str], email: str) -> list[str]:
    return [text for name, text in _mails(app).items() if name not in before and email in text]


def test_an_accepted_amendment_creates_a_version_crediting_its_author(app, db, drafting,
                                                                      make_user):
    proposition, facilitator = drafting
    author = make_user(display_name="Claire Dupont")
    notifications.set_preferences(author, replies=True, weekly_digest=False,
                                  phase_changes=False)
    db.session.commit()
    before = _mails(app)
    amendment = amendments.propose(
        proposition, author, text="Ouvrir un tiers-lieu numérique par intercommunalité.",
        justification="Le canton n'est plus l'échelon pertinent.")
    db.session.commit()
    version = amendments.accept(amendment, actor=facilitator)
    db.session.commit()
    assert amendment.status == AmendmentStatus.ACCEPTED
    assert version.number == 2
    assert proposition.text == "Ouvrir un tiers-lieu numérique par intercommunalité."
    assert [u.display_name for u in amendments.credited_authors(version)] == ["Claire Dupont"]
    assert version.author_id == facilitator.id
    sent = _new_mails(app, before, author.email)
    assert len(sent) == 1
    assert "accept" in sent[0]
    with pytest.raises(Conflict):
        amendments.accept(amendment, actor=facilitator)


def test_a_rejection_needs_a_reason_and_authors_without_consent_get_no_mail(
        app, db, drafting, make_user):
    proposition, facilitator = drafting
    author = make_user()
    before = _mails(app)
    amendment = amendments.propose(proposition, author, text="Un autre texte.",
                                   justification="Plus clair.")
    db.session.commit()
    with pytest.raises(InvalidInput):
        amendments.reject(amendment, actor=facilitator, reason="  ")
    amendments.reject(amendment, actor=facilitator, reason="Hors du champ de la motion.")
    db.session.commit()
    assert amendment.status == AmendmentStatus.REJECTED
    assert amendment.decision_reason == "Hors du champ de la motion."
    assert proposition.version_number == 1
    assert _new_mails(app, before, author.email) == []


def test_merging_amendments_credits_every_author(db, drafting, make_user):
    proposition, facilitator = drafting
    a, b = make_user(display_name="Aline"), make_user(display_name="Bruno")
    first = amendments.propose(proposition, a, text="Texte A.", justification="A")
    second = amendments.propose(proposition, b, text="Texte B.", justification="B")
    db.session.commit()
    version = amendments.merge(proposition, [first.id, second.id], text="Texte A et B.",
                               actor=facilitator)
    db.session.commit()
    assert {first.status, second.status} == {AmendmentStatus.MERGED}
    assert sorted(u.display_name for u in amendments.credited_authors(version)) == \
        ["Aline", "Bruno"]
    assert proposition.text == "Texte A et B."


def test_amendments_are_refused_outside_synthesis_and_plenary(db, make_campaign, make_user):
    motion = motions.create_motion(make_campaign("en-collecte"))  # collect phase
    proposition = motions.create_proposition(motion, motion.sections[0], title="T",
                                             text="Texte.")
    db.session.commit()
    with pytest.raises(Forbidden):
        amendments.propose(proposition, make_user(), text="Autre.", justification="J")
