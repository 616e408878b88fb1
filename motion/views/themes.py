"""Facilitators' pages for the themes (model ``Cluster``, "thème" in the UI): the board,
a theme's page, the clustering runs, plain forms for every operation, undo, history,
comparison of two runs and coverage of the framework."""

from __future__ import annotations

from urllib.parse import urlparse

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from motion import jobs, validation
from motion.errors import Conflict, InvalidInput, MotionError, NotFound
from motion.extensions import db
from motion.models import Cluster
from motion.services import clustering
from motion.services.themes import journal, operations, queries
from motion.services.themes.journal import stale_message
from motion.views import committed, facilitator_required, past_the_last_page, url_campaign
from motion.views.forms import (
    DESTINATIONS,
    MergeForm,
    MoveManyForm,
    PlaceForm,
    RenameForm,
    attach_error,
    options,
)

bp = Blueprint("themes", __name__)

PER_PAGE = 50  # contributions per page of a theme



def _move_form(campaign, cluster, formdata=None) -> MoveManyForm:
    """The destinations form of a theme's page (``cluster``) or of "à classer" (None)."""
    form = MoveManyForm(formdata=formdata)
    choices = [("", _("— aucune —"))]
    if cluster is not None:
        choices += [("a-classer", _("À classer")), ("nouveau", _("Un nouveau thème"))]
    choices += [(str(c.id), c.name) for c in queries.active_clusters(campaign)
                if cluster is None or c.id != cluster.id]
    for n in range(1, DESTINATIONS + 1):
        form[f"destination_{n}"].choices = options(choices)
    return form


def _place_form(campaign, cluster, target: str | None = None) -> PlaceForm:
    """A theme's move form: its current place chosen, or the ``target`` sent."""
    form = PlaceForm(formdata=None)
    form.target.choices = options(operations.placement_choices(campaign))
    form.target.data = operations.place_value(cluster) if target is None else target
    return form


def _merge_form(campaign, cluster, chosen: str = "") -> MergeForm:
    """A theme's merge form: the other themes at their current version; the one ``chosen``
    ("id:version" as sent, whatever its version) selected."""
    form = MergeForm(formdata=None)
    form.clusters.choices = options((f"{c.id}:{c.version}", c.name)
                                    for c in queries.active_clusters(campaign)
                                    if c.id != cluster.id)
    chosen_id = chosen.partition(":")[0]
    form.clusters.data = next((choice.value for choice in form.clusters.choices
                               if choice.value.partition(":")[0] == chosen_id), None)
    return form

# ------------------------------------------------------------------ board, theme page, runs


@bp.get("/campagnes/<campaign_slug>/themes")
@facilitator_required
def board(campaign_slug: str):
    """Show the clusters grouped by engagement and axis, then out of frame and unsorted."""
    campaign = url_campaign()
    return render_template(
        "themes/board.html",
        campaign=campaign,
        board=queries.board(campaign, cards=queries.BOARD_CARDS),
        run=clustering.latest_run(campaign),
        **board_context(campaign),
    )


@bp.get("/campagnes/<campaign_slug>/themes/groupe/<key>")
@facilitator_required
def shelf(campaign_slug: str, key: str):
    """The themes of one shelf of the board (an axis, an engagement's themes without
    axis, "à cheval", "hors cadre"), largest first, a page at a time: the board shows
    only the largest ones of each when there are many themes."""
    campaign = url_campaign()
    page = validation.arg_page()
    found = queries.shelf(campaign, key, page=page)
    moved = past_the_last_page(page, found.pages)
    if moved is not None:
        return moved
    return render_template("themes/shelf.html", campaign=campaign, shelf=found,
                           stats=queries.cluster_stats(campaign))


@bp.post("/campagnes/<campaign_slug>/themes/calculer")
@facilitator_required
def run(campaign_slug: str):
    """Start a clustering run outside the request; the board then shows its progress."""
    campaign = url_campaign()
    n_themes = clustering.granularity(campaign, request.form.get("granularite"),
                                      request.form.get("n_themes"))
    record = clustering.request_run(campaign, actor=current_user, n_themes=n_themes)
    db.session.commit()
    jobs.launch("cluster", record.id)
    flash(_("Le calcul des thèmes a démarré. Cette page se met à jour toute seule."), "info")
    return redirect(url_for(".board", campaign_slug=campaign.slug))


