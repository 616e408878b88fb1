"""Transmission dossiers: per addressee, a cover letter and the propositions that concern it.

The propositions and their vote results come from the motion's builder
(:func:`motion.exports.builder.build_motion_document`: the results frozen when a round
closes, counted by :func:`motion.services.votes.tally`); only the propositions confirmed
for the addressee go in its dossier and, once the motion is adopted, only the adopted
ones. The cover letter is the administrator's template with placeholders. Services add
and flush; the caller commits.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, replace
from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from motion.errors import InvalidInput, NotFound
from motion.exports import builder, dossier
from motion.extensions import db
from motion.models import (
    Addressee,
    Campaign,
    DossierDispatch,
    DossierSettings,
    ExportJob,
    Motion,
    Proposition,
    User,
)
from motion.models._types import utcnow
from motion.services import addressees as addressee_service
from motion.services import audit, campaigns, provenance
from motion.services.exports import MIMETYPES, ExportFile, queue_job, save_job_file

FORMATS = ("odt", "docx", "pdf")
ARCHIVE_CHOICES = ("all", *FORMATS)
MAX_LETTER = 10_000
DEFAULT_ASSOCIATION = "Villes Internet"
DEFAULT_SIGNATORY = "La présidence de l’association Villes Internet"
# The placeholders a cover letter may use, and what each one stands for.
PLACEHOLDERS = {
    "association": _l("le nom de l’association"),
    "date": _l("la date du jour"),
    "signataire": _l("le ou la signataire"),
    "destinataire": _l("le destinataire"),
    "congres": _l("le titre du congrès"),
    "lieu": _l("le lieu du congrès"),
    "nombre_propositions": _l(
        "le nombre de propositions du dossier, avec le mot « proposition » accordé"
    ),
}
DEFAULT_LETTER = (
    "Madame, Monsieur,\n\n"
    "Réunis lors du {congres}, les élus au numérique des collectivités membres de "
    "l’association {association} ont débattu, amendé puis voté une motion. Nous avons "
    "l’honneur de vous transmettre {nombre_propositions} de cette motion relevant de votre "
    "champ d’action, avec les résultats des votes et leur provenance.\n\n"
    "Nous nous tenons à votre disposition pour les présenter et en suivre la mise en "
    "œuvre, et vous prions d’agréer, Madame, Monsieur, l’expression de notre haute "
    "considération."
)
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


# ------------------------------------------------------------------ cover letter


@dataclass(frozen=True)
class LetterSettings:
    association: str
    signatory: str
    letter: str


def settings(campaign: Campaign) -> LetterSettings:
    """The campaign's cover letter, its association and signatory (defaults until edited)."""
    row = db.session.get(DossierSettings, campaign.id)
    return LetterSettings(
        association=(row.association if row else "") or DEFAULT_ASSOCIATION,
        signatory=(row.signatory if row else "") or DEFAULT_SIGNATORY,
        letter=(row.letter if row else "") or DEFAULT_LETTER,
    )


def check_letter(letter: str) -> None:
    """Refuse a letter naming a placeholder that does not exist, or with a stray brace."""
    unknown = sorted({m.group(1) for m in _PLACEHOLDER.finditer(letter)} - set(PLACEHOLDERS))
    if unknown:
        raise InvalidInput(
            _(
                "Champ inconnu dans la lettre : %(names)s. Champs possibles : %(known)s.",
                names=", ".join(f"{{{n}}}" for n in unknown),
                known=", ".join(f"{{{n}}}" for n in PLACEHOLDERS),
            ),
            field="letter",
        )
    if "{" in _PLACEHOLDER.sub("", letter) or "}" in _PLACEHOLDER.sub("", letter):
        raise InvalidInput(
            _(
                "Une accolade de la lettre n’est pas fermée : écrivez les champs "
                "ainsi : {destinataire}."
            ),
            field="letter",
        )


def save_settings(
    campaign: Campaign, *, association: str, signatory: str, letter: str, actor: User | None = None
) -> LetterSettings:
    """Store the administrator's cover letter (an empty field restores its default)."""
    from motion.validation import clean_text

    association = clean_text(
        association, label=_("Association"), max_length=300, multiline=False, field="association"
    )
    signatory = clean_text(
        signatory, label=_("Signataire"), max_length=300, multiline=False, field="signatory"
    )
    letter = clean_text(
        letter, label=_("Lettre d’accompagnement"), max_length=MAX_LETTER, field="letter"
    )
    check_letter(letter)
    row = db.session.get(DossierSettings, campaign.id)
    if row is None:
        row = DossierSettings(campaign_id=campaign.id)
        db.session.add(row)
    row.association = "" if association == DEFAULT_ASSOCIATION else association
    row.signatory = "" if signatory == DEFAULT_SIGNATORY else signatory
    row.letter = "" if letter == DEFAULT_LETTER else letter
    row.updated_by_id = actor.id if actor else None
    audit.record("dossier.letter", campaign, actor=actor)
    return settings(campaign)


