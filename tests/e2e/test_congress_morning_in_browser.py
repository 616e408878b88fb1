"""A congress morning in a real browser against a real `motion serve`.

The référent of engagement E1 opens the session of their engagement, writes the bilan from
the follow-up of last year's propositions, sees the axes still without a proposition,
creates one per axis from the axis's themes, runs the vote on one of them (an élu votes
from a phone page), names the ministry each proposition goes to, and downloads the
transmission dossiers of two ministries: each file, read with odfpy, python-docx and pypdf,
holds its ministry's propositions only. axe-core checks the session page at 375 and
1280 px.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import sign_in
from tests.seeding import place_themes

SLUG = "congres-2026"
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
REFERENT = "referente.e1@example.fr"
ELU = "elu.vote@example.fr"
MINISTRIES = (
    "Ministère chargé des collectivités territoriales",
    "Ministère chargé de la transition écologique",
)
E2_TITLE = "Allonger la durée de vie des équipements publics"
LAST_YEAR = {
    "Fibre dans chaque école rurale": ("in_text", "Reprise dans la loi de finances."),
    "Médiateurs numériques dans les mairies": ("answered", "Réponse du ministère."),
}


def _seed(app, dev_rows) -> dict:
    from motion.extensions import db
    from motion.models import PhaseKind
    from motion.models._types import utcnow
    from motion.services import (
        accounts,
        addressees,
        campaigns,
        contributions,
        followup,
        frameworks,
        motions,
        referents,
    )

    now = utcnow()
    framework = frameworks.ensure_default_framework()
    # Last year's congress, closed, with its adopted motion followed up.
    last = campaigns.create_campaign(
        "congres-2025",
        "Congrès 2025",
        framework=framework,
        phase_starts={
            PhaseKind.COLLECT: now - timedelta(days=400),
            PhaseKind.SYNTHESIS: now - timedelta(days=380),
            PhaseKind.PLENARY: now - timedelta(days=370),
            PhaseKind.CLOSED: now - timedelta(days=360),
        },
    )
    old_motion = motions.create_motion(last)
    old_section = motions.section_for(old_motion, framework.engagements[0].id)
    for title, (status, note) in LAST_YEAR.items():
        old = motions.create_proposition(
            old_motion, old_section, title=title, text=f"{title} : texte adopté en 2025."
        )
        old.outcome = "adopted"
        followup.set_status(old, status)
        followup.add_note(old, note)
    # This year's congress, in its synthesis phase.
    campaign = campaigns.create_campaign(
        SLUG,
        "Congrès 2026",
        framework=framework,
        phase_starts={
            PhaseKind.COLLECT: now - timedelta(days=1),
            PhaseKind.SYNTHESIS: now + timedelta(days=20),
            PhaseKind.PLENARY: now + timedelta(days=30),
        },
    )
    workshop = campaigns.get_or_create_workshop(campaign, "Atelier égalité d’accès")
    elu = accounts.create_user(
        ELU, display_name="Élue votante", password=PASSWORD, collectivite="Commune de Lanvallon"
    )
    referent = accounts.create_user(
        REFERENT, display_name="Référente E1", role="facilitator", password=PASSWORD
    )
    other = accounts.create_user(
        "referent.e2@example.fr", display_name="Référent E2", role="facilitator"
    )
    for user in (elu, referent, other):
        campaigns.add_member(user, workshop)
    e1, e2 = framework.engagements[0], framework.engagements[1]
    referents.add_referent(campaign, e1.id, referent)
    referents.add_referent(campaign, e2.id, other)
    # Two real answers per axis of E1, in one theme per axis (themes are the input here).
    ideas = [contributions.post_contribution(elu, workshop, row["text"]) for row in dev_rows[:7]]
    places = [(e1, e1.axes[i], ideas[2 * i : 2 * i + 2]) for i in range(3)]
    places.append((e2, e2.axes[0], ideas[6:]))
    clusters = place_themes(campaign, places, name="Thème de l’axe {code}")
    motion = motions.create_motion(campaign)
    e2_proposition = motions.create_proposition(
        motion,
        motions.section_for(motion, e2.id),
        title=E2_TITLE,
        text="Allonger la durée de vie des ordinateurs des écoles et des mairies.",
        clusters=[clusters[3]],
    )
    ministries = [
        addressees.create_addressee(
            campaign,
            addressees.AddresseeValues(name=name, short_name=f"Ministère {i}", kind="ministry"),
        )
        for i, name in enumerate(MINISTRIES, start=1)
    ]
    addressees.confirm(e2_proposition, [ministries[1].id])
    db.session.flush()
    return {"axes": [a.code for a in e1.axes], "ministries": [m.id for m in ministries]}


@pytest.fixture
def congress(seed_database, live_server, dev_rows):
    with seed_database() as (instance, url, app):
        seeded = _seed(app, dev_rows)
    return {**seeded, "base": live_server(instance, url)}


def _axe(tab) -> list[str]:
    return tab.evaluate(
        """async tags => {
            const r = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return r.violations.map(v => `${v.id}: ${v.help} — ` +
                v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "));
        }""",
        AXE_TAGS,
    )


def _text_of(fmt: str, content: bytes) -> str:
    if fmt == "odt":
        from odf import teletype, text
        from odf.opendocument import load

        document = load(io.BytesIO(content))
        parts = [
            teletype.extractText(e)
            for kind in (text.H, text.P)
            for e in document.text.getElementsByType(kind)
        ]
    elif fmt == "docx":
        from docx import Document

        document = Document(io.BytesIO(content))
        parts = [p.text for p in document.paragraphs]
        parts += [c.text for t in document.tables for r in t.rows for c in r.cells]
    else:
        from pypdf import PdfReader

        parts = [p.extract_text() for p in PdfReader(io.BytesIO(content)).pages]
    return " ".join(" ".join(parts).split())


@pytest.mark.e2e
def test_a_referent_runs_their_engagement_morning(congress, browser):
    from playwright.sync_api import expect

    from motion.services.followup import status_label

    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make install-axe` (axe-core from the npm registry)")
    base = congress["base"]
    context = browser.new_context(
        locale="fr-FR", bypass_csp=True, viewport={"width": 1280, "height": 900}
    )
    context.add_init_script(path=str(AXE))
    tab = context.new_page()
    sign_in(tab, base, REFERENT)

    # The programme leads to the référent's session, the first morning.
    tab.goto(f"{base}/campagnes/{SLUG}/programme")
    expect(tab.locator(".programme-session")).to_have_count(4)
    tab.get_by_role("link", name="E1 — Garantir l’égalité d’accès au numérique").click()
    expect(tab.get_by_role("heading", level=1)).to_contain_text("Séance de l’engagement E1")
    session_url = tab.url

    # Bilan: last year's propositions with what became of them, and a first draft from it.
    previous = tab.locator(".previous-propositions li")
    expect(previous).to_have_count(2)
    for title, (status, note) in LAST_YEAR.items():
        item = previous.filter(has_text=title)
        expect(item).to_contain_text(status_label(status))
        expect(item).to_contain_text(note)
    bilan = tab.get_by_label("Bilan", exact=True)
    expect(bilan).to_have_value(re.compile("Suivi des propositions de « Congrès 2025 »"))
    bilan.press("End")
    bilan.type("\nLes deux propositions ont avancé ; la médiation reste à financer.")
    tab.get_by_label("Objectifs", exact=True).fill("Une proposition par axe, transmise en juin.")
    tab.get_by_role("button", name="Enregistrer le bilan et les objectifs").click()
    expect(tab.locator(".flash-success")).to_contain_text("Bilan et objectifs enregistrés")
    expect(tab.locator("section[aria-labelledby=bilan] .prose")).to_contain_text(
        "la médiation reste à financer"
    )

    # The session's projection, on the projector beside: it follows the session by itself.
    screen = context.new_page()
    screen.goto(f"{session_url}/projection")
    expect(screen.locator(".p-missing")).to_have_count(3)

    # One proposition per axis: all three are missing, then created one by one from themes.
    missing = tab.locator(".slots-missing")
    expect(missing).to_contain_text("3 axes sans proposition")
    expect(missing).to_contain_text(", ".join(congress["axes"]))
    titles = {}
    for n, code in enumerate(congress["axes"], start=1):
        tab.get_by_role(
            "link", name=f"Créer la proposition de l’axe {code} à partir de ses thèmes"
        ).click()
        expect(tab.get_by_role("heading", level=1)).to_have_text(f"Proposition de l’axe {code}")
        expect(tab.get_by_label("Titre")).to_have_value(re.compile(f"Thème de l’axe {code}"))
        expect(tab.get_by_label("Texte (à réécrire)")).to_have_value(
            re.compile("Les élus demandent notamment")
        )
        titles[code] = f"Proposition {n} du matin pour {code}"
        tab.get_by_label("Titre").fill(titles[code])
        tab.get_by_role("button", name="Créer la proposition").click()
        expect(tab.locator(".flash-success")).to_contain_text(f"La proposition de l’axe {code}")
        left = len(congress["axes"]) - n
        if left:
            expect(missing).to_contain_text(f"{left} axe")
    expect(tab.locator(".slots-complete")).to_have_text("Chaque axe a sa proposition.")
    expect(screen.locator(".p-missing")).to_have_count(0)
    expect(screen.locator(".p-slots")).to_contain_text(titles[congress["axes"][-1]])
    expect(tab.locator(".axis-slot-empty")).to_have_count(0)

    # The coverage page: E1's axes have their proposition, the others are marked in words.
    tab.goto(f"{base}/campagnes/{SLUG}/couverture")
    coverage = tab.get_by_role("table", name="Couverture par engagement et par axe")
    for code in congress["axes"]:
        row = coverage.locator("tr.coverage-axis", has_text=f"{code} — ")
        expect(row).to_have_count(1)
        expect(row).not_to_have_class(re.compile("no-proposition"))
    expect(coverage.locator("tr.no-proposition")).to_have_count(9)
    expect(coverage.locator("tr.no-proposition").first).to_contain_text("aucune proposition")

    # The vote: projected and opened from the session, an élu votes, the référent closes it.
    tab.goto(session_url)
    first = titles[congress["axes"][0]]
    tab.get_by_role("button", name=f"Projeter et ouvrir le vote sur « {first} »").click()
    expect(tab.locator(".flash-success")).to_contain_text("Le vote est ouvert")
    expect(screen.locator("#vote-titre")).to_have_text("Vote ouvert")
    phone = browser.new_context(locale="fr-FR").new_page()
    sign_in(phone, base, ELU)
    phone.goto(f"{base}/v/{SLUG}")
    expect(phone.locator("main")).to_contain_text(first)
    vote_for = phone.get_by_role("button", name="Pour", exact=True)
    vote_for.click()
    expect(vote_for).to_have_attribute("aria-pressed", "true")
    phone.context.close()
    expect(screen.locator('[data-count="pour"]')).to_have_text("1")
    tab.get_by_role("button", name=f"Clore le vote sur « {first} »").click()
    expect(tab.locator(".flash-success")).to_contain_text("Vote clos : 1 pour, 0 contre")
    expect(screen.locator("#vote-titre")).to_have_text("Vote clos")
    screen.close()

    # The session page, its projection and the programme pass axe at a phone's width and a laptop's.
    for width in (375, 1280):
        tab.set_viewport_size({"width": width, "height": 900})
        for url in (session_url, f"{session_url}/projection", f"{base}/campagnes/{SLUG}/programme"):
            tab.goto(url)
            assert _axe(tab) == [], f"axe at {width} px on {url}"

    # Each E1 proposition goes to the first ministry (the E2 one went to the second).
    tab.goto(f"{base}/campagnes/{SLUG}/motion")
    for title in titles.values():
        tab.get_by_role("link", name=title).click()
        tab.get_by_label(MINISTRIES[0]).check()
        tab.get_by_role("button", name="Enregistrer les destinataires").click()
        expect(tab.locator(".flash-success")).to_contain_text("1 destinataire confirmé")
        tab.goto(f"{base}/campagnes/{SLUG}/motion")

    # The two ministries' dossiers, downloaded and read by real readers.
    tab.goto(f"{base}/campagnes/{SLUG}/dossiers")
    for ministry_id, mine, others in (
        (congress["ministries"][0], list(titles.values()), [E2_TITLE]),
        (congress["ministries"][1], [E2_TITLE], list(titles.values())),
    ):
        for fmt in ("odt", "docx", "pdf"):
            link = tab.locator(f"#dossier-{ministry_id} a", has_text=fmt.upper())
            with tab.expect_download() as info:
                link.click()
            content = Path(info.value.path()).read_bytes()
            text = _text_of(fmt, content)
            for title in mine:
                assert title in text, (fmt, ministry_id, title)
            for title in others:
                assert title not in text, (fmt, ministry_id, title)
    context.close()
