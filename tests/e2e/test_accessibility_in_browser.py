"""Accessibility (RGAA 4.1 / WCAG 2.1 AA) in Debian's chromium against a real ``motion serve``.

One seeded instance for the module: a campaign in its collection phase with 200 real answers
clustered into themes, a draft motion whose first proposition is being voted, an élu, a
facilitator and an administrator. For every role (and anonymous visitors) the main pages
are found by crawling the links of the site, then:

- axe-core (from the npm registry, ``make install-axe``; injected with the CSP bypassed in
  the test browser context only) finds no WCAG 2.1 A/AA violation at 375 and 1280 px;
- nothing scrolls sideways at 320 px (RGAA 10.11, reflow);
- every page has its own title (RGAA 8.6).

The axe pass also saves a screenshot of each page it checks (each role, 375 and 1280 px,
at most 3,000 px tall) in tests/e2e/screenshots/ (git-ignored), for a reviewer to look at.

Other tests: the focus indicator's contrast (10.7), form errors (11.10, 11.11, 11.13), live
regions of the plenary pages and the board moved with the keyboard.
Run them alone: ``make test PYTEST_ARGS="-m e2e -k accessib"``.
"""

from __future__ import annotations

import csv
import re
import subprocess
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from itertools import pairwise
from pathlib import Path
from urllib.parse import parse_qsl, urldefrag, urlencode, urljoin, urlparse

import pytest

from tests.conftest import DEV_CSV, PASSWORD
from tests.e2e.conftest import REPO, launch_chromium, open_database, start_server, stop

AXE = REPO / "tests" / "e2e" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SLUG = "congres-a11y"
ACCOUNTS = {
    "elu": "elu@example.fr",
    "facilitator": "animation@example.fr",
    "admin": "admin@example.fr",
}
ROLES = ["anonymous", *ACCOUNTS]
# Never followed: they act (log out), switch the language, or are files, not pages.
SKIPPED = re.compile(r"/deconnexion|/langue/|/static/|/api/|/fichier|/exports/\d+|format=|"
                     r"\.(svg|pdf|csv|json|zip|odt|docx|md|xml)$")