@bp.get("/campagnes/<campaign_slug>/themes/<int:cluster_id>")
@facilitator_required
def show(campaign_slug: str, cluster_id: int):
    """List a cluster's contributions, least confident first (one merged or dissolved
    since the link was shown: where it went, see :func:`_gone`)."""
    campaign, _active = _cluster(cluster_id)
    return _render_show(campaign, cluster_id)


def _render_show(campaign, cluster_id: int, *, status: int = 200, **forms):
    """The theme page (one page of its contributions), with ``forms`` as submitted; a
    link past its last page goes to the last one (a form sent from there shows it)."""
    page = validation.arg_page() if request.method == "GET" else _page_of_next()
    detail = queries.cluster_detail(campaign, cluster_id, page=page, per_page=PER_PAGE)
    moved = past_the_last_page(page, detail.pages) if request.method == "GET" else None
    if moved is not None:
        return moved
    cluster = detail.cluster
    forms.setdefault("rename_form", RenameForm(
        formdata=None, data={"name": cluster.name, "summary": cluster.summary or ""}))
    forms.setdefault("move_form", _move_form(campaign, cluster))
    forms.setdefault("place_form", _place_form(campaign, cluster))
    forms.setdefault("merge_form", _merge_form(campaign, cluster))
    return render_template("themes/show.html", campaign=campaign, detail=detail,
                           form_error=bool(forms.get("error")),
                           **detail_context(campaign, detail), **forms), status


def _page_of_next() -> int:
    """The page of the theme the form was sent from (its ``next``), 1 if none."""
    query = urlparse(request.form.get("next") or "").query
    for part in query.split("&"):
        key, _sep, value = part.partition("=")
        if key == "page" and value.isdigit() and 0 < int(value) <= validation.MAX_PAGE:
            return int(value)
    return 1


@bp.get("/api/campagnes/<campaign_slug>/calculs/<int:run_id>")
@facilitator_required
def run_status(campaign_slug: str, run_id: int):
    """The progress record of a run, polled by the board."""
    campaign = url_campaign()
    record = clustering.get_run(campaign, run_id)
    return jsonify(record.progress_state())


def _back(campaign) -> str:
    """The local page the form came from (``next``), else the board."""
    target = request.form.get("next") or ""
    parsed = urlparse(target)
    if target.startswith("/") and not target.startswith("//") and not parsed.netloc:
        return target
    return url_for(".board", campaign_slug=campaign.slug)


