"""Page-size budget: the heaviest pages of a campaign of 3,300 contributions (the labelled
dev set) stay under 300 kB of HTML: the board, the "à classer" list, search results, and
the page of the biggest theme (paginated, one small destination list per row)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from motion.models import Cluster
from motion.services import clustering, imports
from tests.services.test_clustering import _write_rows

pytestmark = pytest.mark.slow

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


def test_the_board_the_unsorted_list_and_search_stay_under_the_budget(sqlite_only, page_size):
    sizes = {page: page_size(page) for page in (
        "/campagnes/budget/themes", "/campagnes/budget/themes/a-classer",
        "/campagnes/budget/contributions/", "/campagnes/budget/contributions/?q=internet")}
    assert max(sizes.values()) <= BUDGET, sizes


def test_the_biggest_theme_page_stays_under_the_budget(sqlite_only, page_size):
    sizes = [page_size("/campagnes/budget/themes/{biggest}"),
             page_size("/campagnes/budget/themes/{biggest}?page=2")]
    assert max(sizes) <= BUDGET, sizes
