"""The audit trail: what ``audit.record`` files, for new objects and for campaigns
(SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import select

from motion.models import AuditEvent, Workshop
from motion.services import audit


def test_an_event_on_a_new_object_carries_its_id_and_campaign(db, make_campaign, make_user):
    campaign, admin = make_campaign(), make_user()
    workshop = Workshop(campaign=campaign, name="Atelier inclusion", slug="atelier-inclusion")
    db.session.add(workshop)  # not flushed: the record flushes it to learn its id
    event = audit.record("workshop.create", workshop, actor=admin, name=workshop.name)
    db.session.commit()
    assert workshop.id is not None
    assert (event.object_type, event.object_id) == ("workshops", workshop.id)
    assert event.campaign_id == campaign.id
    assert event.actor_id == admin.id
    assert event.data == {"name": "Atelier inclusion"}


def test_an_event_on_a_campaign_belongs_to_that_campaign(db, make_campaign):
    campaign, other = make_campaign(), make_campaign()
    audit.record("campaign.phases", campaign)
    audit.record("export.generate", campaign, campaign_id=other.id)  # an explicit campaign wins
    audit.record("system.check")
    db.session.commit()
    rows = db.session.execute(select(AuditEvent.action, AuditEvent.campaign_id,
                                     AuditEvent.object_type)
                              .order_by(AuditEvent.id)).all()
    assert rows[-3:] == [("campaign.phases", campaign.id, "campaigns"),
                         ("export.generate", other.id, "campaigns"),
                         ("system.check", None, "system")]