def _int(name: str) -> int | None:
    raw = (request.form.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise InvalidInput(_("Valeur invalide pour « %(field)s ».", field=name))
    return int(raw)


def _cluster_or_none(campaign, name: str):
    cluster_id = _int(name)
    return operations.get_cluster(campaign, cluster_id) if cluster_id is not None else None


def _done(campaign, operation) -> object:
    return committed(_back(campaign), operation.description)


def _refused(campaign, cluster_id: int, refused: MotionError, **forms):
    """The theme's page again after a refused operation: its error beside the one field
    of the form that was sent (``forms``: that form, as sent)."""
    db.session.rollback()
    (form,) = forms.values()
    (field,) = form
    field.errors = [*field.errors, refused.message]
    return _render_show(campaign, cluster_id, status=refused.status_code, **forms)


def _cluster(cluster_id: int):
    """The URL’s campaign and its active cluster ``cluster_id``. One merged or dissolved
    since the page was shown (someone else acted meanwhile) ends the request with
    :func:`_gone`; another campaign's or an unknown id: 404."""
    campaign = url_campaign()
    cluster = operations.get_cluster(campaign, cluster_id, active=False)
    if not cluster.active:
        abort(_gone(campaign, cluster))  # a response: Flask sends it as it is
    return campaign, cluster


def _gone(campaign, cluster):
    """To the active theme the inactive ``cluster`` was merged into (through the merges
    made since), else (dissolved) to the board, saying so; for a form, that nothing was
    saved."""
    into, seen = cluster, {cluster.id}
    while not into.active and into.merged_into_id not in (None, *seen):
        seen.add(into.merged_into_id)
        into = db.session.get(Cluster, into.merged_into_id)
    posted = request.method == "POST"
    if into.active and into.campaign_id == campaign.id:
        flash(_("Ce thème a été fusionné dans « %(name)s » entre-temps : rien n’a été "
                "enregistré. Voici ce thème.", name=into.name) if posted else
              _("Ce thème a été fusionné dans « %(name)s » : voici ce thème.",
                name=into.name), "error" if posted else "info")
        return redirect(url_for(".show", campaign_slug=campaign.slug, cluster_id=into.id))
    flash(_("Ce thème n’existe plus : rien n’a été enregistré. Voici le tableau des "
            "thèmes.") if posted else _("Ce thème n’existe plus : voici le tableau des "
                                         "thèmes."), "error" if posted else "info")
    return redirect(url_for(".board", campaign_slug=campaign.slug))


def _one_click(campaign, run, done: str | None = None):
    """Run a one-click operation (``run()``: pin, lock, a second theme, a contribution
    dropped on a theme, undo) and commit, saying ``done`` (else what it did); refused (a
    stale page: someone else changed the theme meanwhile, or nothing to do), back to the
    page the button was on, up to date, with the reason (the button sends nothing else to
    keep)."""
    try:
        operation = run()
    except (Conflict, InvalidInput) as refused:
        db.session.rollback()
        flash(refused.message, "error")
        return redirect(_back(campaign))
    return committed(_back(campaign), done or operation.description)


def _on_cluster(operation, cluster_id: int, **fields):
    """Run ``operation`` on a cluster at the version the form was built from; commit."""
    campaign, cluster = _cluster(cluster_id)
    return _one_click(campaign, lambda: operation(
        campaign, cluster, version=_int("version"), actor=current_user,
        reason=request.form.get("reason"), **fields))


def _on_contribution(operation, contribution_id: int, **fields):
    """Run ``operation`` on a contribution seen in the cluster named by "from"; commit."""
    campaign = url_campaign()
    return _one_click(campaign, lambda: operation(
        campaign, contribution_id, expected_cluster_id=_int("from"), actor=current_user,
        reason=request.form.get("reason"), **fields))


# ------------------------------------------------------------------ cluster operations


@bp.post("/campagnes/<campaign_slug>/themes/<int:cluster_id>/renommer")
@facilitator_required
def rename(campaign_slug: str, cluster_id: int):
    """Rename a cluster and write its summary; a refused edit shows the form again, kept."""
    campaign, cluster = _cluster(cluster_id)
    form = RenameForm(request.form)
    error, status = None, 400
    if form.validate():
        try:
            operation = operations.rename(
                campaign, cluster, name=form.name.data, summary=form.summary.data,
                version=_int("version"), actor=current_user, reason=form.reason.data,
            )
        except (Conflict, InvalidInput) as refused:
            db.session.rollback()
            status = refused.status_code
            error = refused.message if isinstance(refused, Conflict) else attach_error(
                form, InvalidInput(refused.message, field=refused.field or "name"))
        else:
            return _done(campaign, operation)
    return _render_show(campaign, cluster_id, status=status, rename_form=form, error=error)


@bp.post("/campagnes/<campaign_slug>/themes/<int:cluster_id>/deplacer")
@facilitator_required
def move(campaign_slug: str, cluster_id: int):
    """Move a cluster to an engagement, an axis or "hors cadre"; a refusal shows the theme's
    page again, the error beside the place chosen."""
    campaign, cluster = _cluster(cluster_id)
    target = request.form.get("target", "")
    try:
        operation = operations.move_cluster(campaign, cluster, target=target,
                                            version=_int("version"), actor=current_user,
                                            reason=request.form.get("reason"))
    except (Conflict, InvalidInput) as refused:
        return _refused(campaign, cluster_id, refused,
                        place_form=_place_form(campaign, cluster, target))
    return _done(campaign, operation)


@bp.post("/campagnes/<campaign_slug>/themes/<int:cluster_id>/epingler")
@facilitator_required
def pin(campaign_slug: str, cluster_id: int):
    """Pin or unpin a cluster."""
    return _on_cluster(operations.set_pinned, cluster_id,
                       pinned=request.form.get("pinned") == "1")


@bp.post("/campagnes/<campaign_slug>/themes/fusionner")
@facilitator_required
def merge(campaign_slug: str):
    """Merge clusters (values "id:version"; the first one keeps its place and name); a
    refusal shows the first one's page again, the error beside the theme chosen."""
    campaign = url_campaign()
    values = [value for value in request.form.getlist("clusters") if value]
    for value in values:
        raw_id, _sep, raw_version = value.partition(":")
        if not (raw_id.isdigit() and raw_version.isdigit()):
            raise InvalidInput(_("Choix de thèmes invalide : rechargez la page."))
    if not values:
        raise InvalidInput(_("Choisissez au moins deux thèmes à fusionner."))
    campaign, survivor = _cluster(int(values[0].partition(":")[0]))
    try:
        clusters, versions = [survivor], {survivor.id: int(values[0].partition(":")[2])}
        for value in values[1:]:
            raw_id, _sep, raw_version = value.partition(":")
            try:
                cluster = operations.get_cluster(campaign, int(raw_id))
            except NotFound:  # merged or dissolved since the page was shown
                raise Conflict(stale_message()) from None
            clusters.append(cluster)
            versions[cluster.id] = int(raw_version)
        operation = operations.merge(campaign, clusters, versions=versions,
                                    name=request.form.get("name"), actor=current_user,
                                    reason=request.form.get("reason"))
    except (Conflict, InvalidInput) as refused:
        chosen = values[1] if len(values) > 1 else ""
        return _refused(campaign, survivor.id, refused,
                        merge_form=_merge_form(campaign, survivor, chosen))
    return _done(campaign, operation)


@bp.get("/campagnes/<campaign_slug>/themes/<int:cluster_id>/scinder")
@facilitator_required
def split_form(campaign_slug: str, cluster_id: int):
    """Propose a split of a cluster (or every member in part 1, to pick by hand)."""
    campaign, cluster = _cluster(cluster_id)
    try:
        n_parts = int(request.args.get("parties", 2))
    except ValueError:
        n_parts = 2
    return _render_split(campaign, cluster, n_parts, request.args.get("mode") == "manuel")


def _render_split(campaign, cluster, n_parts: int, manual: bool, *, status: int = 200,
                  error: str | None = None, sent: dict | None = None):
    """The split page of ``cluster`` as proposed now; ``sent``: a refused confirmation
    (its "parts", "names", "ticked", "vers" and "reason"), shown again as sent for the
    contributions still in the theme, those arrived since in their proposed part."""
    plan = operations.propose_split(campaign, cluster, n_parts=n_parts, manual=manual)
    if sent is not None:
        kept = sent["parts"]
        rows = [(c, kept[c.id] - 1 if c.id in kept else part, confidence)
                for c, part, confidence in plan.rows]
        # The proposal's keywords describe its parts: kept only while they are the same.
        same = all(kept.get(c.id, part + 1) == part + 1 for c, part, _conf in plan.rows)
        plan = operations.SplitPlan(cluster, sorted(rows, key=lambda r: r[1]), [
            operations.SplitPart([c.id for c, part, _conf in rows if part == index],
                                 plan.parts[index].keywords if same else [])
            for index in range(n_parts)])
    return render_template("themes/split.html", campaign=campaign, plan=plan, manual=manual,
                           n_parts=n_parts, max_parts=operations.MAX_PARTS, error=error,
                           form_error=bool(error), sent=sent), status


def _split_changes(cluster, kept: dict[int, int]) -> str:
    """What changed in ``cluster`` since its split page (``kept``: the contributions it
    listed) was shown, and what to do."""
    members = {c.id for c in queries.members(cluster)}
    gone, arrived = len(set(kept) - members), len(members - set(kept))
    said = [_("Quelqu’un d’autre a modifié ce thème entre-temps : la scission n’a pas été "
              "enregistrée.")]
    if gone:
        said.append(ngettext("%(num)d idée n’est plus dans ce thème.",
                             "%(num)d idées ne sont plus dans ce thème.", gone))
    if arrived:
        said.append(ngettext("%(num)d idée y est arrivée : elle est dans le sous-thème "
                             "proposé.", "%(num)d idées y sont arrivées : elles sont dans "
                             "leur sous-thème proposé.", arrived))
    said.append(_("La répartition ci-dessous est à jour et garde vos noms, vos coches et "
                  "votre justification : vérifiez-la, puis confirmez de nouveau."))
    return " ".join(said)


@bp.post("/campagnes/<campaign_slug>/themes/<int:cluster_id>/scinder")
@facilitator_required
def split(campaign_slug: str, cluster_id: int):
    """Confirm a split: each contribution's part comes from its "part-<id>" field; a
    refusal (a stale page, ticks without a target) shows the split page again, as sent."""
    campaign, cluster = _cluster(cluster_id)
    n_parts = _int("parts") or 2
    if not 2 <= n_parts <= operations.MAX_PARTS:
        raise InvalidInput(_("Choisissez entre 2 et %(n)d sous-thèmes.", n=operations.MAX_PARTS))
    # Each contribution keeps its proposed part ("part-<id>") unless it is ticked
    # ("deplacer") to go to the one target chosen for all the ticked ones ("vers").
    moved = {int(v) for v in request.form.getlist("deplacer") if v.isdigit()}
    target = request.form.get("vers", "")
    proposed: dict[int, int] = {}
    for key, value in request.form.items():
        if key.startswith("part-") and key[5:].isdigit():
            if not value.isdigit() or not 1 <= int(value) <= n_parts:
                raise InvalidInput(_("Sous-thème invalide : rechargez la page."))
            proposed[int(key[5:])] = int(value)
    names = [request.form.get(f"name-{i + 1}", "") for i in range(n_parts)]
    try:
        if moved and not (target.isdigit() and 1 <= int(target) <= n_parts):
            raise InvalidInput(_("Choisissez le sous-thème où envoyer les idées cochées."))
        parts: list[list[int]] = [[] for _ in range(n_parts)]
        for contribution_id, part in proposed.items():
            parts[(int(target) if contribution_id in moved else part) - 1].append(
                contribution_id)
        nonempty = [(part, name) for part, name in zip(parts, names, strict=True) if part]
        operation = operations.split(
            campaign, cluster, parts=[p for p, _n in nonempty],
            names=[n for _p, n in nonempty], version=_int("version"), actor=current_user,
            reason=request.form.get("reason"),
        )
    except (Conflict, InvalidInput) as refused:
        db.session.rollback()
        error = (_split_changes(cluster, proposed) if isinstance(refused, Conflict)
                 else refused.message)
        if names[0] == request.form.get("shown-name"):  # not typed: the theme's name now
            names[0] = cluster.name
        sent = {"parts": proposed, "names": names, "ticked": moved, "vers": target,
                "reason": request.form.get("reason", "")}
        return _render_split(campaign, cluster, n_parts, request.form.get("mode") == "manuel",
                             status=refused.status_code, error=error, sent=sent)
    return committed(url_for(".board", campaign_slug=campaign.slug,
                             _anchor=f"theme-{cluster.id}"), operation.description)


# ------------------------------------------------------------------ contributions


@bp.post("/campagnes/<campaign_slug>/contributions/<int:contribution_id>/theme")
@facilitator_required
def move_contribution(campaign_slug: str, contribution_id: int):
    """Move a contribution to another cluster (empty: "à classer"), locked there."""
    return _on_contribution(operations.move_contribution, contribution_id,
                            target=_cluster_or_none(url_campaign(), "target"))


def _chosen_moves(campaign, form) -> tuple[dict | None, dict, str | None]:
    """The destination of each contribution whose row names one ("groupe-<id>": 1 to
    ``DESTINATIONS``) and the names of new themes; None (and the form's errors, or a
    message) when the form is incomplete."""
    chosen: dict[int, int] = {}
    for key, value in request.form.items():
        if key.startswith("groupe-") and value:
            if not (key[7:].isdigit() and value.isdigit()
                    and 1 <= int(value) <= DESTINATIONS):
                raise InvalidInput(_("Destination invalide : rechargez la page."))
            chosen[int(key[7:])] = int(value)
    if not form.validate():
        return None, {}, None
    incomplete = False
    destinations, names = {}, {}
    for n in sorted(set(chosen.values())):
        value = form[f"destination_{n}"].data
        if not value:
            form[f"destination_{n}"].errors = [_(
                "choisissez où vont les contributions marquées « destination %(n)d ».", n=n)]
            incomplete = True
        elif value == "a-classer":
            destinations[n] = None
        elif value == "nouveau":
            destinations[n] = f"{operations.NEW}-{n}"
            names[destinations[n]] = form[f"name_{n}"].data
        else:
            destinations[n] = operations.get_cluster(campaign, int(value))
    if not chosen:
        return None, {}, _("Choisissez, dans la ligne de chaque contribution à déplacer, "
                           "sa destination.")
    if incomplete:
        return None, {}, None
    return {i: destinations[n] for i, n in chosen.items()}, names, None


def _refused_move(campaign, source_id: int | None, moves, refused: MotionError) -> str:
    """Why moving the contributions ``moves`` (ids) out of the theme ``source_id`` (None:
    "à classer") was refused: on a stale page, which of them someone else moved meanwhile
    and where they are now (the page shown again is up to date, the form as sent)."""
    if not isinstance(refused, Conflict):
        return refused.message
    now = queries.themes_of(campaign, moves)
    gone = []
    for contribution_id in sorted(moves):
        if contribution_id not in now:
            gone.append(_("n° %(id)d, retirée ou masquée", id=contribution_id))
        elif now[contribution_id] is None and source_id is not None:
            gone.append(_("n° %(id)d, maintenant à classer", id=contribution_id))
        elif now[contribution_id] is not None and now[contribution_id].id != source_id:
            gone.append(_("n° %(id)d, maintenant dans « %(name)s »", id=contribution_id,
                          name=now[contribution_id].name))
    if not gone:
        return refused.message
    return _("Entre-temps, quelqu’un d’autre a déplacé des contributions que vous aviez "
             "choisies (%(which)s) : rien n’a été enregistré. La page ci-dessous est à jour "
             "et garde vos autres choix : vérifiez-les, puis recommencez.",
             which=" ; ".join(gone))


@bp.post("/campagnes/<campaign_slug>/themes/<int:cluster_id>/contributions")
@facilitator_required
def move_many(campaign_slug: str, cluster_id: int):
    """Move (or attach as second theme) the chosen contributions of a cluster, each to the
    destination its row names ("groupe-<id>"), in one submit; a move is one operation."""
    campaign, cluster = _cluster(cluster_id)
    form = _move_form(campaign, cluster, request.form)
    moves, names, error = _chosen_moves(campaign, form)
    if moves is None:
        return _render_show(campaign, cluster_id, status=400, move_form=form, error=error)
    try:
        if form.mode.data == "second":
            if any(not isinstance(d, Cluster) for d in moves.values()):
                raise InvalidInput(_("Un second thème doit être un thème existant."))
            for contribution_id, target in sorted(moves.items()):
                operation = operations.set_secondary(
                    campaign, contribution_id, cluster=target, expected_cluster_id=cluster.id,
                    actor=current_user, reason=form.reason.data)
        else:
            operation = operations.move_contributions(
                campaign, cluster, moves, names=names, actor=current_user,
                reason=form.reason.data)
    except (Conflict, InvalidInput) as refused:
        db.session.rollback()
        return _render_show(campaign, cluster_id, status=refused.status_code, move_form=form,
                            error=_refused_move(campaign, cluster_id, moves, refused))
    return _done(campaign, operation)


@bp.post("/campagnes/<campaign_slug>/contributions/<int:contribution_id>/verrou")
@facilitator_required
def lock(campaign_slug: str, contribution_id: int):
    """Lock (or unlock) a contribution's assignment."""
    return _on_contribution(operations.set_locked, contribution_id,
                            locked=request.form.get("locked") == "1")


@bp.post("/campagnes/<campaign_slug>/contributions/<int:contribution_id>/second-theme")
@facilitator_required
def secondary(campaign_slug: str, contribution_id: int):
    """Attach a contribution to a second cluster (empty: remove it)."""
    return _on_contribution(operations.set_secondary, contribution_id,
                            cluster=_cluster_or_none(url_campaign(), "cluster"))


@bp.get("/campagnes/<campaign_slug>/themes/a-classer")
@facilitator_required
def unsorted(campaign_slug: str):
    """The "à classer" contributions, a page at a time, to place in themes."""
    return _render_unsorted(url_campaign())


def _render_unsorted(campaign, *, status: int = 200, move_form=None, error=None):
    page = validation.arg_page() if request.method == "GET" else _page_of_next()
    contributions, total, pages = queries.unsorted_page(campaign, page=page,
                                                        per_page=PER_PAGE)
    moved = past_the_last_page(page, pages) if request.method == "GET" else None
    if moved is not None:
        return moved
    page = min(page, pages)  # a form sent from a page gone since: the last one
    return render_template(
        "themes/unsorted.html", campaign=campaign, contributions=contributions,
        total=total, page=page, pages=pages, destinations=DESTINATIONS, error=error,
        form_error=bool(error), move_form=move_form or _move_form(campaign, None)), status


@bp.post("/campagnes/<campaign_slug>/themes/a-classer")
@facilitator_required
def place_many(campaign_slug: str):
    """Place the chosen "à classer" contributions, each in the theme its row's destination
    names, in one submit and one operation."""
    campaign = url_campaign()
    form = _move_form(campaign, None, request.form)
    moves, names, error = _chosen_moves(campaign, form)
    if moves is None:
        return _render_unsorted(campaign, status=400, move_form=form, error=error)
    try:
        operation = operations.move_contributions(
            campaign, None, moves, names=names, actor=current_user, reason=form.reason.data)
    except (Conflict, InvalidInput) as refused:
        db.session.rollback()
        return _render_unsorted(campaign, status=refused.status_code, move_form=form,
                                error=_refused_move(campaign, None, moves, refused))
    return _done(campaign, operation)


# ------------------------------------------------------------------ history and undo


@bp.get("/campagnes/<campaign_slug>/themes/historique")
@facilitator_required
def history(campaign_slug: str):
    """Every operation on the themes, newest first, each with its undo button."""
    campaign = url_campaign()
    return render_template("themes/history.html", campaign=campaign,
                           operations=journal.history(campaign, limit=300))


@bp.post("/campagnes/<campaign_slug>/themes/operations/<int:operation_id>/annuler")
@facilitator_required
def undo(campaign_slug: str, operation_id: int):
    """Undo an operation; refused (a stale page), back to it with the reason."""
    campaign = url_campaign()
    operation = journal.get_operation(campaign, operation_id)
    return _one_click(campaign, lambda: journal.undo(campaign, operation, actor=current_user),
                      done=_("Annulé : %(what)s", what=operation.description))


# ------------------------------------------------------------------ runs and coverage


@bp.get("/campagnes/<campaign_slug>/themes/calculs/comparer")
@facilitator_required
def compare(campaign_slug: str):
    """Compare two clustering runs."""
    campaign = url_campaign()
    runs = clustering.finished_runs(campaign)
    comparison = None
    first, second = request.args.get("a", ""), request.args.get("b", "")
    if not first and len(runs) >= 2:
        first, second = str(runs[1].id), str(runs[0].id)
    if first and second:
        if not (first.isdigit() and second.isdigit()):
            raise InvalidInput(_("Choisissez deux calculs dans les listes."))
        comparison = clustering.compare_runs(campaign, int(first), int(second))
    return render_template("themes/compare.html", campaign=campaign, runs=runs,
                           comparison=comparison, first=first, second=second)


@bp.get("/campagnes/<campaign_slug>/couverture")
@facilitator_required
def coverage_view(campaign_slug: str):
    """Contributions, themes, workshops and collectivités per engagement and axis."""
    campaign = url_campaign()
    return render_template("themes/coverage.html", campaign=campaign,
                           rows=queries.coverage(campaign))


def detail_context(campaign, detail) -> dict:
    """What the cluster page needs besides the detail: forms' choices and history."""
    cluster = detail.cluster
    return {
        "secondary": queries.secondary_of(c.id for _a, c in detail.rows),
        "also_here": queries.members(cluster, secondary=True, limit=PER_PAGE),
        "operations": journal.history(campaign, cluster=cluster, limit=20),
        "collectivites": detail.collectivites,
        "destinations": DESTINATIONS,
    }


def board_context(campaign) -> dict:
    """What the synthesis board needs besides the clusters."""
    recent = journal.history(campaign, limit=1)
    return {
        "stats": queries.cluster_stats(campaign),
        "clusters": queries.active_clusters(campaign),
        "placements": operations.placement_choices(campaign),
        "last_operation": recent[0] if recent and not recent[0].is_undone
        else None,
        "runs": clustering.finished_runs(campaign)[:2],
    }
