"""The administrator's first hour in a real browser (Debian's chromium via Playwright) against
a real server: create a campaign, set its phases, create workshops, import a CSV with a bad
row and read the report, switch between campaigns. Screenshots of the main pages at 375 px
and 1280 px go to tests/e2e/screenshots/ (git-ignored) for a reviewer."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import collect_campaign
from tests.e2e.conftest import sign_in as log_in

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
WIDTHS = {375: 812, 1280: 800}


def shoot(page, name: str) -> None:
    """Screenshot the current page at a phone and a laptop width (full page)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    original = page.viewport_size
    for width, height in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size(original)


@pytest.fixture
def seeded_instance(seed_database, dev_rows):
    """A demo-like campaign with one workshop, an administrator and an élu of that workshop."""
    from motion.services import accounts

    with seed_database() as (instance, url, _app):
        accounts.create_user("admin.e2e@example.fr", display_name="Admin E2E", role="admin",
                             password=PASSWORD)
        elu = accounts.create_user("elu.e2e@example.fr", display_name="Élue E2E",
                                   password=PASSWORD, collectivite="Commune de Brest")
        collect_campaign("demo", "Congrès de démonstration", "Atelier services publics",
                         authors=[elu], texts=[row["text"] for row in dev_rows[:5]])
    return {"instance": instance, "url": url}


@pytest.fixture
def server(seeded_instance, live_server):
    return live_server(seeded_instance["instance"], seeded_instance["url"])


@pytest.mark.e2e
def test_an_administrator_sets_up_a_second_campaign(server, page, dev_rows, tmp_path):
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, server, "admin.e2e@example.fr")
    page.goto(f"{server}/admin/")
    shoot(page, "admin-index")

    # Create the campaign with its phases and one workshop per engagement.
    page.get_by_role("link", name="Nouvelle campagne").click()
    page.get_by_label("Titre").fill("Congrès 2027 des élus au numérique")
    page.get_by_label("Identifiant dans les adresses").fill("congres-2027")
    page.get_by_label("Début : Contributions ouvertes").fill("2026-11-01T09:00")
    page.get_by_label("Début : Synthèse").fill("2027-03-01T09:00")
    shoot(page, "admin-campaign-new")
    page.get_by_role("button", name="Créer la campagne").click()
    expect(page.locator(".flash-success")).to_contain_text(
        "Campagne « Congrès 2027 des élus au numérique » créée.")
    workshops = page.locator("#ateliers tbody tr")
    expect(workshops).to_have_count(4)

    # Change the phases after creation: add the plenary and the closing.
    page.get_by_label("Début : Plénière").fill("2027-05-20T14:00")
    page.get_by_label("Début : Clôture").fill("2027-05-21T18:00")
    page.get_by_role("button", name="Enregistrer les phases").click()
    expect(page.locator(".flash-success")).to_contain_text("Phases enregistrées.")
    expect(page.get_by_label("Début : Clôture")).to_have_value("2027-05-21T18:00")
    # A wrong order is refused in words, not with internal names, beside the field, which
    # keeps the date as typed and takes the focus (so the error is in view).
    page.get_by_label("Début : Synthèse").fill("2026-10-01T09:00")
    page.get_by_role("button", name="Enregistrer les phases").click()
    synthesis = page.get_by_label("Début : Synthèse")
    expect(synthesis).to_be_focused()
    expect(synthesis).to_have_value("2026-10-01T09:00")
    expect(synthesis).to_have_accessible_description(re.compile(
        "La phase « Synthèse » doit commencer après la phase « Contributions ouvertes »"))
    synthesis.fill("2027-03-01T09:00")
    page.get_by_role("button", name="Enregistrer les phases").click()
    expect(page.locator(".flash-success")).to_contain_text("Phases enregistrées.")

    # One more workshop by hand.
    new_workshop = page.locator("#ateliers form").last
    new_workshop.get_by_label("Nom").fill("Atelier outre-mer")
    new_workshop.get_by_role("button", name="Créer l’atelier").click()
    expect(page.locator(".flash-success")).to_contain_text("Atelier « Atelier outre-mer » créé.")
    expect(page.locator("#ateliers tbody tr")).to_have_count(5)
    shoot(page, "admin-campaign")

    # Import a CSV of real answers with one empty row, and read the report.
    path = tmp_path / "contributions.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow(["id", "text", "workshop"])
        writer.writerow(["gd-1", dev_rows[20]["text"], "Atelier outre-mer"])
        writer.writerow(["gd-2", "", "Atelier outre-mer"])
        for i in range(3, 8):
            writer.writerow([f"gd-{i}", dev_rows[20 + i]["text"], "Atelier outre-mer"])
    page.get_by_label("Fichier CSV").set_input_files(str(path))
    page.get_by_role("button", name="Importer", exact=True).click()
    report = page.locator(".import-report")
    expect(report).to_contain_text("6 contributions importées")
    expect(report).to_contain_text("1 ligne écartée")
    expect(page.locator(".import-ecartees")).to_contain_text("ligne 3")
    expect(page.locator(".import-ecartees")).to_contain_text("texte vide")
    shoot(page, "admin-import-report")

    # Both campaigns side by side: the switcher shows them, the URL carries the campaign.
    page.goto(f"{server}/")
    switcher = page.locator(".campaign-switcher")
    switcher.locator("summary").click()
    switcher.get_by_role("link", name="Congrès de démonstration").click()
    expect(page).to_have_url(f"{server}/campagnes/demo/")
    expect(page.locator("h1")).to_have_text("Congrès de démonstration")
    expect(page.locator("main")).to_contain_text("Atelier services publics")
    shoot(page, "campaign-home")
    page.locator(".campaign-switcher summary").click()
    page.locator(".campaign-switcher").get_by_role(
        "link", name="Congrès 2027 des élus au numérique").click()
    expect(page.locator("main")).to_contain_text("Atelier outre-mer")

    page.goto(f"{server}/admin/utilisateurs")
    expect(page.locator("table.users")).to_contain_text("Élue E2E")
    shoot(page, "admin-users")


