"""Collectivités: the list the admin imports (CSV/XLSX with name, INSEE code, type and
population), its code checks, the link from élus and the snapshot on contributions.

Official code formats checked here (INSEE, Code officiel géographique, and the SIRENE
register for groupings of communes):

- **commune**: 5 characters, the département's code then the commune's number: two digits
  01–19 or 21–95, or 2A/2B (Corse-du-Sud, Haute-Corse; "20" has not been used since
  1976), followed by three digits; overseas communes start with 97 or 98 and take three
  more digits (e.g. 97411 Saint-Denis de La Réunion).
- **département**: 2 characters (01–19, 21–95, 2A, 2B) or 3 digits overseas (971–976).
- **région**: 2 digits, one of the 18 codes in force since 2016 (01–04, 06, 11, 24, 27,
  28, 32, 44, 52, 53, 75, 76, 84, 93, 94).
- **intercommunalité**: the EPCI's SIREN, 9 digits whose last one is a Luhn check digit
  (the key INSEE uses for every SIREN).
- **autre**: a SIREN when it has one (syndicats, PETR…), otherwise no code.

Codes are unique per type, not across types: département 75 (Paris) and région 75
(Nouvelle-Aquitaine) are different collectivités.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from importlib import resources

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, select, update

from motion.extensions import db
from motion.models import Collectivite, CollectiviteKind, Contribution, SizeBand, User

KIND_LABELS = {
    CollectiviteKind.COMMUNE: _l("commune"),
    CollectiviteKind.INTERCOMMUNALITE: _l("intercommunalité"),
    CollectiviteKind.DEPARTEMENT: _l("département"),
    CollectiviteKind.REGION: _l("région"),
    CollectiviteKind.AUTRE: _l("autre"),
}
SIZE_LABELS = {
    SizeBand.VILLAGE: _l("village (moins de 2 000 habitants)"),
    SizeBand.VILLE: _l("ville (2 000 à 49 999 habitants)"),
    SizeBand.GRANDE_VILLE: _l("grande ville (50 000 habitants ou plus)"),
    SizeBand.TERRITOIRE: _l("territoire (intercommunalité, département, région)"),
}
SIZE_SHORT = {
    SizeBand.VILLAGE: _l("village"),
    SizeBand.VILLE: _l("ville"),
    SizeBand.GRANDE_VILLE: _l("grande ville"),
    SizeBand.TERRITOIRE: _l("territoire"),
}
UNKNOWN = _l("non renseigné")

REGION_CODES = frozenset(
    {
        "01",
        "02",
        "03",
        "04",
        "06",
        "11",
        "24",
        "27",
        "28",
        "32",
        "44",
        "52",
        "53",
        "75",
        "76",
        "84",
        "93",
        "94",
    }
)
_DEPT = r"(?:0[1-9]|1\d|2[1-9]|[3-8]\d|9[0-5]|2[AB])"
COMMUNE_RE = re.compile(rf"^(?:{_DEPT}\d{{3}}|9[78]\d{{3}})$")
DEPARTEMENT_RE = re.compile(rf"^(?:{_DEPT}|97[1-6])$")
SIREN_RE = re.compile(r"^\d{9}$")

# Accepted spellings of the type column (lower case, accents removed).
KIND_ALIASES = {
    "commune": CollectiviteKind.COMMUNE,
    "com": CollectiviteKind.COMMUNE,
    "ville": CollectiviteKind.COMMUNE,
    "village": CollectiviteKind.COMMUNE,
    "intercommunalite": CollectiviteKind.INTERCOMMUNALITE,
    "epci": CollectiviteKind.INTERCOMMUNALITE,
    "interco": CollectiviteKind.INTERCOMMUNALITE,
    "communaute de communes": CollectiviteKind.INTERCOMMUNALITE,
    "communaute d'agglomeration": CollectiviteKind.INTERCOMMUNALITE,
    "communaute urbaine": CollectiviteKind.INTERCOMMUNALITE,
    "metropole": CollectiviteKind.INTERCOMMUNALITE,
    "cc": CollectiviteKind.INTERCOMMUNALITE,
    "ca": CollectiviteKind.INTERCOMMUNALITE,
    "cu": CollectiviteKind.INTERCOMMUNALITE,
    "me": CollectiviteKind.INTERCOMMUNALITE,
    "metro": CollectiviteKind.INTERCOMMUNALITE,
    "departement": CollectiviteKind.DEPARTEMENT,
    "dep": CollectiviteKind.DEPARTEMENT,
    "region": CollectiviteKind.REGION,
    "reg": CollectiviteKind.REGION,
    "autre": CollectiviteKind.AUTRE,
    "other": CollectiviteKind.AUTRE,
}
MAX_NAME = 200
MAX_POPULATION = 100_000_000


def fold(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value.replace("’", "'"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).lower().split())


def luhn_ok(digits: str) -> bool:
    """The Luhn ("1-2") key INSEE puts on every SIREN."""
    total = 0
    for i, char in enumerate(reversed(digits)):
        n = int(char) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def parse_kind(value: str) -> CollectiviteKind:
    kind = KIND_ALIASES.get(fold(value))
    if kind is None:
        raise ValueError(
            _(
                "type « %(value)s » inconnu (commune, intercommunalité, "
                "département, région ou autre)",
                value=value.strip()[:40],
            )
        )
    return kind


def validate_code(kind: CollectiviteKind, value: str) -> str | None:
    """The normalised official code of a collectivité of ``kind``, or a French ValueError."""
    code = value.strip().upper().replace(" ", "")
    if kind is CollectiviteKind.COMMUNE and len(code) == 4 and code.isdigit():
        code = "0" + code  # spreadsheets drop the leading zero of 01001
    if kind is CollectiviteKind.DEPARTEMENT and len(code) == 1 and code.isdigit():
        code = "0" + code
    if kind is CollectiviteKind.REGION and len(code) == 1 and code.isdigit():
        code = "0" + code
    shown = value.strip()[:20]
    if not code:
        if kind is CollectiviteKind.AUTRE:
            return None
        raise ValueError(_("code INSEE manquant"))
    if kind is CollectiviteKind.COMMUNE and not COMMUNE_RE.match(code):
        raise ValueError(
            _(
                "code commune « %(code)s » invalide : 5 caractères, le "
                "département (01 à 95, 2A ou 2B, 97 ou 98 outre-mer) suivi de "
                "3 chiffres",
                code=shown,
            )
        )
    if kind is CollectiviteKind.DEPARTEMENT and not DEPARTEMENT_RE.match(code):
        raise ValueError(
            _("code département « %(code)s » invalide : 01 à 95, 2A, 2B ou 971 à 976", code=shown)
        )
    if kind is CollectiviteKind.REGION and code not in REGION_CODES:
        raise ValueError(
            _(
                "code région « %(code)s » invalide : l’un des 18 codes en "
                "vigueur depuis 2016 (11 Île-de-France, 84 Auvergne-Rhône-Alpes…)",
                code=shown,
            )
        )
    if kind in (CollectiviteKind.INTERCOMMUNALITE, CollectiviteKind.AUTRE):
        if not SIREN_RE.match(code):
            raise ValueError(_("SIREN « %(code)s » invalide : 9 chiffres attendus", code=shown))
        if not luhn_ok(code):
            raise ValueError(
                _("SIREN « %(code)s » invalide : la clé de contrôle ne correspond pas", code=shown)
            )
    return code


def parse_population(value: str) -> int | None:
    cleaned = value.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    if not cleaned:
        return None
    if cleaned.endswith(".0"):
        cleaned = cleaned[:-2]
    if not cleaned.isdigit() or int(cleaned) > MAX_POPULATION:
        raise ValueError(
            _(
                "population « %(value)s » invalide : un nombre d’habitants entier attendu",
                value=value.strip()[:20],
            )
        )
    return int(cleaned)


def _by_name() -> dict[str, Collectivite]:
    """Listed collectivités by folded name; a name held by two of them is ambiguous."""
    names: dict[str, Collectivite | None] = {}
    for collectivite in db.session.scalars(select(Collectivite).order_by(Collectivite.id)):
        key = fold(collectivite.name)
        names[key] = None if key in names else collectivite
    return {k: v for k, v in names.items() if v is not None}


def find_by_name(name: str | None) -> Collectivite | None:
    """The listed collectivité with this name (accents and case ignored), if only one."""
    if not name or not name.strip():
        return None
    return _by_name().get(fold(name))


def link_by_name() -> tuple[int, int]:
    """Link élus without a listed collectivité whose free text names exactly one, and
    give their contributions without a snapshot the collectivité they were posted from
    (the contribution's own text, recorded when posting). Returns (users, contributions)."""
    names = _by_name()
    if not names:
        return 0, 0
    users = 0
    for user in db.session.scalars(
        select(User).where(User.collectivite_id.is_(None), User.collectivite.is_not(None))
    ):
        match = names.get(fold(user.collectivite))
        if match is not None:
            user.collectivite_id = match.id
            users += 1
    contributions = 0
    rows = db.session.execute(
        select(Contribution.id, Contribution.collectivite).where(
            Contribution.collectivite_id.is_(None), Contribution.collectivite.is_not(None)
        )
    ).all()
    for contribution_id, text in rows:
        match = names.get(fold(text))
        if match is None:
            continue
        db.session.execute(
            update(Contribution)
            .where(Contribution.id == contribution_id)
            .values(
                collectivite_id=match.id,
                collectivite_kind=match.kind,
                collectivite_size=match.size_band,
                updated_at=Contribution.updated_at,
            )
            .execution_options(synchronize_session=False)
        )
        contributions += 1
    db.session.flush()
    return users, contributions


def set_user_collectivite(user: User, name: str | None) -> None:
    """Record an élu's collectivité: the text as given, linked to the list when it matches."""
    user.collectivite = (name or "").strip()[:MAX_NAME] or None
    match = find_by_name(user.collectivite)
    user.collectivite_id = match.id if match else None
    user.collectivite_record = match


def snapshot(contribution: Contribution, author: User | None) -> None:
    """Copy the author's collectivité, its type and size band onto a new contribution."""
    record = author.collectivite_record if author is not None else None
    if record is None:
        return
    contribution.collectivite_record = record
    contribution.collectivite_kind = record.kind
    contribution.collectivite_size = record.size_band
    contribution.collectivite = contribution.collectivite or record.name


def listing(limit: int = 500) -> tuple[int, list[Collectivite]]:
    """How many collectivités are listed, and the first ``limit`` by type and name."""
    total = db.session.scalar(select(func.count(Collectivite.id))) or 0
    rows = list(
        db.session.scalars(
            select(Collectivite).order_by(Collectivite.kind, Collectivite.name).limit(limit)
        )
    )
    return total, rows


def kind_label(kind: CollectiviteKind | str | None) -> str:
    return str(KIND_LABELS[CollectiviteKind(kind)]) if kind else str(UNKNOWN)


def size_label(band: SizeBand | str | None, *, short: bool = True) -> str:
    if not band:
        return str(UNKNOWN)
    return str((SIZE_SHORT if short else SIZE_LABELS)[SizeBand(band)])


def size_count(band: SizeBand | str | None, n: int) -> str:
    """ "3 villages", "1 grande ville", "2 de taille inconnue"."""
    if not band:
        return ngettext("%(num)d de taille inconnue", "%(num)d de taille inconnue", n)
    forms = {
        SizeBand.VILLAGE: lambda: ngettext("%(num)d village", "%(num)d villages", n),
        SizeBand.VILLE: lambda: ngettext("%(num)d ville", "%(num)d villes", n),
        SizeBand.GRANDE_VILLE: lambda: ngettext(
            "%(num)d grande ville", "%(num)d grandes villes", n
        ),
        SizeBand.TERRITOIRE: lambda: ngettext("%(num)d territoire", "%(num)d territoires", n),
    }
    return forms[SizeBand(band)]()


def kind_count(kind: CollectiviteKind | str | None, n: int) -> str:
    """ "3 communes", "1 intercommunalité", "2 sans type connu"."""
    if not kind:
        return ngettext("%(num)d hors de la liste", "%(num)d hors de la liste", n)
    forms = {
        CollectiviteKind.COMMUNE: lambda: ngettext("%(num)d commune", "%(num)d communes", n),
        CollectiviteKind.INTERCOMMUNALITE: lambda: ngettext(
            "%(num)d intercommunalité", "%(num)d intercommunalités", n
        ),
        CollectiviteKind.DEPARTEMENT: lambda: ngettext(
            "%(num)d département", "%(num)d départements", n
        ),
        CollectiviteKind.REGION: lambda: ngettext("%(num)d région", "%(num)d régions", n),
        CollectiviteKind.AUTRE: lambda: ngettext(
            "%(num)d autre collectivité", "%(num)d autres collectivités", n
        ),
    }
    return forms[CollectiviteKind(kind)]()


# The demo's collectivités: the invented places the demo élus speak for (motion/services/
# demo.py), each of a real type with a plausible population, so that every type and size
# band appears. Invented places have no official code. Same columns as an import file.
DEMO_FILE = "demo_collectivites.csv"


def demo_collectivites() -> list[tuple[str, CollectiviteKind, int | None]]:
    """The demo's collectivités (name, type, population) from motion/data/DEMO_FILE."""
    text = (resources.files("motion") / "data" / DEMO_FILE).read_text(encoding="utf-8")
    return [(row["nom"], CollectiviteKind(row["type"]),
             int(row["population"]) if row["population"] else None)
            for row in csv.DictReader(io.StringIO(text))]


def setup_demo() -> tuple[int, int]:
    """Create the demo's collectivités once, then link the demo élus and their
    contributions to them by name. Returns (users, contributions) linked. Flushes only."""
    existing = {fold(name) for name in db.session.scalars(select(Collectivite.name))}
    for name, kind, population in demo_collectivites():
        if fold(name) not in existing:
            db.session.add(Collectivite(name=name, kind=kind, population=population))
    db.session.flush()
    return link_by_name()


def snapshot_names(contributions: list[Contribution]) -> int:
    """Give contributions imported with a collectivité's name (no author) the listed
    collectivité of that name, its type and size band. Returns how many matched."""
    places = _by_name()
    matched = 0
    for contribution in contributions:
        record = places.get(fold(contribution.collectivite)) if contribution.collectivite else None
        if record is not None:
            contribution.collectivite_id = record.id
            contribution.collectivite_kind = record.kind
            contribution.collectivite_size = record.size_band
            matched += 1
    return matched