PER_PATTERN = 3  # pages visited per URL pattern (ids replaced): enough to compare titles
MAX_PAGES = 90
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
SCREENSHOT_MAX_HEIGHT = 3000

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A seeded instance served by ``motion serve``; returns its base URL."""
    from motion.extensions import db
    from motion.models import PhaseKind
    from motion.models._types import utcnow
    from motion.services import (
        accounts,
        campaigns,
        collectivite_imports,
        comments,
        contributions,
        frameworks,
        votes,
    )
    from motion.services.demo_motion import create_demo_motion
    from motion.services.motions import propositions_in_order

    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make install-axe` (axe-core from the npm registry)")
    with DEV_CSV.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))[:200]
    tmp = tmp_path_factory.mktemp("a11y")
    with pytest.MonkeyPatch.context() as monkeypatch, \
            open_database(tmp, monkeypatch) as (instance, url, _app):
        # The sample list of collectivités: the élus of Rennes are linked to it, so the
        # coverage page's tables by type and size and the list page carry real rows.
        collectivite_imports.import_file(
            Path(__file__).resolve().parents[2] / "motion/data/collectivites_exemple.csv")
        now = utcnow()
        campaign = campaigns.create_campaign(
            SLUG, "Congrès accessible", framework=frameworks.ensure_default_framework(),
            phase_starts={PhaseKind.COLLECT: now - timedelta(days=2),
                          PhaseKind.SYNTHESIS: now + timedelta(days=30)})
        users = {
            role: accounts.create_user(email, display_name=f"Compte {role}", role=role,
                                       password=PASSWORD, collectivite="Rennes")
            for role, email in ACCOUNTS.items()
        }
        workshops = {}
        for row in rows:
            if row["theme"] not in workshops:
                workshops[row["theme"]] = campaigns.get_or_create_workshop(campaign, row["theme"])
                for user in users.values():
                    campaigns.add_member(user, workshops[row["theme"]])
        posted = [contributions.post_contribution(users["elu"], workshops[row["theme"]],
                                                  row["text"]) for row in rows]
        comments.post_comment(users["facilitator"], posted[0], "Merci, idée reprise.")
        motion = create_demo_motion(campaign, actor=users["facilitator"], n_propositions=3)
        db.session.flush()
        # A closed vote, so that the motion document carries its table of results.
        closed = votes.open_vote(propositions_in_order(motion)[-1], actor=users["facilitator"])
        db.session.flush()
        votes.close_vote(closed.id, actor=users["facilitator"])
        votes.open_vote(propositions_in_order(motion)[0], actor=users["facilitator"])
    processes: list[subprocess.Popen] = []
    try:
        yield start_server(tmp, processes, instance, url, workers=2)
    finally:
        for process in processes:
            stop(process)


@pytest.fixture(scope="module")
def chromium():
    with launch_chromium() as browser:
        yield browser


def open_tab(chromium, base: str, role: str, width: int = 1280):
    """A tab in a fresh context where axe-core is injected, logged in as ``role``."""
    from playwright.sync_api import expect

    # The CSP forbids inline and foreign scripts: bypassed in this test context only, to run
    # axe-core inside the page.
    context = chromium.new_context(locale="fr-FR", bypass_csp=True,
                                   viewport={"width": width, "height": 900})
    context.add_init_script(path=str(AXE))
    tab = context.new_page()
    if role != "anonymous":
        tab.goto(f"{base}/compte/connexion")
        tab.fill("input[name=email]", ACCOUNTS[role])
        tab.fill("input[name=password]", PASSWORD)
        tab.click("main button[type=submit]")
        expect(tab.locator(".flash-success")).to_contain_text("Bienvenue")
    return tab


def pattern(url: str) -> str:
    return re.sub(r"/\d+", "/N", urlparse(url).path)


def canonical(url: str) -> str:
    """The page's address without its fragment and without filters (``q`` and ``page`` kept;
    a first page is the page itself)."""
    parts = urlparse(urldefrag(url)[0])
    kept = [(k, v) for k, v in parse_qsl(parts.query) if k == "q" or (k == "page" and v != "1")]
    return parts._replace(query=urlencode(kept)).geturl()


def crawl(tab, base: str) -> dict[str, tuple[str, str]]:
    """Visit the site's pages by following its links: ``{url: (title, text of <main>)}``."""
    from playwright.sync_api import Error as PlaywrightError

    seen: dict[str, tuple[str, str]] = {}
    per_pattern: defaultdict[str, int] = defaultdict(int)
    # The phone vote page is reached with the QR code, not a link: start from it too; and
    # a shelf of the board, linked from it only when there are many themes.
    queue = [f"{base}/", canonical(f"{base}/campagnes/{SLUG}/contributions/?q=numérique"),
             f"{base}/v/{SLUG}", f"{base}/campagnes/{SLUG}/themes/groupe/hors-cadre"]
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen or per_pattern[pattern(url)] >= PER_PATTERN:
            continue
        try:
            response = tab.goto(url)
        except PlaywrightError:  # a file download, not a page
            seen[url] = ("", "")
            continue
        landed = canonical(tab.url)  # after redirects (to the login page, for instance)
        if (response is None or response.status != 200 or not tab.url.startswith(base)
                or (landed != url and landed in seen)):
            seen[url] = ("", "")
            continue
        if landed != url:
            seen[url] = ("", "")
            url = landed
        per_pattern[pattern(url)] += 1
        seen[url] = (tab.title(), tab.eval_on_selector("main", "m => m.innerText"))
        for href in tab.eval_on_selector_all("a[href]", "as => as.map(a => a.href)"):
            href = canonical(urljoin(url, href))
            if href.startswith(base) and not SKIPPED.search(href) and href not in seen:
                queue.append(href)
    return {url: page for url, page in seen.items() if page[0]}