@pytest.mark.e2e
def test_an_elu_still_sees_the_demo_campaign_after_a_second_one(server, seeded_instance,
                                                                page):
    """Creating a campaign must not switch everyone's home page to it."""
    from playwright.sync_api import expect

    from motion.extensions import db  # noqa: F401 (the app is only used through HTTP)

    log_in(page, server, "admin.e2e@example.fr")
    page.goto(f"{server}/admin/campagnes/nouvelle")
    page.get_by_label("Titre").fill("Congrès 2027")
    page.get_by_role("button", name="Créer la campagne").click()
    expect(page.locator(".flash-success")).to_contain_text("créée")
    page.get_by_role("button", name="Se déconnecter").click()

    log_in(page, server, "elu.e2e@example.fr")
    page.goto(f"{server}/")
    expect(page.locator("h1")).to_have_text("Congrès de démonstration")
    expect(page.locator("main")).to_contain_text("Atelier services publics")
    shoot(page, "home-elu")


@pytest.mark.e2e
def test_an_elus_words_are_protected(server, page, dev_rows):
    """Counter before the limits, no duplicate on back + resubmit, withdraw then undo."""
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 375, "height": 812})
    log_in(page, server, "elu.e2e@example.fr")
    workshop = f"{server}/campagnes/demo/ateliers/atelier-services-publics"
    page.goto(workshop)
    area = page.locator("textarea[name=text]")
    counter = page.locator(".counter")
    expect(counter).to_contain_text("0 caractères sur 2000 au plus")
    area.fill("Trop court")
    expect(counter).to_contain_text("encore 10 au minimum")
    area.fill("x" * 1850)
    expect(counter).to_have_attribute("data-state", "near")
    area.fill("x" * 2005)
    expect(counter).to_contain_text("5 de trop")
    shoot(page, "elu-workshop-counter")

    idea = dev_rows[300]["text"]
    area.fill(idea)
    page.get_by_role("button", name="Publier").click()
    expect(page.locator(".flash-success").first).to_contain_text("Votre contribution est publiée")
    # Back to the form (a fresh one, with a new key) and the same text again: refused.
    page.go_back()
    page.reload()
    page.locator("textarea[name=text]").fill(idea)
    page.get_by_role("button", name="Publier").click()
    expect(page.locator("main")).to_contain_text("Vous avez déjà publié exactement ce texte")
    page.goto(workshop)
    expect(page.locator("main").get_by_text(idea[:60])).to_have_count(1)

    # Withdraw (confirmed), then undo.
    mine = page.locator("li.contribution", has_text=idea[:60]).first
    mine.get_by_role("link", name="Modifier").click()
    page.get_by_role("link", name="Retirer ma contribution").click()
    expect(page.locator("h1")).to_have_text("Retirer cette contribution ?")
    shoot(page, "elu-withdraw-confirm")
    page.get_by_role("button", name="Oui, retirer ma contribution").click()
    expect(page.locator("h1")).to_have_text("Contribution retirée")
    page.get_by_role("button", name="Annuler le retrait").click()
    expect(page.locator(".flash-success")).to_contain_text("Retrait annulé")
    expect(page.locator("main").get_by_text(idea[:60])).to_have_count(1)
