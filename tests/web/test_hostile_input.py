"""Hostile or heavy input: a French 400/404, never a 500, nothing half-saved.

Regression tests for the 29 malformed requests of the security review (NUL bytes, ids
≥ 2⁶³, year-1 dates, oversized CSV cells, zero-width "ideas"), then a property-based test
(hypothesis) that drives the forms, query parameters, CSV imports and the framework loader
with arbitrary Unicode, huge integers and oversized inputs.
"""

from __future__ import annotations

import csv
import io
import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from motion.errors import InvalidInput, MotionError
from motion.models import Comment, Contribution, Report, User
from tests.conftest import csrf_token

HUGE = str(2**63)
BEYOND_INT4 = str(2**31)  # the primary keys are INTEGER on PostgreSQL
ZERO_WIDTH = "\u200b" * 30


@pytest.fixture
def site(db, make_user, make_workshop, make_contribution):
    """A campaign with a workshop, an élu member and one published idea."""
    elu = make_user()
    workshop = make_workshop(members=[elu])
    idea = make_contribution(workshop=workshop)
    return workshop.campaign, workshop, elu, idea


@pytest.fixture
def signed_in(client, login, site):
    login(site[2])
    return client


def _count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def _french(response) -> str:
    body = response.get_data(as_text=True)
    assert "Traceback" not in body
    return body


@pytest.mark.parametrize("path", [
    "/campagnes/{c}/contributions/{huge}",
    "/campagnes/{c}/contributions/{int4}",
    "/campagnes/{c}/contributions/{huge}/modifier",
    "/campagnes/{c}/motion/propositions/{huge}",
    "/campagnes/{c}/themes/{huge}",
    "/campagnes/{c}/contributions/-1",
    "/campagnes/{c}/contributions/0",
    "/campagnes/{c}/contributions/٣",
])
def test_ids_that_cannot_exist_are_a_french_404(signed_in, site, path):
    response = signed_in.get(path.format(c=site[0].slug, huge=HUGE, int4=BEYOND_INT4))
    assert response.status_code == 404
    assert "Page introuvable" in _french(response)


def test_a_huge_vote_id_is_a_json_404(signed_in):
    response = signed_in.post(f"/api/votes/{HUGE}", json={"choice": "for"},
                              headers={"X-CSRFToken": csrf_token(signed_in, "/")})
    assert response.status_code == 404
    assert response.get_json()["error"]["status"] == 404


@pytest.mark.parametrize(("query", "status"), [
    ({"atelier": HUGE}, 400), ({"engagement": HUGE}, 400), ({"atelier": "abc"}, 400),
    ({"atelier": BEYOND_INT4}, 400),
    ({"page": "99999999999999999999"}, 404), ({"page": "0"}, 404), ({"page": "-3"}, 404),
    ({"du": "0001-01-01"}, 400), ({"au": "9999-12-31"}, 400), ({"du": "31/12/2026"}, 400),
    ({"q": "impôts\x00"}, 400), ({"collectivite": "Brest\x07"}, 400),
])
def test_bad_query_parameters_are_refused_in_french(signed_in, site, query, status):
    response = signed_in.get(f"/campagnes/{site[0].slug}/contributions/", query_string=query)
    assert response.status_code == status
    assert "<html" in _french(response)


def test_a_page_beyond_the_workshop_is_a_404(signed_in, site):
    campaign, workshop = site[0], site[1]
    response = signed_in.get(f"/campagnes/{campaign.slug}/ateliers/{workshop.slug}",
                             query_string={"page": HUGE})
    assert response.status_code == 404


@pytest.mark.parametrize("slug", ["demo%00", "a%00b", "%00"])
def test_a_slug_with_a_nul_byte_is_a_404(signed_in, site, slug):
    assert signed_in.get(f"/campagnes/{slug}/contributions/").status_code == 404
    workshop_url = f"/campagnes/{site[0].slug}/ateliers/{slug}"
    assert signed_in.get(workshop_url).status_code == 404


