"""Loading frameworks (référentiels) from YAML into the database."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import select

from motion import validation
from motion.errors import InvalidInput
from motion.extensions import db
from motion.models import Axis, Campaign, Engagement, Framework, User, Workshop
from motion.services import audit
from nlp import framework as nlp_framework

DEFAULT_FRAMEWORK_FILE = "framework_villes_internet_2024_2026.yaml"


def default_framework_path() -> Path:
    return Path(str(resources.files("motion") / "data" / DEFAULT_FRAMEWORK_FILE))


def _check_texts(spec: nlp_framework.Framework) -> None:
    """Refuse control characters and texts longer than the database keeps."""
    entries = [*spec.engagements, *(a for e in spec.engagements for a in e.axes)]
    validation.clean_text(spec.name, label=_("Nom du référentiel"), max_length=200)
    for entry in entries:
        where = entry.code[:40]
        validation.clean_text(entry.code, label=_("Code %(code)s", code=where), max_length=40)
        validation.clean_text(entry.title, label=_("Titre de %(code)s", code=where),
                              max_length=300)
        validation.clean_text(entry.description or "",
                              label=_("Description de %(code)s", code=where))


def read_framework_file(path: str | Path) -> nlp_framework.Framework:
    """Parse and validate a framework YAML file (errors name the problem)."""
    if not Path(path).is_file():
        raise InvalidInput(_("Fichier introuvable : %(path)s", path=str(path)))
    try:
        spec = nlp_framework.load_framework(path)
        _check_texts(spec)
        return spec
    except ValueError as error:
        raise InvalidInput(
            _("Référentiel invalide (%(path)s) : %(error)s", path=Path(path).name,
              error=explain_problem(str(error), Path(path).name))
        ) from None


def _place(where: str) -> str:
    """``engagements[1].axes[0].title`` → « engagement 2, axe 1, champ title »."""
    parts = []
    for name, index in re.findall(r"(engagements|axes)\[(\d+)\]", where):
        label = _("engagement %(n)d") if name == "engagements" else _("axe %(n)d")
        parts.append(label % {"n": int(index) + 1})
    field = re.search(r"\.(\w+)$", where)
    if field and field.group(1) not in ("axes", "engagements"):
        parts.append(_("champ « %(name)s »", name=field.group(1)))
    return ", ".join(parts) or _("en-tête du fichier")


def explain_problem(message: str, filename: str = "") -> str:
    """Say in French what the (English) validation message of ``nlp.framework`` means."""
    if filename and message.startswith(filename + ": "):
        message = message[len(filename) + 2:]
    rules = [
        (r"invalid YAML at line (\d+), column (\d+): (.*)",
         lambda m: _("le YAML est mal formé ligne %(line)s, colonne %(col)s (vérifiez "
                     "l’indentation, les deux-points et les guillemets)",
                     line=m.group(1), col=m.group(2))),
        (r"invalid YAML", lambda m: _("le YAML est mal formé")),
        (r"is not UTF-8", lambda m: _("le fichier n’est pas encodé en UTF-8")),
        (r"framework must be a mapping",
         lambda m: _("le fichier doit commencer par « name: » puis « engagements: »")),
        (r"framework: unknown keys \[(.*)\]",
         lambda m: _("champs inconnus en tête du fichier : %(keys)s (seuls name, description "
                     "et engagements sont permis)", keys=m.group(1).replace("'", ""))),
        (r"framework has no engagements", lambda m: _("aucun engagement n’est défini")),
        (r"(.*): unknown keys \[(.*)\]",
         lambda m: _("%(place)s : champs inconnus %(keys)s", place=_place(m.group(1)),
                     keys=m.group(2).replace("'", ""))),
        (r"(.*): missing '(\w+)'",
         lambda m: _("%(place)s : le champ « %(key)s » manque", place=_place(m.group(1)),
                     key=m.group(2))),
        (r"(.*): must not be empty",
         lambda m: _("%(place)s : ne doit pas être vide", place=_place(m.group(1)))),
        (r"(.*): expected text",
         lambda m: _("%(place)s : un texte est attendu", place=_place(m.group(1)))),
        (r"(.*): expected a mapping",
         lambda m: _("%(place)s : des champs « code: », « title: » sont attendus",
                     place=_place(m.group(1)))),
        (r"(.*): expected a list",
         lambda m: _("%(place)s : une liste (lignes commençant par « - ») est attendue",
                     place=_place(m.group(1)))),
        (r"(.*)\.code: duplicate code '(.*)'",
         lambda m: _("%(place)s : le code « %(code)s » est déjà utilisé",
                     place=_place(m.group(1)), code=m.group(2))),
    ]
    for pattern, explain in rules:
        match = re.search(pattern, message)
        if match:
            return explain(match)
    return message


def create_framework(
    spec: nlp_framework.Framework, *, source: str, is_default: bool = False
) -> Framework:
    framework = Framework(name=spec.name[:200], source=source[:255], is_default=is_default)
    for i, eng in enumerate(spec.engagements):
        engagement = Engagement(
            code=eng.code, title=eng.title, description=eng.description or "", position=i
        )
        for j, ax in enumerate(eng.axes):
            engagement.axes.append(
                Axis(code=ax.code, title=ax.title, description=ax.description or "", position=j)
            )
        framework.engagements.append(engagement)
    db.session.add(framework)
    db.session.flush()
    return framework


def ensure_default_framework() -> Framework:
    """Return the default framework, loading it from the package the first time."""
    existing = db.session.scalar(
        select(Framework).where(Framework.is_default.is_(True)).order_by(Framework.id.desc())
    )
    if existing is not None:
        return existing
    spec = read_framework_file(default_framework_path())
    framework = create_framework(spec, source="default", is_default=True)
    audit.record("framework.load", framework, source="default")
    return framework


def attach_framework(
    campaign: Campaign, path: str | Path, *, actor: User | None = None
) -> Framework:
    """Load a framework file and make it the campaign's framework.

    Workshops keep their engagement when the new framework has the same code.
    """
    spec = read_framework_file(path)
    framework = create_framework(spec, source=Path(path).name)
    by_code = {e.code: e for e in framework.engagements}
    workshops = db.session.scalars(
        select(Workshop).where(Workshop.campaign_id == campaign.id)
    ).all()
    for workshop in workshops:
        if workshop.engagement is not None:
            workshop.engagement = by_code.get(workshop.engagement.code)
    from motion.services import referents

    referents.follow_framework(campaign, framework, actor=actor)
    campaign.framework = framework
    audit.record(
        "framework.load", campaign, actor=actor,
        framework_id=framework.id, source=Path(path).name,
        engagements=len(framework.engagements),
    )
    return framework
