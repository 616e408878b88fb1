"""The demo tells the story of a congress of élus on digital policy: four workshops, one
per engagement, real answers chosen to fit them, signed by élus of collectivités."""

from __future__ import annotations

from sqlalchemy import func, select

from motion.models import Contribution
from motion.services import demo


def test_demo_workshops_follow_the_four_engagements_and_contributions_are_signed(app, db):
    result = demo.ensure_demo()
    db.session.commit()
    campaign = result.campaign
    assert sorted(w.engagement.code for w in campaign.workshops) == ["E1", "E2", "E3", "E4"]
    rows = db.session.execute(
        select(func.count(Contribution.id), func.count(func.distinct(Contribution.author_id)),
               func.count(func.distinct(Contribution.collectivite)))
        .where(Contribution.campaign_id == campaign.id)).one()
    assert rows[0] == result.inserted > 1000
    assert rows[1] == len(demo.DEMO_AUTHORS)
    assert rows[2] == len({c for _name, c in demo.DEMO_AUTHORS})
    unsigned = db.session.scalar(select(func.count(Contribution.id)).where(
        Contribution.campaign_id == campaign.id, Contribution.author_id.is_(None)))
    assert unsigned == 0
    # Every type of collectivité and every size band speaks in the demo.
    from motion.models import CollectiviteKind, SizeBand

    kinds, sizes = zip(*db.session.execute(
        select(Contribution.collectivite_kind, Contribution.collectivite_size)
        .where(Contribution.campaign_id == campaign.id).distinct()).all(), strict=True)
    assert set(kinds) == set(CollectiviteKind)
    assert set(SizeBand) <= set(sizes)
    # The 2025 congress, closed, whose followed-up motion the demo campaign imported.
    from motion.services import followup

    assert followup.previous_campaign(campaign).slug == "demo-2025"
    assert len(followup.earlier_propositions(campaign)) >= 4
    # Each engagement's session: référents, the programme, a bilan drafted from that
    # follow-up, objectifs.
    from motion.services import referents, sessions

    programme = [s for _number, s in sessions.programme(campaign)]
    assert [s.engagement.code for s in programme] == ["E1", "E2", "E3", "E4"]
    assert all(s.objectifs and s.starts_at for s in programme)
    assert set(referents.referents(campaign)) == {s.engagement_id for s in programme}
    assert any("Suivi des propositions" in s.bilan for s in programme)


def test_demo_texts_are_the_real_answers(app, db, dev_rows):
    """Every demo text is verbatim one of the labelled Grand Débat answers."""
    import csv

    real = {row["id"]: row["text"] for row in dev_rows}
    with demo.demo_data_path().open(encoding="utf-8", newline="") as f:
        shipped = list(csv.DictReader(f))
    assert shipped
    assert all(real[row["id"]] == row["text"] for row in shipped)
    assert {row["workshop"] for row in shipped} == set(demo.DEMO_WORKSHOP_ENGAGEMENTS)