def test_nul_in_a_text_comment_reason_or_parent_id_is_a_400_and_nothing_is_saved(
        db, signed_in, site, dev_rows):
    campaign, workshop, _elu, idea = site
    token = csrf_token(signed_in, f"/campagnes/{campaign.slug}/ateliers/{workshop.slug}")
    base = f"/campagnes/{campaign.slug}/contributions/{idea.id}"
    posted = signed_in.post(f"/campagnes/{campaign.slug}/ateliers/{workshop.slug}/contributions",
                            data={"text": dev_rows[5]["text"] + "\x00", "csrf_token": token})
    comment = signed_in.post(f"{base}/commentaires",
                             data={"text": "D'accord\x00", "csrf_token": token})
    reason = signed_in.post(f"{base}/signaler", data={"reason": "Spam\x00", "csrf_token": token})
    parent = signed_in.post(f"{base}/commentaires", data={"text": "Réponse", "parent_id": HUGE,
                                                          "csrf_token": token})
    for response in (posted, comment, reason, parent):
        assert response.status_code == 400, response.request.path
        assert "caractères de contrôle" in _french(response) or "invalide" in _french(response)
    assert _count(db, Contribution) == 1
    assert _count(db, Comment) == _count(db, Report) == 0


def test_thirty_zero_width_spaces_are_not_an_idea(db, signed_in, site):
    campaign, workshop = site[0], site[1]
    token = csrf_token(signed_in, f"/campagnes/{campaign.slug}/ateliers/{workshop.slug}")
    response = signed_in.post(
        f"/campagnes/{campaign.slug}/ateliers/{workshop.slug}/contributions",
        data={"text": ZERO_WIDTH, "title": ZERO_WIDTH, "csrf_token": token})
    assert response.status_code == 400
    assert "trop courte" in _french(response)
    assert _count(db, Contribution) == 1


def test_oversized_invitation_cells_are_rejected_line_by_line(db, make_campaign):
    from motion.services import invitations

    campaign = make_campaign()
    rows = [["email", "nom", "collectivité", "ateliers"],
            ["lea@ville.fr", "Léa", "Nantes", "Atelier eau"],
            ["max@ville.fr", "Max", "x" * 5000, "Atelier eau"],
            ["ana@ville.fr", "Ana", "Brest", "A" * 5000],
            ["eve@ville.fr", "Eve\x00", "Brest", "Atelier eau"],
            ["bob@ville.fr", "Bob", "Rennes", "Atelier eau"]]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    report = invitations.import_invitations(buffer.getvalue().encode(), campaign, str)
    db.session.commit()
    assert [line for line, _reason in report.rejected] == [3, 4, 5]
    assert "trop long" in report.rejected[0][1]
    assert report.created == 2
    assert sorted(db.session.scalars(select(User.email))) == ["bob@ville.fr", "lea@ville.fr"]


def test_a_nul_in_one_row_of_a_cli_import_rejects_that_row_only(db, runner, make_campaign,
                                                                 dev_rows, tmp_path):
    campaign = make_campaign()
    path = tmp_path / "rows.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "text", "collectivite", "workshop"])
        for i, row in enumerate(dev_rows[:6]):
            text = row["text"] + ("\x00" if i == 2 else "")
            collectivite = "Brest\x00" if i == 4 else "Brest"
            writer.writerow([row["id"], text, collectivite, "Atelier importé"])
    result = runner.invoke(args=["import", str(path), "--campaign", campaign.slug])
    assert result.exit_code == 0, result.output
    assert "line 4: rejected: caractères de contrôle" in result.output
    assert "line 6: rejected: caractères de contrôle" in result.output
    assert "inserted 4" in result.output
    assert _count(db, Contribution) == 4


# ---------------------------------------------------------------- property-based

TEXTS = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=60),
    st.sampled_from(["\x00", ZERO_WIDTH, "\u202e" * 40, "a" * 5000, "\ud800", "💥" * 3000]),
)
# What a browser can send: no lone surrogates (they cannot be encoded in a request).
WEB_TEXTS = TEXTS.filter(lambda s: not any("\ud800" <= c <= "\udfff" for c in s))
NUMBERS = st.one_of(st.integers(min_value=-(2**70), max_value=2**70).map(str),
                    st.text(max_size=30))
BOUNDED = settings(max_examples=25, deadline=None, derandomize=True,
                   suppress_health_check=[HealthCheck.function_scoped_fixture,
                                          HealthCheck.too_slow])


