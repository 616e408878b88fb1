"""Follow-up of a closed campaign's motion, import into the next campaign, bilan drafts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from motion.errors import Conflict, InvalidInput
from motion.models import EarlierProposition, FollowUpStatus, PhaseKind, PropositionAxis
from motion.models._types import utcnow
from motion.services import followup, motions


def _closed_phases(years_ago: int = 1):
    now = utcnow() - timedelta(days=365 * years_ago)
    return {
        PhaseKind.COLLECT: now - timedelta(days=60),
        PhaseKind.SYNTHESIS: now - timedelta(days=20),
        PhaseKind.PLENARY: now - timedelta(days=2),
        PhaseKind.CLOSED: now,
    }


@pytest.fixture
def previous(db, make_campaign, make_user):
    """A closed campaign with an adopted motion: two propositions in E1, one in E2, one
    rejected in E2 (never followed up)."""
    campaign = make_campaign("congres-2025", phase_starts=_closed_phases())
    facilitator = make_user(role="facilitator", campaign=campaign)
    motion = motions.create_motion(campaign)
    e1, e2 = motion.sections[0], motion.sections[1]
    made = {}
    for key, section, title, outcome in (
        ("tiers", e1, "Un tiers-lieu numérique par canton", "adopted"),
        ("aidants", e1, "Des aidants numériques dans chaque mairie", "adopted"),
        ("sobriete", e2, "Allonger la durée de vie des ordinateurs des écoles", "adopted"),
        ("rejetee", e2, "Supprimer les écrans des écoles", "rejected"),
    ):
        proposition = motions.create_proposition(
            motion, section, title=title, text=f"{title}, partout en France."
        )
        proposition.outcome = outcome
        made[key] = proposition
    # The first answers axis E1.1 (set on the engagement session's page).
    db.session.add(
        PropositionAxis(proposition_id=made["tiers"].id, axis_id=e1.engagement.axes[0].id)
    )
    motions.adopt(motion, actor=facilitator)
    db.session.commit()
    return campaign, facilitator, made


def test_statuses_notes_links_and_history_then_previous_propositions_and_bilan(
    db, previous, make_campaign
):
    campaign, facilitator, made = previous
    done = followup.update_followup(
        made["tiers"],
        status="transmitted",
        note="Courrier au ministère.",
        noted_on="2025-12-01",
        url="https://www.example.gouv.fr/reponse",
        link_title="Réponse du ministère",
        actor=facilitator,
    )
    assert len(done) == 3
    followup.set_status(made["tiers"], FollowUpStatus.ADOPTED_IN_TEXT, actor=facilitator)
    followup.add_note(
        made["tiers"],
        "Reprise dans la loi de finances.",
        noted_on=date(2026, 3, 12),
        actor=facilitator,
    )
    followup.set_status(made["sobriete"], "no_follow_up", actor=facilitator)
    # Unchanged status: no new history line.
    assert followup.set_status(made["sobriete"], "no_follow_up", actor=facilitator) is False
    db.session.commit()

    board = followup.followup_board(campaign)
    rows = {row.proposition.id: row for section in board for row in section.rows}
    assert made["rejetee"].id not in rows  # rejected propositions have no follow-up
    tiers = rows[made["tiers"].id]
    assert [(c.old_status, c.new_status) for c in reversed(tiers.changes)] == [
        (None, FollowUpStatus.TRANSMITTED),
        (FollowUpStatus.TRANSMITTED, FollowUpStatus.ADOPTED_IN_TEXT),
    ]
    assert all(c.changed_by_id == facilitator.id for c in tiers.changes)
    assert tiers.notes[0].noted_on == date(2026, 3, 12)
    assert rows[made["aidants"].id].status_label == "non transmise"

    # A new campaign reads the previous one by engagement code, before any import...
    current = make_campaign("congres-2026")
    e1 = current.framework.engagements[0]
    before = followup.previous_propositions(current, e1)
    assert [p.title for p in before] == [made["tiers"].title, made["aidants"].title]
    assert before[0].status_label == "reprise dans un texte"
    assert before[0].last_note == "Reprise dans la loi de finances."
    assert before[0].last_note_on == date(2026, 3, 12)
    assert before[0].links == (("Réponse du ministère", "https://www.example.gouv.fr/reponse"),)

    # ... and after importing, through its earlier propositions; twice adds nothing.
    report = followup.import_previous_motion(current, campaign, actor=facilitator)
    assert (report.added, report.already, report.unmapped) == (3, 0, [])
    again = followup.import_previous_motion(current, campaign, actor=facilitator)
    db.session.commit()
    assert (again.added, again.already) == (0, 3)
    assert "déjà importées" in followup.import_message(again)
    after = followup.previous_propositions(current, e1)
    assert [p.title for p in after] == [p.title for p in before]
    assert all(p.earlier_id for p in after)
    assert [(p.axis_code, p.axis_title) for p in after] == [
        ("E1.1", e1.axes[0].title),
        (None, None),
    ]
    assert before[0].axis_code == "E1.1"
    assert followup.previous_campaign(current).id == campaign.id

    bilan = followup.draft_bilan(current, e1)
    assert bilan.startswith(
        "Suivi des propositions de « Congrès de test » : 1 reprise dans un texte, 1 non transmise."
    )
    assert "(12 mars 2026 : Reprise dans la loi de finances)." in bilan
    e2 = current.framework.engagements[1]
    assert "1 sans suite" in followup.draft_bilan(current, e2)
    assert followup.draft_bilan(current, current.framework.engagements[3]) == ""


def test_bad_input_is_refused_in_french_and_nothing_is_written(db, previous, make_campaign):
    campaign, facilitator, made = previous
    with pytest.raises(InvalidInput, match="https://"):
        followup.update_followup(
            made["tiers"],
            status="transmitted",
            note="Une note",
            url="javascript:alert(1)",
            link_title="x",
            actor=facilitator,
        )
    with pytest.raises(InvalidInput, match="Date de la note"):
        followup.update_followup(
            made["tiers"], status=None, note="Une note", noted_on="31/12/2025", actor=facilitator
        )
    with pytest.raises(InvalidInput, match="Statut de suivi inconnu"):
        followup.update_followup(made["tiers"], status="perdu", actor=facilitator)
    db.session.rollback()
    assert followup.followup_board(campaign)[0].rows[0].followup is None
    with pytest.raises(Conflict, match="rejetée"):
        followup.set_status(made["rejetee"], "transmitted")
    # A campaign that is not closed has no follow-up yet.
    running = make_campaign("en-cours")
    draft = motions.create_motion(running)
    proposition = motions.create_proposition(
        draft, draft.sections[0], title="Idée", text="Une idée pour plus tard."
    )
    with pytest.raises(Conflict, match="pas encore close"):
        followup.set_status(proposition, "transmitted")
    # Importing from a campaign without a motion, or from a draft motion, is explained.
    empty = make_campaign("sans-motion", phase_starts=_closed_phases(2))
    with pytest.raises(InvalidInput, match="n’a pas de motion"):
        followup.import_previous_motion(running, empty)
    with pytest.raises(InvalidInput, match="n’a pas été adoptée"):
        followup.import_previous_motion(empty, running)


def test_import_onto_another_framework_names_the_engagements_it_could_not_map(
    db, previous, make_campaign
):
    from motion.models import Engagement, Framework

    campaign, facilitator, made = previous
    other = Framework(name="Autre référentiel", source="test")
    other.engagements = [
        Engagement(code="X1", title=campaign.framework.engagements[0].title, position=0),
        Engagement(code="X9", title="Sans rapport", position=1),
    ]
    db.session.add(other)
    target = make_campaign("autre-cadre", framework=other)
    report = followup.import_previous_motion(target, campaign)
    db.session.commit()
    assert report.added == 3
    e2 = campaign.framework.engagements[1]
    assert report.unmapped == [f"{e2.code} — {e2.title}"]
    assert e2.title in followup.import_message(report)
    rows = db.session.scalars(
        select(EarlierProposition)
        .where(EarlierProposition.campaign_id == target.id)
        .order_by(EarlierProposition.position)
    ).all()
    # Mapped by title onto X1; the E2 proposition is kept without an engagement.
    assert [r.engagement.code if r.engagement else None for r in rows] == ["X1", "X1", None]
    assert [p.title for p in followup.previous_propositions(target, other.engagements[0])] == [
        made["tiers"].title,
        made["aidants"].title,
    ]


def test_continuations_of_contributions_and_propositions(
    db, previous, make_campaign, make_contribution, make_workshop
):
    campaign, facilitator, made = previous
    current = make_campaign("suite")
    followup.import_previous_motion(current, campaign)
    earlier = followup.earlier_propositions(current)[0]
    contribution = make_contribution(workshop=make_workshop(campaign=current))
    followup.set_contribution_continues(contribution, earlier.id)
    db.session.commit()
    assert followup.continued_by_contribution(contribution).id == earlier.id
    assert "prolonge la proposition « Un tiers-lieu" in followup.continuation_label(earlier)
    followup.set_contribution_continues(contribution, None)
    assert followup.continued_by_contribution(contribution) is None
    # An earlier proposition of another campaign is refused.
    other = make_campaign("autre")
    followup.import_previous_motion(other, campaign)
    foreign = followup.earlier_propositions(other)[0]
    with pytest.raises(InvalidInput, match="inconnue"):
        followup.set_contribution_continues(contribution, foreign.id)


def test_demo_previous_campaign_is_closed_followed_up_and_imported_once(
    db, make_campaign, make_user
):
    from motion.services import followup_demo

    current = make_campaign("demo-courante")
    facilitator = make_user(role="facilitator", campaign=current)
    previous = followup_demo.ensure_previous_campaign(current, [facilitator])
    followup_demo.ensure_previous_campaign(current, [facilitator])  # a second init
    db.session.commit()
    assert followup.is_closed(previous)
    board = followup.followup_board(previous)
    rows = [row for section in board for row in section.rows]
    assert len(rows) == len(followup_demo.demo_propositions())
    # At least one proposition per engagement, each with a status past "non transmise"
    # and a dated note.
    assert {r.proposition.section.engagement.code for r in rows} == {"E1", "E2", "E3", "E4"}
    assert all(r.status != FollowUpStatus.NOT_TRANSMITTED and r.notes for r in rows)
    assert len(followup.earlier_propositions(current)) == len(rows)
    for engagement in current.framework.engagements:
        previous_items = followup.previous_propositions(current, engagement)
        assert previous_items
        assert all(p.axis_code.startswith(engagement.code) for p in previous_items)
    assert "1 reprise dans un texte" in followup.draft_bilan(
        current, current.framework.engagements[0]
    )
    assert previous.id in {c.id for c in followup.candidate_previous_campaigns(current)}


def test_open_data_and_annex_carry_the_followup_and_the_continuation(db, make_campaign, make_user):
    import csv
    import io
    import json
    import zipfile
    from pathlib import Path

    import jsonschema

    from motion.exports import opendata
    from motion.exports.builder import build_motion_document, build_opendata
    from motion.services import followup_demo

    facilitator = make_user(role="facilitator")
    previous = followup_demo.create_previous_campaign([facilitator])
    current = make_campaign("reprise")
    followup.import_previous_motion(current, previous)
    db.session.commit()

    data = build_opendata(previous)
    document = opendata.to_json_object(data)
    schema = json.loads(
        (Path(__file__).resolve().parents[2] / "docs/schemas/opendata.schema.json").read_text()
    )
    jsonschema.validate(document, schema)
    first = document["motion"]["propositions"][0]
    expected = followup_demo.demo_propositions()[0]
    assert first["followup"]["status"] == expected.status.value == "in_text"
    assert first["followup"]["label"] == "reprise dans un texte"
    assert first["followup"]["last_note_on"] == expected.notes[-1][0].isoformat()
    (link_title, url), = expected.links
    assert first["followup"]["links"] == [{"title": link_title, "url": url}]
    with zipfile.ZipFile(io.BytesIO(opendata.render_csv_zip(data))) as archive:
        rows = list(csv.DictReader(io.StringIO(archive.read("propositions.csv").decode())))
    assert [r["followup_status"] for r in rows] == [
        p.status.value for p in followup_demo.demo_propositions()
    ]

    # A running campaign has no follow-up yet; its proposition says what it continues.
    motion = motions.create_motion(current)
    proposition = motions.create_proposition(
        motion, motion.sections[0], title="Suite", text="Pérenniser les conseillers numériques."
    )
    earlier = followup.earlier_propositions(current)[0]
    followup.set_proposition_continues(proposition, earlier.id)
    db.session.commit()
    entry = build_motion_document(current).propositions[0]
    assert entry.followup is None
    assert entry.provenance_line.endswith(
        f"Prolonge la proposition « {earlier.title} » ({previous.title})."
    )
    assert (
        opendata.to_json_object(build_opendata(current))["motion"]["propositions"][0]["continues"]
        == entry.continues
    )
