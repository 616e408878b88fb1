"""The accessibility statement, the legal pages (texts an administrator edits) and the
compression of responses."""

from __future__ import annotations

import gzip

from motion import accessibility
from tests.conftest import csrf_token

LEGAL_PAGES = ["/accessibilite", "/mentions-legales", "/donnees-personnelles", "/contact"]


def test_every_page_links_the_legal_pages_in_its_footer(client):
    for path in ["/", *LEGAL_PAGES]:
        response = client.get(path)
        assert response.status_code == 200, path
        footer = response.get_data(as_text=True).split('<footer class="site-footer">')[1]
        for link in LEGAL_PAGES:
            assert f'href="{link}"' in footer, (path, link)


def test_the_statement_says_what_the_suite_checks_and_is_not_compliant_without_audit(client):
    html = client.get("/accessibilite").get_data(as_text=True)
    for heading in ["État de conformité", "Contenus non accessibles",
                    "Dérogations pour charge disproportionnée",
                    "Établissement de cette déclaration", "Retour d’information et contact",
                    "Voies de recours"]:
        assert heading in html
    assert "Défenseur des droits" in html
    rate = accessibility.respected_count() / accessibility.RGAA_CRITERIA
    assert rate < 0.5  # no audit yet: most criteria are not evaluated
    assert "motion est non conforme" in html
    assert f"vérifient {len(accessibility.CHECKS)} critères sur les 106" in html
    assert "Accessibilité : non conforme" in html


def test_each_respected_criterion_is_the_marker_of_a_browser_test():
    """The statement's criteria are those the browser suite's ``rgaa`` markers name."""
    import ast
    from pathlib import Path

    suite = ast.parse((Path(__file__).parents[1] / "e2e"
                       / "test_accessibility_in_browser.py").read_text())
    marked = {}
    for node in suite.body:
        for decorator in getattr(node, "decorator_list", []):
            if isinstance(decorator, ast.Call) and ast.unparse(decorator.func) == \
                    "pytest.mark.rgaa":
                marked[node.name] = tuple(arg.value for arg in decorator.args)
    assert marked == accessibility.PROOFS
    assert {c.criterion for c in accessibility.CHECKS} == {
        c for criteria in marked.values() for c in criteria}
    assert all(c.tests for c in accessibility.CHECKS)
    assert accessibility.METHODS.keys() == accessibility.PROOFS.keys()


def test_the_statement_says_in_french_how_each_criterion_is_checked(client):
    """Readers see how a criterion is checked, in words; the names of the tests stay in
    motion/accessibility.py for developers."""
    html = client.get("/accessibilite").get_data(as_text=True)
    assert "test_" not in html
    for method in accessibility.METHODS.values():
        assert str(method) in html
    criterion = next(c for c in accessibility.CHECKS if c.criterion == "10.11")
    assert [str(m) for m in criterion.methods] == [
        str(accessibility.METHODS[test]) for test in criterion.tests]


def test_an_administrator_edits_the_personal_data_page(client, make_user, login):
    admin = make_user(role="admin")
    elu = make_user()
    login(elu)
    assert client.get("/admin/textes").status_code == 403
    client.post("/compte/deconnexion", data={"csrf_token": csrf_token(client, "/")})
    login(admin)
    page = client.get("/admin/textes").get_data(as_text=True)
    assert "Durée de conservation" in page
    assert "Finalités" in page

    too_long = client.post("/admin/textes", data={
        "csrf_token": csrf_token(client, "/admin/textes"), "data_retention": "x" * 20_001})
    html = too_long.get_data(as_text=True)
    assert too_long.status_code == 400
    assert "<title>Erreur : " in html
    assert 'aria-invalid="true"' in html
    assert "Durée de conservation : Le texte est trop long" in html

    saved = client.post("/admin/textes", data={
        "csrf_token": csrf_token(client, "/admin/textes"),
        "data_retention": "Trois ans après la fin du Congrès."})
    assert saved.status_code == 302
    assert "Trois ans après la fin du Congrès." in client.get(
        "/donnees-personnelles").get_data(as_text=True)
    # Emptied: the default text comes back.
    client.post("/admin/textes", data={"csrf_token": csrf_token(client, "/admin/textes"),
                                       "data_retention": ""})
    assert "Trois ans après" not in client.get("/donnees-personnelles").get_data(as_text=True)


def test_pages_are_compressed_except_for_cross_site_requests(client):
    response = client.get("/accessibilite", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert "Déclaration d’accessibilité" in gzip.decompress(response.get_data()).decode()
    cross = client.get("/accessibilite", headers={"Accept-Encoding": "gzip",
                                                   "Sec-Fetch-Site": "cross-site"})
    assert "Content-Encoding" not in cross.headers
    assert "Déclaration d’accessibilité" in cross.get_data(as_text=True)
