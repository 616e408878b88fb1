"""Models and database constraints (run on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from motion.models import Contribution, Phase, PhaseKind, Support, User


def test_second_support_by_same_user_is_rejected_by_the_database(db, make_contribution, make_user):
    contribution = make_contribution()
    supporter = make_user()
    db.session.add(Support(user=supporter, contribution=contribution))
    db.session.commit()
    db.session.add(Support(user=supporter, contribution=contribution))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert len(contribution.supports) == 1


def test_email_is_unique_in_the_database(db):
    db.session.add(User(email="a@b.fr", display_name="A"))
    db.session.commit()
    db.session.add(User(email="a@b.fr", display_name="B"))
    with pytest.raises(IntegrityError):
        db.session.commit()


def test_external_id_unique_per_campaign_only(db, make_workshop, make_campaign):
    first = make_workshop(campaign=make_campaign("un"))
    second = make_workshop(campaign=make_campaign("deux"))
    for workshop in (first, second):
        db.session.add(Contribution(campaign_id=workshop.campaign_id, workshop=workshop,
                                    text="Un texte importé assez long.", external_id="x-1"))
    db.session.commit()  # same id in two campaigns is fine
    db.session.add(Contribution(campaign_id=first.campaign_id, workshop=first,
                                text="Un autre texte importé.", external_id="x-1"))
    with pytest.raises(IntegrityError):
        db.session.commit()


def test_phase_must_end_after_it_starts(db, make_campaign):
    campaign = make_campaign()
    start = campaign.phases[0].starts_at
    db.session.add(Phase(campaign=campaign, kind=PhaseKind.CLOSED, starts_at=start,
                         ends_at=start - timedelta(hours=1)))
    with pytest.raises(IntegrityError):
        db.session.commit()


def test_timestamps_come_back_timezone_aware_utc(db, make_contribution):
    contribution = make_contribution()
    db.session.expire_all()
    loaded = db.session.get(Contribution, contribution.id)
    assert loaded.created_at.tzinfo is not None
    assert loaded.created_at.utcoffset() == UTC.utcoffset(None)


def test_deleting_a_user_keeps_their_contributions(db, make_contribution):
    contribution = make_contribution()
    author = contribution.author
    db.session.delete(author)
    db.session.commit()
    db.session.expire_all()
    kept = db.session.get(Contribution, contribution.id)
    assert kept is not None
    assert kept.author_id is None


def test_migrations_match_the_models(app, db):
    """Every schema change ships a migration: autogenerate finds nothing to add."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from motion.models.contributions import include_name

    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": False, "include_name": include_name}
        )
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_the_sqlite_search_triggers_survive_every_migration(db, sqlite_only, make_contribution):
    """A batch operation on ``contributions`` rebuilds the table on SQLite and drops its
    triggers: the full-text index must still follow new contributions after the last one."""
    from sqlalchemy import text

    with db.engine.connect() as conn:
        triggers = set(conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' "
            "AND tbl_name = 'contributions'")).scalars())
    assert {"contributions_fts_ai", "contributions_fts_ad", "contributions_fts_au"} <= triggers
    contribution = make_contribution(text="Un guichet unique pour la fibre dans les villages")
    found = db.session.execute(text(
        "SELECT rowid FROM contributions_fts WHERE contributions_fts MATCH 'guichet'")).scalars()
    assert contribution.id in set(found)
