"""Fetch one row by the id a request gave, refusing a row that belongs elsewhere."""

from __future__ import annotations

from typing import TypeVar

from motion.errors import MotionError, NotFound
from motion.extensions import db

T = TypeVar("T")


def get_owned(model: type[T], row_id: int, message: str, *,
              error: type[MotionError] = NotFound, **owner: int) -> T:
    """The ``model`` row ``row_id`` if its ``owner`` columns hold the given values
    (``campaign_id=campaign.id``…): an id from a URL never reaches another campaign's rows.
    Otherwise raise ``error(message)``."""
    row = db.session.get(model, row_id)
    if row is None or any(getattr(row, column) != value for column, value in owner.items()):
        raise error(message)
    return row
