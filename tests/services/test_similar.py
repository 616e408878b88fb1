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


# ------------------------------------------------------------------ the index stays current

NEW_IDEA = ("Créer dans chaque canton une maison des services publics ouverte le samedi, avec "
            "un agent pour aider aux démarches en ligne.")
EDITED = ("Supprimer les niches fiscales des grandes entreprises et affecter les recettes aux "
          "hôpitaux de proximité.")


@pytest.fixture
def second_worker(app):
    """A second app on the same database: what another gunicorn worker would be."""
    from motion import create_app

    other = create_app(dict(app.config))
    yield other
    with other.app_context():
        from motion.extensions import db

        db.session.remove()
        db.engine.dispose()


def top_ids(app, campaign_id, text, viewer=None):
    """Ask ``app`` (another worker) for suggestions, in its own context and session."""
    from motion.extensions import db
    from motion.models import Campaign

    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        found = similar.similar_contributions(campaign, text, viewer=viewer)
        ids = [s.contribution.id for s in found]
        stats = similar.index_stats(campaign)
        db.session.remove()
    return ids, stats


def test_the_index_follows_publish_edit_hide_restore_and_withdraw_across_workers(
        db, make_user, campaign_of_real_answers, dev_rows, second_worker):
    from motion.services import moderation

    campaign, posted = campaign_of_real_answers
    original = next(c for c in posted if c.text == dev_rows[7]["text"])
    elu, moderator = posted[0].author, make_user(role="facilitator")
    workshop = original.workshop

    ids, stats = top_ids(second_worker, campaign.id, PARAPHRASE)
    assert ids[0] == original.id
    assert (stats.size, stats.full_loads, stats.rows_applied) == (300, 1, 0)

    # Publish (in this app, "worker 1"): worker 2 applies that one row, no rebuild.
    new = contributions.post_contribution(elu, workshop, NEW_IDEA)
    db.session.commit()
    ids, stats = top_ids(second_worker, campaign.id, NEW_IDEA)
    assert ids[0] == new.id
    assert (stats.size, stats.full_loads, stats.rows_applied) == (301, 1, 1)

    # Edit: the old text no longer leads to it, the new one does.
    contributions.edit_contribution(elu, original, EDITED)
    db.session.commit()
    assert original.id not in top_ids(second_worker, campaign.id, PARAPHRASE)[0]
    ids, stats = top_ids(second_worker, campaign.id, EDITED)
    assert ids[0] == original.id
    assert (stats.size, stats.full_loads, stats.rows_applied) == (301, 1, 2)

    # Hide, restore, withdraw.
    moderation.hide(moderator, new, "Hors sujet")
    db.session.commit()
    assert new.id not in top_ids(second_worker, campaign.id, NEW_IDEA)[0]
    moderation.restore(moderator, new, "Finalement dans le sujet")
    db.session.commit()
    assert top_ids(second_worker, campaign.id, NEW_IDEA)[0][0] == new.id
    contributions.withdraw_contribution(elu, new)
    db.session.commit()
    ids, stats = top_ids(second_worker, campaign.id, NEW_IDEA)
    assert new.id not in ids
    assert (stats.size, stats.full_loads, stats.rows_applied) == (300, 1, 5)

    # This app ("worker 1") built its own index once and followed the same changes.
    local = similar.index_stats(campaign)
    assert (local.size, local.full_loads) == (300, 1)
    assert local.version == stats.version


def test_uncommitted_changes_never_reach_the_shared_index(db, campaign_of_real_answers,
                                                         second_worker):
    campaign, posted = campaign_of_real_answers
    before = similar.index_stats(campaign)
    new = posted[0]
    contributions.edit_contribution(new.author, new, NEW_IDEA)  # flushes, no commit
    # The session that wrote it sees it (a private index of what it sees) ...
    assert [s.contribution.id for s in similar.similar_contributions(campaign, NEW_IDEA)][:1] \
        == [new.id]
    # ... nobody else does, and after the rollback neither does it.
    assert new.id not in top_ids(second_worker, campaign.id, NEW_IDEA)[0]
    db.session.rollback()
    assert new.id not in [s.contribution.id for s in
                          similar.similar_contributions(campaign, NEW_IDEA)]
    after = similar.index_stats(campaign)
    assert (after.size, after.version, after.full_loads) == (300, before.version, 1)


