"""The synthesis board in a real browser (Debian's chromium via Playwright) against a real
``motion serve``: a facilitator merges (drag and drop), renames, splits, moves a
contribution, re-clusters and finds the names and moves kept; then the same board driven
with the keyboard only."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.conftest import PASSWORD

SLUG = "congres-synthese"
EMAIL = "animatrice@example.fr"


@pytest.fixture
def seeded_instance(tmp_path, seed_database, dev_rows):
    """A migrated SQLite instance: 300 real answers clustered once, a facilitator; the
    embedding cache is in the instance, shared with the server and its jobs."""
    from motion.extensions import db
    from motion.models import PhaseKind
    from motion.models._types import utcnow
    from motion.services import accounts, campaigns, clustering, contributions, frameworks

    with seed_database() as (instance, url, app):
        now = utcnow()
        campaign = campaigns.create_campaign(
            SLUG, "Congrès de test (synthèse)", framework=frameworks.ensure_default_framework(),
            phase_starts={PhaseKind.COLLECT: now - timedelta(days=1),
                          PhaseKind.SYNTHESIS: now + timedelta(days=30)},
        )
        author = accounts.create_user("auteur@example.fr", display_name="Auteur",
                                      password=PASSWORD, collectivite="Brest")
        facilitator = accounts.create_user(EMAIL, display_name="Animatrice", role="facilitator",
                                           password=PASSWORD, collectivite="Quimper")
        workshops = {}
        for row in dev_rows[:360]:
            name = row["theme"]
            if name not in workshops:
                workshops[name] = campaigns.get_or_create_workshop(campaign, name)
                campaigns.add_member(author, workshops[name])
                campaigns.add_member(facilitator, workshops[name])
        for row in dev_rows[:300]:
            contributions.post_contribution(author, workshops[row["theme"]], row["text"])
        db.session.commit()
        record = clustering.request_run(campaign)
        db.session.commit()
        assert clustering.execute_run(record.id), record.error

    def add_more():
        """60 new contributions, as if élus kept posting."""
        with app.app_context():
            from motion.models import Campaign, User, Workshop

            author_row = db.session.query(User).filter_by(email="auteur@example.fr").one()
            camp = db.session.query(Campaign).filter_by(slug=SLUG).one()
            for row in dev_rows[300:360]:
                workshop = db.session.query(Workshop).filter_by(
                    campaign_id=camp.id, name=row["theme"]).one()
                contributions.post_contribution(author_row, workshop, row["text"])
            db.session.commit()
            db.session.remove()
            db.engine.dispose()

    return {"instance": instance, "url": url, "add_more": add_more, "app": app}


@pytest.fixture
def server(seeded_instance, live_server):
    return live_server(seeded_instance["instance"], seeded_instance["url"])


def _login(tab, base):
    tab.goto(f"{base}/compte/connexion")
    tab.fill("input[name=email]", EMAIL)
    tab.fill("input[name=password]", PASSWORD)
    tab.click("button[type=submit]:has-text('Se connecter')")


def _cards(tab):
    return tab.locator("li.cluster-card")


def _wait_for_run(tab):
    from playwright.sync_api import expect

    # The board polls the progress record and reloads when the run ends (the job loads the
    # embedding model in its own process: allow for it).
    expect(tab.locator("#run-progress")).to_have_count(0, timeout=180_000)
    expect(tab.locator(".run-panel")).to_contain_text("Dernier calcul", timeout=10_000)


def _db_state(seeded, sql, **params):
    from sqlalchemy import create_engine, text

    engine = create_engine(seeded["url"])
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql), params).all()
    finally:
        engine.dispose()


@pytest.mark.e2e
def test_a_facilitator_shapes_the_themes_and_a_rerun_keeps_them(server, seeded_instance,
                                                                page):
    from playwright.sync_api import expect

    base = server
    _login(page, base)
    page.goto(f"{base}/campagnes/{SLUG}/themes")
    expect(_cards(page).first).to_be_visible()
    ids = [int(i) for i in _cards(page).evaluate_all(
        "cards => cards.map(c => c.dataset.clusterId)")]
    assert len(ids) >= 4

    # Merge: drag the second card onto the first (pointer drag and drop), on a page tall
    # enough for both to be on screen.
    page.set_viewport_size({"width": 1400, "height": 9000})
    source, target = ids[1], ids[0]
    page.locator(f"#theme-{source} p.meta").first.drag_to(
        page.locator(f"#theme-{target} .keywords"))
    expect(page.locator(".flash-success")).to_contain_text("fusionné")
    expect(page.locator(f"#theme-{source}")).to_have_count(0)

    # Rename the result, on its page (the card links there).
    card = page.locator(f"#theme-{target}")
    card.locator("summary").click()
    card.get_by_role("link", name=re.compile("^Renommer, déplacer ou fusionner")).click()
    page.get_by_label("Nom du thème").fill("Services publics de proximité")
    page.get_by_role("button", name="Enregistrer le nom et le résumé").click()
    expect(page.locator(".flash-success")).to_contain_text("Services publics de proximité")

    # Split another theme with the app's proposal, naming the new part.
    split_id = ids[2]
    page.goto(f"{base}/campagnes/{SLUG}/themes/{split_id}/scinder")
    expect(page.get_by_label(re.compile("^Sous-thème 2"))).to_be_visible(timeout=90_000)
    page.get_by_label(re.compile("^Sous-thème 2")).fill("Fibre et réseaux mobiles")
    page.get_by_role("button", name="Confirmer la scission").click()
    expect(page.locator(".flash-success")).to_contain_text("scindé en 2")
    expect(page.locator("h4", has_text="Fibre et réseaux mobiles")).to_be_visible()

    # Move one contribution of a fourth theme into the renamed one, from its page.
    page.goto(f"{base}/campagnes/{SLUG}/themes/{ids[3]}")
    row = page.locator("table.members tbody tr").first
    moved_id = int(row.get_attribute("id").split("-")[1])
    row.get_by_label(f"Destination de la contribution n° {moved_id}").select_option(
        label="destination 1")
    page.get_by_label("Destination 1", exact=True).select_option(
        label="Services publics de proximité")
    page.get_by_role("button", name="Appliquer aux contributions choisies").click()
    expect(page.locator(".flash-success")).to_contain_text("déplacée")

    # New contributions arrive; "Actualiser" re-clusters in a background job.
    seeded_instance["add_more"]()
    page.goto(f"{base}/campagnes/{SLUG}/themes")
    # Wait for the redirect to the board that shows the new run: before it lands, the old
    # page (with no progress and the previous "Dernier calcul") would satisfy the wait.
    with page.expect_navigation():
        page.get_by_role("button", name="Actualiser les thèmes").click()
    _wait_for_run(page)
    expect(page.locator(".run-panel")).to_contain_text("60 nouvelles contributions")

    expect(page.locator(f"#theme-{target} h4")).to_contain_text("Services publics de proximité")
    expect(page.locator("h4", has_text="Fibre et réseaux mobiles")).to_be_visible()
    expect(page.locator(f"#theme-{source}")).to_have_count(0)
    [(cluster_id, locked)] = _db_state(
        seeded_instance,
        "SELECT cluster_id, locked FROM cluster_assignments WHERE contribution_id = :c",
        c=moved_id)
    assert (cluster_id, bool(locked)) == (target, True)
    page.goto(f"{base}/campagnes/{SLUG}/themes/{target}")
    expect(page.locator(f"#contribution-{moved_id}")).to_be_visible()


def _tab_to(tab, predicate: str, *, limit: int = 3000, backwards: bool = False) -> None:
    """Press Tab until the focused element satisfies ``predicate`` (a JS function of it)."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        tab.keyboard.press(key)
        if tab.evaluate(f"({predicate})(document.activeElement)"):
            return
    pytest.fail(f"never focused: {predicate}")


