"""The idle timeout in a real browser against a real ``motion serve``: the warning before a
session ends for inactivity, its "Rester connecté" button, and the end of the session.

The server runs with ``SESSION_IDLE_MINUTES = 1`` in its instance config (the setting
takes whole minutes): the page warns after 30 s (two minutes before, or half the delay
when it is shorter), so the test lasts about a minute and a half of real time, the time
the server itself needs to let the session go.
"""

from __future__ import annotations

import re
import time

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import sign_in

EMAIL = "elue.inactive@example.fr"
IDLE_SECONDS = 60

pytestmark = pytest.mark.e2e


@pytest.fixture
def server(seed_database, live_server):
    from motion.services import accounts

    with seed_database(instance_config="SESSION_IDLE_MINUTES = 1\n") as (instance, url, _app):
        accounts.create_user(EMAIL, display_name="Élue inactive", password=PASSWORD,
                             collectivite="Brest")
    return live_server(instance, url)


def _logged_in(page, server: str) -> bool:
    """Whether the server still knows the page's session (a request made with its cookies,
    which leaves the page and its timers alone)."""
    response = page.request.get(f"{server}/compte/")
    return response.ok and "/compte/connexion" not in response.url


def test_the_idle_warning_keeps_the_session_then_says_it_has_ended(server, page):
    from playwright.sync_api import expect

    sign_in(page, server, EMAIL)
    loaded = time.monotonic()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_be_hidden()

    # Half a minute before the end: an alert dialog, in French, the focus on its button.
    expect(dialog).to_be_visible(timeout=(IDLE_SECONDS // 2 + 10) * 1000)
    assert time.monotonic() - loaded >= IDLE_SECONDS // 2 - 2
    expect(dialog).to_have_accessible_name(re.compile(
        r"^Sans activité de votre part, votre session va bientôt se fermer"))
    stay = dialog.get_by_role("button", name="Rester connecté")
    expect(stay).to_be_focused()
    with page.expect_response(lambda r: r.url.endswith("/compte/session/prolonger")) as kept:
        page.keyboard.press("Enter")
    assert kept.value.ok
    assert kept.value.headers["content-type"].startswith("application/json")
    expect(dialog).to_be_hidden()
    extended = time.monotonic()

    # Past the minute the login alone gave: the session lives on.
    time.sleep(max(0.0, loaded + IDLE_SECONDS + 3 - time.monotonic()))
    assert time.monotonic() - extended < IDLE_SECONDS - 5
    assert _logged_in(page, server)

    # A minute after "Rester connecté" without activity: the page says the session has
    # ended, with a link to sign in again (focused), and the server has let it go.
    ended = "Session fermée après 1 minute sans activité : reconnectez-vous pour continuer."
    expect(dialog).to_have_accessible_name(ended, timeout=(IDLE_SECONDS + 10) * 1000)
    link = dialog.get_by_role("link", name="Se connecter")
    expect(link).to_be_focused()
    assert "/compte/connexion" in link.get_attribute("href")
    time.sleep(max(0.0, extended + IDLE_SECONDS + 2 - time.monotonic()))
    assert not _logged_in(page, server)
    link.click()
    expect(page).to_have_url(re.compile(r"/compte/connexion"))
    expect(page.get_by_role("button", name="Se connecter")).to_be_visible()