@pytest.fixture
def no_tracebacks(caplog):
    """Fail the test if the app logged an unhandled error."""
    caplog.set_level(logging.ERROR, logger="motion")
    yield
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR and r.exc_info]
    assert not errors, errors[0].getMessage()


@BOUNDED
@given(text=WEB_TEXTS, title=WEB_TEXTS, reason=WEB_TEXTS, parent=NUMBERS)
def test_forms_never_answer_500(signed_in, site, no_tracebacks, text, title, reason, parent):
    campaign, workshop, _elu, idea = site
    token = csrf_token(signed_in, f"/campagnes/{campaign.slug}/contributions/{idea.id}")
    base = f"/campagnes/{campaign.slug}"
    responses = [
        signed_in.post(f"{base}/ateliers/{workshop.slug}/contributions",
                       data={"text": text, "title": title, "csrf_token": token}),
        signed_in.post(f"{base}/contributions/{idea.id}/commentaires",
                       data={"text": text, "parent_id": parent, "csrf_token": token}),
        signed_in.post(f"{base}/contributions/{idea.id}/signaler",
                       data={"reason": reason, "csrf_token": token}),
    ]
    for response in responses:
        assert response.status_code < 500, (response.request.path, response.status_code)


@BOUNDED
@given(atelier=NUMBERS, engagement=NUMBERS, page=NUMBERS, du=WEB_TEXTS, q=WEB_TEXTS)
def test_query_parameters_never_answer_500(signed_in, site, no_tracebacks, atelier, engagement,
                                           page, du, q):
    campaign, workshop = site[0], site[1]
    search = signed_in.get(f"/campagnes/{campaign.slug}/contributions/", query_string={
        "atelier": atelier, "engagement": engagement, "page": page, "du": du, "q": q})
    listing = signed_in.get(f"/campagnes/{campaign.slug}/ateliers/{workshop.slug}",
                            query_string={"page": page})
    by_id = signed_in.get(f"/campagnes/{campaign.slug}/contributions/{page}")
    for response in (search, listing, by_id):
        assert response.status_code < 500, (response.request.url, response.status_code)


@BOUNDED
@given(cells=st.lists(st.tuples(TEXTS, TEXTS, TEXTS), min_size=1, max_size=4))
def test_csv_imports_reject_bad_rows_and_never_crash(db, make_campaign, tmp_path, cells):
    from motion.services import imports, invitations

    campaign = make_campaign()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", "text", "workshop", "collectivite"])
    writer.writerows([str(i), *row] for i, row in enumerate(cells))
    data = buffer.getvalue().encode("utf-8", "surrogatepass")
    path = tmp_path / "rows.csv"
    path.write_bytes(data)
    try:
        report = imports.import_csv(path, campaign)
        db.session.commit()
        assert report.inserted + report.skipped + report.rejected_count == len(cells)
    except InvalidInput:  # a whole-file problem (encoding), said in French
        db.session.rollback()
    people = io.StringIO()
    csv.writer(people).writerows([["email", "nom", "collectivité", "ateliers"],
                                  *[[f"p{i}@ville.fr", *row] for i, row in enumerate(cells)]])
    try:
        invitations.import_invitations(people.getvalue().encode("utf-8", "surrogatepass"),
                                       campaign, str)
        db.session.commit()
    except InvalidInput:
        db.session.rollback()


@BOUNDED
@given(name=TEXTS, code=TEXTS, title=TEXTS, description=TEXTS)
def test_the_framework_loader_explains_or_loads(db, make_campaign, tmp_path, name, code, title,
                                                description):
    import yaml

    from motion.services import frameworks

    campaign = make_campaign()
    path = tmp_path / "referentiel.yaml"
    document = {"name": name, "engagements": [
        {"code": code, "title": title, "description": description},
        {"code": "E2", "title": "Deuxième engagement", "description": "Texte."}]}
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8",
                    errors="surrogatepass")
    message = None
    try:
        frameworks.attach_framework(campaign, path)
        db.session.commit()
    except MotionError as error:  # refused with a reason, nothing half-saved
        db.session.rollback()
        message = error.message
    assert message is None or message.strip()