@pytest.mark.e2e
def test_the_board_works_with_the_keyboard_only(server, seeded_instance, page):
    from playwright.sync_api import expect

    base = server
    _login(page, base)
    page.goto(f"{base}/campagnes/{SLUG}/themes")
    ids = [int(i) for i in _cards(page).evaluate_all(
        "cards => cards.map(c => c.dataset.clusterId)")]
    first, second = ids[0], ids[1]
    axis = _db_state(seeded_instance, "SELECT id, code FROM axes ORDER BY id DESC LIMIT 1")[0]

    # Grab a theme with its "Saisir" button, then cancel with Escape.
    grab = f"el => el.matches('#theme-{first} .card-tools .grab')"
    _tab_to(page, grab)
    page.keyboard.press("Enter")
    expect(page.locator(f"#theme-{first} .card-tools .grab")).to_have_attribute(
        "aria-pressed", "true")
    expect(page.locator("#board-live")).to_contain_text("est saisi")
    page.keyboard.press("Escape")
    expect(page.locator(f"#theme-{first} .card-tools .grab")).to_have_attribute(
        "aria-pressed", "false")

    # Grab it again and drop it on the last axis with Tab and Enter.
    page.keyboard.press("Enter")
    zone = f'.drop-zone[data-drop-target="a:{axis[0]}"] > .drop-here'
    _tab_to(page, f"el => el.matches('{zone}')")
    expect(page.locator(":focus")).to_contain_text(f"vers {axis[1]}")
    page.keyboard.press("Enter")
    expect(page.locator(".flash-success")).to_contain_text(f"déplacé vers {axis[1]}")
    [(axis_id, locked)] = _db_state(
        seeded_instance, "SELECT axis_id, mapping_locked FROM clusters WHERE id = :c", c=first)
    assert (axis_id, bool(locked)) == (axis[0], True)

    # Rename on the theme's page, reached from the card: open "Modifier", follow the
    # link, type the name, Enter submits; then back to the board.
    _tab_to(page, f"el => el.matches('#theme-{second} summary')")
    page.keyboard.press("Enter")
    _tab_to(page, f"el => el.matches('#theme-{second} .card-actions a')")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/themes/{second}#modifier")
    _tab_to(page, "el => el.id === 'name'")
    page.keyboard.press("Control+A")
    page.keyboard.type("Nommé au clavier")
    page.keyboard.press("Enter")
    expect(page.locator(".flash-success")).to_contain_text("Nommé au clavier")
    page.goto(f"{base}/campagnes/{SLUG}/themes")

    # Merge the renamed theme into the first one: grab, Tab to its "Déposer ici", Enter.
    _tab_to(page, f"el => el.matches('#theme-{second} .card-tools .grab')")
    page.keyboard.press("Enter")
    _tab_to(page, f"el => el.matches('#theme-{first} .card-tools .drop-here')")
    expect(page.locator(":focus")).to_contain_text("Fusionner « Nommé au clavier »")
    page.keyboard.press("Enter")
    expect(page.locator(".flash-success")).to_contain_text("fusionné")
    expect(page.locator(f"#theme-{second}")).to_have_count(0)

    # Undo the merge from the keyboard.
    _tab_to(page, "el => el.textContent.trim() === 'Annuler cette modification'")
    page.keyboard.press("Enter")
    expect(page.locator(".flash-success")).to_contain_text("Annulé")
    expect(page.locator(f"#theme-{second} h4")).to_contain_text("Nommé au clavier")

    # The page of a shelf of the board (all the themes of the axis the first one went to,
    # linked from the board when there are many themes): its cards are grabbed and
    # announced as on the board.
    page.goto(f"{base}/campagnes/{SLUG}/themes/groupe/a{axis[0]}")
    _tab_to(page, f"el => el.matches('#theme-{first} .card-tools .grab')")
    page.keyboard.press("Enter")
    expect(page.locator("#board-live")).to_contain_text("est saisi")
