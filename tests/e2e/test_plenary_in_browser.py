"""In real browsers against a real server: a facilitator drafts a proposition from two
themes, edits it (a long text), opens the vote from the control page; the projector fits it
at 1280×720 and 1920×1080; three élus vote from their own browser contexts (one on a
375 px phone); the projector shows 3 votes; the vote is closed and frozen."""

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


# Whatever does not fit the projector's screen: an element past its right or bottom edge, a
# page that scrolls, a count label cut off, a text smaller than 18 px, or a paged text
# without its "part n of m" line.
FIT_PROBLEMS = """() => {
  const problems = [];
  const w = window.innerWidth, h = window.innerHeight, doc = document.documentElement;
  if (doc.scrollHeight > h + 1 || doc.scrollWidth > w + 1) {
    problems.push(`page ${doc.scrollWidth}x${doc.scrollHeight}`);
  }
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.width && r.height && (r.right > w + 1 || r.bottom > h + 1)) {
      problems.push(`${el.tagName}.${el.className} ends at ${r.right}x${r.bottom}`);
    }
  }
  for (const dt of document.querySelectorAll(".p-tally dt")) {
    if (dt.scrollWidth > dt.clientWidth + 1) { problems.push(`label cut: ${dt.textContent}`); }
  }
  const text = document.querySelector(".p-text");
  const size = parseFloat(getComputedStyle(text).fontSize);
  if (size < 18) { problems.push(`text at ${size}px`); }
  const more = document.querySelector(".p-more");
  const paged = !more.hidden && /partie 1 sur/.test(more.textContent);
  if (text.scrollHeight > text.clientHeight + 1 && !paged) {
    problems.push("text cut without paging");
  }
  return problems;
}"""


@pytest.mark.e2e
def test_plenary_from_two_themes_to_a_frozen_vote(server, browser, dev_rows):
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
    # A long text (about 3,000 characters of real answers) that cannot fit a projector
    # at a readable size.
    long_text = "Ouvrir un guichet d'accompagnement numérique dans chaque mairie.\n" + " ".join(
        row["text"] for row in dev_rows[200:260])[:3000]
    anim.fill("textarea[name=text]", long_text)
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
    for size in ({"width": 1280, "height": 720}, {"width": 1920, "height": 1080}):
        projector.set_viewport_size(size)
        projector.wait_for_timeout(600)  # refitted 200 ms after a resize
        assert projector.evaluate(FIT_PROBLEMS) == [], size
    expect(projector.locator(".p-more")).to_contain_text("partie 1 sur")

    phones = [_login(browser, server, f"elu{i}@example.fr") for i in range(3)]
    phones[0].set_viewport_size({"width": 375, "height": 667})
    for phone, choice in zip(phones, ["Pour", "Contre", "Pour"], strict=True):
        phone.goto(f"{server}/v/{SLUG}")
        phone.get_by_role("button", name=choice, exact=True).click()
        expect(phone.locator(".vote-mine")).to_contain_text("Vote enregistré")
    # On the phone: the confirmation is on screen without scrolling to it, and the chosen
    # option does not look like the others.
    expect(phones[0].locator(".vote-mine")).to_be_in_viewport()
    chosen = phones[0].get_by_role("button", name="Pour", exact=True)
    expect(chosen).to_have_attribute("aria-pressed", "true")
    style = "b => getComputedStyle(b).backgroundColor + getComputedStyle(b).color"
    assert chosen.evaluate(style) != phones[0].get_by_role(
        "button", name="Contre", exact=True).evaluate(style)

    # Polled every second: the projector shows the three votes within 2 s.
    expect(projector.locator('[data-count="total"]')).to_have_text("3", timeout=2500)
    expect(projector.locator('[data-count="pour"]')).to_have_text("2")
    expect(projector.locator('[data-count="contre"]')).to_have_text("1")

    anim.get_by_role("button", name="Clore le vote").click()
    expect(anim.locator(".flash-success")).to_contain_text("2 pour, 1 contre, 0 abstention")
    expect(projector.locator(".p-vote-status")).to_have_text("Vote clos", timeout=5000)
    expect(projector.locator('[data-count="total"]')).to_have_text("3")
    expect(projector.locator(".p-qr")).to_have_count(0)  # no "Votez sur…" once closed
    assert projector.evaluate(FIT_PROBLEMS) == []

    # A late vote is refused and changes nothing. The phone follows the room by itself
    # (vote.js polls every 3 s and reloads when the vote's status changes): wait for that
    # reload before visiting again, or the two navigations race (net::ERR_ABORTED).
    late = phones[1]
    expect(late.locator("#contenu")).to_contain_text("Le vote est clos : 2 pour, 1 contre",
                                                     timeout=8000)
    late.goto(f"{server}/v/{SLUG}")
    expect(late.locator("#contenu")).to_contain_text("Le vote est clos : 2 pour, 1 contre")
    anim.goto(motion_url)
    expect(anim.locator(".vote-result")).to_contain_text("2 pour, 1 contre, 0 abstention")
    expect(anim.locator(".vote-result")).to_contain_text("adoptée")
    for page in phones:
        page.context.close()
