"""In real browsers against a real server: a facilitator drafts a proposition from two
themes, edits it, opens the vote from the control page; three élus vote from their own
browser contexts; the projector shows 3 votes; the vote is closed and frozen."""

from __future__ import annotations

import csv
from datetime import timedelta

import pytest

from tests.conftest import PASSWORD

SLUG = "pleniere-e2e"


@pytest.fixture
def plenary_instance(tmp_path, seed_database, dev_rows):
    """A migrated SQLite instance: 200 real answers clustered, a facilitator, three élus."""
    from motion.models import PhaseKind
    from motion.models._types import utcnow
    from motion.services import accounts, campaigns, clustering, frameworks, imports

    with seed_database() as (instance, url, app):
        now = utcnow()
        campaign = campaigns.create_campaign(
            SLUG, "Plénière (navigateur)", framework=frameworks.ensure_default_framework(),
            phase_starts={PhaseKind.COLLECT: now - timedelta(days=30),
                          PhaseKind.SYNTHESIS: now - timedelta(days=2),
                          PhaseKind.PLENARY: now - timedelta(hours=1)})
        path = tmp_path / "rows.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["id", "text", "workshop"])
            for row in dev_rows[:200]:
                writer.writerow([row["id"], row["text"], "Atelier plénière"])
        imports.import_csv(path, campaign)
        clustering.cluster_campaign(campaign, clustering.request_run(campaign))
        workshop = campaigns.get_workshop(campaign, "atelier-pleniere")
        facilitator = accounts.create_user("anim@example.fr", display_name="Animation",
                                           role="facilitator", password=PASSWORD)
        campaigns.add_member(facilitator, workshop)
        for i in range(3):
            elu = accounts.create_user(f"elu{i}@example.fr", display_name=f"Élu {i}",
                                       password=PASSWORD, collectivite=f"Commune {i}")
            campaigns.add_member(elu, workshop)
    return {"instance": instance, "url": url}


@pytest.fixture
def server(plenary_instance, live_server):
    return live_server(plenary_instance["instance"], plenary_instance["url"], workers=2)


def _login(browser, server, email):
    from playwright.sync_api import expect

    context = browser.new_context(locale="fr-FR", viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.goto(f"{server}/compte/connexion")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]:has-text('Se connecter')")
    expect(page.locator(".flash-success")).to_contain_text("Bienvenue")
    return page


@pytest.mark.e2e
def test_plenary_from_two_themes_to_a_frozen_vote(server, browser):
    from playwright.sync_api import expect

    motion_url = f"{server}/campagnes/{SLUG}/motion"
    anim = _login(browser, server, "anim@example.fr")
    anim.goto(motion_url)
    anim.get_by_role("button", name="Créer la motion").click()
    expect(anim.locator(".flash-success")).to_contain_text("La motion est créée")

    anim.get_by_role("link", name="Nouvelle proposition à partir des thèmes").click()
    boxes = anim.locator("input[name=themes]")
    expect(boxes.first).to_be_visible()
    boxes.nth(0).check()
    boxes.nth(1).check()
    anim.get_by_role("button", name="Composer le brouillon").click()
    expect(anim.locator("textarea[name=text]")).to_contain_text("Les élus demandent notamment")
    anim.fill("input[name=title]", "Un guichet numérique de proximité")
    anim.fill("textarea[name=text]", "Ouvrir un guichet d'accompagnement dans chaque mairie.")
    anim.get_by_role("button", name="Créer la proposition").click()
    expect(anim.locator(".flash-success")).to_contain_text("contributions liées")
    expect(anim.locator("table.sources tbody tr").first).to_be_visible()

    anim.get_by_role("link", name="Modifier").click()
    anim.fill("textarea[name=text]",
              "Ouvrir un guichet d'accompagnement numérique dans chaque mairie.")
    anim.get_by_role("button", name="Enregistrer une nouvelle version").click()
    expect(anim.locator(".flash-success")).to_contain_text("Nouvelle version")

    anim.goto(f"{motion_url}/pilotage")
    anim.get_by_role("button", name="Suivante").click()
    anim.get_by_role("button", name="Ouvrir le vote").click()
    expect(anim.locator(".flash-success")).to_contain_text("Le vote est ouvert")

    projector = anim.context.new_page()
    projector.goto(f"{motion_url}/projection")
    expect(projector.locator("h1")).to_have_text("Un guichet numérique de proximité")
    expect(projector.locator(".p-vote-status")).to_have_text("Vote ouvert")
    expect(projector.locator("img[src$='qr.svg']")).to_be_visible()
    expect(projector.locator('[data-count="total"]')).to_have_text("0")

    phones = [_login(browser, server, f"elu{i}@example.fr") for i in range(3)]
    for phone, choice in zip(phones, ["Pour", "Contre", "Pour"], strict=True):
        phone.goto(f"{server}/v/{SLUG}")
        phone.get_by_role("button", name=choice, exact=True).click()
        expect(phone.locator(".vote-mine")).to_contain_text("Vote enregistré")

    # Polled every second: the projector shows the three votes within 2 s.
    expect(projector.locator('[data-count="total"]')).to_have_text("3", timeout=2500)
    expect(projector.locator('[data-count="pour"]')).to_have_text("2")
    expect(projector.locator('[data-count="contre"]')).to_have_text("1")

    anim.get_by_role("button", name="Clore le vote").click()
    expect(anim.locator(".flash-success")).to_contain_text("2 pour, 1 contre, 0 abstention")
    expect(projector.locator(".p-vote-status")).to_have_text("Vote clos", timeout=5000)
    expect(projector.locator('[data-count="total"]')).to_have_text("3")

    # A late vote is refused and changes nothing.
    late = phones[1]
    late.goto(f"{server}/v/{SLUG}")
    expect(late.locator("#contenu")).to_contain_text("Le vote est clos : 2 pour, 1 contre")
    anim.goto(motion_url)
    expect(anim.locator(".vote-result")).to_contain_text("2 pour, 1 contre, 0 abstention")
    expect(anim.locator(".vote-result")).to_contain_text("adoptée")
    for page in phones:
        page.context.close()
