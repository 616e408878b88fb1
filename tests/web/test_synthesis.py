"""The synthesis board's plain forms: every operation works without JavaScript, stale edits
get a French 409 that keeps the typed text, undo, history, run comparison and coverage."""

from __future__ import annotations

import csv
import re
from html import unescape

import pytest
from sqlalchemy import func, select

from motion.models import AuditEvent, Cluster, ClusterAssignment, ClusteringRun
from motion.services import clustering, imports
from tests.conftest import csrf_token, field_error


def _run(db, campaign):
    record = clustering.request_run(campaign)
    db.session.commit()
    assert clustering.execute_run(record.id), record.error
    db.session.expire_all()
    return db.session.get(ClusteringRun, record.id)


def _import(db, campaign, rows, path):
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "text", "workshop", "collectivite"])
        writer.writerows([r["id"], r["text"], r["theme"], f"Ville {i % 11}"]
                         for i, r in enumerate(rows))
    imports.import_csv(path, campaign)
    db.session.commit()


@pytest.fixture
def board(db, make_campaign, dev_rows, tmp_path, make_user, login):
    campaign = make_campaign("synthese")
    _import(db, campaign, dev_rows[:300], tmp_path / "a.csv")
    _run(db, campaign)
    login(make_user(role="facilitator", campaign=campaign))
    return campaign


def _clusters(db):
    db.session.expire_all()
    return db.session.scalars(select(Cluster).where(Cluster.active.is_(True))
                              .order_by(Cluster.size.desc(), Cluster.id)).all()


def _page(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return unescape(response.get_data(as_text=True))


def _stale_move_page(response, moved_id, now_in):
    """The page shown again (409, not the bare error page) after a move of chosen
    contributions refused because ``moved_id`` went to the theme ``now_in`` meanwhile:
    its alert says so and that nothing was saved. Returns its unescaped HTML."""
    assert response.status_code == 409
    html = unescape(response.get_data(as_text=True))
    assert "Conflit de modification" not in html
    assert re.search(r"<title>Erreur : ", html)
    assert re.search(
        r'class="flash flash-error" role="alert">Entre-temps, quelqu’un d’autre a déplacé '
        rf"des contributions que vous aviez choisies \(n° {moved_id}, maintenant dans "
        rf"« {re.escape(now_in.name)} »\) : rien n’a été enregistré\.", html)
    return html


def test_elus_cannot_use_the_synthesis_pages(client, login, make_user, make_campaign):
    make_campaign("synthese")
    login(make_user(role="elu"))
    for path in ("/campagnes/synthese/themes/historique", "/campagnes/synthese/couverture",
                 "/campagnes/synthese/themes/calculs/comparer"):
        assert client.get(path).status_code == 403
    token = csrf_token(client, "/")
    response = client.post("/campagnes/synthese/themes/fusionner", data={"csrf_token": token})
    assert response.status_code == 403


def test_board_cards_show_stats_and_forms(client, db, board):
    html = _page(client, "/campagnes/synthese/themes")
    big = _clusters(db)[0]
    assert f'id="theme-{big.id}"' in html
    assert f'data-version="{big.version}"' in html
    # No list of places or themes per card (they made a board of 77 themes 1 MB): a link
    # to the theme's page, whose forms move and merge.
    assert f"Renommer, déplacer ou fusionner « {big.name} »…" in html
    assert "<select" not in html.split('id="synthesis-board"')[1].split("</main>")[0]
    assert "Fusionner avec" in _page(client, f"/campagnes/synthese/themes/{big.id}")
    assert re.search(r"\d+ ateliers?\s*·\s*\d+ collectivités?", html)
    assert "js/board.js" in html
    assert "<script>" not in html  # no inline script (CSP)


def test_rename_merge_move_and_undo_by_plain_forms(client, db, board):
    first, second, third = _clusters(db)[:3]
    token = csrf_token(client, "/campagnes/synthese/themes")
    response = client.post(f"/campagnes/synthese/themes/{first.id}/renommer", data={
        "csrf_token": token, "name": "Accès aux services publics", "summary": "Un résumé.",
        "version": first.version, "reason": "plus parlant"})
    assert response.status_code == 302
    assert "Accès aux services publics" in _page(client, "/campagnes/synthese/themes")

    db.session.expire_all()
    first = db.session.get(Cluster, first.id)
    response = client.post("/campagnes/synthese/themes/fusionner", data={
        "csrf_token": token,
        "clusters": [f"{first.id}:{first.version}", f"{second.id}:{second.version}"]})
    assert response.status_code == 302
    db.session.expire_all()
    assert not db.session.get(Cluster, second.id).active
    assert db.session.get(Cluster, first.id).name == "Accès aux services publics"

    axis = board.framework.engagements[1].axes[0]
    response = client.post(f"/campagnes/synthese/themes/{third.id}/deplacer", data={
        "csrf_token": token, "target": f"a:{axis.id}", "version": third.version})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Cluster, third.id).axis_id == axis.id

    html = _page(client, "/campagnes/synthese/themes/historique")
    assert "fusionné" in html
    assert "Justification : plus parlant" in html
    merge_event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "synthesis.merge")).one()
    response = client.post(
        f"/campagnes/synthese/themes/operations/{merge_event.object_id}/annuler",
        data={"csrf_token": token})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Cluster, second.id).active
    assert "Annulé" in _page(client, "/campagnes/synthese/themes")


