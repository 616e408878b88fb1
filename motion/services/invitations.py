"""Inviting élus from a CSV file: accounts, workshop memberships and password links."""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from motion import validation
from motion.errors import InvalidInput, MotionError, NotFound
from motion.extensions import db
from motion.models import Campaign, Invitation, Role, User, Workshop
from motion.models._types import utcnow
from motion.models.invitations import InvitationJob, InvitationJobStatus
from motion.services import accounts, audit, mail
from motion.services.campaigns import add_member, slugify, workshops_by_key
from motion.services.imports import decode_csv, detect_delimiter, imports_dir

MAX_ROWS = 5000
BATCH_ROWS = 100  # rows a background import commits (and reports progress) at a time
HEADER_ALIASES = {
    "email": "email", "e-mail": "email", "courriel": "email", "mail": "email",
    "name": "name", "nom": "name",
    "collectivite": "collectivite", "collectivité": "collectivite",
    "workshops": "workshops", "ateliers": "workshops", "atelier": "workshops",
}
WORKSHOP_SEPARATORS = re.compile(r"[|;,]")
CELL_LIMITS = {"email": 254, "name": 120, "collectivite": 200, "workshops": 2000}
# The first bytes of files that are not CSV text: a spreadsheet (.xlsx, .ods, .xls), a PDF,
# an image.
BINARY_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF", b"\x89PNG", b"\xff\xd8\xff",
                     b"GIF8")
CONTROL_BYTES = frozenset([*range(0, 9), 11, 12, *range(14, 32), 127])


class LinkExpired(MotionError):
    status_code = 410


@dataclass
class InvitationReport:
    created: int = 0  # new accounts
    existing: int = 0  # accounts already there
    invited: int = 0  # invitation mails sent
    memberships: int = 0  # new workshop memberships
    rejected: list[tuple[int, str]] = field(default_factory=list)
    # Lines imported without a workshop they name that the campaign does not have (a typo:
    # no workshop is created from a file), each with its line number and what was not found.
    warnings: list[tuple[int, str]] = field(default_factory=list)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _usable_invitation(user: User, now: datetime) -> Invitation | None:
    return db.session.scalar(
        select(Invitation).where(
            Invitation.user_id == user.id, Invitation.used_at.is_(None),
            Invitation.expires_at > now,
        )
    )