def one_per_pattern(urls) -> list[str]:
    chosen: dict[str, str] = {}
    for url in urls:
        chosen.setdefault(pattern(url), url)
    return list(chosen.values())


def axe_violations(tab) -> list[str]:
    result = tab.evaluate(
        """async tags => {
            const r = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return r.violations.map(v => `${v.id} (${v.impact}): ${v.help} — ` +
                v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "));
        }""", AXE_TAGS)
    return result


def screenshot(tab, role: str, url: str, width: int) -> None:
    """Save the page as a reviewer sees it: ``<role>-<path pattern>-<width>.png`` (the
    campaign's part of the path left out)."""
    path = pattern(url).removeprefix(f"/campagnes/{SLUG}")
    name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "accueil"
    height = min(tab.evaluate("document.documentElement.scrollHeight"), SCREENSHOT_MAX_HEIGHT)
    SCREENSHOTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / f"{role}-{name}-{width}.png"), full_page=True,
                   clip={"x": 0, "y": 0, "width": width, "height": max(height, 1)})


@pytest.fixture(scope="module")
def crawled(site, chromium):
    """The pages of each role, crawled once at 1280 px: ``{role: {url: title}}``."""
    pages = {}
    for role in ROLES:
        tab = open_tab(chromium, site, role)
        pages[role] = crawl(tab, site)
        tab.context.close()
    return pages


def test_the_crawl_reaches_the_main_pages_of_every_role(crawled):
    expected = {
        "anonymous": ["/compte/connexion", "/accessibilite", "/mentions-legales",
                      "/donnees-personnelles", "/contact"],
        "elu": ["/ateliers/", "/contributions/N", "/motion", "/v/"],
        "facilitator": ["/themes", "/themes/N", "/themes/groupe/", "/couverture", "/moderation/",
                        "/motion/pilotage", "/motion/projection", "/exports"],
        "admin": ["/admin/", "/admin/invitations", "/admin/textes"],
    }
    for role, fragments in expected.items():
        patterns = {pattern(url) for url in crawled[role]}
        for fragment in fragments:
            assert any(fragment in p for p in patterns), (role, fragment, sorted(patterns))


@dataclass
class Visit:
    """What one visit of a page at one width found (the axe run, the tables, the width)."""

    violations: list[str]
    page_width: int
    cut: list[str]  # words and numbers of table cells cut across two lines
    widest: list[str]  # what sticks out, when the page is wider than the screen


@pytest.fixture(scope="module")
def visits(site, chromium, crawled):
    """``visits(role, width)``: every main page of ``role`` visited once at ``width`` and
    checked for both tests below (a visit is most of their time)."""
    done: dict[tuple[str, int], dict[str, Visit]] = {}

    def visit(role: str, width: int) -> dict[str, Visit]:
        if (role, width) not in done:
            tab = open_tab(chromium, site, role, width)
            found = {}
            for url in one_per_pattern(crawled[role]):
                tab.goto(url)
                page_width = tab.evaluate("document.documentElement.scrollWidth")
                found[url] = Visit(
                    axe_violations(tab), page_width, tab.evaluate(SPLIT_IN_TABLES, width <= 640),
                    tab.evaluate(WIDEST.replace("321", str(width + 1)))
                    if page_width > width else [])
                screenshot(tab, role, url, width)
            tab.context.close()
            done[role, width] = found
        return done[role, width]

    return visit


@pytest.mark.rgaa("1.1", "3.2", "6.2", "8.3", "8.5", "11.1", "12.7")
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("width", [375, 1280])
def test_axe_finds_no_violation_on_any_main_page(visits, role, width):
    found = {url: v.violations for url, v in visits(role, width).items() if v.violations}
    assert not found, "\n".join(f"{url}\n  " + "\n  ".join(v) for url, v in found.items())