def test_a_stale_rename_gets_a_french_409_and_keeps_the_typed_text(client, db, board):
    cluster = _clusters(db)[0]
    token = csrf_token(client, "/campagnes/synthese/themes")
    stale = cluster.version
    client.post(f"/campagnes/synthese/themes/{cluster.id}/renommer", data={
        "csrf_token": token, "name": "Nom de la première animatrice", "version": stale})
    response = client.post(f"/campagnes/synthese/themes/{cluster.id}/renommer", data={
        "csrf_token": token, "name": "Mon nom à moi", "summary": "Mon long résumé",
        "version": stale})
    assert response.status_code == 409
    html = unescape(response.get_data(as_text=True))
    assert "Ce thème a été modifié par quelqu’un d’autre" in html
    assert 'value="Mon nom à moi"' in html
    assert "Mon long résumé" in html
    db.session.expire_all()
    assert db.session.get(Cluster, cluster.id).name == "Nom de la première animatrice"
    # An empty name: the form comes back with the error beside its field, the summary kept.
    response = client.post(f"/campagnes/synthese/themes/{cluster.id}/renommer", data={
        "csrf_token": token, "name": " ", "summary": "Gardé", "version": cluster.version})
    assert response.status_code == 400
    html = unescape(response.get_data(as_text=True))
    assert re.search(r'<p class="error" id="name-error-1">Nom du thème : ', html)
    assert re.search(r'<input[^>]*aria-describedby="name-error-1"[^>]*aria-invalid="true"',
                     html)
    assert "Gardé</textarea>" in html
    # A stale merge or move: the theme's page again, 409, the error beside the theme or
    # the place chosen (kept), the forms at the current version to try again.
    other = _clusters(db)[1]
    response = client.post("/campagnes/synthese/themes/fusionner", data={
        "csrf_token": token, "clusters": [f"{cluster.id}:{stale}", f"{other.id}:1"]})
    assert response.status_code == 409
    html = unescape(response.get_data(as_text=True))
    assert "modifié par quelqu’un d’autre" in field_error(
        html, "merge", "Fusionner avec (ce thème garde son nom)")
    assert re.search(rf'<option selected value="{other.id}:{other.version}">', html)
    assert f'name="clusters" value="{cluster.id}:{cluster.version}"' in html
    response = client.post(f"/campagnes/synthese/themes/{cluster.id}/deplacer", data={
        "csrf_token": token, "target": "out", "version": stale})
    assert response.status_code == 409
    html = unescape(response.get_data(as_text=True))
    assert "modifié par quelqu’un d’autre" in field_error(html, "target", "Déplacer vers")
    assert '<option selected value="out">' in html
    # A theme merged away meanwhile: the same, not a 404.
    db.session.expire_all()
    cluster, other, third = _clusters(db)[:3]
    assert client.post("/campagnes/synthese/themes/fusionner", data={
        "csrf_token": token, "clusters": [f"{third.id}:{third.version}",
                                          f"{other.id}:{other.version}"]}).status_code == 302
    response = client.post("/campagnes/synthese/themes/fusionner", data={
        "csrf_token": token, "clusters": [f"{cluster.id}:{cluster.version}",
                                          f"{other.id}:{other.version}"]})
    assert response.status_code == 409
    field_error(response.get_data(as_text=True), "merge",
                 "Fusionner avec (ce thème garde son nom)")


def test_a_stale_one_click_action_shows_the_page_again_with_the_reason(client, db, board):
    """Pin from a stale theme page or board card, lock or move a contribution seen where it
    no longer is: back on the page the button was on, up to date, the reason said; nothing
    changes (no dead-end 409 page)."""
    cluster = _clusters(db)[0]
    path = f"/campagnes/synthese/themes/{cluster.id}"
    token = csrf_token(client, path)
    stale = cluster.version
    assert client.post(f"{path}/epingler", data={
        "csrf_token": token, "pinned": "1", "version": stale, "next": path}).status_code == 302
    for sent_from, back in (({"next": path}, path), ({}, "/campagnes/synthese/themes")):
        response = client.post(f"{path}/epingler", data={
            "csrf_token": token, "pinned": "0", "version": stale, **sent_from})
        assert response.status_code == 302
        assert response.headers["Location"].endswith(back)
        html = _page(client, back)
        assert re.search(r'class="flash flash-error" role="alert">Ce thème a été modifié par '
                         r"quelqu’un d’autre", html)
        db.session.expire_all()
        assert db.session.get(Cluster, cluster.id).pinned
    contribution_id = int(re.search(r'id="contribution-(\d+)"', _page(client, path)).group(1))
    other = _clusters(db)[1]
    for action, data in (("verrou", {"locked": "1"}), ("theme", {"target": cluster.id})):
        response = client.post(f"/campagnes/synthese/contributions/{contribution_id}/{action}",
                               data={"csrf_token": token, "from": other.id, "next": path,
                                     **data})
        assert response.status_code == 302
        assert response.headers["Location"].endswith(path)
        assert "modifié par quelqu’un d’autre" in _page(client, path)
    assignment = db.session.scalar(select(ClusterAssignment).where(
        ClusterAssignment.contribution_id == contribution_id))
    assert (assignment.cluster_id, assignment.locked) == (cluster.id, False)


def test_bad_inputs_are_400_in_french(client, db, board):
    cluster = _clusters(db)[0]
    token = csrf_token(client, "/campagnes/synthese/themes")
    response = client.post(f"/campagnes/synthese/themes/{cluster.id}/deplacer", data={
        "csrf_token": token, "target": "a:abc", "version": cluster.version})
    assert response.status_code == 400
    assert "référentiel" in field_error(unescape(response.get_data(as_text=True)), "target",
                                         "Déplacer vers")
    response = client.post(f"/campagnes/synthese/themes/{cluster.id}/renommer", data={
        "csrf_token": token, "name": "x", "version": "deux"})
    assert response.status_code == 400
    response = client.post(f"/campagnes/synthese/themes/{cluster.id}/renommer", data={
        "name": "Sans jeton", "version": cluster.version})
    assert response.status_code == 400
    assert client.post("/campagnes/synthese/themes/999999/renommer", data={
        "csrf_token": token, "name": "x", "version": 1}).status_code == 404


def test_split_page_proposes_parts_and_confirming_creates_a_theme(client, db, board):
    cluster = _clusters(db)[0]
    html = _page(client, f"/campagnes/synthese/themes/{cluster.id}/scinder?parties=2")
    selects = dict(re.findall(r'name="part-(\d+)" value="(\d+)"', html))
    assert len(selects) == cluster.size
    # One checkbox per idea and a single target list, not one list per idea.
    assert html.count('name="deplacer"') == cluster.size
    assert html.count("<select") == 3  # number of parts, mode, target
    token = csrf_token(client, f"/campagnes/synthese/themes/{cluster.id}/scinder")
    data = {"csrf_token": token, "version": cluster.version, "parts": "2",
            "name-1": cluster.name, "name-2": "Le sous-thème"}
    members = sorted(int(i) for i in selects)
    for contribution_id in members:
        data[f"part-{contribution_id}"] = "1"
    # Tick every third idea and send them all to part 2 at once.
    data["deplacer"] = [str(c) for c in members[::3]]
    data["vers"] = "2"
    response = client.post(f"/campagnes/synthese/themes/{cluster.id}/scinder", data=data)
    assert response.status_code == 302
    new = db.session.scalars(select(Cluster).where(Cluster.name == "Le sous-thème")).one()
    assert new.size == len(members[::3])
    assert new.split_from_id == cluster.id


