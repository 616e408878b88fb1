"""Similar-idea suggestions with the real USE model on real answers."""

from __future__ import annotations

import pytest

from motion.services import contributions, similar

# dev_rows[7]: "Si les services ne sont pas dispo directement au village, on vit à l'époque
# d'Internet. Par contre il faut finir de connecter toute la France, ..." — reworded:
PARAPHRASE = (
    "Il faut finir de raccorder toute la France à Internet, jusqu'aux coins les plus "
    "reculés, puisque les services ne sont plus au village."
)


@pytest.fixture
def campaign_of_real_answers(db, make_user, make_workshop, make_campaign, dev_rows):
    campaign = make_campaign()
    elu = make_user()
    one = make_workshop("Atelier services publics", campaign=campaign, members=[elu])
    two = make_workshop("Atelier fiscalité", campaign=campaign, members=[elu])
    posted = [
        contributions.post_contribution(elu, one if i % 2 else two, row["text"])
        for i, row in enumerate(dev_rows[:300])
    ]
    db.session.commit()
    return campaign, posted


def test_a_paraphrase_finds_the_original_first(db, make_user, campaign_of_real_answers,
                                               dev_rows):
    campaign, posted = campaign_of_real_answers
    found = similar.similar_contributions(campaign, PARAPHRASE, viewer=make_user())
    assert found, "no suggestion for a close paraphrase"
    assert found[0].contribution.text == dev_rows[7]["text"]
    assert len(found) <= 3
    assert found[0].score >= 0.7


def test_unrelated_or_short_texts_get_no_suggestion(db, make_user, campaign_of_real_answers):
    campaign, _posted = campaign_of_real_answers
    viewer = make_user()
    assert similar.similar_contributions(campaign, "trop court", viewer=viewer) == []
    unrelated = ("Organiser un concours de pâtisserie entre les écoles maternelles pour la "
                 "fête de fin d'année.")
    assert similar.similar_contributions(campaign, unrelated, viewer=viewer) == []


def test_own_hidden_and_withdrawn_contributions_are_not_suggested(db, campaign_of_real_answers,
                                                                  dev_rows, make_user):
    campaign, posted = campaign_of_real_answers
    original = next(c for c in posted if c.text == dev_rows[7]["text"])
    # Its own author is not offered to support it.
    assert all(s.contribution.id != original.id for s in
               similar.similar_contributions(campaign, PARAPHRASE, viewer=original.author))
    contributions.withdraw_contribution(original.author, original)
    db.session.commit()
    assert all(s.contribution.id != original.id for s in
               similar.similar_contributions(campaign, PARAPHRASE, viewer=make_user()))
