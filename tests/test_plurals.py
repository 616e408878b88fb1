"""Counts on screen agree in number ("1 thème", "2 thèmes", never "1 thèmes" or
"thème(s)"), and pages carry no English leftover from the internal names.

The first tests read the sources (every gettext message and template); the last one renders
the main pages of a seeded campaign.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

REPO = Path(__file__).resolve().parents[1]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None,
            "N_": None}
# "%(n)d thèmes" in a plain gettext message: the count and a plural noun after it.
COUNT_NOUN = re.compile(r"%\((\w+)\)d\s+(?:de\s+|d’|d')?([a-zàâçéèêëîïôûùüÿœ]+[sx])\b")
# A limit, an identifier or a position is not a count of things shown.
NOT_COUNTS = re.compile(r"au (?:plus|moins|minimum|maximum)|n° %|sur %\(|version %\(|"
                        r"dépasse %\(|[Ee]ntre \S+ et %\(|valable %\(")
# Template expressions that print a number straight before a plural noun.
NOUNS = ("soutiens", "thèmes", "contributions", "élus", "collectivités", "abstentions",
         "votes", "commentaires", "propositions", "membres", "ateliers", "idées", "comptes",
         "lignes", "amendements", "signalements")
TEMPLATE_COUNT = re.compile(r"\}\}\s*(?:" + "|".join(NOUNS) + r")\b")
# Words of the code's internal vocabulary that must not reach a French page.
ENGLISH_LEFTOVERS = ("collect", "synthesis", "plenary", "closed", "withdrawn", "published",
                     "hidden", "rejected", "pending", "accepted", "queued", "running",
                     "failed", "draft", "adopted", "Close")


def _messages():
    for folder, pattern in (("motion", "**.py"), ("templates", "**.html")):
        method = "python" if pattern.endswith(".py") else "jinja2"
        for filename, line, message, _comments, _ctx in extract_from_dir(
            REPO / folder, method_map=[(pattern, method)], keywords=KEYWORDS,
        ):
            yield f"{folder}/{filename}:{line}", message


def test_no_count_is_shown_without_ngettext():
    offenders = []
    for where, message in _messages():
        if isinstance(message, tuple):  # ngettext: singular and plural forms
            continue
        if NOT_COUNTS.search(message):
            continue
        match = COUNT_NOUN.search(message)
        if match:
            offenders.append(f"{where}: {message!r}")
    assert not offenders, "use ngettext for these counts:\n" + "\n".join(offenders)


def test_no_plural_written_with_parentheses():
    offenders = [f"{where}: {message!r}" for where, message in _messages()
                 if not isinstance(message, tuple) and re.search(r"\w\(s\)", message)]
    assert not offenders, "say it with ngettext, not (s):\n" + "\n".join(offenders)


def test_templates_print_no_bare_number_before_a_noun():
    offenders = []
    for path in sorted((REPO / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if TEMPLATE_COUNT.search(line):
                offenders.append(f"{path.relative_to(REPO)}:{number}: {line.strip()[:120]}")
    assert not offenders, "use ngettext for these counts:\n" + "\n".join(offenders)


def test_the_checks_catch_what_they_are_meant_to_catch():
    assert COUNT_NOUN.search("Dernier calcul : %(n)d contributions, %(k)d thèmes")
    assert COUNT_NOUN.search("Issue de %(c)d contributions de %(e)d élus")
    assert not COUNT_NOUN.search("Page %(page)d sur %(pages)d")
    assert NOT_COUNTS.search("%(n)d caractères au plus")
    assert TEMPLATE_COUNT.search("<span>{{ n }} soutiens</span>")
    assert not TEMPLATE_COUNT.search("{{ ngettext('%(num)d soutien', '%(num)d soutiens', n) }}")


@pytest.fixture
def seeded_pages(db, make_user, make_campaign, make_workshop, make_contribution, login):
    """A campaign in its collect phase with a few contributions, and a facilitator."""
    elu = make_user()
    workshop = make_workshop(members=[elu])
    for _i in range(3):
        make_contribution(author=elu, workshop=workshop)
    facilitator = make_user(role="admin")
    login(facilitator)
    db.session.commit()
    slug = workshop.campaign.slug
    return [
        "/", f"/campagnes/{slug}/", f"/campagnes/{slug}/ateliers/",
        f"/campagnes/{slug}/ateliers/{workshop.slug}", f"/campagnes/{slug}/contributions/",
        f"/campagnes/{slug}/themes", f"/campagnes/{slug}/exports", "/admin/",
        f"/admin/campagnes/{slug}", "/admin/utilisateurs", "/archives",
    ]


def _visible_text(html: str) -> str:
    body = html.split("<main", 1)[-1].split("</main>", 1)[0]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)  # attributes (ids, classes, values) are not read
    return body


def test_pages_carry_no_english_leftover(client, seeded_pages):
    offenders = []
    for path in seeded_pages:
        response = client.get(path)
        assert response.status_code == 200, path
        text = _visible_text(response.get_data(as_text=True))
        for word in ENGLISH_LEFTOVERS:
            if re.search(rf"(?<![\w-]){word}(?![\w-])", text):
                offenders.append(f"{path}: {word}")
        singular = re.search(r"(?<![\d,.])\b1 (?:" + "|".join(NOUNS) + r")\b", text)
        if singular:
            offenders.append(f"{path}: {singular.group(0)}")
    assert not offenders, offenders


def test_every_ngettext_message_has_its_french_plural_forms():
    """French is the source language, but its plural rule (0 and 1 singular) only applies
    through the fr catalogue: an ngettext message missing there reads "0 soutiens"."""
    from babel.messages.pofile import read_po

    with (REPO / "motion" / "translations" / "fr" / "LC_MESSAGES" / "messages.po").open(
            "rb") as f:
        catalogue = read_po(f)
    assert catalogue.plural_expr == "(n > 1)"
    listed = {m.id[0] for m in catalogue if isinstance(m.id, tuple) and all(m.string)}
    missing = sorted({m[0] for _where, m in _messages() if isinstance(m, tuple)} - listed)
    assert not missing, (
        "add to motion/translations/fr/LC_MESSAGES/messages.po (msgstr[0] = the singular, "
        f"msgstr[1] = the plural) and run pybabel compile: {missing[:5]}")


def test_zero_and_one_are_singular_in_french(app):
    from flask_babel import force_locale, ngettext

    with app.test_request_context(), force_locale("fr"):
        assert ngettext("%(num)d soutien", "%(num)d soutiens", 0) == "0 soutien"
        assert ngettext("%(num)d soutien", "%(num)d soutiens", 1) == "1 soutien"
        assert ngettext("%(num)d soutien", "%(num)d soutiens", 2) == "2 soutiens"
    with app.test_request_context(), force_locale("en"):
        assert ngettext("%(num)d soutien", "%(num)d soutiens", 0) == "0 supports"