def test_move_lock_and_second_cluster_from_the_theme_page(client, db, board):
    big, other = _clusters(db)[:2]
    path = f"/campagnes/synthese/themes/{big.id}"
    html = _page(client, path)
    contribution_id = int(re.search(r'id="contribution-(\d+)"', html).group(1))
    token = csrf_token(client, path)
    response = client.post(f"/campagnes/synthese/contributions/{contribution_id}/second-theme",
                           data={"csrf_token": token, "cluster": other.id, "from": big.id,
                                 "next": path})
    assert response.headers["Location"].endswith(path)
    assert f"Aussi dans : {other.name}" in _page(client, path)
    response = client.post(f"/campagnes/synthese/contributions/{contribution_id}/theme",
                           data={"csrf_token": token, "target": other.id, "from": big.id})
    assert response.status_code == 302
    assignment = db.session.scalar(select(ClusterAssignment).where(
        ClusterAssignment.contribution_id == contribution_id))
    assert (assignment.cluster_id, assignment.locked) == (other.id, True)
    # The same form sent again (a stale page): refused, back on the board with the reason.
    response = client.post(f"/campagnes/synthese/contributions/{contribution_id}/theme",
                           data={"csrf_token": token, "target": "", "from": big.id})
    assert response.headers["Location"].endswith("/campagnes/synthese/themes")
    assert "modifié par quelqu’un d’autre" in _page(client, "/campagnes/synthese/themes")
    db.session.expire_all()
    assert db.session.get(ClusterAssignment, assignment.id).cluster_id == other.id
    response = client.post(f"/campagnes/synthese/contributions/{contribution_id}/verrou",
                           data={"csrf_token": token, "locked": "0", "from": other.id})
    assert response.status_code == 302
    db.session.expire_all()
    assert not db.session.get(ClusterAssignment, assignment.id).locked


def test_coverage_chart_is_server_rendered_svg(client, db, board):
    html = _page(client, "/campagnes/synthese/couverture")
    assert "<svg" in html
    assert 'role="img"' in html
    engagements = board.framework.engagements
    for engagement in engagements:
        assert f"{engagement.code} — {engagement.title}" in html
    bars = re.findall(r'<rect [^>]*width="([\d.]+)"', html)
    assert len(bars) == len(re.findall(r'<tr class="coverage-', html))
    assert max(float(w) for w in bars) == pytest.approx(480.0)
    # Every contribution is counted once among the engagements, "hors cadre", "à classer".
    counts = re.findall(
        r'<tr class="coverage-(engagement|other)[^"]*">\s*<th scope="row">.*?</th>\s*'
        r"<td>(\d+)</td>", html, re.S)
    assert sum(int(n) for _level, n in counts) == 300


def test_compare_two_runs_page(client, db, board, dev_rows, tmp_path):
    first = db.session.scalars(select(ClusteringRun)).one()
    _import(db, board, dev_rows[300:400], tmp_path / "b.csv")
    second = _run(db, board)
    html = _page(client, "/campagnes/synthese/themes/calculs/comparer")
    assert f"Du calcul n° {first.id} au calcul n° {second.id}" in html
    assert "100 nouvelles contributions" in html
    assert "Calcul de départ" in html
    assert "Voir le détail" in _page(client, "/campagnes/synthese/themes")
    response = client.get(f"/campagnes/synthese/themes/calculs/comparer?a={first.id}&b=x")
    assert response.status_code == 400


def test_unsorted_page_places_chosen_contributions_in_one_pass(client, db, board):
    big, other = _clusters(db)[:2]
    token = csrf_token(client, "/campagnes/synthese/themes/a-classer")
    # Two of the biggest theme's ideas sent "à classer" (in one pass, from its page).
    path = f"/campagnes/synthese/themes/{big.id}"
    ids = [int(i) for i in re.findall(r'id="contribution-(\d+)"', _page(client, path))][:3]
    assert client.post(f"{path}/contributions", data={
        "csrf_token": token, "next": path, f"groupe-{ids[0]}": "1", f"groupe-{ids[1]}": "1",
        f"groupe-{ids[2]}": "1", "destination_1": "a-classer"}).status_code == 302
    html = _page(client, "/campagnes/synthese/themes/a-classer")
    assert all(f'id="contribution-{i}"' in html for i in ids)
    assert 'name="destination_1"' in html
    assert "À classer</option>" not in html  # destinations are themes only
    # Placed in two themes in one submit; the page's destination without rows is ignored.
    response = client.post("/campagnes/synthese/themes/a-classer", data={
        "csrf_token": token, "next": "/campagnes/synthese/themes/a-classer", "mode": "deplacer",
        f"groupe-{ids[0]}": "1", f"groupe-{ids[1]}": "2",
        "destination_1": str(other.id), "destination_2": str(big.id)})
    assert response.status_code == 302
    db.session.expire_all()
    placed = {i: db.session.scalar(select(ClusterAssignment).where(
        ClusterAssignment.contribution_id == i)) for i in ids}
    assert [placed[i].cluster_id for i in ids] == [other.id, big.id, None]
    assert all(a.locked for a in placed.values())
    # A stale page (one is no longer "à classer"): the list again (409, not the bare error
    # page), up to date, saying where it is now; the other row's choice, the destinations
    # and the reason kept; nothing moves.
    response = client.post("/campagnes/synthese/themes/a-classer", data={
        "csrf_token": token, "next": "/campagnes/synthese/themes/a-classer",
        "mode": "deplacer", f"groupe-{ids[0]}": "1", f"groupe-{ids[2]}": "2",
        "destination_1": str(big.id), "destination_2": str(other.id), "reason": "Rangement"})
    html = _stale_move_page(response, ids[0], other)
    assert f'id="contribution-{ids[0]}"' not in html
    assert '<option value="2" selected>' in re.search(
        rf'<select id="groupe-{ids[2]}".*?</select>', html, re.S).group(0)
    assert f'<option selected value="{big.id}">' in html
    assert f'<option selected value="{other.id}">' in html
    assert re.search(r'<input[^>]*id="move-reason"[^>]*value="Rangement"', html)
    db.session.expire_all()
    assert db.session.scalar(select(ClusterAssignment.cluster_id).where(
        ClusterAssignment.contribution_id == ids[2])) is None
    # "À classer" or a new theme is not a destination from there.
    response = client.post("/campagnes/synthese/themes/a-classer", data={
        "csrf_token": token, f"groupe-{ids[0]}": "1", "destination_1": "nouveau"})
    assert response.status_code == 400


