"""Outgoing e-mail: queued with the transaction, sent after it commits.

SMTP when ``MAIL_SMTP_HOST`` is set; otherwise each message is written as an ``.eml``
file in ``MAIL_DIR`` (default ``<instance>/mail``), which is what development and tests use.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from motion.extensions import db

logger = logging.getLogger(__name__)

OUTBOX = "motion_mail_outbox"


def build_message(to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="motion.invalid")
    message.set_content(body)
    return message


def queue(to: str, subject: str, body: str) -> EmailMessage:
    """Queue a message; it leaves only when the outermost transaction commits.

    A message queued inside a savepoint (``begin_nested``) goes with that savepoint: its
    release hands the message to the enclosing transaction, its rollback drops it.
    """
    message = build_message(to, subject, body)
    session = db.session()
    transaction = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(OUTBOX, []).append(
        (transaction, current_app._get_current_object(), message)  # type: ignore[attr-defined]
    )
    return message


def mail_dir(app: Flask) -> Path:
    return Path(app.config["MAIL_DIR"] or Path(app.instance_path) / "mail")


def deliver(app: Flask, message: EmailMessage) -> None:
    """Send one message now (SMTP, or an .eml file)."""
    host = app.config["MAIL_SMTP_HOST"]
    if not host:
        directory = mail_dir(app)
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{uuid.uuid4().hex}.eml"
        path.write_bytes(message.as_bytes())
        logger.info("mail to %s written to %s", message["To"], path)
        return
    with smtplib.SMTP(host, int(app.config["MAIL_SMTP_PORT"]), timeout=30) as smtp:
        if app.config["MAIL_SMTP_STARTTLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if app.config["MAIL_SMTP_USER"]:
            smtp.login(app.config["MAIL_SMTP_USER"], app.config["MAIL_SMTP_PASSWORD"] or "")
        smtp.send_message(message)


@event.listens_for(Session, "after_commit")
def _send_outbox(session: Session) -> None:
    # after_commit also fires when a savepoint is released: its messages then belong to
    # the enclosing transaction and wait for it.
    if session.in_nested_transaction():
        released = session.get_nested_transaction()
        session.info[OUTBOX] = [
            (released.parent if owner is released else owner, app, message)
            for owner, app, message in session.info.get(OUTBOX, [])
        ]
        return
    for _owner, app, message in session.info.pop(OUTBOX, []):
        try:
            deliver(app, message)
        except (OSError, smtplib.SMTPException):
            # The data is committed; a lost notification must not turn into an error page.
            logger.exception("could not send mail to %s", message["To"])


@event.listens_for(Session, "after_soft_rollback")
def _drop_outbox(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the outermost transaction rolled back
        session.info.pop(OUTBOX, None)
        return
    session.info[OUTBOX] = [entry for entry in session.info.get(OUTBOX, [])
                            if entry[0] is not previous_transaction]