def fill_letter(template: str, values: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


# ------------------------------------------------------------------ provenance


# (singular, plural) labels of the document, French whatever the interface language.
KIND_LABELS = {
    "commune": ("commune", "communes"),
    "intercommunalite": ("intercommunalité", "intercommunalités"),
    "departement": ("département", "départements"),
    "region": ("région", "régions"),
    "autre": ("autre collectivité", "autres collectivités"),
    None: ("hors de la liste des collectivités", "hors de la liste des collectivités"),
}
SIZE_LABELS = {
    "village": ("village (moins de 2 000 habitants)", "villages (moins de 2 000 habitants)"),
    "ville": ("ville", "villes"),
    "grande_ville": ("grande ville", "grandes villes"),
    "territoire": ("territoire", "territoires"),
    None: ("de taille inconnue", "de taille inconnue"),
}


def provenance_summary(proposition_ids: list[int]) -> dossier.ProvenanceSummary:
    """How many contributions, élus and collectivités (by type and size band) the
    propositions come from, counted by :func:`provenance.collectivite_summary`; the labels
    are the document's (French whatever the interface language)."""
    if not proposition_ids:
        return dossier.ProvenanceSummary(0, 0, 0)
    found = provenance.collectivite_summary(
        db.session.scalars(select(Proposition).where(Proposition.id.in_(proposition_ids)))
    )

    def counts(values: dict, labels: dict) -> tuple[dossier.Count, ...]:
        by_value = {(str(k) if k is not None else None): n for k, n in values.items()}
        return tuple(
            dossier.Count(forms[0] if by_value[key] == 1 else forms[1], by_value[key])
            for key, forms in labels.items()
            if by_value.get(key)
        )

    return dossier.ProvenanceSummary(
        contributions=found.contributions,
        elus=found.elus,
        collectivites=found.collectivites,
        by_kind=counts(found.by_kind, KIND_LABELS),
        by_size=counts(found.by_size, SIZE_LABELS),
    )


# ------------------------------------------------------------------ the documents


def _motion(campaign: Campaign) -> Motion:
    motion = db.session.scalar(select(Motion).where(Motion.campaign_id == campaign.id))
    if motion is None:
        raise NotFound(_("La motion de cette campagne n’a pas encore été créée."))
    return motion


def build_dossiers(
    campaign: Campaign, targets: list[Addressee], *, today: date | None = None
) -> list[dossier.DossierDocument]:
    """The dossiers of ``targets``, from one read of the motion."""
    _motion(campaign)
    doc = builder.build_motion_document(campaign)
    if doc is None:
        raise NotFound(_("La motion de cette campagne n’a pas encore été créée."))
    letter = settings(campaign)
    today = today or doc.generated_at.date()
    out = []
    for addressee in targets:
        wanted = set(addressee_service.confirmed_ids(addressee))
        sections = []
        for section in doc.sections:
            kept = tuple(
                p
                for p in section.propositions
                if p.id in wanted and (doc.is_draft or p.vote is None or p.vote.adopted)
            )
            if kept:
                sections.append(replace(section, propositions=kept))
        count = sum(len(s.propositions) for s in sections)
        values = {
            "association": letter.association,
            "signataire": letter.signatory,
            "destinataire": addressee.name,
            "congres": campaign.title,
            "lieu": campaign.place or "",
            "nombre_propositions": f"{count} proposition{'s' if count > 1 else ''}",
            "date": _fr_date(today),
        }
        out.append(
            dossier.DossierDocument(
                campaign_slug=campaign.slug,
                congress=campaign.title,
                motion_title=doc.title,
                addressee=addressee.name,
                addressee_short=addressee.short_name,
                addressee_address=addressee.postal_address,
                association=letter.association,
                signatory=letter.signatory,
                letter=fill_letter(letter.letter, values),
                letter_date=today,
                sections=tuple(sections),
                provenance=provenance_summary([p.id for s in sections for p in s.propositions]),
                place=doc.place,
                adopted_on=doc.adopted_on,
                generated_at=doc.generated_at,
            )
        )
    return out


def _fr_date(value: date) -> str:
    from motion.exports.common import fr_date

    return fr_date(value)


def build_dossier(campaign: Campaign, addressee: Addressee) -> dossier.DossierDocument:
    return build_dossiers(campaign, [addressee])[0]


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise InvalidInput(_("Format inconnu : choisissez ODT, DOCX ou PDF."))
    return fmt


def file_stem(campaign: Campaign, addressee: Addressee) -> str:
    return f"dossier-{campaign.slug}-{campaigns.slugify(addressee.short_name)[:40]}"


def dossier_file(campaign: Campaign, addressee: Addressee, fmt: str) -> ExportFile:
    """One addressee's dossier in ``fmt``; refused while no proposition is confirmed for it."""
    check_format(fmt)
    doc = build_dossier(campaign, addressee)
    if not doc.propositions:
        raise InvalidInput(
            _(
                "Aucune proposition n’est confirmée pour « %(name)s » : "
                "choisissez ses propositions avant d’exporter son dossier.",
                name=addressee.name,
            )
        )
    stamp = utcnow().strftime("%Y%m%d")
    return ExportFile(
        dossier.render(doc, fmt), f"{file_stem(campaign, addressee)}-{stamp}.{fmt}", MIMETYPES[fmt]
    )


def archive(campaign: Campaign, choice: str = "all", *, progress=None) -> ExportFile:
    """Every addressee's dossier (those with confirmed propositions) in one ZIP file."""
    if choice not in ARCHIVE_CHOICES:
        raise InvalidInput(_("Format inconnu : choisissez ODT, DOCX, PDF ou les trois."))
    formats = FORMATS if choice == "all" else (choice,)
    targets = addressee_service.addressees(campaign)
    docs = [d for d in build_dossiers(campaign, targets) if d.propositions]
    if not docs:
        raise InvalidInput(
            _("Aucun dossier à exporter : aucune proposition n’est confirmée pour un destinataire.")
        )
    by_name = {a.name: a for a in targets}
    stamp = utcnow().strftime("%Y%m%d")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for position, doc in enumerate(docs, start=1):
            stem = f"{position:02d}-{file_stem(campaign, by_name[doc.addressee])}"
            if progress is not None:
                progress(
                    0.1 + 0.85 * (position - 1) / len(docs),
                    _("Dossier %(n)d sur %(total)d", n=position, total=len(docs)),
                )
            for fmt in formats:
                zf.writestr(f"{stem}.{fmt}", dossier.render(doc, fmt))
    return ExportFile(buffer.getvalue(), f"dossiers-{campaign.slug}-{stamp}.zip", "application/zip")


# ------------------------------------------------------------------ background jobs

# Rendering a dossier is estimated at one unit per proposition in ODT or DOCX and four in
# PDF (WeasyPrint's layout); above DOSSIER_SYNC_MAX_COST units the file is prepared by an
# export job. Measured by bench/bench_dossiers.py (docs/benchmarks.md, load 6.5): at or
# below 40 units, at most 1.6 s (the ZIP of 8 one-proposition PDF dossiers, cost 32), about
# 3 s for a worker's first PDF (WeasyPrint's start); above, 2.0-4.3 s (8 addressees × 8
# propositions: 3.6 s in PDF, 4.0 s in the three formats). The time is mostly per dossier
# (0.1-0.3 s in ODT or DOCX, 0.3-0.5 s in PDF), not per proposition, so many small dossiers
# cost more than the estimate says.
FORMAT_COST = {"odt": 1, "docx": 1, "pdf": 4}
SYNC_MAX_COST = 40
JOB_KINDS = ("dossier", "dossiers")


def too_large(propositions: int, choice: str) -> bool:
    """Whether ``propositions`` confirmed propositions in ``choice`` (a format, or "all")
    are above what is rendered within the request."""
    from flask import current_app

    formats = FORMATS if choice == "all" else (choice,)
    cost = propositions * sum(FORMAT_COST.get(fmt, 1) for fmt in formats)
    return cost > current_app.config.get("DOSSIER_SYNC_MAX_COST", SYNC_MAX_COST)


def needs_job(campaign: Campaign, addressee: Addressee | None, choice: str) -> bool:
    """Whether one addressee's dossier (``addressee`` None: the ZIP of every dossier) in
    ``choice`` is prepared by a job rather than within the request."""
    counts = addressee_service.confirmed_counts(campaign)
    propositions = counts.get(addressee.id, 0) if addressee else sum(counts.values())
    return too_large(propositions, choice)


def request_job(
    campaign: Campaign, addressee: Addressee | None, choice: str, *, actor: User | None = None
) -> ExportJob:
    """Create the progress record of a dossier job (one addressee's file, or the ZIP of
    every dossier when ``addressee`` is None); refuse a duplicate while one runs."""
    if addressee is None:
        if choice not in ARCHIVE_CHOICES:
            raise InvalidInput(_("Format inconnu : choisissez ODT, DOCX, PDF ou les trois."))
    else:
        check_format(choice)
    _motion(campaign)
    return queue_job(campaign, "dossier" if addressee else "dossiers", choice, actor=actor,
                     busy=_("Ce dossier est déjà en préparation."),
                     addressee_id=addressee.id if addressee else None)


def run_job(job: ExportJob, progress) -> None:
    """The ``dossier`` job kind's work (``motion.jobs``): render the file into the instance
    folder like the other export jobs."""
    save_job_file(job, render_job(job, progress))


def render_job(job: ExportJob, progress) -> ExportFile:
    """The file of a dossier job: one addressee's dossier, or the ZIP of every dossier."""
    campaign = db.session.get(Campaign, job.campaign_id)
    progress(0.1, _("Lecture des données"))
    if job.kind == "dossier":
        addressee = db.session.get(Addressee, job.addressee_id) if job.addressee_id else None
        if addressee is None or addressee.campaign_id != campaign.id:
            raise NotFound(_("Destinataire introuvable."))
        return dossier_file(campaign, addressee, job.format)
    return archive(campaign, job.format, progress=progress)


# ------------------------------------------------------------------ dispatches


def local_today(campaign: Campaign) -> date:
    return utcnow().astimezone(builder._zone(campaign)).date()


def earliest_dispatch(campaign: Campaign) -> date:
    """The first day a dossier can have been sent: the day the campaign began, in its time
    zone (its creation, or its first phase when earlier: a past congress recorded
    afterwards)."""
    began = min([campaign.created_at, *(phase.starts_at for phase in campaign.phases)])
    return began.astimezone(builder._zone(campaign)).date()


def record_dispatch(
    addressee: Addressee, sent_on: date | None, *, note: str = "", actor: User | None = None
) -> DossierDispatch:
    """Record that ``addressee``'s dossier was sent on ``sent_on``, with what it held."""
    if sent_on is None:
        raise InvalidInput(_("Indiquez la date d’envoi."), field="sent_on")
    campaign = addressee.campaign
    if sent_on > local_today(campaign):
        raise InvalidInput(_("La date d’envoi ne peut pas être dans le futur."), field="sent_on")
    first = earliest_dispatch(campaign)
    if sent_on < first:
        raise InvalidInput(_("La date d’envoi ne peut pas précéder le début de la campagne "
                             "(%(date)s).", date=format_date(first, "d MMMM y")),
                           field="sent_on")
    motion = _motion(campaign)
    ids = addressee_service.confirmed_ids(addressee)
    versions = dict(
        db.session.execute(
            select(Proposition.id, Proposition.version_number).where(
                Proposition.id.in_(ids or [-1])
            )
        ).all()
    )
    dispatch = DossierDispatch(
        addressee_id=addressee.id,
        sent_on=sent_on,
        motion_adopted=motion.is_adopted,
        versions=" ".join(f"{i}:v{versions[i]}" for i in sorted(versions)),
        propositions=len(versions),
        note=(note or "").strip()[:500],
        recorded_by_id=actor.id if actor else None,
    )
    db.session.add(dispatch)
    audit.record(
        "dossier.sent",
        dispatch,
        actor=actor,
        campaign_id=campaign.id,
        addressee=addressee.id,
        sent_on=sent_on.isoformat(),
    )
    return dispatch


def dispatches(campaign: Campaign) -> dict[int, list[DossierDispatch]]:
    """Each addressee's recorded dispatches, latest first."""
    out: dict[int, list[DossierDispatch]] = {}
    for row in db.session.scalars(
        select(DossierDispatch)
        .join(Addressee, DossierDispatch.addressee_id == Addressee.id)
        .where(Addressee.campaign_id == campaign.id)
        .order_by(DossierDispatch.sent_on.desc(), DossierDispatch.id.desc())
    ):
        out.setdefault(row.addressee_id, []).append(row)
    return out


@dataclass(frozen=True)
class DossierRow:
    addressee: Addressee
    propositions: int
    dispatches: list[DossierDispatch]


def overview(campaign: Campaign) -> list[DossierRow]:
    """The dossiers page: each addressee, its confirmed propositions and its dispatches."""
    counts = addressee_service.confirmed_counts(campaign)
    sent = dispatches(campaign)
    return [
        DossierRow(a, counts.get(a.id, 0), sent.get(a.id, []))
        for a in addressee_service.addressees(campaign)
    ]