def test_every_bar_of_the_coverage_chart_is_drawn_on_one_scale(client, db, board):
    """A bar's length is proportional to its number of contributions, whatever its row:
    "à classer" with 2 contributions was drawn as long as an engagement's 659."""
    # Two contributions "à classer", fewer than any engagement holds.
    token = csrf_token(client, "/campagnes/synthese/themes")
    for contribution_id, cluster_id in db.session.execute(
            select(ClusterAssignment.contribution_id, ClusterAssignment.cluster_id)
            .where(ClusterAssignment.cluster_id.is_not(None)).limit(2)).all():
        assert client.post(f"/campagnes/synthese/contributions/{contribution_id}/theme", data={
            "csrf_token": token, "target": "", "from": cluster_id}).status_code == 302
    html = _page(client, "/campagnes/synthese/couverture")
    bars = [(float(width), int(value)) for width, value in re.findall(
        r'<rect [^>]*width="([\d.]+)"[^>]*></rect>\s*<text [^>]*class="bar-value">(\d+)</text>',
        html)]
    assert len(bars) == len(_coverage_table(html))
    assert any(value == 2 for _width, value in bars)  # "à classer"
    top = max(value for _width, value in bars)
    for width, value in bars:
        assert width == pytest.approx(480 * value / top, abs=0.1), (width, value)


def _coverage_table(html):
    """{row label: (contributions, themes)} from the coverage page's table."""
    rows = re.findall(r'<tr class="coverage-[^"]*">\s*<th scope="row">(.*?)</th>\s*'
                      r"<td>(\d+)</td><td>(\d+)</td>", html, re.S)
    return {re.sub(r"<.*", "", label).split(" — ")[0].strip(): (int(n), int(k))
            for label, n, k in rows}


def _card_sizes(html):
    """{theme id: contributions shown on its card} for the cards in ``html``."""
    return {int(i): int(n) for i, n in re.findall(
        r'id="theme-(\d+)".*?<p class="meta">\s*(\d+) contributions?', html, re.S)}


