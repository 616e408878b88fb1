"""Full-text search and filters over a campaign's published contributions.

The same call works on both databases: SQLite queries the FTS5 table that migration
0003 keeps in sync with triggers; PostgreSQL matches the French-configuration expression
that migration 0003 indexes. Only published contributions are ever returned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Select,
    bindparam,
    column,
    func,
    literal_column,
    select,
    table,
)
from sqlalchemy.orm import selectinload

from motion.extensions import db
from motion.models import Campaign, Contribution, ContributionStatus, User
from motion.services.campaigns import require_campaign_member
from motion.services.contributions import support_count_column

WORD_RE = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 12
# Must repeat the indexed expression of migration 0003 exactly for the index to be used.
PG_DOCUMENT = (
    "to_tsvector('french', coalesce(contributions.title, '') || ' ' || contributions.text)"
)


@dataclass(frozen=True)
class Filters:
    query: str = ""
    workshop_id: int | None = None
    engagement_id: int | None = None
    collectivite: str | None = None
    since: date | None = None
    until: date | None = None


@dataclass
class Page:
    rows: list = field(default_factory=list)  # (Contribution, supports) pairs
    total: int = 0
    page: int = 1
    per_page: int = 20

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def terms(query: str) -> list[str]:
    return WORD_RE.findall(query.lower())[:MAX_TERMS]


def number_forms(word: str) -> set[str]:
    """``word`` and its French singular or plural: mairie(s), réseau(x), local / locaux.
    Words under four letters are kept as they are (« les » would otherwise match « le »)."""
    forms = {word}
    if len(word) < 4:
        return forms
    if word.endswith("aux"):
        forms.add(word[:-3] + "al")
    if word.endswith(("s", "x")):
        forms.add(word[:-1])
    else:
        forms.add(word + ("x" if word.endswith(("eau", "au", "eu")) else "s"))
        if word.endswith("al"):
            forms.add(word[:-2] + "aux")
    return forms


def _day_start(day: date, tz: str) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(tz))


def _apply_text(statement: Select, words: list[str]) -> tuple[Select, object | None]:
    """Restrict to contributions matching every word; return a rank to order by."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "sqlite":
        # Each word quoted: user input never reaches the FTS5 query syntax. A word matches
        # its singular or plural (PostgreSQL's French stemming does that for its part).
        match = " AND ".join(
            "(" + " OR ".join(f'"{form}"' for form in sorted(number_forms(w.replace('"', ""))))
            + ")" for w in words)
        fts_table = table("contributions_fts", column("rowid"))
        fts = (
            select(fts_table.c.rowid.label("id"),
                   literal_column("bm25(contributions_fts)").label("rank"))
            .where(literal_column("contributions_fts").op("MATCH")(bindparam("match", match)))
            .subquery("fts")
        )
        statement = statement.join(fts, fts.c.id == Contribution.id)
        return statement, fts.c.rank.asc()
    query = func.plainto_tsquery("french", " ".join(words))
    document = literal_column(PG_DOCUMENT)
    statement = statement.where(document.op("@@")(query))
    return statement, func.ts_rank(document, query).desc()


def search(campaign: Campaign, filters: Filters, *, viewer: User, page: int = 1,
           per_page: int = 20) -> Page:
    """Published contributions of the campaign matching the filters, best match first.

    Only participants of the campaign may search it.
    """
    require_campaign_member(viewer, campaign)
    conditions = _conditions(campaign, filters)
    ids = select(Contribution.id).where(*conditions)
    words = terms(filters.query)
    rank = None
    if words:
        ids, rank = _apply_text(ids, words)
    total = db.session.scalar(select(func.count()).select_from(ids.subquery())) or 0

    statement = select(Contribution, support_count_column()).where(*conditions)
    if words:
        statement, rank = _apply_text(statement, words)
    order = [rank] if rank is not None else []
    statement = (
        statement.options(selectinload(Contribution.workshop))
        .order_by(*order, Contribution.created_at.desc(), Contribution.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    )
    rows = db.session.execute(statement).all()
    return Page(rows=list(rows), total=total, page=page, per_page=per_page)


def _conditions(campaign: Campaign, filters: Filters) -> list:
    conditions = [
        Contribution.campaign_id == campaign.id,
        Contribution.status == ContributionStatus.PUBLISHED,
    ]
    if filters.workshop_id:
        conditions.append(Contribution.workshop_id == filters.workshop_id)
    if filters.engagement_id:
        conditions.append(Contribution.engagement_id == filters.engagement_id)
    if filters.collectivite:
        conditions.append(func.lower(Contribution.collectivite) == filters.collectivite.lower())
    if filters.since:
        conditions.append(Contribution.created_at >= _day_start(filters.since, campaign.timezone))
    if filters.until:
        conditions.append(Contribution.created_at < _day_start(
            filters.until + timedelta(days=1), campaign.timezone))
    return conditions


def search_after(campaign: Campaign, filters: Filters, *, viewer: User,
                 before_id: int | None = None, limit: int = 50) -> tuple[list, int | None]:
    """Keyset pages for the API: matching published contributions, newest id first, below
    ``before_id``; returns the (Contribution, supports) rows and the next cursor id."""
    require_campaign_member(viewer, campaign)
    conditions = _conditions(campaign, filters)
    if before_id is not None:
        conditions.append(Contribution.id < before_id)
    statement = select(Contribution, support_count_column()).where(*conditions)
    words = terms(filters.query)
    if words:
        statement, _rank = _apply_text(statement, words)
    rows = db.session.execute(
        statement.options(selectinload(Contribution.workshop), selectinload(Contribution.author),
                          selectinload(Contribution.engagement))
        .order_by(Contribution.id.desc()).limit(limit + 1)
    ).all()
    more = len(rows) > limit
    rows = list(rows[:limit])
    return rows, (rows[-1][0].id if more else None)


def collectivites(campaign: Campaign) -> list[str]:
    """The authors' collectivités in the campaign, for the filter list."""
    return list(db.session.scalars(
        select(Contribution.collectivite).distinct()
        .where(Contribution.campaign_id == campaign.id,
               Contribution.status == ContributionStatus.PUBLISHED,
               Contribution.collectivite.is_not(None))
        .order_by(Contribution.collectivite)
    ))