# The deepest elements sticking out of a 320 px viewport, to say what to fix.
WIDEST = """() => [...document.querySelectorAll("body *")]
    .filter(el => el.getBoundingClientRect().right > 321)
    .filter(el => ![...el.children].some(c => c.getBoundingClientRect().right > 321))
    .slice(0, 3)
    .map(el => `${el.tagName}.${el.className} ${el.getBoundingClientRect().right}`)"""


@pytest.mark.rgaa("10.11")
@pytest.mark.parametrize("role", ROLES)
def test_no_page_scrolls_sideways_at_320_px(site, chromium, crawled, role):
    tab = open_tab(chromium, site, role, 320)
    too_wide = {}
    for url in one_per_pattern(crawled[role]):
        tab.goto(url)
        width = tab.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            too_wide[url] = (width, tab.evaluate(WIDEST))
    tab.context.close()
    assert not too_wide, too_wide


# The words and numbers of table cells broken across two lines (a break after a hyphen or
# a dash is a line break, not a cut). At a phone's width a table with nothing to focus and
# no .table-scroll box still squeezes into the screen (static/motion.css): left out there.
SPLIT_IN_TABLES = """narrow => {
    const squeezed = "table:not(.table-scroll > table)"
        + ":not(:has(a[href], button, input, select, textarea))";
    const cut = [];
    for (const cell of document.querySelectorAll("main td, main th")) {
        if (narrow && cell.closest("table").matches(squeezed)) continue;
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            for (const m of node.data.matchAll(/[^\\s\\-\\u2010-\\u2014]+/g)) {
                const range = document.createRange();
                range.setStart(node, m.index);
                range.setEnd(node, m.index + m[0].length);
                const lines = new Set([...range.getClientRects()]
                    .filter(r => r.width > 0).map(r => Math.round(r.top)));
                if (lines.size > 1) cut.push(m[0]);
            }
        }
    }
    return cut.slice(0, 5);
}"""


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("width", [375, 1280])
def test_tables_keep_their_words_and_numbers_whole(visits, role, width):
    """At 375 and 1280 px no table cell cuts a word or a number across two lines (once
    "38/3" for 383, "Soutiens" one letter a line) and no page scrolls sideways: a wide table
    scrolls in its own box (the motion document's table of votes cut off "Abstention")."""
    pages = visits(role, width)
    found = {url: (v.page_width, v.cut, v.widest) for url, v in pages.items()
             if v.page_width > width or v.cut}
    assert not found, found
    if role != "anonymous":
        assert any(url.endswith("/motion/document") for url in pages), \
            "the motion document was not crawled"


@pytest.mark.rgaa("8.6")
@pytest.mark.parametrize("role", ROLES)
def test_every_page_has_its_own_title(crawled, role):
    by_title = defaultdict(dict)
    for url, (title, text) in crawled[role].items():
        by_title[title].setdefault(text, url)  # one page may have two addresses
    shared = {title: list(pages.values()) for title, pages in by_title.items() if len(pages) > 1}
    assert not shared, shared
    search = [title for url, (title, _text) in crawled[role].items() if "q=" in url]
    if role != "anonymous":
        assert search, "the search page was not crawled"
        assert "numérique" in search[0]


CONTRAST = """el => {
    const rgb = c => (c.match(/[\\d.]+/g) || []).slice(0, 4).map(Number);
    const lum = ([r, g, b]) => {
        const f = v => {
            v /= 255;
            return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
        };
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    let node = el.parentElement, bg = [255, 255, 255];
    while (node) {
        const c = rgb(getComputedStyle(node).backgroundColor);
        if (c.length === 3 || (c.length === 4 && c[3] > 0)) { bg = c.slice(0, 3); break; }
        node = node.parentElement;
    }
    const s = getComputedStyle(el);
    const [a, b] = [lum(rgb(s.outlineColor)), lum(bg)];
    return {tag: el.tagName, text: (el.textContent || el.name || "").trim().slice(0, 40),
            style: s.outlineStyle, width: parseFloat(s.outlineWidth),
            ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05),
            look: [s.outlineStyle, s.outlineColor, s.outlineWidth, s.backgroundColor,
                   s.color, s.boxShadow].join(" ")};
}"""


