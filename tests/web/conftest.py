"""Web-test helpers.

The shared ``app`` fixture keeps one app context pushed for the whole test, and Flask
reuses a pushed app context for test-client requests, so ``g`` (Flask-WTF's CSRF token,
Flask-Login's user) would leak from one request to the next. In production every request
gets a fresh ``g``; this client restores that.
"""

from __future__ import annotations

import pytest
from flask import g
from flask.testing import FlaskClient


class FreshGlobalsClient(FlaskClient):
    def open(self, *args, **kwargs):
        g.__dict__.clear()
        try:
            return super().open(*args, **kwargs)
        finally:
            g.__dict__.clear()


@pytest.fixture(autouse=True)
def _fresh_request_globals(app):
    app.test_client_class = FreshGlobalsClient
    return
