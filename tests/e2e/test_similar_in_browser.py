"""In a real browser (Debian's chromium driven by Playwright) against a real server process:
an élu types, character by character, a paraphrase of an idea already posted and sees it
suggested; the page asks the server once per pause (not per keystroke), by POST, and
never leaves suggestions on screen for a text that is no longer there."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import collect_campaign, sign_in

# dev_rows[212]: "Des pistes cyclables isolées des routes pour pouvoir emmener en vélo mon
# enfant à l'école en sécurité." — reworded (USE cosine 0.81; the next answer: 0.46):
PARAPHRASE = ("Créer des pistes cyclables séparées de la route afin que les parents puissent "
              "accompagner leurs enfants à l'école à vélo sans danger.")
UNRELATED = ("Organiser un concours de pâtisserie entre les écoles maternelles pour la fête "
             "de fin d'année.")
WORKSHOP = "/campagnes/idees-proches-e2e/ateliers/atelier-mobilites"


@pytest.fixture
def server(seed_database, live_server, dev_rows):
    """A campaign in its collect phase whose one workshop holds 200 real answers."""
    from motion.services import accounts

    with seed_database() as (instance, url, _app):
        author = accounts.create_user("auteur.e2e@example.fr", display_name="Auteur",
                                      password=PASSWORD, collectivite="Quimper")
        elu = accounts.create_user("elu.proches@example.fr", display_name="Élu",
                                   password=PASSWORD, collectivite="Brest")
        collect_campaign("idees-proches-e2e", "Congrès de test (idées proches)",
                         "Atelier mobilités", authors=[author], members=[elu],
                         texts=[row["text"] for row in dev_rows[120:320]])
    return live_server(instance, url)


@pytest.mark.e2e
def test_typing_a_paraphrase_shows_the_existing_idea_once_typing_pauses(server, page,
                                                                       dev_rows):
    from playwright.sync_api import expect

    sign_in(page, server, "elu.proches@example.fr")
    page.goto(server + WORKSHOP)

    asked: list[tuple[str, str]] = []
    page.on("request", lambda r: asked.append((r.method, r.post_data or ""))
            if "/idees-proches" in r.url else None)
    box = page.locator("#similar")
    textarea = page.locator("textarea[name=text]")

    def answered():
        return page.expect_response(lambda r: "/idees-proches" in r.url, timeout=120_000)

    # The server loads the model and builds the index on its first request: warm it with
    # a text that suggests nothing, so that the typing below meets a ready server.
    with answered():
        textarea.fill(UNRELATED)
    expect(box).to_be_hidden()
    textarea.fill("")
    asked.clear()

    textarea.press_sequentially(PARAPHRASE, delay=25)  # 130 keystrokes, 25 ms apart
    suggestion = box.locator(".similar-item").first
    expect(suggestion).to_be_visible(timeout=30_000)
    expect(suggestion).to_contain_text("Une idée proche existe déjà dans l’atelier")
    expect(suggestion).to_contain_text(dev_rows[212]["text"][:40])
    # Debounced: requests when typing pauses (one, or a few if the machine stalls the
    # keystrokes), not one per keystroke (110 past the minimum length); sent by POST.
    assert 1 <= len(asked) <= 10, asked
    assert {method for method, _body in asked} == {"POST"}
    assert parse_qs(asked[-1][1])["texte"] == [PARAPHRASE]

    # The text changes: the suggestion goes in the same event, before any request (the
    # page is checked synchronously, inside the handler's turn) ...
    hidden_at_once = page.evaluate(
        """(text) => {
            const area = document.querySelector("textarea[name=text]");
            area.value = text;
            area.dispatchEvent(new Event("input", {bubbles: true}));
            return document.getElementById("similar").hidden;
        }""", UNRELATED)
    assert hidden_at_once
    # ... and the unrelated text's answer brings none back.
    with answered():
        pass
    expect(box).to_be_hidden()

    # A long paste (URL-encoded, past gunicorn's 4 KB request line: the GET gave 414)
    # gets its answer.
    with answered() as response:
        textarea.fill(" ".join([PARAPHRASE] * 40))
    assert response.value.status == 200
    assert "suggestions" in response.value.json()
