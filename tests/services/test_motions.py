"""Motion drafting: propositions from real clusters, provenance that survives merges and
splits, versions with a word diff and restore, counters, adoption, and the demo motion."""

from __future__ import annotations

import csv

import pytest
from sqlalchemy import select

from motion.errors import Conflict, Forbidden, InvalidInput
from motion.models import (
    Cluster,
    ClusterAssignment,
    Contribution,
    ProvenanceLink,
)
from motion.services import clustering, imports, motions, provenance
from motion.services.diff import changed_words, word_diff
from motion.services.themes import queries


def _import_answers(campaign, rows, tmp_path) -> None:
    """Import real answers into ``campaign`` through the CSV import, one workshop per theme."""
    path = tmp_path / "rows.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "text", "workshop"])
        writer.writerows([row["id"], row["text"], row["theme"]] for row in rows)
    imports.import_csv(path, campaign)


@pytest.fixture
def clustered(db, make_campaign, dev_rows, tmp_path):
    """A campaign holding 300 real answers, clustered by the real pipeline."""
    campaign = make_campaign("redaction", collect_open=False)
    _import_answers(campaign, dev_rows[:300], tmp_path)
    record = clustering.request_run(campaign)
    clustering.cluster_campaign(campaign, record)
    db.session.commit()
    clusters = db.session.scalars(
        select(Cluster).where(Cluster.campaign_id == campaign.id, Cluster.active.is_(True))
        .order_by(Cluster.size.desc(), Cluster.id)).all()
    assert len(clusters) >= 3
    return campaign, clusters


def _members(cluster) -> set[int]:
    return {c.id for c in queries.members(cluster)}


def test_a_proposition_from_two_clusters_links_their_contributions_with_an_extractive_draft(
        db, clustered):
    campaign, clusters = clustered
    first, second = clusters[0], clusters[1]
    motion = motions.create_motion(campaign)
    draft = motions.prefill([first, second], [])
    reps = db.session.get(Contribution, first.representative_ids[0])
    # Extractive: the draft quotes the representatives and lists the keywords.
    assert reps.text.split()[0] in draft.text
    assert first.keywords[0] in draft.text
    assert first.name in draft.title
    assert second.name in draft.title
    section = motions.section_for(motion, draft.engagement_id)
    proposition = motions.create_proposition(motion, section, title=draft.title,
                                             text=draft.text, clusters=[first, second])
    db.session.commit()
    linked = {link.contribution_id for link in proposition.provenance}
    assert linked == _members(first) | _members(second)
    counters = provenance.motion_counters(motion)
    assert counters.contributions == len(linked)
    assert counters.unused == 300 - len(linked)
    rows = provenance.sources(proposition)
    assert {r.contribution.id for r in rows} == linked
    assert all(r.workshop for r in rows)
    fed = provenance.propositions_fed_by(rows[0].contribution)
    assert [p.id for p, _link in fed] == [proposition.id]


