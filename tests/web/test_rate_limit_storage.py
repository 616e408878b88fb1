"""Rate limits shared by several workers through Redis (MOTION_RATELIMIT_STORAGE_URI)."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from motion.models import Contribution
from tests.conftest import PASSWORD, REDIS_URL, csrf_token


def test_two_workers_share_the_posting_limit_through_redis(app, db, redis_client, monkeypatch,
                                                           make_user, make_workshop, dev_rows):
    from motion import create_app
    from tests.conftest import RequestScopedClient

    elu = make_user()
    workshop = make_workshop(members=[elu])
    url = f"/campagnes/{workshop.campaign.slug}/ateliers/{workshop.slug}"
    # User ids restart with every test database: forget this id's earlier counters.
    for key in redis_client.scan_iter(match=f"LIMITS*/user:{elu.id}/*"):
        redis_client.delete(key)
    monkeypatch.setenv("MOTION_RATELIMIT_STORAGE_URI", REDIS_URL)
    monkeypatch.setenv("MOTION_RATELIMIT_POSTING", "2 per minute")
    config = {"TESTING": True, "SECRET_KEY": app.config["SECRET_KEY"],
              "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
              # Own counters: the SQLite and PostgreSQL halves may run at the same time.
              "RATELIMIT_KEY_PREFIX": f"motion-test-{uuid.uuid4().hex}"}
    codes = []
    for i in range(3):  # each request served by a fresh "worker" (its own app)
        worker = create_app(config)
        assert worker.config["RATELIMIT_STORAGE_URI"] == REDIS_URL
        worker.test_client_class = RequestScopedClient
        with worker.app_context():
            client = worker.test_client()
            token = csrf_token(client)
            client.post("/compte/connexion",
                        data={"email": elu.email, "password": PASSWORD, "csrf_token": token})
            token = csrf_token(client, url)
            codes.append(client.post(f"{url}/contributions", data={
                "text": dev_rows[130 + i]["text"], "csrf_token": token}).status_code)
    assert codes == [302, 302, 429]
    assert db.session.scalar(select(func.count(Contribution.id))) == 2
