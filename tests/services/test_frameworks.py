"""Framework YAML files: the default roadmap and clear errors for bad files."""

from __future__ import annotations

import pytest

from motion.errors import InvalidInput
from motion.models import Workshop
from motion.services import frameworks


def test_default_framework_is_the_roadmap_four_by_three(db):
    framework = frameworks.ensure_default_framework()
    assert [e.code for e in framework.engagements] == ["E1", "E2", "E3", "E4"]
    assert all(len(e.axes) == 3 for e in framework.engagements)
    assert framework.engagements[0].title == "Garantir l’égalité d’accès au numérique"
    assert "PSSI" in framework.engagements[3].axes[1].title
    for engagement in framework.engagements:
        assert len(engagement.description) > 80
        assert all(len(axis.description) > 80 for axis in engagement.axes)
    assert frameworks.ensure_default_framework().id == framework.id  # loaded once


def test_cli_loads_a_framework_into_a_campaign(runner, db, make_campaign, tmp_path):
    campaign = make_campaign("cadre")
    path = tmp_path / "cadre.yaml"
    path.write_text(
        "name: Cadre local\n"
        "engagements:\n"
        "  - code: E2\n    title: Sobriété\n    description: Numérique responsable.\n"
        "    axes:\n      - {code: E2.1, title: Réemploi, description: Réparer.}\n"
        "  - code: X\n    title: Sans axes\n    description: Un engagement sans axe.\n",
        encoding="utf-8",
    )
    ws = Workshop(campaign=campaign, slug="w", name="W",
                  engagement=campaign.framework.engagements[1])  # E2 of the default
    db.session.add(ws)
    db.session.commit()
    result = runner.invoke(args=["framework", "load", str(path), "--campaign", "cadre"])
    assert result.exit_code == 0, result.output
    assert "2 engagements, 1 axes" in result.output
    db.session.refresh(campaign)
    assert campaign.framework.name == "Cadre local"
    assert ws.engagement.framework_id == campaign.framework.id  # remapped by code
    assert ws.engagement.code == "E2"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("name: X\nengagements: [\n", "YAML"),
        ("name: X\nengagements: []\n", "engagement"),
        ("name: X\n", "engagement"),
        ("name: X\nengagements:\n  - code: E1\n    description: d\n", "title"),
        ("name: X\nengagements:\n  - {code: E1, title: A}\n  - {code: E1, title: B}\n",
         "E1"),
        ("- just\n- a list\n", ""),
    ],
)
def test_bad_framework_files_get_a_clear_error(db, tmp_path, content, expected):
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidInput, match=f"Référentiel invalide \\(bad.yaml\\).*{expected}"):
        frameworks.read_framework_file(path)


def test_cli_reports_a_bad_framework_without_traceback(runner, make_campaign, tmp_path):
    make_campaign("c2")
    path = tmp_path / "bad.yaml"
    path.write_text("name: X\nengagements: []\n", encoding="utf-8")
    result = runner.invoke(args=["framework", "load", str(path), "--campaign", "c2"])
    assert result.exit_code == 1
    assert "Référentiel invalide" in result.output
    assert "Traceback" not in result.output


def test_missing_framework_file_is_a_clear_error(db, tmp_path):
    with pytest.raises(InvalidInput, match="Fichier introuvable"):
        frameworks.read_framework_file(tmp_path / "absent.yaml")


def test_referents_follow_a_framework_switch_and_never_block_from_the_old_one(
    db, make_campaign, make_user
):
    from motion.models import EngagementReferent
    from motion.services import referents

    campaign = make_campaign("cadre-referents")
    facilitator = make_user(role="facilitator", campaign=campaign)
    e1, e2 = campaign.framework.engagements[:2]
    referents.add_referent(campaign, e1.id, facilitator)
    db.session.commit()
    assert referents.can_lead(facilitator, campaign, e1.id)
    assert not referents.can_lead(facilitator, campaign, e2.id)

    # The same file again (a new framework, same codes): the référent follows E1.
    frameworks.attach_framework(campaign, frameworks.default_framework_path())
    db.session.commit()
    new_e1, new_e2 = campaign.framework.engagements[:2]
    assert new_e1.id != e1.id
    assert referents.referent_engagement_ids(facilitator, campaign) == {new_e1.id}
    assert [u.id for u in referents.referents(campaign)[new_e1.id]] == [facilitator.id]
    assert not referents.can_lead(facilitator, campaign, new_e2.id)

    # Another framework without an E1: the référent is cleared, the facilitator leads
    # every session again.
    atlaas = frameworks.default_framework_path().with_name("framework_atlaas_villes_internet.yaml")
    frameworks.attach_framework(campaign, atlaas)
    db.session.commit()
    assert "E1" not in {e.code for e in campaign.framework.engagements}
    assert db.session.query(EngagementReferent).filter_by(campaign_id=campaign.id).count() == 0
    assert referents.referents(campaign) == {}
    assert all(
        referents.can_lead(facilitator, campaign, e.id) for e in campaign.framework.engagements
    )

    # A référent row left on an engagement of another framework (older data) is ignored.
    db.session.add(
        EngagementReferent(campaign_id=campaign.id, engagement_id=e2.id, user_id=facilitator.id)
    )
    db.session.commit()
    assert referents.referent_engagement_ids(facilitator, campaign) == set()
    assert referents.referents(campaign) == {}
    assert referents.can_lead(facilitator, campaign, campaign.framework.engagements[0].id)