def test_top3_equals_an_exact_search_after_changes(app, db, make_user, campaign_of_real_answers,
                                                   dev_rows):
    """recall@3 of the kept-current index against brute force over the published texts."""
    import numpy as np
    from sqlalchemy import select

    from motion.models import Contribution, ContributionStatus
    from motion.services import moderation

    campaign, posted = campaign_of_real_answers
    similar.similar_contributions(campaign, PARAPHRASE)  # build it before the changes
    moderator = make_user(role="facilitator")
    for i, contribution in enumerate(posted[:40]):
        if i % 3 == 0:
            moderation.hide(moderator, contribution, "Test")
        elif i % 3 == 1:
            contributions.withdraw_contribution(contribution.author, contribution)
        else:
            contributions.edit_contribution(contribution.author, contribution,
                                            dev_rows[1000 + i]["text"])
    for row in dev_rows[300:340]:
        contributions.post_contribution(posted[0].author, posted[0].workshop, row["text"])
    db.session.commit()

    app.config["SIMILAR_THRESHOLD"] = -1.0  # rank everything, as the exact search does
    rows = db.session.execute(select(Contribution.id, Contribution.text).where(
        Contribution.campaign_id == campaign.id,
        Contribution.status == ContributionStatus.PUBLISHED)).all()
    model = similar.embedder(app)
    matrix = model.encode([r.text for r in rows])
    queries = [row["text"] for row in dev_rows[2000:2060]]
    recalls = []
    for text, vector in zip(queries, model.encode(queries), strict=True):
        exact = {rows[i].id for i in np.argsort(-(matrix @ vector), kind="stable")[:3]}
        found = {s.contribution.id for s in similar.similar_contributions(campaign, text)}
        recalls.append(len(found & exact) / 3)
    assert np.mean(recalls) >= 0.95
    assert similar.index_stats(campaign).full_loads == 1


def test_a_reworded_post_is_flagged_and_texts_are_checked_in_bulk(db, campaign_of_real_answers,
                                                                   dev_rows):
    campaign, posted = campaign_of_real_answers
    original = next(c for c in posted if c.text == dev_rows[7]["text"])
    reword = dev_rows[7]["text"].replace("Par contre", "Cependant")
    assert reword != dev_rows[7]["text"]
    again = contributions.post_contribution(posted[1].author, posted[1].workshop, reword)
    db.session.commit()
    found = similar.near_duplicate_of(again)
    assert found is not None
    assert found.contribution.id == original.id
    assert found.score >= 0.85
    # Another text of the campaign has no near-duplicate (it does not match itself).
    other = similar.near_duplicate_of(posted[50])
    assert other is None or other.contribution.id != posted[50].id
    # Several texts at once (imports): the reword's closest is now its own post.
    none, itself = similar.near_duplicates(campaign, [NEW_IDEA, reword])
    assert none is None
    assert itself.contribution.id == again.id


def test_an_import_reports_rows_already_proposed(db, campaign_of_real_answers, dev_rows,
                                                 tmp_path):
    import csv

    from motion.services import imports

    campaign, posted = campaign_of_real_answers
    original = next(c for c in posted if c.text == dev_rows[7]["text"])
    path = tmp_path / "import.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "text"])
        writer.writerow(["new-1", NEW_IDEA])
        writer.writerow(["reword-1", dev_rows[7]["text"].replace("Par contre", "Cependant")])
    report = imports.import_csv(path, campaign)
    db.session.commit()
    assert report.inserted == 2
    assert report.warnings == [(3, f"contribution déjà proposée (n° {original.id})")]
