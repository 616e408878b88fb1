"""The idle timeout in a real browser against a real ``motion serve``: the warning before a
session ends for inactivity, its "Rester connecté" button, and the end of the session.

The server runs with ``SESSION_IDLE_MINUTES = 10 / 60`` (10 s) in its instance config: the
page warns half the delay before the end (two minutes with real settings), and the server
records activity every quarter of it (``accounts.touch_every``), so the test lasts about
25 s, the time the server itself needs to let the session go.
"""

from __future__ import annotations

import re
import time

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import sign_in

EMAIL = "elue.inactive@example.fr"
IDLE_SECONDS = 10

pytestmark = pytest.mark.e2e


@pytest.fixture
def server(seed_database, live_server):
    from motion.services import accounts

    with seed_database(instance_config=f"SESSION_IDLE_MINUTES = {IDLE_SECONDS} / 60\n") as (
            instance, url, _app):
        accounts.create_user(EMAIL, display_name="Élue inactive", password=PASSWORD,
                             collectivite="Brest")
    return live_server(instance, url)


def _logged_in(page, server: str) -> bool:
    """Whether the server still knows the page's session (a request made with its cookies,
    which leaves the page and its timers alone, but counts as activity for the server)."""
    response = page.request.get(f"{server}/compte/")
    return response.ok and "/compte/connexion" not in response.url


def test_the_idle_warning_keeps_the_session_then_says_it_has_ended(server, page):
    from playwright.sync_api import expect

    sign_in(page, server, EMAIL)
    loaded = time.monotonic()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_be_hidden()

    # Half the delay before the end: an alert dialog, in French, the focus on its button.
    expect(dialog).to_be_visible(timeout=(IDLE_SECONDS // 2 + 10) * 1000)
    assert time.monotonic() - loaded >= IDLE_SECONDS // 2 - 1
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

    # Past the delay the login alone gave: the session lives on (this request, made before
    # the delay "Rester connecté" gave ran out, is itself activity for the server).
    time.sleep(max(0.0, loaded + IDLE_SECONDS + 2 - time.monotonic()))
    assert time.monotonic() - extended < IDLE_SECONDS - 1
    assert _logged_in(page, server)
    checked = time.monotonic()

    # The delay after "Rester connecté" without activity on the page: it says the session
    # has ended, with a link to sign in again (focused); once the delay has also run out
    # after the check above, the server has let it go.
    ended = "Session fermée après 10 secondes sans activité : reconnectez-vous pour continuer."
    expect(dialog).to_have_accessible_name(ended, timeout=(IDLE_SECONDS + 10) * 1000)
    assert time.monotonic() - extended >= IDLE_SECONDS - 2
    link = dialog.get_by_role("link", name="Se connecter")
    expect(link).to_be_focused()
    assert "/compte/connexion" in link.get_attribute("href")
    time.sleep(max(0.0, checked + IDLE_SECONDS + 1.5 - time.monotonic()))
    assert not _logged_in(page, server)
    link.click()
    expect(page).to_have_url(re.compile(r"/compte/connexion"))
    expect(page.get_by_role("button", name="Se connecter")).to_be_visible()