def invite(
    user: User, link_for: Callable[[str], str], *, actor: User | None = None,
    now: datetime | None = None,
) -> Invitation:
    """Create an invitation link for ``user`` and queue the mail that carries it."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    days = current_app.config["INVITATION_LIFETIME_DAYS"]
    invitation = Invitation(
        user_id=user.id, token_hash=token_hash(token), created_at=now,
        expires_at=now + timedelta(days=days), created_by_id=actor.id if actor else None,
    )
    db.session.add(invitation)
    db.session.flush()
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        mail.queue(
            user.email,
            _("Votre invitation à contribuer sur motion"),
            _("Bonjour %(name)s,\n\nVous êtes invité à contribuer à la motion du Congrès "
              "national des élus au numérique. Choisissez votre mot de passe ici :\n\n"
              "%(link)s\n\nCe lien est valable %(days)d jours et ne sert qu’une fois.",
              name=user.display_name, link=link_for(token), days=days),
        )
    audit.record("invitation.create", invitation, actor=actor, user_id=user.id)
    return invitation


def import_invitations(
    data: bytes, campaign: Campaign, link_for: Callable[[str], str], *,
    actor: User | None = None, now: datetime | None = None,
    batch: Callable[[InvitationReport, float], None] | None = None,
) -> InvitationReport:
    """Create the listed élus, add them to their workshops, and invite those without a password.

    Re-importing the same file creates nothing new: existing accounts and memberships are
    kept and an unexpired invitation is not sent again. ``batch(report, share)`` is called
    every ``BATCH_ROWS`` rows, between two rows (a background job commits there).
    """
    now = now or utcnow()
    # The whole file is read (and its size checked) before any write.
    columns, rows = read_file(data)
    report = InvitationReport()
    workshops = workshops_by_key(campaign)
    for line, row in enumerate(rows, start=2):
        if batch is not None and line > 2 and (line - 2) % BATCH_ROWS == 0:
            batch(report, (line - 2) / len(rows))
        if not any(cell.strip() for cell in row):
            continue
        values = {c: cell.strip() for c, cell in zip(columns, row, strict=False) if c}
        try:
            with db.session.begin_nested():
                unknown = _import_row(values, workshops, link_for, report, actor=actor,
                                      now=now)
        except MotionError as error:
            report.rejected.append((line, error.message))
        else:
            report.warnings += [(line, _unknown_workshop_message(name, workshops))
                                for name in unknown]
    audit.record("invitation.import", campaign, actor=actor, created=report.created,
                 existing=report.existing, invited=report.invited,
                 rejected=len(report.rejected), unknown_workshops=len(report.warnings))
    return report


def _unknown_workshop_message(name: str, workshops: dict[str, Workshop]) -> str:
    """What a report line says of a workshop of a row that the campaign does not have, with
    the closest existing name when one is close (a typo)."""
    message = _("Atelier introuvable dans la campagne : « %(name)s ». L’élu est invité sans "
                "cet atelier.", name=name[:200])
    existing = {w.name.lower(): w.name for w in workshops.values()}
    close = difflib.get_close_matches(name.lower(), list(existing), n=1, cutoff=0.8)
    if close:
        message += " " + _("Vouliez-vous dire « %(name)s » ?", name=existing[close[0]])
    return message


def _is_binary(data: bytes) -> bool:
    """Whether ``data`` is not text: a known signature, or control bytes in more than 5 %
    of its beginning (a NUL in a cell is that row's problem, not the file's)."""
    head = data[:8192]
    return data.startswith(BINARY_SIGNATURES) or \
        sum(byte in CONTROL_BYTES for byte in head) > len(head) / 20


def _file_error(message: str, *, columns: bool = False) -> InvalidInput:
    """A whole-file problem, shown beside the import form's file field; ``columns``: the
    message goes on with the columns expected."""
    if columns:
        message += " " + _("La première ligne du fichier doit nommer ses colonnes : email "
                           "(obligatoire), nom, collectivité, ateliers (séparées par des "
                           "points-virgules ou des virgules), puis une ligne par élu.")
    return InvalidInput(message, field="file")


def read_file(data: bytes) -> tuple[list[str | None], list[list[str]]]:
    """The columns (``HEADER_ALIASES``' names, None for another column) and the data rows of
    an invitation file, or InvalidInput saying what is wrong with the file."""
    if not data.strip():
        raise _file_error(_("Le fichier est vide."), columns=True)
    if _is_binary(data):
        raise _file_error(_("Ce fichier n’est pas un fichier CSV (du texte) : si c’est un "
                            "classeur Excel ou LibreOffice, enregistrez-le au format CSV "
                            "(« Enregistrer sous », type « CSV ») et importez ce fichier-là."))
    try:
        text, _encoding = decode_csv(data)
    except InvalidInput as error:
        raise _file_error(error.message) from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=detect_delimiter(text))
    try:
        header = next(reader)
        rows = list(reader)
    except csv.Error as error:  # a cell of more than 128 KB, a quote never closed...
        raise _file_error(_("Fichier CSV illisible à la ligne %(n)d : vérifiez qu’il a été "
                            "enregistré au format CSV.", n=reader.line_num)) from error
    columns = [HEADER_ALIASES.get(h.strip().lower()) for h in header]
    if "email" not in columns:
        found = ", ".join(
            "« {} »".format("".join(c for c in h if c.isprintable()).strip()[:40])
            for h in header[:6] if h.strip())
        raise _file_error(_("Colonne « email » introuvable dans la première ligne du fichier "
                            "(elle contient : %(found)s).", found=found) if found
                          else _("La première ligne du fichier est vide."), columns=True)
    if len(rows) > MAX_ROWS:
        raise _file_error(_("Trop de lignes : %(n)d au plus par fichier.", n=MAX_ROWS))
    return columns, rows


def count_rows(data: bytes) -> int:
    """About how many data rows a CSV file holds (its lines less the header)."""
    return max(0, data.count(b"\n") + (not data.endswith(b"\n")) - 1)


def needs_job(data: bytes) -> bool:
    """Large files are imported by a background job (mails, argon2 hashes: seconds)."""
    return count_rows(data) > current_app.config["INVITATION_SYNC_MAX_ROWS"]


def request_import(data: bytes, campaign: Campaign, link_base: str, *,
                   actor: User | None = None) -> InvitationJob:
    """Keep the uploaded file in the instance folder and record its import job."""
    job = InvitationJob(campaign_id=campaign.id, requested_by=actor, filename="",
                        link_base=link_base[:255], message=_("En attente"),
                        status=InvitationJobStatus.QUEUED)
    db.session.add(job)
    db.session.flush()
    job.filename = f"invitations-{job.id}__{secrets.token_hex(8)}.csv"
    (imports_dir() / job.filename).write_bytes(data)
    audit.record("invitation.import_request", job, actor=actor, size=len(data))
    return job


def get_job(job_id: int) -> InvitationJob:
    job = db.session.get(InvitationJob, job_id)
    if job is None:
        raise NotFound(_("Import introuvable."))
    return job


def run_job(job: InvitationJob, progress: Callable[[float, str], None]) -> None:
    """The background import's work. It commits every ``BATCH_ROWS`` rows, so that SQLite's
    write lock is never held long and the progress (written by another connection) shows;
    each batch's mails leave with its commit. ``motion.jobs`` commits the last one."""
    campaign = db.session.get(Campaign, job.campaign_id)
    data = (imports_dir() / job.filename).read_bytes()
    base = job.link_base.rstrip("/")

    def batch(report: InvitationReport, share: float) -> None:
        db.session.commit()
        progress(0.02 + 0.95 * share, _("Création des comptes"), created=report.created,
                 existing=report.existing, invited=report.invited,
                 memberships=report.memberships)

    report = import_invitations(
        data, campaign, lambda token: f"{base}/invitation/{token}", actor=job.requested_by,
        batch=batch,
    )
    job.created, job.existing, job.invited = report.created, report.existing, report.invited
    job.memberships = report.memberships
    job.rejected_json = json.dumps({"rejected": report.rejected, "warnings": report.warnings},
                                   ensure_ascii=False)
    (imports_dir() / job.filename).unlink(missing_ok=True)


def _job_lines(job: InvitationJob, kind: str) -> list[tuple[int, str]]:
    stored = json.loads(job.rejected_json or "[]")
    if isinstance(stored, list):  # a job finished before its report kept warnings
        stored = {"rejected": stored}
    return [(int(line), str(reason)) for line, reason in stored.get(kind, [])]


def rejected_lines(job: InvitationJob) -> list[tuple[int, str]]:
    """The lines a background import left out, each with its reason."""
    return _job_lines(job, "rejected")


def warning_lines(job: InvitationJob) -> list[tuple[int, str]]:
    """The lines a background import took without some of their workshops (not found)."""
    return _job_lines(job, "warnings")


def _clean_cells(values: dict[str, str]) -> dict[str, str]:
    """Refuse a row with control characters or an oversized cell (5,000 characters...)."""
    labels = {"email": _("Adresse e-mail"), "name": _("Nom"),
              "collectivite": _("Collectivité"), "workshops": _("Ateliers")}
    return {key: validation.clean_text(values.get(key, ""), label=labels[key],
                                       max_length=CELL_LIMITS[key], multiline=False)
            for key in CELL_LIMITS}


def _import_row(values, workshops, link_for, report, *, actor, now) -> list[str]:
    """Import one row; the names of its workshops that the campaign does not have."""
    values = _clean_cells(values)
    email = accounts.validate_email(values.get("email", ""))
    user = accounts.get_user_by_email(email)
    if user is None:
        user = accounts.create_user(
            email, display_name=values.get("name") or None, role=Role.ELU,
            collectivite=values.get("collectivite") or None, actor=actor,
        )
        report.created += 1
    else:
        report.existing += 1
    unknown = []
    for name in WORKSHOP_SEPARATORS.split(values.get("workshops", "")):
        name = " ".join(name.split())
        if name:
            workshop = workshops.get(slugify(name))
            if workshop is None:
                if name not in unknown:
                    unknown.append(name)
                continue
            before = len(user.memberships)
            add_member(user, workshop, actor=actor)
            db.session.refresh(user, ["memberships"])
            report.memberships += len(user.memberships) > before
    if user.password_hash is None and _usable_invitation(user, now) is None:
        invite(user, link_for, actor=actor, now=now)
        report.invited += 1
    return unknown


def get_invitation(token: str, now: datetime | None = None) -> Invitation:
    """The invitation of a link; a clear error if it is unknown, used or expired."""
    now = now or utcnow()
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == token_hash(token))
    )
    if invitation is None:
        raise NotFound(_("Ce lien d’invitation n’existe pas. Vérifiez qu’il est complet."))
    if invitation.used_at is not None:
        raise LinkExpired(_("Ce lien d’invitation a déjà servi : connectez-vous avec votre mot "
                            "de passe."))
    if not invitation.is_usable(now):
        raise LinkExpired(_("Ce lien d’invitation a expiré : demandez-en un nouveau à "
                            "l’administrateur."))
    return invitation


def accept(token: str, password: str, confirm: str, now: datetime | None = None) -> User:
    """Set the invited user's password through a valid link (once)."""
    invitation = get_invitation(token, now)
    if password != confirm:
        raise InvalidInput(_("Les deux mots de passe ne sont pas identiques."), field="confirm")
    user = invitation.user
    accounts.set_password(user, password, actor=user)
    invitation.used_at = now or utcnow()
    audit.record("invitation.accept", invitation, actor=user)
    return user