@pytest.mark.rgaa("3.3", "10.7")
def test_the_focus_indicator_has_enough_contrast(site, chromium):
    """RGAA 10.7 / 3.3: every focused element shows a ring of 3:1 or more; on the vote page
    a focused selected button looks different from a selected one."""
    from playwright.sync_api import expect

    tab = open_tab(chromium, site, "elu")
    weak = []
    for path in ["/", f"/campagnes/{SLUG}/contributions/?q=num%C3%A9rique", "/accessibilite"]:
        tab.goto(site + path)
        for _ in range(20):
            tab.keyboard.press("Tab")
            if tab.evaluate("document.activeElement === document.body"):
                break  # past the last focusable element
            ring = tab.evaluate(f"({CONTRAST})(document.activeElement)")
            if ring["style"] == "none" or ring["width"] < 2 or ring["ratio"] < 3:
                weak.append((path, ring))
    assert not weak, weak

    tab.goto(f"{site}/v/{SLUG}")
    button = tab.get_by_role("button", name="Pour")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    tab.locator("body").click(position={"x": 1, "y": 1})
    unfocused = tab.evaluate(f"({CONTRAST})(document.querySelector('button.vote-for'))")
    for _ in range(60):
        tab.keyboard.press("Tab")
        if tab.evaluate("document.activeElement.matches('button.vote-for')"):
            break
    focused = tab.evaluate(f"({CONTRAST})(document.activeElement)")
    assert focused["tag"] == "BUTTON"
    assert focused["look"] != unfocused["look"]
    assert focused["style"] != "none"
    assert focused["ratio"] >= 3, focused
    tab.context.close()


def _submit_without_browser_checks(tab, form_selector: str) -> None:
    """Submit as if the browser did not check ``required`` (the server must explain)."""
    tab.eval_on_selector(form_selector, "f => { f.noValidate = true; }")
    with tab.expect_navigation():
        tab.eval_on_selector(form_selector, "f => f.querySelector('button[type=submit]').click()")


def _assert_focus_on_error(tab, field_label: str) -> None:
    """The focused control is in error, tied to a message that names its field."""
    state = tab.evaluate("""() => {
        const el = document.activeElement;
        const ids = (el.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
        return {invalid: el.getAttribute("aria-invalid"), tag: el.tagName,
                described: ids.map(id => (document.getElementById(id) || {}).textContent || "")};
    }""")
    assert state["invalid"] == "true", state
    errors = [text for text in state["described"] if field_label in text]
    assert errors, state
    assert tab.title().startswith("Erreur"), tab.title()


