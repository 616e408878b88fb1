"""Every route of the URL map, called by every kind of visitor, against tests/web/policy.py.

Visitors: anonymous, élu of campaign A, élu of campaign B, facilitator of A, facilitator of
B, administrator (who takes part in no campaign); each call uses a fresh server-side
session. Every route is called on campaign A's objects; routes that take object ids are
also called by the administrator with A's slug and B's objects, which must be refused.
A route without a row in the policy table fails the test, and so does any 500.

One seeded database per module (two small campaigns), GETs before POSTs so that what
the POSTs change cannot hide a refusal from a GET. CSRF is off here (it is tested in
tests/web/test_auth.py): the matrix is about who may do what.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace

import pytest
from flask.testing import FlaskClient

from tests.conftest import PASSWORD, RequestScopedClient, _empty_all_tables, _test_config
from tests.web import policy
from tests.web.policy import ROLES

# Form fields sent with every POST, so that a permitted action gets past its form checks.
FORM = {
    "reason": "Vérification des droits d'accès",
    "text": "Former les agents d'accueil des mairies à l'accompagnement numérique des "
            "habitants, avec un référent par intercommunalité.",
    "texte": "Former les agents d'accueil au numérique.",
    "justification": "Préciser la proposition.",
    "choice": "for",
}


class _RecordedJobs:
    """Jobs are recorded by the views but not run: the matrix is about access."""

    def submit(self, app, kind, record_id):  # noqa: ARG002
        return None


@dataclass
class Campaign:
    slug: str
    ids: dict[str, int]
    users: dict[str, int]


def _seed_campaign(letter: str, admin_id: int) -> Campaign:
    from motion.extensions import db
    from motion.models import (
        ClusterAssignment,
        ClusteringRun,
        ClusterOperation,
        ExportJob,
        ImportJob,
        PhaseKind,
    )
    from motion.models._types import utcnow
    from motion.models.clustering import Cluster
    from motion.services import (
        accounts,
        amendments,
        campaigns,
        comments,
        contributions,
        frameworks,
        invitations,
        moderation,
        motions,
        votes,
    )

    campaign = campaigns.create_campaign(f"matrice-{letter}", f"Campagne {letter.upper()}",
                                         framework=frameworks.ensure_default_framework())
    workshop = campaigns.get_or_create_workshop(campaign, f"Atelier {letter.upper()}")
    users = {}
    for key, role in (("elu", "elu"), ("facilitator", "facilitator"), ("author", "elu")):
        user = accounts.create_user(f"{key}.{letter}@matrice.fr", display_name=f"{key} {letter}",
                                    role=role, password=PASSWORD, collectivite="Brest")
        campaigns.add_member(user, workshop)
        users[key] = user
    author = users["author"]
    idea = contributions.post_contribution(
        author, workshop, "Raccorder chaque école au très haut débit avant la fin du mandat.")
    comment = comments.post_comment(author, idea, "Et les médiathèques aussi.")
    moderation.report(users["elu"], idea, "Vérification")
    now = utcnow()  # the synthesis phase: amendments and votes are open, posting is over
    campaigns.set_phases(campaign, {PhaseKind.COLLECT: now - timedelta(days=10),
                                    PhaseKind.SYNTHESIS: now - timedelta(days=1),
                                    PhaseKind.PLENARY: now + timedelta(days=30)})
    motion = motions.create_motion(campaign)
    proposition = motions.create_proposition(
        motion, motion.sections[0], title="Très haut débit",
        text="Raccorder chaque école au très haut débit.", contributions=[idea])
    amendment = amendments.propose(proposition, author, text="Raccorder chaque école et "
                                   "chaque médiathèque.", justification="Plus complet.")
    run = ClusteringRun(campaign_id=campaign.id)
    db.session.add(run)
    db.session.flush()
    cluster = Cluster(campaign_id=campaign.id, stable_id=1, name="Très haut débit",
                      size=1, created_run_id=run.id, updated_run_id=run.id)
    db.session.add(cluster)
    db.session.flush()
    db.session.add(ClusterAssignment(campaign_id=campaign.id, contribution_id=idea.id,
                                     cluster_id=cluster.id, run_id=run.id))
    operation = ClusterOperation(campaign_id=campaign.id, kind="rename", cluster_id=cluster.id,
                                 actor_id=users["facilitator"].id)
    export = ExportJob(campaign_id=campaign.id, kind="motion", format="odt")
    import_job = ImportJob(campaign_id=campaign.id, filename="x.csv", original_name="x.csv")
    db.session.add_all([operation, export, import_job])
    session = votes.open_vote(proposition, actor=None)
    from motion.services import addressees

    addressees.ensure_defaults(campaign)
    addressee = addressees.addressees(campaign)[0]
    addressees.confirm(proposition, [addressee.id])
    token = []
    invitee = accounts.create_user(f"invite.{letter}@matrice.fr", display_name="Invité")
    invitations.invite(invitee, token.append)
    db.session.flush()
    from motion.services import api_tokens

    api_token, _secret = api_tokens.create_token(users["elu"], "Matrice", "read", 30)
    bystander = accounts.create_user(f"tiers.{letter}@matrice.fr", display_name="Tiers")
    db.session.flush()
    return Campaign(
        slug=campaign.slug,
        ids={
            "workshop_id": workshop.id, "contribution_id": idea.id, "comment_id": comment.id,
            "item_id": idea.id, "proposition_id": proposition.id,
            "amendment_id": amendment.id, "cluster_id": cluster.id, "theme_id": cluster.id,
            "run_id": run.id, "operation_id": operation.id, "job_id": export.id,
            "import_job_id": import_job.id, "session_id": session.id,
            "token_id": api_token.id, "user_id": bystander.id, "addressee_id": addressee.id,
        },
        users={"elu": users["elu"].id, "facilitator": users["facilitator"].id,
               "admin": admin_id, "invitation": token[0]},
    )


@pytest.fixture(scope="module")
def matrix(migrated):
    from motion import create_app, jobs
    from motion.extensions import db
    from motion.services import accounts

    jobs.BACKENDS["recorded"] = _RecordedJobs
    app = create_app({**_test_config(migrated), "WTF_CSRF_ENABLED": False,
                      "JOB_BACKEND": "recorded", "RATELIMIT_ENABLED": False})
    app.test_client_class = RequestScopedClient  # one app context (hence ``g``) per request
    with app.app_context():
        admin = accounts.create_user("admin@matrice.fr", display_name="Admin", role="admin",
                                     password=PASSWORD)
        db.session.flush()
        seeded = {letter: _seed_campaign(letter, admin.id) for letter in "ab"}
        db.session.commit()
        yield SimpleNamespace(app=app, a=seeded["a"], b=seeded["b"])
        db.session.remove()
        _empty_all_tables(db)
        db.engine.dispose()
    del jobs.BACKENDS["recorded"]


def _user_id(matrix, role: str) -> int | None:
    if role == "anonymous":
        return None
    kind, letter = role.rsplit("_", 1) if role != "admin" else ("admin", "a")
    return getattr(matrix, letter).users[kind]


def _client(matrix, role: str) -> FlaskClient:
    """A client with a fresh server-side session of ``role`` (no password hashing)."""
    from motion.extensions import db
    from motion.models import User
    from motion.services import accounts

    app = matrix.app
    client = app.test_client()
    user_id = _user_id(matrix, role)
    if user_id is not None:
        with app.app_context():
            token = accounts.start_session(db.session.get(User, user_id))
            db.session.commit()
        with client.session_transaction() as session:
            session["_user_id"] = token
            session["_fresh"] = True
    return client


def _values(rule, matrix, objects) -> dict:
    values = {}
    overrides = policy.ENDPOINT_ARGUMENTS.get(rule.endpoint, {})
    for name in rule.arguments:
        if name in overrides:
            values[name] = overrides[name]
        elif name == "campaign_slug":
            values[name] = matrix.a.slug
        elif name == "workshop_slug":
            values[name] = f"atelier-{matrix.a.slug[-1]}"
        elif name == "job_id" and rule.endpoint in policy.IMPORT_JOB_ENDPOINTS:
            values[name] = objects.ids["import_job_id"]
        elif name == "token":
            values[name] = matrix.a.users["invitation"]
        elif name in objects.ids:
            values[name] = objects.ids[name]
        elif name in policy.FIXED_ARGUMENTS:
            values[name] = policy.FIXED_ARGUMENTS[name]
        else:
            pytest.fail(f"{rule.endpoint}: no value for the URL argument <{name}>; "
                        "add it to the seed or to policy.FIXED_ARGUMENTS")
    return values


def _outcome(response) -> str:
    status = response.status_code
    if status >= 500:
        return f"error {status}"
    if status == 401 or (status in (301, 302, 303) and "/compte/connexion" in
                         response.headers.get("Location", "")):
        return policy.LOGIN
    return {403: policy.DENIED, 404: policy.MISSING}.get(status, policy.OK)


def _calls(app):
    rules = [r for r in app.url_map.iter_rules() if r.endpoint != "static"]
    for method in ("GET", "POST"):
        for rule in sorted(rules, key=lambda r: r.rule):
            if method in rule.methods:
                yield method, rule


def _call(client, method, url):
    if method == "GET":
        return client.get(url)
    return client.post(url, data=FORM)


def test_every_route_has_a_policy_row(matrix):
    calls = {(m, r.endpoint) for m, r in _calls(matrix.app)}
    missing = sorted(calls - set(policy.POLICY))
    stale = sorted(set(policy.POLICY) - calls)
    assert not missing, f"routes without a row in tests/web/policy.py: {missing}"
    assert not stale, f"rows of tests/web/policy.py for routes that no longer exist: {stale}"


@pytest.mark.slow
def test_every_route_answers_each_visitor_as_the_policy_says(matrix):
    adapter = matrix.app.url_map.bind("localhost")
    clients = {role: _client(matrix, role) for role in ROLES}
    admin_cross = _client(matrix, "admin")
    wrong, cross_wrong = [], []
    for method, rule in _calls(matrix.app):
        row = policy.POLICY.get((method, rule.endpoint))
        if row is None:
            continue  # reported by test_every_route_has_a_policy_row
        url = adapter.build(rule.endpoint, _values(rule, matrix, matrix.a), method=method)
        for role in ROLES:
            got = _outcome(_call(clients[role], method, url))
            if got != row.expected[role]:
                wrong.append(f"{method} {url} as {role}: {got}, policy says "
                             f"{row.expected[role]}")
        if rule.endpoint in policy.ENDS_SESSIONS:  # the visitors sign in again
            clients = {role: _client(matrix, role) for role in ROLES}
            admin_cross = _client(matrix, "admin")
        if policy.crosses_campaigns(rule):
            other = adapter.build(rule.endpoint, _values(rule, matrix, matrix.b), method=method)
            status = _call(admin_cross, method, other).status_code
            if status not in row.cross:
                cross_wrong.append(f"{method} {other} (campaign A, objects of B) as admin: "
                                   f"{status}, policy allows {sorted(row.cross)}")
    assert not wrong, "\n".join(wrong)
    assert not cross_wrong, "\n".join(cross_wrong)
