"""Fixtures for the JSON API: a seeded campaign, tokens and an authenticated client."""

from __future__ import annotations

from dataclasses import dataclass

import pytest


@dataclass
class Seeded:
    campaign: object
    workshop: object
    elu: object
    facilitator: object
    outsider: object
    contributions: list


@pytest.fixture
def make_token(db):
    from motion.services import api_tokens

    def make(user, scope: str = "write", days: int = 30) -> str:
        _token, secret = api_tokens.create_token(user, f"test {scope}", scope, days)
        db.session.commit()
        return secret

    return make


@pytest.fixture
def seeded(db, make_user, make_campaign, make_workshop, dev_rows) -> Seeded:
    """A campaign with 60 real contributions (Grand Débat answers) in two workshops."""
    from motion.services import contributions

    campaign = make_campaign("congres-api")
    elu = make_user(role="elu")
    facilitator = make_user(role="facilitator")
    outsider = make_user(role="elu")
    first = make_workshop("Inclusion numérique", campaign=campaign, members=[elu, facilitator])
    second = make_workshop("Démocratie locale", campaign=campaign, members=[elu])
    make_workshop("Autre congrès", members=[outsider])  # another campaign
    posted = []
    for i, row in enumerate(dev_rows[:60]):
        posted.append(contributions.post_contribution(
            elu, first if i % 2 else second, row["text"]))
    db.session.commit()
    return Seeded(campaign, first, elu, facilitator, outsider, posted)


@pytest.fixture
def seeded_motion(db, seeded) -> Seeded:
    """The seeded campaign clustered with the real model, and a draft motion of 3 themes."""
    from motion.services.demo_motion import create_demo_motion

    create_demo_motion(seeded.campaign, actor=seeded.facilitator, n_propositions=3)
    db.session.commit()
    return seeded


@pytest.fixture
def api_get(client):
    def get(path: str, token: str | None = None, **kwargs):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return client.get(path, headers=headers, **kwargs)

    return get
