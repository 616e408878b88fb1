"""Reports and moderation; full-text search and filters (SQLite FTS5, PostgreSQL French)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from motion.errors import Conflict, Forbidden, InvalidInput
from motion.models import AuditEvent, ContributionStatus, Report, ReportStatus
from motion.services import comments, contributions, moderation, search


@pytest.fixture
def facilitator(make_user):
    return make_user(role="facilitator")


def _actions(db, object_id):
    return db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.object_id == object_id).order_by(AuditEvent.id)).all()


def test_report_then_hide_then_restore_with_reasons_and_audit(db, make_contribution, make_user,
                                                             facilitator):
    contribution = make_contribution()
    reporter = make_user()
    report = moderation.report(reporter, contribution, "Propos injurieux envers un élu")
    db.session.commit()
    with pytest.raises(Conflict):
        moderation.report(reporter, contribution, "Encore")
    db.session.rollback()
    entries = moderation.queue(facilitator, contribution.campaign)
    assert [(e.item.id, len(e.reports)) for e in entries] == [(contribution.id, 1)]

    moderation.hide(facilitator, contribution, "Injure : contraire à la charte")
    db.session.commit()
    assert contribution.status == ContributionStatus.HIDDEN
    db.session.refresh(report)
    assert (report.status, report.decision) == (ReportStatus.RESOLVED, "hide")
    assert moderation.queue(facilitator, contribution.campaign) == []
    rows, total = contributions.list_workshop_contributions(contribution.workshop)
    assert total == 0

    moderation.restore(facilitator, contribution, "Reformulé par l'auteur")
    db.session.commit()
    assert contribution.status == ContributionStatus.PUBLISHED
    assert _actions(db, contribution.id)[-2:] == ["contribution.hide", "contribution.restore"]
    hide_event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "contribution.hide"))
    assert hide_event.data["reason"] == "Injure : contraire à la charte"


def test_hidden_contributions_are_left_out_of_clustering_input(db, make_user, make_workshop,
                                                               facilitator, dev_rows):
    from motion.services import clustering

    elu = make_user()
    workshop = make_workshop(members=[elu])
    shown = contributions.post_contribution(elu, workshop, dev_rows[40]["text"])
    hidden = contributions.post_contribution(elu, workshop, dev_rows[41]["text"])
    db.session.commit()
    moderation.hide(facilitator, hidden, "Hors sujet")
    db.session.commit()
    ids = [c.id for c in clustering._published_contributions(workshop.campaign)]
    assert ids == [shown.id]


def test_moderation_needs_a_facilitator_and_a_reason(db, make_contribution, make_user,
                                                     facilitator):
    contribution = make_contribution()
    with pytest.raises(Forbidden):
        moderation.hide(make_user(), contribution, "Je n'aime pas")
    with pytest.raises(InvalidInput, match="raison"):
        moderation.hide(facilitator, contribution, "   ")
    with pytest.raises(InvalidInput):
        moderation.report(contribution.author, contribution, "Auto-signalement")
    db.session.rollback()
    assert db.session.get(type(contribution), contribution.id).status == "published"
    assert db.session.scalars(select(Report)).all() == []


def test_comments_are_reported_and_hidden_too(db, make_contribution, make_user, facilitator,
                                              dev_rows):
    contribution = make_contribution()
    comment = comments.post_comment(make_user(), contribution, dev_rows[30]["text"])
    db.session.commit()
    moderation.report(make_user(), comment, "Spam")
    db.session.commit()
    moderation.hide(facilitator, comment, "Spam publicitaire")
    db.session.commit()
    assert comments.thread(contribution, make_user()) == []
    assert "comment.hide" in _actions(db, comment.id)
    other = comments.post_comment(make_user(), contribution, dev_rows[31]["text"])
    moderation.report(make_user(), other, "Pas d'accord")
    db.session.commit()
    moderation.dismiss(facilitator, other, "Désaccord n'est pas abus")
    db.session.commit()
    assert other.status == ContributionStatus.PUBLISHED


@pytest.fixture
def corpus(db, make_user, make_workshop, make_campaign, dev_rows):
    """Real answers posted in two workshops of one campaign by two collectivités."""
    campaign = make_campaign()
    paris, lyon = make_user(collectivite="Paris"), make_user(collectivite="Lyon")
    one = make_workshop("Atelier inclusion", campaign=campaign, members=[paris, lyon])
    two = make_workshop("Atelier territoires", campaign=campaign, members=[paris, lyon])
    posted = []
    for i, row in enumerate(dev_rows[:60]):
        author = paris if i % 2 else lyon
        workshop = one if i % 3 else two
        posted.append(contributions.post_contribution(author, workshop, row["text"]))
    db.session.commit()
    return campaign, one, two, posted


def _search(campaign, filters, **kwargs):
    """Search as a participant of the campaign (non-members are refused)."""
    viewer = campaign.workshops[0].memberships[0].user
    return search.search(campaign, filters, viewer=viewer, **kwargs)


def _ids(page):
    return {c.id for c, _n in page.rows}


def _expected(posted, word):
    return {c.id for c in posted if word in c.text.lower()}


def test_full_text_search_finds_every_contribution_with_the_word(db, corpus):
    campaign, _one, _two, posted = corpus
    expected = _expected(posted, "impôts")
    assert expected  # the real rows talk about taxes
    page = _search(campaign, search.Filters(query="impôts"), per_page=100)
    assert expected <= _ids(page)
    assert page.total == len(page.rows)


def test_search_follows_edits_and_excludes_hidden_and_withdrawn(db, corpus, make_user):
    campaign, _one, _two, posted = corpus
    target = next(c for c in posted if "laïcité" in c.text.lower())
    before = _search(campaign, search.Filters(query="laïcité"))
    assert target.id in _ids(before)
    contributions.withdraw_contribution(target.author, target)
    db.session.commit()
    assert target.id not in _ids(_search(campaign, search.Filters(query="laïcité")))

    edited = next(c for c in posted if c.status == ContributionStatus.PUBLISHED
                  and "ornithologie" not in c.text)
    contributions.edit_contribution(edited.author, edited,
                                    "Créer un observatoire citoyen d'ornithologie urbaine.")
    db.session.commit()
    assert _ids(_search(campaign, search.Filters(query="ornithologie"))) == {edited.id}

    moderation.hide(make_user(role="facilitator"), edited, "Test de masquage")
    db.session.commit()
    assert _ids(_search(campaign, search.Filters(query="ornithologie"))) == set()


def test_search_filters_and_pagination(db, corpus):
    campaign, one, two, posted = corpus
    in_one = _search(campaign, search.Filters(workshop_id=one.id), per_page=500)
    assert _ids(in_one) == {c.id for c in posted if c.workshop_id == one.id}
    lyon = _search(campaign, search.Filters(collectivite="lyon"), per_page=500)
    assert _ids(lyon) == {c.id for c in posted if c.collectivite == "Lyon"}
    today = date.today()
    assert _search(campaign, search.Filters(since=today + timedelta(days=2))).total == 0
    assert _search(campaign, search.Filters(until=today + timedelta(days=1))).total == 60
    pages = [_search(campaign, search.Filters(), page=p, per_page=25) for p in (1, 2, 3)]
    assert [len(p.rows) for p in pages] == [25, 25, 10]
    assert pages[0].pages == 3
    assert len(set().union(*(_ids(p) for p in pages))) == 60


def test_a_word_finds_its_singular_and_its_plural(db, corpus):
    """« mairie » finds « mairies » and the other way round, « réseau » finds « réseaux »,
    « local » finds « locaux », on SQLite (FTS5) as on PostgreSQL (French stemming)."""
    campaign, one, _two, _posted = corpus
    author = one.memberships[0].user
    ideas = {key: contributions.post_contribution(author, one, text).id for key, text in {
        "mairie": "Ouvrir la mairie le samedi matin pour les démarches en ligne.",
        "mairies": "Les mairies rurales manquent d’agents formés au numérique.",
        "reseaux": "Mutualiser les réseaux des communes voisines.",
        "local": "Un local partagé pour le tiers-lieu numérique du village.",
        "locaux": "Rénover les locaux municipaux pour accueillir le public.",
    }.items()}
    db.session.commit()

    def found(query):
        return _ids(_search(campaign, search.Filters(query=query), per_page=100))

    assert {ideas["mairie"], ideas["mairies"]} <= found("mairie")
    assert {ideas["mairie"], ideas["mairies"]} <= found("Mairies")
    assert ideas["reseaux"] in found("réseau")
    assert {ideas["local"], ideas["locaux"]} <= found("locaux") & found("local")
    assert found("mairies samedi") == {ideas["mairie"]}  # every word still required


def test_search_input_is_never_query_syntax(db, corpus):
    campaign, *_ = corpus
    for hostile in ['"', "NEAR(", "a OR", "*", "'; DROP TABLE contributions; --", "!:&|"]:
        _search(campaign, search.Filters(query=hostile))
