"""Addressees of the motion (ministries and other bodies) and the transmission dossiers.

A campaign keeps its own list of :class:`Addressee` rows (ordered by ``position``); each
engagement of the campaign's framework has default addressees (:class:`AddresseeEngagement`,
editable). :class:`PropositionAddressee` ties a proposition to an addressee: suggested from
its engagement or its text, then confirmed (or not) by a facilitator. A dossier per
addressee gathers its confirmed propositions; :class:`DossierDispatch` records when one was
sent. :class:`DossierSettings` holds the cover letter the administrator edits.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from motion.extensions import db
from motion.models._mixins import CampaignScoped, Timestamped, children, reference
from motion.models._types import UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from motion.models.campaigns import Campaign
    from motion.models.frameworks import Engagement
    from motion.models.motions import Proposition
    from motion.models.people import User


class AddresseeKind(enum.StrEnum):
    MINISTRY = "ministry"  # un ministère
    OTHER = "other"  # une autre instance (agence, autorité…)


class Addressee(CampaignScoped, Timestamped, db.Model):
    """A ministry or another body the campaign's propositions are transmitted to."""

    __tablename__ = "addressees"
    __table_args__ = (
        UniqueConstraint("campaign_id", "name"),
        Index("ix_addressees_campaign_position", "campaign_id", "position"),
    )

    name: Mapped[str] = mapped_column(String(300))
    short_name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[AddresseeKind] = mapped_column(
        str_enum(AddresseeKind, "addressee_kind"), default=AddresseeKind.MINISTRY
    )
    # What it is in charge of: shown to facilitators and matched against propositions.
    description: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str | None] = mapped_column(String(254))
    postal_address: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(default=0)

    campaign: Mapped[Campaign] = relationship()
    engagement_links: Mapped[list[AddresseeEngagement]] = children(back_populates="addressee")


class AddresseeEngagement(db.Model):
    """An engagement whose propositions go to this addressee by default."""

    __tablename__ = "addressee_engagements"

    addressee_id: Mapped[int] = reference("addressees", ondelete="CASCADE", primary_key=True)
    engagement_id: Mapped[int] = reference(
        "engagements", ondelete="CASCADE", primary_key=True, index=True
    )

    addressee: Mapped[Addressee] = relationship(back_populates="engagement_links")
    engagement: Mapped[Engagement] = relationship()


class PropositionAddressee(Timestamped, db.Model):
    """An addressee concerned by a proposition: suggested, then decided by a facilitator.

    ``suggested`` rows come from the proposition's engagement (``reason`` "engagement") or
    its text ("texte", with the similarity ``score``); only ``confirmed`` rows put the
    proposition in the addressee's dossier. ``decided_at`` is set once a facilitator has
    saved the proposition's addressees (confirming or leaving the suggestion out).
    """

    __tablename__ = "proposition_addressees"
    __table_args__ = (
        UniqueConstraint("proposition_id", "addressee_id"),
        Index("ix_proposition_addressees_addressee", "addressee_id", "confirmed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposition_id: Mapped[int] = reference("propositions", ondelete="CASCADE")
    addressee_id: Mapped[int] = reference("addressees", ondelete="CASCADE")
    suggested: Mapped[bool] = mapped_column(default=False)
    # "engagement", "texte" or "engagement+texte" for a suggestion; "" otherwise.
    reason: Mapped[str] = mapped_column(String(40), default="")
    score: Mapped[float | None]
    confirmed: Mapped[bool] = mapped_column(default=False)
    decided_by_id: Mapped[int | None] = reference("users", ondelete="SET NULL")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    proposition: Mapped[Proposition] = relationship()
    addressee: Mapped[Addressee] = relationship()
    decided_by: Mapped[User | None] = relationship()


class DossierDispatch(db.Model):
    """A transmission dossier recorded as sent to its addressee."""

    __tablename__ = "dossier_dispatches"
    __table_args__ = (Index("ix_dossier_dispatches_addressee", "addressee_id", "sent_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # RESTRICT: an addressee a dossier was sent to stays (the record must not vanish).
    addressee_id: Mapped[int] = reference("addressees", ondelete="RESTRICT")
    # The day the facilitator says it was sent (the campaign's local date).
    sent_on: Mapped[date] = mapped_column(Date)
    # What was sent: the motion's state, and each proposition with the version the
    # dossier held ("12:v3 15:v1").
    motion_adopted: Mapped[bool] = mapped_column(default=False)
    versions: Mapped[str] = mapped_column(Text, default="")
    propositions: Mapped[int] = mapped_column(default=0)
    note: Mapped[str] = mapped_column(String(500), default="")
    recorded_by_id: Mapped[int | None] = reference("users", ondelete="SET NULL")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    addressee: Mapped[Addressee] = relationship()
    recorded_by: Mapped[User | None] = relationship()


class DossierSettings(db.Model):
    """The cover letter of a campaign's dossiers (one row per campaign, once edited)."""

    __tablename__ = "dossier_settings"

    campaign_id: Mapped[int] = reference("campaigns", ondelete="CASCADE", primary_key=True)
    association: Mapped[str] = mapped_column(String(300), default="")
    signatory: Mapped[str] = mapped_column(String(300), default="")
    # The letter with placeholders ({association}, {date}, {signataire}, {destinataire}…).
    letter: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = reference("users", ondelete="SET NULL")
