"""Open data: a campaign's published contributions, its themes and the motion's provenance.

Only published items ever appear (never hidden or withdrawn ones), and no personal data
beyond what élus published: no e-mails, no account ids, no authors' names. The JSON
follows ``docs/schemas/opendata.schema.json``; the CSV files are UTF-8 with a header row
and RFC 4180 quoting (CRLF line ends, double quotes doubled), text cells that a spreadsheet
would run as a formula prefixed with ``'``, bundled in a ZIP with a ``LISEZMOI.md``
metadata file (licence, generation date, columns, that prefix).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import asdict, dataclass
from datetime import datetime

from motion.exports.document import ClusterEntry, MotionDocument

SCHEMA_VERSION = "1.0"
SCHEMA_PATH = "docs/schemas/opendata.schema.json"
DEFAULT_LICENCE = "etalab-2.0"


@dataclass(frozen=True)
class Licence:
    id: str
    name: str
    url: str


LICENCES: dict[str, Licence] = {
    licence.id: licence
    for licence in (
        Licence("etalab-2.0", "Licence Ouverte / Open Licence version 2.0",
                "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"),
        Licence("odbl-1.0", "Open Database License (ODbL) 1.0",
                "https://opendatacommons.org/licenses/odbl/1-0/"),
        Licence("cc-by-4.0", "Creative Commons Attribution 4.0 International",
                "https://creativecommons.org/licenses/by/4.0/"),
        Licence("cc0-1.0", "Creative Commons Zero 1.0 (domaine public)",
                "https://creativecommons.org/publicdomain/zero/1.0/"),
    )
}

CONTRIBUTION_COLUMNS = (
    "id", "title", "text", "workshop", "engagement", "axis", "cluster", "cluster_name",
    "supports", "date", "collectivite",
)
CLUSTER_COLUMNS = (
    "id", "name", "size", "keywords", "engagement", "axis", "out_of_frame",
    "representative_ids",
)
PROPOSITION_COLUMNS = (
    "id", "number", "engagement", "title", "text", "contribution_ids", "cluster_ids",
    "votes_pour", "votes_contre", "votes_abstention",
    "followup_status", "followup_last_note_on", "followup_last_note", "continues",
)


@dataclass(frozen=True)
class OpenContribution:
    id: int
    title: str | None
    text: str
    workshop: str
    engagement: str | None  # engagement code, e.g. "E2"
    axis: str | None  # axis code, e.g. "E2.1"
    cluster: int | None
    cluster_name: str | None
    supports: int
    date: str  # YYYY-MM-DD, in the campaign's time zone
    collectivite: str | None


@dataclass(frozen=True)
class OpenCluster(ClusterEntry):
    engagement: str | None
    axis: str | None
    out_of_frame: bool
    representative_ids: tuple[int, ...]


@dataclass(frozen=True)
class OpenDataSet:
    campaign_slug: str
    campaign_title: str
    licence: Licence
    generated_at: datetime
    contributions: tuple[OpenContribution, ...]
    clusters: tuple[OpenCluster, ...]
    motion: MotionDocument | None = None


def licence_for(code: str | None) -> Licence:
    return LICENCES.get(code or DEFAULT_LICENCE, LICENCES[DEFAULT_LICENCE])


def metadata(data: OpenDataSet) -> dict:
    return {
        "title": f"Contributions et motion — {data.campaign_title}",
        "campaign": data.campaign_slug,
        "description": (
            "Contributions publiées par les élus pendant la campagne, thèmes issus du "
            "regroupement sémantique et propositions de la motion avec les identifiants "
            "des contributions dont elles sont issues. Les contributions masquées ou "
            "retirées et toute donnée personnelle (adresses électroniques, comptes) sont "
            "exclues."
        ),
        "licence": asdict(data.licence),
        "generated_at": data.generated_at.isoformat(timespec="seconds"),
        "producer": "motion",
        "schema_version": SCHEMA_VERSION,
        "counts": {
            "contributions": len(data.contributions),
            "clusters": len(data.clusters),
            "propositions": len(data.motion.propositions) if data.motion else 0,
        },
    }


def _motion(doc: MotionDocument | None) -> dict | None:
    if doc is None:
        return None
    return {
        "title": doc.title,
        "status": "draft" if doc.is_draft else "adopted",
        "adopted_on": doc.adopted_on.isoformat() if doc.adopted_on else None,
        "preamble": doc.preamble,
        "sections": [
            {"engagement": s.code, "title": s.title,
             "propositions": [p.id for p in s.propositions]}
            for s in doc.sections
        ],
        "propositions": [_proposition(doc, p) for p in doc.propositions],
    }


def _section_code(doc: MotionDocument, proposition) -> str | None:
    for section in doc.sections:
        if proposition in section.propositions:
            return section.code or None
    return None


def _proposition(doc: MotionDocument, p) -> dict:
    return {
        "id": p.id,
        "number": p.number,
        "engagement": _section_code(doc, p),
        "title": p.title,
        "text": p.text,
        "contribution_ids": list(p.contribution_ids),
        "cluster_ids": list(p.cluster_ids),
        "vote": (
            {"pour": p.vote.pour, "contre": p.vote.contre, "abstention": p.vote.abstention}
            if p.vote else None
        ),
        "followup": _followup(p.followup),
        "continues": p.continues,
    }


def _followup(entry) -> dict | None:
    """A closed campaign's follow-up of one proposition (None before the campaign closes)."""
    if entry is None:
        return None
    return {
        "status": entry.status, "label": entry.label, "last_note": entry.last_note,
        "last_note_on": entry.last_note_on.isoformat() if entry.last_note_on else None,
        "links": [{"title": title, "url": url} for title, url in entry.links],
    }