def test_provenance_survives_a_merge_and_a_split_of_the_source_clusters(db, clustered):
    from motion.services.themes import operations

    campaign, clusters = clustered
    first, second, third = clusters[0], clusters[1], clusters[2]
    motion = motions.create_motion(campaign)
    proposition = motions.create_proposition(
        motion, motion.sections[0], title="Accès aux services", text="Un texte réécrit.",
        clusters=[first, second])
    db.session.commit()
    before = {(link.contribution_id, link.cluster_stable_id, link.cluster_name)
              for link in proposition.provenance}
    names = {first.id: first.name, second.id: second.name}

    # Merge the second source cluster into the third, then split the first in two.
    operations.merge(campaign, [third, second],
                     versions={third.id: third.version, second.id: second.version})
    db.session.commit()
    members = sorted(_members(first))
    operations.split(campaign, first, parts=[members[: len(members) // 2],
                                             members[len(members) // 2:]],
                     version=first.version)
    db.session.commit()
    db.session.expire_all()

    assert not db.session.get(Cluster, second.id).active
    moved = db.session.scalar(select(ClusterAssignment).where(
        ClusterAssignment.contribution_id == members[-1]))
    assert moved.cluster_id != first.id  # the split really moved it
    links = db.session.scalars(select(ProvenanceLink).where(
        ProvenanceLink.proposition_id == proposition.id)).all()
    assert {(lk.contribution_id, lk.cluster_stable_id, lk.cluster_name) for lk in links} == before
    assert {lk.cluster_name for lk in links} == set(names.values())
    counters = provenance.proposition_counters(proposition)
    assert counters.contributions == len(before)


def test_provenance_survives_clusters_dissolved_by_a_new_run(db, clustered):
    campaign, clusters = clustered
    motion = motions.create_motion(campaign)
    proposition = motions.create_proposition(motion, motion.sections[0], title="T",
                                             text="Texte.", clusters=[clusters[0]])
    db.session.commit()
    linked = {lk.contribution_id for lk in proposition.provenance}
    # What a run does to a dissolved cluster: its members leave it, it becomes inactive.
    for assignment in db.session.scalars(select(ClusterAssignment).where(
            ClusterAssignment.cluster_id == clusters[0].id)):
        assignment.cluster_id = None
    clusters[0].active = False
    db.session.commit()
    db.session.expire_all()
    rows = provenance.sources(proposition)
    assert {r.contribution.id for r in rows} == linked
    assert all(r.link.cluster_name == clusters[0].name for r in rows)
    assert all(r.current_cluster is None for r in rows)


def test_versions_diff_shows_the_changed_words_and_restore_makes_a_new_version(
        db, make_campaign, make_user):
    facilitator = make_user(role="facilitator")
    motion = motions.create_motion(make_campaign())
    proposition = motions.create_proposition(
        motion, motion.sections[0], title="Former les agents",
        text="Former les agents d'accueil aux démarches en ligne.", actor=facilitator)
    motions.add_version(proposition, title="Former les agents",
                        text="Former tous les agents d'accueil aux démarches numériques.",
                        actor=facilitator, reason="précision", base_version=1)
    db.session.commit()
    v1, v2 = motions.get_version(proposition, 1), motions.get_version(proposition, 2)
    deleted, inserted = changed_words(word_diff(v1.text, v2.text))
    assert deleted == ["en", "ligne."]
    assert inserted == ["tous", "numériques."]
    assert "".join(s.text for s in word_diff(v1.text, v2.text) if s.op != "delete") == v2.text

    with pytest.raises(Conflict):  # someone saved version 2 meanwhile
        motions.add_version(proposition, title="X", text="Y", actor=facilitator, reason="",
                            base_version=1)
    restored = motions.restore_version(proposition, 1, actor=facilitator)
    db.session.commit()
    assert (restored.number, restored.restored_from, proposition.text) == (3, 1, v1.text)

    preamble = motions.save_preamble(motion, "Les élus, réunis en congrès,", actor=facilitator)
    motions.save_preamble(motion, "Les élus au numérique, réunis en congrès,",
                          actor=facilitator, base_version=preamble.number)
    db.session.commit()

    deleted, inserted = changed_words(word_diff(motion.preamble_versions[1].text, motion.preamble))
    assert (deleted, inserted) == (["élus,"], ["élus", "au", "numérique,"])


def test_an_adopted_motion_is_read_only(db, make_campaign, make_user):
    facilitator = make_user(role="facilitator")
    motion = motions.create_motion(make_campaign())
    proposition = motions.create_proposition(motion, motion.sections[0], title="T",
                                             text="Texte.")
    motions.adopt(motion, actor=facilitator)
    db.session.commit()
    assert motion.adopted_at is not None
    with pytest.raises(Forbidden):
        motions.add_version(proposition, title="T", text="Autre.", actor=facilitator, reason="")
    with pytest.raises(Forbidden):
        motions.save_preamble(motion, "Autre", actor=facilitator)
    with pytest.raises(Forbidden):
        motions.create_proposition(motion, motion.sections[0], title="U", text="V")


def test_demo_motion_writes_its_propositions_from_the_closest_themes(db, make_campaign,
                                                                    dev_rows, tmp_path):
    from motion.models import PropositionAxis
    from motion.services.demo_motion import WRITTEN, create_demo_motion

    campaign = make_campaign("demo-motion")
    _import_answers(campaign, dev_rows[:300], tmp_path)
    motion = create_demo_motion(campaign, n_propositions=4)
    db.session.commit()
    ordered = sorted(motions.propositions_in_order(motion), key=lambda p: p.id)
    assert [p.title for p in ordered] == [title for _code, title, _text in WRITTEN[:4]]
    themes = set()
    for proposition, (code, _title, _text) in zip(ordered, WRITTEN, strict=False):
        links = {link.cluster_id for link in proposition.provenance}
        assert len(links) == 1  # one theme, and every contribution of it
        cluster = db.session.get(Cluster, links.pop())
        assert cluster.active
        assert not cluster.out_of_frame
        assert len(proposition.provenance) == cluster.size
        themes.add(cluster.id)
        axis = db.session.get(PropositionAxis, proposition.id).axis
        assert axis.code == code
        assert proposition.section.engagement_id == axis.engagement_id
    assert len(themes) == len(ordered)  # a theme serves one proposition
    assert create_demo_motion(campaign).id == motion.id  # idempotent
    assert len(motions.propositions_in_order(motion)) == len(ordered)


def test_adoption_refuses_to_leave_unvoted_propositions_unconfirmed(
        db, make_campaign, make_user):
    """The web form names the unvoted propositions it adopts without a vote: none (not
    confirmed) or another list (stale) is refused."""
    facilitator = make_user(role="facilitator")
    motion = motions.create_motion(make_campaign())
    proposition = motions.create_proposition(motion, motion.sections[0], title="T",
                                             text="Texte.")
    db.session.commit()
    assert [p.id for p in motions.unvoted_propositions(motion)] == [proposition.id]
    with pytest.raises(InvalidInput):
        motions.adopt(motion, actor=facilitator, without_vote=[])
    with pytest.raises(Conflict):
        motions.adopt(motion, actor=facilitator, without_vote=[proposition.id + 1])
    assert not motion.is_adopted
    motions.adopt(motion, actor=facilitator, without_vote=[proposition.id])
    assert motion.is_adopted
