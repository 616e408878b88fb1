"""In a real browser (Debian's chromium driven by Playwright) against a real server process:
log in as an élu, type an idea that paraphrases an existing one, see the suggestion,
support it, then post another idea and see it listed."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import collect_campaign, sign_in

# A rewording of dev_rows[7] ("... il faut finir de connecter toute la France, même les coins
# les plus reculés").
PARAPHRASE = ("Il faut finir de raccorder toute la France à Internet, jusqu'aux coins les plus "
              "reculés, puisque les services ne sont plus au village.")


@pytest.fixture
def seeded_instance(tmp_path, seed_database, dev_rows):
    """An instance folder with a migrated SQLite database: a campaign in its collect phase,
    two workshops holding 120 real answers, and an élu member of the first workshop."""
    from motion.services import accounts

    with seed_database() as (instance, url, _app):
        others = accounts.create_user("autre.elu@example.fr", display_name="Autre élu",
                                      password=PASSWORD, collectivite="Quimper")
        elu = accounts.create_user("elu.e2e@example.fr", display_name="Élue E2E",
                                   password=PASSWORD, collectivite="Brest")
        collect_campaign("congres-e2e", "Congrès de test (navigateur)",
                         "Atelier services publics", "Atelier fiscalité", authors=[others],
                         members=[elu], texts=[row["text"] for row in dev_rows[:120]])
    return {"instance": instance, "url": url, "workshop_path":
            "/campagnes/congres-e2e/ateliers/atelier-services-publics",
            "email": "elu.e2e@example.fr"}


@pytest.fixture
def server(seeded_instance, live_server):
    return live_server(seeded_instance["instance"], seeded_instance["url"])


@pytest.mark.e2e
def test_an_elu_sees_a_similar_idea_supports_it_then_posts_another(server, seeded_instance,
                                                                   page, dev_rows):
    from playwright.sync_api import expect

    sign_in(page, server, seeded_instance["email"])

    page.goto(server + seeded_instance["workshop_path"])
    page.locator("textarea[name=text]").press_sequentially(PARAPHRASE[:60], delay=5)
    page.locator("textarea[name=text]").fill(PARAPHRASE)  # the rest at once: one more input
    suggestion = page.locator("#similar .similar-item").first
    # The first query loads the embedding model in the server: allow for it.
    expect(suggestion).to_be_visible(timeout=90_000)
    expect(suggestion).to_contain_text("Une idée proche existe déjà dans l’atelier")
    expect(suggestion).to_contain_text(dev_rows[7]["text"][:40])

    suggestion.get_by_role("button", name="Soutenir cette idée").click()
    expect(page.locator(".flash-success")).to_contain_text("Votre soutien est enregistré")
    assert page.url.endswith(seeded_instance["workshop_path"])

    new_idea = dev_rows[200]["text"]
    page.fill("input[name=title]", "Mon autre idée")
    page.fill("textarea[name=text]", new_idea)
    page.click("button[type=submit]:has-text('Publier')")
    expect(page.locator(".flash-success")).to_contain_text("Votre contribution est publiée")
    listed = page.locator("ol.contributions li.contribution").first
    expect(listed).to_contain_text("Mon autre idée")
    expect(listed).to_contain_text(new_idea[:40])
    expect(listed).to_contain_text("Votre contribution")