@pytest.mark.rgaa("11.10", "11.11", "11.13")
def test_a_failed_submit_focuses_the_first_error_which_names_its_field(site, chromium):
    """RGAA 11.10, 11.11, 11.13 on the login, new-contribution, edit, admin-text,
    new-campaign, campaign settings, CSV import and collectivités import forms, and on the
    facilitators' theme move and merge, dossier dispatch, proposition addressees and
    programme forms."""
    tab = open_tab(chromium, site, "anonymous")
    tab.goto(f"{site}/compte/connexion")
    assert tab.get_attribute("input[name=email]", "autocomplete") == "username"
    assert tab.get_attribute("input[name=password]", "autocomplete") == "current-password"
    assert tab.locator("input[name=email][required]").count() == 1
    assert tab.locator("input[name=password][required]").count() == 1
    _submit_without_browser_checks(tab, "main form")
    _assert_focus_on_error(tab, "Adresse e-mail")
    tab.fill("input[name=email]", ACCOUNTS["elu"])
    tab.fill("input[name=password]", "not the password")
    with tab.expect_navigation():
        tab.click("main button[type=submit]")
    assert tab.title().startswith("Erreur")
    assert tab.evaluate("document.activeElement.textContent").startswith("Adresse e-mail")
    tab.context.close()

    tab = open_tab(chromium, site, "elu")
    tab.goto(f"{site}/campagnes/{SLUG}/ateliers/")
    workshop = tab.eval_on_selector_all(
        "main a", "as => as.map(a => a.href).find(h => /\\/ateliers\\/[a-z]/.test(h))")
    tab.goto(workshop)
    assert tab.locator("#text[required]").count() == 1
    tab.fill("#text", "Trop court.")
    _submit_without_browser_checks(tab, "#post-form")
    _assert_focus_on_error(tab, "Votre idée")
    assert tab.locator(".flash-error").count() == 0  # beside the field, not a page flash
    message = tab.locator(".field.has-error .error").inner_text()
    assert "trop court" in message

    mine = tab.eval_on_selector_all(  # every contribution of the seed is the élu's
        "main a", "as => as.map(a => a.href).find(h => /\\/contributions\\/\\d+/.test(h))")
    tab.goto(urldefrag(mine)[0].rstrip("/") + "/modifier")
    tab.fill("#text", "Court.")
    _submit_without_browser_checks(tab, "main form.stack")
    _assert_focus_on_error(tab, "Votre idée")
    tab.context.close()

    tab = open_tab(chromium, site, "admin")
    tab.goto(f"{site}/admin/textes")
    tab.fill("#data_retention", "x" * 20_001)
    _submit_without_browser_checks(tab, "main form.stack")
    _assert_focus_on_error(tab, "Durée de conservation")
    tab.goto(f"{site}/admin/campagnes/nouvelle")
    tab.fill("#title", "Congrès 2027")
    tab.fill("#slug", "Pas valide !")
    _submit_without_browser_checks(tab, "main form.stack")
    _assert_focus_on_error(tab, "Identifiant dans les adresses")
    # The campaign's settings, its CSV import and the collectivités import: the page again.
    tab.goto(f"{site}/admin/campagnes/{SLUG}")
    tab.fill("#slug", "Pas valide !")
    _submit_without_browser_checks(tab, "#details form")
    _assert_focus_on_error(tab, "Identifiant dans les adresses")
    assert tab.input_value("#slug") == "Pas valide !"
    not_a_list = {"name": "x.csv", "mimeType": "text/csv", "buffer": b"id;contenu\n1;bonjour\n"}
    tab.set_input_files("#csv_file", files=[not_a_list])
    _submit_without_browser_checks(tab, "#import form")
    _assert_focus_on_error(tab, "Fichier CSV")
    tab.goto(f"{site}/admin/collectivites/")
    tab.set_input_files("#collectivites-file", files=[not_a_list])
    _submit_without_browser_checks(tab, "main form.stack")
    _assert_focus_on_error(tab, "Fichier CSV ou XLSX")
    tab.context.close()
    _facilitator_forms_show_their_errors_beside_their_fields(site, chromium)