def test_after_moves_merges_and_splits_every_page_and_export_agree(client, db, board):
    """The facilitator moves, merges and splits themes, sends one contribution "à classer"
    and another theme "hors cadre": the coverage page, the board, the motion's theme list,
    the synthesis report and the open data (JSON and CSV) then give the same numbers, and
    the numbers the database holds."""
    import io
    import json
    import zipfile

    from motion.exports import builder
    from motion.models import Contribution, ContributionStatus
    from motion.services import motions

    engagements = board.framework.engagements
    first, second, third, fourth, fifth = _clusters(db)[:5]
    token = csrf_token(client, "/campagnes/synthese/themes")
    target = next(e for e in engagements if e.id != first.engagement_id)
    assert client.post(f"/campagnes/synthese/themes/{first.id}/deplacer", data={
        "csrf_token": token, "target": f"a:{target.axes[0].id}",
        "version": first.version}).status_code == 302
    assert client.post("/campagnes/synthese/themes/fusionner", data={
        "csrf_token": token, "clusters": [f"{second.id}:{second.version}",
                                          f"{third.id}:{third.version}"]}).status_code == 302
    members = sorted(db.session.scalars(select(ClusterAssignment.contribution_id)
                                        .where(ClusterAssignment.cluster_id == fourth.id)))
    form = {"csrf_token": token, "parts": "2", "version": fourth.version}
    form.update({f"part-{cid}": "1" if i % 2 else "2" for i, cid in enumerate(members)})
    assert client.post(f"/campagnes/synthese/themes/{fourth.id}/scinder",
                       data=form).status_code == 302
    assert client.post(f"/campagnes/synthese/themes/{fifth.id}/deplacer", data={
        "csrf_token": token, "target": "out", "version": fifth.version}).status_code == 302
    # One contribution goes back "à classer"; its author had chosen an engagement.
    unsorted = db.session.get(Contribution, members[1])  # part 1 stays in ``fourth``
    unsorted.engagement_id = engagements[-1].id
    db.session.commit()
    assert client.post(f"/campagnes/synthese/contributions/{unsorted.id}/theme", data={
        "csrf_token": token, "target": "", "from": fourth.id}).status_code == 302
    motions.create_motion(board)
    db.session.commit()

    # What the database holds: each active theme's published members, where it sits.
    db.session.expire_all()
    code = {e.id: e.code for e in engagements}
    truth_sizes, truth_place = {}, {}
    for cluster in _clusters(db):
        truth_sizes[cluster.id] = db.session.scalar(
            select(func.count()).select_from(ClusterAssignment)
            .join(Contribution, Contribution.id == ClusterAssignment.contribution_id)
            .where(ClusterAssignment.cluster_id == cluster.id,
                   Contribution.status == ContributionStatus.PUBLISHED))
        truth_place[cluster.id] = None if cluster.out_of_frame else code.get(
            cluster.engagement_id)
    assert truth_place[first.id] == target.code
    assert truth_place[fifth.id] is None
    # A theme spanning engagements (mapped_per_text) is shown apart on the board, and each
    # of its ideas counts where its own text maps.
    spanning = {c.id for c in _clusters(db) if c.mapped_per_text and not c.mapping_locked}
    own_places = db.session.execute(
        select(ClusterAssignment.cluster_id, ClusterAssignment.text_engagement_id,
               ClusterAssignment.text_out_of_frame)
        .join(Contribution, Contribution.id == ClusterAssignment.contribution_id)
        .where(ClusterAssignment.cluster_id.in_(spanning),
               Contribution.status == ContributionStatus.PUBLISHED)).all() if spanning else []
    own_codes = [None if out else code.get(e) for _c, e, out in own_places]
    on_board = {c: sum(n for i, n in truth_sizes.items()
                       if truth_place[i] == c and i not in spanning) for c in code.values()}
    on_board["out"] = sum(n for i, n in truth_sizes.items()
                          if truth_place[i] is None and i not in spanning)
    truth = {c: on_board[c] + own_codes.count(c) for c in code.values()}
    truth["out"] = on_board["out"] + own_codes.count(None)
    published = db.session.scalar(select(func.count()).select_from(Contribution)
                                  .where(Contribution.status == ContributionStatus.PUBLISHED))
    truth["unsorted"] = published - sum(truth_sizes.values())
    assert truth["unsorted"] >= 1
    assert truth["out"] >= 1

    # The coverage page.
    table = _coverage_table(_page(client, "/campagnes/synthese/couverture"))
    assert {c: table[c][0] for c in code.values()} == {c: truth[c] for c in code.values()}
    assert table["Hors cadre"][0] == truth["out"]
    assert table["À classer"][0] == truth["unsorted"]

    # The board: every card's size, each engagement's section, "hors cadre", "à classer".
    html = _page(client, "/campagnes/synthese/themes")
    assert _card_sizes(html) == truth_sizes
    for engagement in engagements:
        section = html.split(f'aria-labelledby="eng-{engagement.id}"')[1].split("</section>")[0]
        assert sum(_card_sizes(section).values()) == on_board[engagement.code]
    section = html.split('aria-labelledby="hors-cadre"')[1].split("</section>")[0]
    assert sum(_card_sizes(section).values()) == on_board["out"]
    if spanning:
        section = html.split('aria-labelledby="a-cheval"')[1].split("</section>")[0]
        assert set(_card_sizes(section)) == spanning
    assert re.search(rf"\b{truth['unsorted']} contributions? n'", html)

    # The motion's list of themes to draw propositions from.
    html = _page(client, "/campagnes/synthese/motion/propositions/nouvelle")
    shown = {int(i): int(n) for i, n in re.findall(
        r'value="(\d+)" id="t\d+">.*?\((\d+) contributions?\)', html)}
    assert shown == truth_sizes

    # The synthesis report.
    report = builder.build_report(board)
    assert {r.code: r.contributions for r in report.coverage} == \
        {c: truth[c] for c in code.values()}
    assert (report.n_out_of_frame, report.n_unassigned) == (truth["out"], truth["unsorted"])
    assert {c.id: c.size for c in report.clusters} == truth_sizes

    # The open data, JSON and CSV: themes' sizes and places, and every contribution sits
    # where its theme sits (or where its author put it, "à classer").
    response = client.post("/campagnes/synthese/exports", data={
        "csrf_token": token, "kind": "opendata", "format": "json"})
    data = json.loads(response.get_data())
    archive = zipfile.ZipFile(io.BytesIO(client.post("/campagnes/synthese/exports", data={
        "csrf_token": token, "kind": "opendata", "format": "csv"}).get_data()))
    rows = list(csv.DictReader(io.StringIO(archive.read("contributions.csv").decode())))
    themes = list(csv.DictReader(io.StringIO(archive.read("themes.csv").decode())))
    assert {c["id"]: c["size"] for c in data["clusters"]} == truth_sizes
    assert {int(t["id"]): int(t["size"]) for t in themes} == truth_sizes
    assert {c["id"]: c["engagement"] for c in data["clusters"]} == truth_place
    place = {c["id"]: c["engagement"] for c in data["clusters"]}
    for contribution, row in zip(data["contributions"], rows, strict=True):
        assert str(contribution["id"]) == row["id"]
        assert (row["cluster"], row["engagement"]) == (
            str(contribution["cluster"] or ""), contribution["engagement"] or "")
        if contribution["cluster"] is not None and contribution["cluster"] not in spanning:
            assert contribution["engagement"] == place[contribution["cluster"]]
    [mine] = [c for c in data["contributions"] if c["id"] == unsorted.id]
    assert (mine["cluster"], mine["engagement"]) == (None, engagements[-1].code)
    for engagement_code in code.values():
        assert sum(1 for c in data["contributions"] if c["cluster"] is not None
                   and c["engagement"] == engagement_code) == truth[engagement_code]


