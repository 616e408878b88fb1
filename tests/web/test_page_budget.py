"""Page-size budget: the heaviest pages of a campaign of 3,300 contributions (the labelled
dev set) stay under 300 kB of HTML: the board, the "à classer" list, search results, and
the page of the biggest theme (paginated, one small destination list per row); and the
board of a campaign with as many themes as 100,000 contributions give (~320), each theme
still reachable from it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from motion.models import (
    Cluster,
    ClusterAssignment,
    ClusteringRun,
    Contribution,
    ContributionSource,
    ContributionStatus,
)
from motion.services import campaigns, clustering, imports
from tests.services.test_clustering import _write_rows

BUDGET = 300_000


@pytest.fixture
def page_size(client, db, login, make_user, make_campaign, dev_rows, tmp_path):
    """The size in bytes of a page of a clustered 3,300-contribution campaign, seen by a
    facilitator (``{biggest}``: the biggest theme's id)."""
    campaign = make_campaign("budget")
    imports.import_csv(_write_rows(tmp_path / "rows.csv", dev_rows), campaign)
    db.session.commit()
    record = clustering.request_run(campaign)
    db.session.commit()
    assert clustering.execute_run(record.id)
    facilitator = make_user(role="facilitator", campaign=campaign)
    biggest = db.session.scalars(select(Cluster.id).order_by(Cluster.size.desc())).first()
    db.session.rollback()
    login(facilitator)

    def size(page: str) -> int:
        response = client.get(page.format(biggest=biggest))
        assert response.status_code == 200, page
        return len(response.get_data())

    return size


@pytest.mark.slow
def test_the_board_the_unsorted_list_and_search_stay_under_the_budget(sqlite_only, page_size):
    sizes = {page: page_size(page) for page in (
        "/campagnes/budget/themes", "/campagnes/budget/themes/a-classer",
        "/campagnes/budget/contributions/", "/campagnes/budget/contributions/?q=internet")}
    assert max(sizes.values()) <= BUDGET, sizes


@pytest.mark.slow
def test_the_biggest_theme_page_stays_under_the_budget(sqlite_only, page_size):
    sizes = [page_size("/campagnes/budget/themes/{biggest}"),
             page_size("/campagnes/budget/themes/{biggest}?page=2")]
    assert max(sizes) <= BUDGET, sizes


N_THEMES = 320  # about what 100,000 contributions give (√n/2 = 158 to 400 seen)


def test_a_board_of_many_themes_stays_under_the_budget_and_reaches_every_theme(
        db, client, login, make_user, make_campaign, dev_rows):
    """320 themes of 4 contributions each (made directly: the page's size depends on the
    number of themes, not of contributions), spread over every axis, engagements without
    axis, "hors cadre" and "à cheval", in 40 workshops, plus 300 "à classer"."""
    campaign = make_campaign("beaucoup-de-themes")
    workshops = [campaigns.get_or_create_workshop(campaign, f"Atelier {k:02d} de la région")
                 for k in range(40)]
    run = ClusteringRun(campaign_id=campaign.id)
    db.session.add(run)
    db.session.flush()
    texts = [row["text"] for row in dev_rows]
    contributions = [
        Contribution(campaign_id=campaign.id, workshop_id=workshops[k % 40].id,
                     text=texts[k % len(texts)], collectivite=f"Commune {k % 97}",
                     status=ContributionStatus.PUBLISHED, source=ContributionSource.WEB)
        for k in range(N_THEMES * 4 + 300)]
    db.session.add_all(contributions)
    db.session.flush()
    engagements = campaign.framework.engagements
    axes = [(e.id, a.id) for e in engagements for a in e.axes]
    clusters = []
    for k in range(N_THEMES):
        members = contributions[4 * k:4 * k + 4]
        place = ({"mapped_per_text": True, "engagement_id": engagements[0].id}
                 if k % 10 == 0 else {"out_of_frame": True} if k % 10 == 1
                 else {"engagement_id": engagements[k % len(engagements)].id}
                 if k % 10 == 2 else dict(zip(("engagement_id", "axis_id"),
                                              axes[k % len(axes)], strict=True)))
        cluster = Cluster(
            campaign_id=campaign.id, stable_id=k + 1, name=f"Thème numéro {k} : {texts[k][:40]}",
            size=4, keywords=texts[k].split()[:8], cohesion=0.4, mapping_score=0.4,
            representative_ids=[c.id for c in members[:3]], created_run_id=run.id,
            updated_run_id=run.id, **place)
        clusters.append(cluster)
        db.session.add(cluster)
        db.session.flush()
        db.session.add_all(ClusterAssignment(
            campaign_id=campaign.id, contribution_id=c.id, cluster_id=cluster.id,
            run_id=run.id, confidence=0.5) for c in members)
    facilitator = make_user(role="facilitator", campaign=campaign)
    ids = {c.id for c in clusters}
    db.session.commit()
    login(facilitator)

    board = client.get("/campagnes/beaucoup-de-themes/themes").get_data(as_text=True)
    assert len(board.encode()) <= BUDGET, len(board.encode())
    for section in ("Thèmes à cheval sur plusieurs engagements", "Hors cadre", "À classer"):
        assert section in board
    shown = {int(i) for i in re.findall(r'data-cluster-id="(\d+)"', board)}
    shelves = re.findall(r'href="(/campagnes/beaucoup-de-themes/themes/groupe/[^"]+)">'
                         r"Voir (?:les (\d+) autres thèmes|l’autre thème)", board)
    assert shelves
    assert len(shown) + sum(int(n or 1) for _url, n in shelves) == N_THEMES
    # Every theme is on the board or on its shelf's pages, each page under the budget.
    reached = set()
    for url, _n in shelves:
        while url:
            page = client.get(url)
            assert page.status_code == 200, url
            assert len(page.get_data()) <= BUDGET, url
            html = page.get_data(as_text=True)
            reached |= {int(i) for i in re.findall(r'data-cluster-id="(\d+)"', html)}
            url = next(iter(re.findall(r'href="([^"]+)" rel="next"', html)), None)
            url = url and url.replace("&amp;", "&")
    assert shown | reached == ids
    assert client.get("/campagnes/beaucoup-de-themes/themes/groupe/x9").status_code == 404