def _facilitator_forms_show_their_errors_beside_their_fields(site, chromium):
    """A theme moved or merged while another facilitator changed it (409), a dispatch dated
    in the future, a proposition's unknown addressee and a session numbered past the last:
    each page comes back with the focus on the field in error, its choice or value kept."""
    from datetime import date

    tab = open_tab(chromium, site, "facilitator")
    other = tab.context.new_page()  # a second facilitator's window, same account

    def pin_and_unpin(theme_url: str) -> None:
        other.goto(theme_url)
        for _ in range(2):
            with other.expect_navigation():
                other.click("main form[action$='/epingler'] button[type=submit]")

    tab.goto(f"{site}/campagnes/{SLUG}/themes")
    theme = tab.eval_on_selector_all(
        "main a", "as => as.map(a => a.href).find(h => /\\/themes\\/\\d+$/.test(h))")
    tab.goto(theme)
    places = tab.eval_on_selector_all("#target option", "os => os.map(o => o.value)")
    place = next(p for p in places if p != tab.input_value("#target"))
    tab.select_option("#target", place)
    pin_and_unpin(theme)
    _submit_without_browser_checks(tab, "main form[action$='/deplacer']")
    _assert_focus_on_error(tab, "Déplacer vers")
    assert tab.input_value("#target") == place
    chosen = tab.input_value("#merge")
    pin_and_unpin(f"{site}/campagnes/{SLUG}/themes/{chosen.partition(':')[0]}")
    _submit_without_browser_checks(tab, "main form[action$='/fusionner']")
    _assert_focus_on_error(tab, "Fusionner avec")
    assert tab.input_value("#merge").partition(":")[0] == chosen.partition(":")[0]
    other.close()

    tab.goto(f"{site}/campagnes/{SLUG}/dossiers")
    # At 1280 px the column headers keep their words whole ("Propositions" on one line).
    lines = tab.eval_on_selector_all("table.dossiers thead th", """ths => ths.map(th => {
        const range = document.createRange();
        range.selectNodeContents(th);
        return [th.textContent, range.getClientRects().length];
    })""")
    assert all(n == 1 for _text, n in lines), lines
    dispatch = tab.locator("main form[action$='/envoi'] input[name=sent_on]").first
    later = (date.today() + timedelta(days=366)).isoformat()
    dispatch.fill(later)
    field_id = dispatch.get_attribute("id")
    _submit_without_browser_checks(tab, f"main form:has(#{field_id})")
    _assert_focus_on_error(tab, "Date d’envoi")
    assert tab.input_value(f"#{field_id}") == later

    # A proposition's addressees with one unknown to the campaign (a stale page): the page
    # again, the focus on the group of boxes, whose error names it; the ticks as sent.
    tab.goto(f"{site}/campagnes/{SLUG}/motion")
    tab.goto(tab.eval_on_selector_all(
        "main a", "as => as.map(a => a.href).find(h => /\\/propositions\\/\\d+$/.test(h))"))
    box = tab.locator("main input[name=destinataires]").first
    box.evaluate("b => { b.value = '999999'; b.checked = true; }")
    ticked = tab.eval_on_selector_all(
        "main input[name=destinataires]:checked", "bs => bs.map(b => b.id)")
    _submit_without_browser_checks(tab, "#destinataires form")
    _assert_focus_on_error(tab, "Ministères et instances auxquels la proposition est transmise")
    assert tab.evaluate("document.activeElement.tagName") == "FIELDSET"
    assert tab.eval_on_selector_all(
        "main input[name=destinataires]:checked", "bs => bs.map(b => b.id)") == ticked[1:]

    tab.goto(f"{site}/campagnes/{SLUG}/programme")
    order = tab.locator("main input[name^=ordre_]").first
    order.fill("9")
    field_id = order.get_attribute("id")
    _submit_without_browser_checks(tab, "main form[action$='/programme']")
    _assert_focus_on_error(tab, "Ordre de la séance")
    assert tab.input_value(f"#{field_id}") == "9"
    tab.context.close()