def test_theme_page_moves_chosen_contributions_to_several_destinations_in_one_pass(
        client, db, board):
    big, other = _clusters(db)[:2]
    path = f"/campagnes/synthese/themes/{big.id}"
    html = _page(client, path)
    assert html.count("<select") <= 50 + 8  # one small select per row, not a theme list
    rows = [int(i) for i in re.findall(r'id="contribution-(\d+)"', html)]
    assert len(rows) == min(big.size, 50)
    token = csrf_token(client, path)
    # A destination chosen in a row but not said where: the form comes back, kept.
    response = client.post(f"{path}/contributions", data={
        "csrf_token": token, "next": path, f"groupe-{rows[0]}": "2", "destination_2": ""})
    assert response.status_code == 400
    html = unescape(response.get_data(as_text=True))
    assert "Destination 2 : choisissez où vont" in html
    assert re.search(r'id="destination_2"[^>]*aria-invalid="true"', html) or re.search(
        r'aria-invalid="true"[^>]*id="destination_2"', html)
    before = {i: db.session.scalar(select(ClusterAssignment.cluster_id).where(
        ClusterAssignment.contribution_id == i)) for i in rows[:4]}
    response = client.post(f"{path}/contributions", data={
        "csrf_token": token, "next": path, "mode": "deplacer",
        f"groupe-{rows[0]}": "1", f"groupe-{rows[1]}": "1", f"groupe-{rows[2]}": "2",
        f"groupe-{rows[3]}": "3", "destination_1": str(other.id),
        "destination_2": "a-classer", "destination_3": "nouveau", "name_3": "Tiers-lieux"})
    assert response.status_code == 302
    db.session.expire_all()
    placed = {i: db.session.scalar(select(ClusterAssignment).where(
        ClusterAssignment.contribution_id == i)) for i in rows[:4]}
    new = db.session.scalars(select(Cluster).where(Cluster.name == "Tiers-lieux")).one()
    assert [placed[i].cluster_id for i in rows[:4]] == [other.id, other.id, None, new.id]
    assert all(a.locked for a in placed.values())
    assert new.split_from_id == big.id
    assert new.size == 1
    assert "4 contributions de « " in _page(client, path)
    # One operation, one undo: everything back, the new theme gone.
    html = _page(client, "/campagnes/synthese/themes/historique")
    operation_id = int(re.search(r'/themes/operations/(\d+)/annuler', html).group(1))
    assert client.post(f"/campagnes/synthese/themes/operations/{operation_id}/annuler",
                       data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert {i: db.session.scalar(select(ClusterAssignment.cluster_id).where(
        ClusterAssignment.contribution_id == i)) for i in rows[:4]} == before
    assert db.session.scalar(select(func.count()).select_from(Cluster).where(
        Cluster.name == "Tiers-lieux")) == 0
    # The same rows sent again from the page as it was: refused as stale once moved.
    client.post(f"{path}/contributions", data={
        "csrf_token": token, "next": path, f"groupe-{rows[0]}": "1",
        "destination_1": str(other.id)})
    response = client.post(f"{path}/contributions", data={
        "csrf_token": token, "next": path, f"groupe-{rows[0]}": "1",
        "destination_1": str(other.id)})
    assert response.status_code == 409
    # The same rows as second theme: they stay, and their row says where else they are.
    response = client.post(f"{path}/contributions", data={
        "csrf_token": token, "next": path, "mode": "second", f"groupe-{rows[1]}": "1",
        "destination_1": str(other.id)})
    assert response.status_code == 302
    assert f"Aussi dans : {other.name}" in _page(client, path)


def test_theme_page_is_paginated(client, db, board, monkeypatch):
    from motion.views import themes as theme_views

    monkeypatch.setattr(theme_views, "PER_PAGE", 5)  # the 300 ideas' themes are small
    big = _clusters(db)[0]
    assert big.size > 5
    path = f"/campagnes/synthese/themes/{big.id}"
    first = re.findall(r'id="contribution-(\d+)"', _page(client, path))
    html = _page(client, f"{path}?page=2")
    second = re.findall(r'id="contribution-(\d+)"', html)
    assert second
    assert not set(first) & set(second)
    assert f"<dd>{big.size}</dd>" in html
    assert len(first) == len(second) == 5


def test_theme_lists_past_their_last_page_go_to_the_last_one(client, db, board, monkeypatch):
    """A stale link (the list has shrunk since) to a theme's page, "à classer" or a shelf
    of the board: its last page with a word saying so, as the search list does, instead
    of a 404; a page number that cannot be one stays a 404. A form sent from such a page
    shows the last page again."""
    from motion.views import themes as theme_views

    monkeypatch.setattr(theme_views, "PER_PAGE", 5)
    big = _clusters(db)[0]
    path = f"/campagnes/synthese/themes/{big.id}"
    rows = re.findall(r'id="contribution-(\d+)"', _page(client, path))
    token = csrf_token(client, path)
    assert client.post(f"{path}/contributions", data={
        "csrf_token": token, "next": path, **{f"groupe-{i}": "1" for i in rows[:2]},
        "destination_1": "a-classer"}).status_code == 302
    db.session.expire_all()
    unsorted = "/campagnes/synthese/themes/a-classer"
    total = int(re.search(r"(\d+) contributions? à classer", _page(client, unsorted)).group(1))
    for url, pages in ((path, -(-db.session.get(Cluster, big.id).size // 5)),
                       (unsorted, -(-total // 5)),
                       ("/campagnes/synthese/themes/groupe/hors-cadre", 1)):
        response = client.get(f"{url}?page=999")
        assert response.status_code == 302, url
        location = response.headers["Location"]
        assert location.endswith(f"{url}?page={pages}" if pages > 1 else url)
        html = _page(client, location)
        assert ("Cette liste ne compte qu’une page : la voici." if pages == 1 else
                f"Cette liste s’arrête à la page {pages} : la voici.") in html
        for bad in ("0", "-1", "abc"):
            assert client.get(f"{url}?page={bad}").status_code == 404
    assert client.get("/campagnes/synthese/themes/groupe/a999999").status_code == 404
    # A form sent from a page that is gone: the last page again with the form's error.
    response = client.post(f"{path}/contributions", data={
        "csrf_token": token, "next": f"{path}?page=999", f"groupe-{rows[2]}": "2"})
    assert response.status_code == 400
    html = unescape(response.get_data(as_text=True))
    assert "Destination 2 : choisissez où vont" in html
    assert f'name="next" value="{path}?page=' in html


def test_a_stale_move_of_chosen_contributions_shows_the_theme_page_again_kept(
        client, db, board):
    """Another facilitator moved one of the chosen contributions meanwhile: the theme's
    page again (409, not the bare error page), up to date, saying which one went where;
    the other rows' destinations, the destinations, the new theme's name and the reason
    as sent; nothing moved."""
    big, other, third = _clusters(db)[:3]
    path = f"/campagnes/synthese/themes/{big.id}"
    rows = [int(i) for i in re.findall(r'id="contribution-(\d+)"', _page(client, path))]
    token = csrf_token(client, path)
    assert client.post(f"/campagnes/synthese/contributions/{rows[0]}/theme", data={
        "csrf_token": token, "target": other.id, "from": big.id}).status_code == 302
    sent = {"csrf_token": token, "next": path, "mode": "deplacer",
            f"groupe-{rows[0]}": "1", f"groupe-{rows[1]}": "1", f"groupe-{rows[2]}": "2",
            "destination_1": "nouveau", "name_1": "Tiers-lieux",
            "destination_2": str(third.id), "reason": "Ma justification"}
    response = client.post(f"{path}/contributions", data=sent)
    html = _stale_move_page(response, rows[0], other)
    assert f'id="contribution-{rows[0]}"' not in html  # the page is up to date
    for row, n in ((rows[1], 1), (rows[2], 2)):
        select_html = re.search(rf'<select id="groupe-{row}".*?</select>', html, re.S).group(0)
        assert f'<option value="{n}" selected>' in select_html
    assert '<option selected value="nouveau">' in html
    assert re.search(r'<input[^>]*id="name_1"[^>]*value="Tiers-lieux"', html)
    assert f'<option selected value="{third.id}">' in html
    assert re.search(r'<input[^>]*id="move-reason"[^>]*value="Ma justification"', html)
    db.session.expire_all()
    assert [db.session.scalar(select(ClusterAssignment.cluster_id).where(
        ClusterAssignment.contribution_id == i)) for i in rows[:3]] == [
        other.id, big.id, big.id]
    assert not db.session.scalar(select(func.count()).select_from(Cluster).where(
        Cluster.name == "Tiers-lieux"))
    # As second theme: the same page again, nothing attached.
    response = client.post(f"{path}/contributions", data={
        **sent, "mode": "second", "destination_1": str(third.id)})
    assert response.status_code == 409
    assert "maintenant dans" in unescape(response.get_data(as_text=True))
    assert "Aussi dans" not in _page(client, path)
    # Sent again without the one gone: done.
    del sent[f"groupe-{rows[0]}"]
    assert client.post(f"{path}/contributions", data=sent).status_code == 302


def test_a_stale_split_shows_the_split_page_again_kept(client, db, board):
    """Someone else changed the theme while its split was being prepared: the split page
    again (409, not the bare error page), up to date, saying what changed, with the names,
    the ticks, the target and the reason as sent; nothing split. Ticks without a target:
    the same page (400) with the reason."""
    cluster, other = _clusters(db)[:2]
    path = f"/campagnes/synthese/themes/{cluster.id}"
    html = _page(client, f"{path}/scinder?parties=2")
    members = sorted(int(i) for i in re.findall(r'name="part-(\d+)" value="\d+"', html))
    token = csrf_token(client, path)
    shown = cluster.name
    assert f'name="shown-name" value="{shown}"' in html
    sent = {"csrf_token": token, "version": cluster.version, "parts": "2",
            "name-1": "Ce qui reste", "name-2": "Le sous-thème", "reason": "Trop large",
            "deplacer": [str(i) for i in members[::3]], "vers": "2",
            **{f"part-{i}": "1" for i in members}}
    assert client.post(f"{path}/renommer", data={
        "csrf_token": token, "name": "Renommé entre-temps",
        "version": cluster.version}).status_code == 302

    def refused(data, status=409, names=("Ce qui reste", "Le sous-thème")):
        response = client.post(f"{path}/scinder", data=data)
        assert response.status_code == status
        html = unescape(response.get_data(as_text=True))
        assert "Conflit de modification" not in html
        assert re.search(r"<title>Erreur : ", html)
        for n, name in enumerate(names, start=1):
            assert re.search(rf'<input[^>]*id="name-{n}"[^>]*value="{name}"', html)
        assert re.search(r'<input[^>]*id="reason"[^>]*value="Trop large"', html)
        ticked = {int(i) for i in re.findall(
            r'<input type="checkbox" id="deplacer-(\d+)" name="deplacer" value="\d+" checked>',
            html)}
        assert ticked == {int(i) for i in data["deplacer"]} & {int(i) for i in re.findall(
            r'name="part-(\d+)"', html)}
        vers = re.search(r'<select id="vers".*?</select>', html, re.S).group(0)
        assert ('<option value="2" selected>' in vers) == (data["vers"] == "2")
        return html

    html = refused(sent)
    assert re.search(r'class="flash flash-error" role="alert">Quelqu’un d’autre a modifié '
                     r"ce thème entre-temps : la scission n’a pas été enregistrée\.", html)
    assert "Renommé entre-temps" in html
    # The first part's name, proposed as the theme's and left so: its name now.
    html = refused({**sent, "name-1": shown, "shown-name": shown},
                   names=("Renommé entre-temps", "Le sous-thème"))
    db.session.expire_all()
    version = db.session.get(Cluster, cluster.id).version
    assert f'name="version" value="{version}"' in html
    # An idea moved out meanwhile and another in: said, the page up to date.
    newcomer = int(re.search(r'id="contribution-(\d+)"', _page(
        client, f"/campagnes/synthese/themes/{other.id}")).group(1))
    assert client.post(f"/campagnes/synthese/contributions/{members[1]}/theme", data={
        "csrf_token": token, "target": other.id, "from": cluster.id}).status_code == 302
    assert client.post(f"/campagnes/synthese/contributions/{newcomer}/theme", data={
        "csrf_token": token, "target": cluster.id, "from": other.id}).status_code == 302
    db.session.expire_all()
    html = refused({**sent, "version": db.session.get(Cluster, cluster.id).version})
    assert ("1 idée n’est plus dans ce thème. 1 idée y est arrivée : elle est dans le "
            "sous-thème proposé.") in html
    assert f'name="part-{members[1]}"' not in html
    assert f'name="part-{newcomer}"' in html
    assert not db.session.scalar(select(func.count()).select_from(Cluster).where(
        Cluster.name == "Le sous-thème"))
    # Ticks without a target: the page again, 400, kept.
    html = refused({**sent, "vers": ""}, status=400)
    assert "Choisissez le sous-thème où envoyer les idées cochées." in html
    # The page as shown again, confirmed: done.
    again = {**sent, "version": re.search(r'name="version" value="(\d+)"', html).group(1),
             **dict((f"part-{i}", p) for i, p in re.findall(
                 r'name="part-(\d+)" value="(\d+)"', html))}
    del again[f"part-{members[1]}"]
    again["deplacer"] = [i for i in again["deplacer"] if i != str(members[1])]
    assert client.post(f"{path}/scinder", data=again).status_code == 302
    db.session.expire_all()
    new = db.session.scalars(select(Cluster).where(Cluster.name == "Le sous-thème")).one()
    assert new.size == len({int(i) for i in again["deplacer"]} | {
        int(k[5:]) for k, v in again.items() if k.startswith("part-") and v == "2"})


def test_a_stale_undo_shows_the_page_again_with_the_reason(client, db, board):
    """Undo from a stale page (what the operation changed has changed since, or someone
    else undid it already): back on the page the button was on, up to date, the reason
    said (no dead-end 409 page); nothing changes."""
    big, other = _clusters(db)[:2]
    path = f"/campagnes/synthese/themes/{big.id}"
    contribution_id = int(re.search(r'id="contribution-(\d+)"', _page(client, path)).group(1))
    token = csrf_token(client, path)
    move = f"/campagnes/synthese/contributions/{contribution_id}/theme"
    assert client.post(move, data={"csrf_token": token, "target": other.id,
                                   "from": big.id}).status_code == 302
    history = _page(client, "/campagnes/synthese/themes/historique")
    undo = re.search(r'action="(/campagnes/synthese/themes/operations/\d+/annuler)"',
                     history).group(1)
    assert client.post(move, data={"csrf_token": token, "target": "",
                                   "from": other.id}).status_code == 302
    response = client.post(undo, data={"csrf_token": token, "next": path})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(path)
    assert re.search(r'class="flash flash-error" role="alert">Cette opération ne peut plus '
                     r"être annulée : une des contributions concernées a changé de thème",
                     _page(client, path))
    db.session.expire_all()
    assert db.session.scalar(select(ClusterAssignment.cluster_id).where(
        ClusterAssignment.contribution_id == contribution_id)) is None
    # The last operation, undone by someone else meanwhile, undone again from the board.
    board_path = "/campagnes/synthese/themes"
    last = re.search(r'class="last-operation" action="([^"]+)"', _page(client, board_path))
    assert client.post(last.group(1), data={"csrf_token": token}).status_code == 302
    response = client.post(last.group(1), data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(board_path)
    assert re.search(r'class="flash flash-error" role="alert">Cette opération a déjà été '
                     r"annulée\.", _page(client, board_path))


def test_a_theme_merged_or_dissolved_meanwhile_leads_to_where_it_went(
        client, db, board, make_campaign):
    """A theme someone else merged meanwhile: its page and its actions (sent from a page
    shown before) lead to the theme it went into, following later merges, saying so and,
    for an action, that nothing was saved; one dissolved: to the board, saying it no
    longer exists. Another campaign's theme and an unknown id stay 404."""
    first, second, third = _clusters(db)[:3]
    token = csrf_token(client, "/campagnes/synthese/themes")
    versions = {c.id: c.version for c in (first, second, third)}
    base = "/campagnes/synthese/themes"
    for survivor, absorbed in ((third, first), (second, third)):  # first → third → second
        assert client.post(f"{base}/fusionner", data={"csrf_token": token, "clusters": [
            f"{survivor.id}:{versions[survivor.id]}",
            f"{absorbed.id}:{versions[absorbed.id]}"]}).status_code == 302
        db.session.expire_all()
        versions[survivor.id] = db.session.get(Cluster, survivor.id).version
    second_version = versions[second.id]
    rows = re.findall(r'id="contribution-(\d+)"', _page(client, f"{base}/{second.id}"))
    path = f"{base}/{first.id}"
    posts = {
        "renommer": {"name": "Nouveau nom", "summary": "", "version": first.version},
        "deplacer": {"target": "hors-cadre", "version": first.version},
        "epingler": {"pinned": "1", "version": first.version},
        "scinder": {"parts": "2", f"part-{rows[0]}": "2", "version": first.version},
        "contributions": {f"groupe-{rows[0]}": "1", "destination_1": "a-classer"},
    }
    for action, data in [("", None), ("scinder", None), *posts.items(),
                         ("fusionner", {"clusters": [f"{first.id}:{first.version}",
                                                     f"{third.id}:{first.version}"]})]:
        url = f"{base}/fusionner" if action == "fusionner" else f"{path}/{action}".rstrip("/")
        response = (client.get(url) if data is None else
                    client.post(url, data={"csrf_token": token, "next": path, **data}))
        assert response.status_code == 302, url
        assert response.headers["Location"].endswith(f"{base}/{second.id}"), url
        html = _page(client, response.headers["Location"])
        said = re.search(r'class="flash flash-(\w+)" role="\w+">([^<]*)<', html)
        assert said.group(2) == (
            f"Ce thème a été fusionné dans « {second.name} » : voici ce thème."
            if data is None else f"Ce thème a été fusionné dans « {second.name} » "
            "entre-temps : rien n’a été enregistré. Voici ce thème."), url
        assert said.group(1) == ("info" if data is None else "error")
    db.session.expire_all()
    assert db.session.get(Cluster, second.id).version == second_version  # nothing saved
    assert not db.session.get(Cluster, first.id).active
    # Dissolved by a run (inactive, merged into none): the board, saying so.
    db.session.get(Cluster, first.id).merged_into_id = None
    db.session.commit()
    for action, data in (("", None), ("epingler", posts["epingler"])):
        url = f"{path}/{action}".rstrip("/")
        response = (client.get(url) if data is None else
                    client.post(url, data={"csrf_token": token, "next": path, **data}))
        assert response.status_code == 302, url
        assert response.headers["Location"].endswith(base), url
        assert ("Ce thème n’existe plus : voici le tableau des thèmes." if data is None else
                "Ce thème n’existe plus : rien n’a été enregistré. Voici le tableau des "
                "thèmes.") in _page(client, base)
    # Another campaign's theme (merged too) and an unknown id: 404.
    elsewhere = make_campaign("ailleurs")
    kept = Cluster(campaign_id=elsewhere.id, stable_id=1, name="Ailleurs")
    db.session.add(kept)
    db.session.flush()
    foreign = Cluster(campaign_id=elsewhere.id, stable_id=2, name="Parti", active=False,
                      merged_into_id=kept.id)
    db.session.add(foreign)
    db.session.commit()
    for cluster_id in (foreign.id, kept.id, 999999):
        assert client.get(f"{base}/{cluster_id}").status_code == 404
        assert client.post(f"{base}/{cluster_id}/epingler", data={
            "csrf_token": token, "pinned": "1", "version": 1}).status_code == 404