def to_json_object(data: OpenDataSet) -> dict:
    return {
        "metadata": metadata(data),
        "contributions": [asdict(c) for c in data.contributions],
        "clusters": [
            {**asdict(c), "keywords": list(c.keywords),
             "representative_ids": list(c.representative_ids)}
            for c in data.clusters
        ],
        "motion": _motion(data.motion),
    }


def render_json(data: OpenDataSet) -> bytes:
    return json.dumps(to_json_object(data), ensure_ascii=False, indent=1).encode("utf-8")


# A spreadsheet reads a cell starting with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A text cell a spreadsheet would run as a formula, prefixed with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def write_csv(header: tuple[str, ...], rows) -> bytes:
    """UTF-8 CSV (RFC 4180: CRLF record ends; fields with commas, quotes or line breaks
    quoted) with formula-leading text cells neutralised; every CSV motion writes goes here."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else neutralise(v) for v in row])
    return buffer.getvalue().encode("utf-8")


def contributions_csv(data: OpenDataSet) -> bytes:
    return write_csv(CONTRIBUTION_COLUMNS, (
        [getattr(c, name) for name in CONTRIBUTION_COLUMNS] for c in data.contributions
    ))


def clusters_csv(data: OpenDataSet) -> bytes:
    return write_csv(CLUSTER_COLUMNS, (
        [c.id, c.name, c.size, "; ".join(c.keywords), c.engagement, c.axis,
         "oui" if c.out_of_frame else "non", " ".join(map(str, c.representative_ids))]
        for c in data.clusters
    ))


def propositions_csv(data: OpenDataSet) -> bytes:
    doc = data.motion
    rows = []
    for p in doc.propositions if doc else ():
        vote = p.vote
        rows.append([
            p.id, p.number, _section_code(doc, p), p.title, p.text,
            " ".join(map(str, p.contribution_ids)), " ".join(map(str, p.cluster_ids)),
            vote.pour if vote else None, vote.contre if vote else None,
            vote.abstention if vote else None,
            p.followup.status if p.followup else None,
            p.followup.last_note_on.isoformat() if p.followup and p.followup.last_note_on
            else None,
            p.followup.last_note if p.followup else None,
            p.continues,
        ])
    return write_csv(PROPOSITION_COLUMNS, rows)


def readme(data: OpenDataSet) -> str:
    meta = metadata(data)
    return "\n".join([
        f"# {meta['title']}",
        "",
        meta["description"],
        "",
        f"- Licence : {data.licence.name} ({data.licence.url})",
        f"- Date de génération : {meta['generated_at']}",
        f"- Producteur : {meta['producer']} (schéma {SCHEMA_VERSION})",
        f"- Contributions : {meta['counts']['contributions']}, thèmes : "
        f"{meta['counts']['clusters']}, propositions : {meta['counts']['propositions']}",
        "",
        "## Fichiers",
        "",
        "Fichiers CSV en UTF-8, séparateur virgule, première ligne d’en-tête, guillemets "
        "doubles autour des champs qui contiennent une virgule, un guillemet ou un retour "
        "à la ligne (RFC 4180).",
        "",
        "Un texte qui commence par `=`, `+`, `-`, `@`, une tabulation ou un retour chariot "
        "est précédé d’une apostrophe (`'`), pour qu’un tableur ne l’exécute pas comme une "
        "formule : retirez cette première apostrophe pour retrouver le texte exact (le JSON "
        "donne les textes sans ce préfixe).",
        "",
        "- `contributions.csv` : " + ", ".join(CONTRIBUTION_COLUMNS) + ". `engagement` et "
        "`axis` sont les codes du référentiel ; `cluster` est l’identifiant du thème "
        "(voir `themes.csv`) ; `date` est la date de publication.",
        "- `themes.csv` : " + ", ".join(CLUSTER_COLUMNS) + ". Mots-clés séparés par "
        "« ; », identifiants séparés par des espaces.",
        "- `propositions.csv` : " + ", ".join(PROPOSITION_COLUMNS) + ". "
        "`contribution_ids` : les contributions dont la proposition est issue ; "
        "`followup_status` (campagne close) : not_transmitted (non transmise), transmitted "
        "(transmise), answered (réponse reçue), in_text (reprise dans un texte), "
        "no_follow_up (sans suite), avec la dernière note datée ; `continues` : la "
        "proposition d’une campagne précédente qu’elle prolonge.",
        "",
        f"Le même jeu de données existe en JSON, décrit par le schéma `{SCHEMA_PATH}`.",
        "",
    ])


def render_csv_zip(data: OpenDataSet) -> bytes:
    """The CSV files and their metadata, in one ZIP archive."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("LISEZMOI.md", readme(data).encode("utf-8"))
        archive.writestr("contributions.csv", contributions_csv(data))
        archive.writestr("themes.csv", clusters_csv(data))
        archive.writestr("propositions.csv", propositions_csv(data))
    return buffer.getvalue()