@pytest.mark.rgaa("7.5")
def test_live_regions_are_atomic_sentences(site, chromium):
    """The projector and control pages speak in throttled sentences, and say when a vote
    closes and opens (the tallies are not live regions)."""
    from playwright.sync_api import expect

    anim = open_tab(chromium, site, "facilitator")
    screen = anim.context.new_page()
    screen.goto(f"{site}/campagnes/{SLUG}/motion/projection")
    anim.goto(f"{site}/campagnes/{SLUG}/motion/pilotage")
    regions_js = """() => [...document.querySelectorAll('[aria-live], [role=status], [role=log]')]
        .map(el => ({atomic: el.getAttribute('aria-atomic'), role: el.getAttribute('role'),
                     text: el.textContent.trim()}))"""
    for tab in (screen, anim):
        regions = tab.evaluate(regions_js)
        assert regions, tab.url
        assert all(r["atomic"] == "true" for r in regions if r["role"] != "alert"), regions
    screen.evaluate("""() => {
        window.said = [];
        new MutationObserver(() => window.said.push(
            [Date.now(), document.getElementById('vote-announce').textContent]))
          .observe(document.getElementById('vote-announce'), {childList: true, subtree: true,
                                                               characterData: true});
    }""")

    elu = open_tab(chromium, site, "elu")
    elu.goto(f"{site}/v/{SLUG}")
    for name in ["Pour", "Contre", "Abstention"]:
        elu.get_by_role("button", name=name).click()
        expect(elu.locator(".vote-mine")).to_contain_text("Vote enregistré", timeout=15_000)
        elu.wait_for_timeout(700)
    screen.wait_for_timeout(2500)
    expect(screen.locator("#vote-announce")).to_have_text(
        "Vote en cours. Votes : 1 ; pour : 0 ; contre : 0 ; abstention : 1.", timeout=15_000)
    said = screen.evaluate("window.said")
    times = [when for when, _text in said]
    # Three changes within seconds: at most one sentence every 10 s, each a full sentence.
    assert all(later - earlier >= 9_500 for earlier, later in pairwise(times)), said
    assert all(re.fullmatch(r"Vote en cours\. Votes : 1 ; pour : \d ; contre : \d ; "
                            r"abstention : \d\.", text) for _when, text in said), said
    elu.context.close()

    anim.get_by_role("button", name="Clore le vote").click()
    expect(screen.locator("#vote-announce")).to_have_text(
        "Le vote est clos. Pour : 0 ; contre : 0 ; abstention : 1.", timeout=10_000)
    anim.get_by_role("button", name="Ouvrir le vote").click()
    expect(screen.locator("#vote-announce")).to_have_text("Le vote est ouvert.", timeout=10_000)
    anim.context.close()


@pytest.mark.rgaa("12.8")
def test_a_keyboard_move_on_the_board_returns_focus_to_the_moved_item(site, chromium):
    tab = open_tab(chromium, site, "facilitator")
    tab.goto(f"{site}/campagnes/{SLUG}/themes")
    names = tab.locator("#synthesis-board .board-item .grab").all_inner_texts()
    assert names, "no contribution on the board"
    assert "Saisir cette contribution" not in names
    assert len(set(names)) == len(names), "contribution buttons share a name"

    card = tab.locator("li.cluster-card").first
    card_id = card.get_attribute("id")
    card.locator(".card-tools .grab").focus()
    tab.keyboard.press("Enter")
    zone = tab.locator(".drop-zone > .drop-here:visible").last
    zone.focus()
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    tab.wait_for_function(
        f"document.activeElement.matches('#{card_id} .card-tools .grab')", timeout=10_000)

    # A contribution moved to another theme: focus on it, or on the theme it went to.
    item = tab.locator(".cluster-card .board-item").first
    item_id = item.get_attribute("data-contribution-id")
    item.locator(".grab").focus()
    tab.keyboard.press("Enter")
    target = tab.locator(".cluster-card:has(.card-tools .drop-here:visible)").first
    target_id = target.get_attribute("id")
    target.locator(".card-tools .drop-here").focus()
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    moved = f'.board-item[data-contribution-id="{item_id}"] .grab'
    tab.wait_for_function(
        f"""document.activeElement.matches('{moved}, #{target_id} .card-tools .grab')""",
        timeout=10_000)
    tab.context.close()
