"""In a real browser against a real `motion serve`: a facilitator asks for the motion's PDF,
follows the job's progress (polled by static/js/run-progress.js), then downloads the file."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from tests.conftest import PASSWORD

SLUG = "congres-exports"


@pytest.fixture
def seeded(tmp_path, seed_database, dev_rows):
    """A campaign of 120 real answers, a draft motion of two propositions, a facilitator;
    the instance exports anything above 10 contributions in a background job."""
    from motion.models import PhaseKind
    from motion.models._types import utcnow
    from motion.services import accounts, campaigns, contributions, frameworks, motions

    with seed_database("EXPORT_SYNC_MAX_CONTRIBUTIONS = 10\n") as (instance, url, app):
        now = utcnow()
        campaign = campaigns.create_campaign(
            SLUG, "Congrès de test (exports)", framework=frameworks.ensure_default_framework(),
            phase_starts={PhaseKind.COLLECT: now - timedelta(days=1),
                          PhaseKind.SYNTHESIS: now + timedelta(days=30)},
        )
        workshop = campaigns.get_or_create_workshop(campaign, "Atelier services publics")
        elu = accounts.create_user("elu.exports@example.fr", display_name="Élu exports",
                                   password=PASSWORD, collectivite="Rodez")
        campaigns.add_member(elu, workshop)
        posted = [contributions.post_contribution(elu, workshop, row["text"])
                  for row in dev_rows[:120]]
        facilitator = accounts.create_user("animation.exports@example.fr",
                                           display_name="Animation", role="facilitator",
                                           password=PASSWORD)
        campaigns.add_member(facilitator, workshop)
        motion = motions.create_motion(campaign, preamble="Réunis en congrès, nous proposons :")
        engagement = campaign.framework.engagements[0]
        motions.create_proposition(motion, motions.section_for(motion, engagement.id),
                                   title="Raccorder chaque commune au très haut débit",
                                   text=dev_rows[300]["text"], contributions=posted[:30])
    return {"instance": instance, "url": url}


@pytest.fixture
def server(seeded, live_server):
    return live_server(seeded["instance"], seeded["url"])


@pytest.mark.e2e
def test_a_facilitator_exports_the_motion_pdf_through_a_job(server, page):
    from playwright.sync_api import expect
    from pypdf import PdfReader

    page.goto(f"{server}/compte/connexion")
    page.fill("input[name=email]", "animation.exports@example.fr")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]:has-text('Se connecter')")
    expect(page.locator(".flash-success")).to_be_visible()

    page.goto(f"{server}/campagnes/{SLUG}/exports")
    expect(page.get_by_role("heading", level=1)).to_have_text("Exports et données ouvertes")
    expect(page.locator("body")).to_contain_text("préparés en arrière-plan")
    motion_section = page.locator("section[aria-labelledby=export-motion]")
    button = motion_section.get_by_role("button", name="Télécharger : PDF accessible")
    button.focus()
    page.keyboard.press("Enter")  # keyboard only
    page.wait_for_url(f"{server}/campagnes/{SLUG}/exports/*")
    # The script polls the progress record and reloads the page when the job ends.
    ready = page.locator("p[role=status]", has_text="Le fichier est prêt.")
    expect(ready).to_be_visible(timeout=120_000)
    link = page.get_by_role("link", name="Télécharger motion-congres-exports-")
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    reader = PdfReader(io.BytesIO(download.path().read_bytes()))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "Raccorder chaque commune au très haut débit" in text
    assert "PROJET" in text
    assert reader.trailer["/Root"]["/Lang"] == "fr-FR"
