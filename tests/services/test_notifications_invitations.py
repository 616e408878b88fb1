"""E-mail notifications (consent only, .eml files in tests) and CSV invitations."""

from __future__ import annotations

import email
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from motion.errors import InvalidInput, NotFound
from motion.models import Invitation, Membership, PhaseKind, SentNotification, User, Workshop
from motion.models._types import utcnow
from motion.services import accounts, campaign_admin, comments, invitations, notifications
from motion.services.campaigns import get_or_create_workshop, set_phases
from motion.services.invitations import LinkExpired


@pytest.fixture
def mailbox(app, tmp_path):
    """The folder mails are written to (no SMTP host configured)."""
    app.config["MAIL_DIR"] = str(tmp_path / "mail")
    app.config["MAIL_SMTP_HOST"] = None

    def read() -> list[email.message.EmailMessage]:
        folder = tmp_path / "mail"
        files = sorted(folder.glob("*.eml")) if folder.exists() else []
        return [email.message_from_bytes(f.read_bytes(), policy=email.policy.default)
                for f in files]

    return read


def test_no_mail_without_consent(db, mailbox, make_contribution, make_user, dev_rows):
    contribution = make_contribution()
    comments.post_comment(make_user(), contribution, dev_rows[50]["text"])
    db.session.commit()
    assert mailbox() == []
    assert db.session.scalar(select(func.count(SentNotification.id))) == 0


def test_a_reply_mails_the_consenting_author_once_after_commit(db, mailbox, make_contribution,
                                                               make_user, dev_rows):
    contribution = make_contribution()
    author = contribution.author
    notifications.set_preferences(author, replies=True, weekly_digest=False, phase_changes=False)
    db.session.commit()
    replier = make_user(display_name="Claire Martin")
    comments.post_comment(replier, contribution, dev_rows[51]["text"])
    assert mailbox() == []  # nothing leaves before the commit
    db.session.commit()
    [message] = mailbox()
    assert message["To"] == author.email
    assert message["Subject"] == "Nouvelle réponse à votre contribution"
    body = message.get_content()
    assert "Claire Martin" in body
    assert dev_rows[51]["text"][:40] in body
    assert f"/contributions/{contribution.id}" in body
    # The replier replying to their own thread is not mailed.
    comments.post_comment(author, contribution, dev_rows[52]["text"])
    db.session.commit()
    assert len(mailbox()) == 1


def test_a_rolled_back_reply_sends_nothing(db, mailbox, make_contribution, make_user, dev_rows):
    contribution = make_contribution()
    notifications.set_preferences(contribution.author, replies=True, weekly_digest=False,
                                  phase_changes=False)
    db.session.commit()
    comments.post_comment(make_user(), contribution, dev_rows[53]["text"])
    db.session.rollback()
    assert mailbox() == []


def test_weekly_digest_goes_once_per_week_to_consenting_members(db, mailbox, make_user,
                                                                make_contribution, dev_rows):
    first = make_contribution(text=dev_rows[60]["text"], title="Fibre dans les villages")
    reader, silent = make_user(), make_user()
    from motion.services.campaigns import add_member

    add_member(reader, first.workshop)
    add_member(silent, first.workshop)
    notifications.set_preferences(reader, replies=False, weekly_digest=True, phase_changes=False)
    db.session.commit()
    now = utcnow() + timedelta(minutes=1)
    assert notifications.send_weekly_digests(now) == 1
    db.session.commit()
    assert notifications.send_weekly_digests(now) == 0  # the same week again
    db.session.commit()
    [message] = mailbox()
    assert message["To"] == reader.email
    assert "Fibre dans les villages" in message.get_content()


# The notice names the phase as the pages do (services.campaigns.phase_label).
@pytest.mark.parametrize(("kind", "name"), [(PhaseKind.SYNTHESIS, "Synthèse"),
                                            (PhaseKind.CLOSED, "Clôture")])
def test_phase_change_notice_once_per_phase(db, mailbox, make_contribution, kind, name):
    contribution = make_contribution()
    member = contribution.author
    notifications.set_preferences(member, replies=False, weekly_digest=False, phase_changes=True)
    now = utcnow()
    set_phases(contribution.campaign, {PhaseKind.COLLECT: now - timedelta(days=20),
                                       kind: now - timedelta(hours=2)})
    db.session.commit()
    assert notifications.notify_phase_changes(now) == 1
    db.session.commit()
    assert notifications.notify_phase_changes(now) == 0
    db.session.commit()
    [message] = mailbox()
    assert f"« {name} »" in message["Subject"]
    assert f"« {name} »" in message.get_content()


CSV = (
    "email;nom;collectivité;ateliers\n"
    "anne.dupont@mairie-rennes.fr;Anne Dupont;Rennes;Atelier inclusion|Atelier territoires\n"
    "BRUNO.MARTIN@agglo-lyon.fr;Bruno Martin;Métropole de Lyon;Atelier inclusion\n"
    "pas-une-adresse;Personne;Nulle part;Atelier inclusion\n"
)


def _link_for(token: str) -> str:
    return f"http://test/invitation/{token}"


def _with_workshops(db, campaign, *names):
    for name in names:
        get_or_create_workshop(campaign, name)
    db.session.commit()
    return campaign


def test_importing_the_same_file_twice_creates_no_duplicates(db, mailbox, make_campaign):
    campaign = _with_workshops(db, make_campaign(), "Atelier inclusion", "Atelier territoires")
    report = invitations.import_invitations(CSV.encode(), campaign, _link_for)
    db.session.commit()
    assert (report.created, report.existing, report.invited) == (2, 0, 2)
    assert report.rejected == [(4, "Adresse e-mail invalide : pas-une-adresse")]
    again = invitations.import_invitations(CSV.encode("cp1252"), campaign, _link_for)
    db.session.commit()
    assert (again.created, again.existing, again.invited, again.memberships) == (0, 2, 0, 0)
    assert db.session.scalar(select(func.count(User.id))) == 2
    assert db.session.scalar(select(func.count(Membership.id))) == 3
    assert db.session.scalar(select(func.count(Invitation.id))) == 2
    assert sorted(m["To"] for m in mailbox()) == ["anne.dupont@mairie-rennes.fr",
                                                  "bruno.martin@agglo-lyon.fr"]
    anne = accounts.get_user_by_email("anne.dupont@mairie-rennes.fr")
    assert (anne.display_name, anne.collectivite) == ("Anne Dupont", "Rennes")


def test_an_invitation_link_sets_the_password_once(db, mailbox, make_campaign):
    campaign = make_campaign()
    invitations.import_invitations(CSV.encode(), campaign, _link_for)
    db.session.commit()
    message = next(m for m in mailbox() if m["To"].startswith("anne"))
    token = message.get_content().split("http://test/invitation/")[1].split()[0]
    with pytest.raises(InvalidInput):
        invitations.accept(token, "un mot de passe solide", "un autre mot de passe")
    db.session.rollback()
    user = invitations.accept(token, "un mot de passe solide", "un mot de passe solide")
    db.session.commit()
    assert accounts.authenticate(user.email, "un mot de passe solide") is not None
    with pytest.raises(LinkExpired, match="déjà servi"):
        invitations.get_invitation(token)
    with pytest.raises(NotFound):
        invitations.get_invitation("inconnu")


def test_an_expired_link_is_refused_and_a_reimport_sends_a_new_one(db, mailbox, make_campaign):
    campaign = make_campaign()
    invitations.import_invitations(CSV.encode(), campaign, _link_for)
    db.session.commit()
    token = mailbox()[0].get_content().split("http://test/invitation/")[1].split()[0]
    later = utcnow() + timedelta(days=15)
    with pytest.raises(LinkExpired, match="expiré"):
        invitations.get_invitation(token, now=later)
    report = invitations.import_invitations(CSV.encode(), campaign, _link_for, now=later)
    db.session.commit()
    assert report.invited == 2
    assert report.created == 0


def test_a_file_without_an_email_column_is_refused(db, make_campaign):
    with pytest.raises(InvalidInput, match="email"):
        invitations.import_invitations(b"nom;ateliers\nAnne;X\n", make_campaign(), _link_for)


def test_a_rolled_back_import_sends_no_invitation(db, mailbox, make_campaign):
    """Rows imported in savepoints, then the request fails: their mails never leave."""
    campaign = make_campaign()
    report = invitations.import_invitations(CSV.encode(), campaign, _link_for)
    assert report.invited == 2
    assert mailbox() == []  # savepoints released, nothing committed yet
    db.session.rollback()
    assert mailbox() == []
    assert db.session.scalar(select(func.count(Invitation.id))) == 0


def test_a_file_over_the_row_limit_is_refused_before_any_write(db, mailbox, make_campaign,
                                                                 monkeypatch):
    monkeypatch.setattr(invitations, "MAX_ROWS", 2)
    with pytest.raises(InvalidInput, match="Trop de lignes"):
        invitations.import_invitations(CSV.encode(), make_campaign(), _link_for)
    db.session.commit()
    assert mailbox() == []
    assert db.session.scalar(select(func.count(Invitation.id))) == 0


def test_mail_follows_its_savepoint_and_leaves_with_the_outermost_commit(db, mailbox):
    from motion.services import mail

    with db.session.begin_nested():
        mail.queue("kept@example.fr", "kept", "released savepoint")
        with db.session.begin_nested():
            mail.queue("inner@example.fr", "inner", "nested twice, released")
    try:
        with db.session.begin_nested():
            mail.queue("dropped@example.fr", "dropped", "rolled back savepoint")
            raise InvalidInput("row rejected")
    except InvalidInput:
        pass
    assert mailbox() == []
    db.session.commit()
    assert sorted(m["To"] for m in mailbox()) == ["inner@example.fr", "kept@example.fr"]


def test_an_unknown_workshop_is_reported_and_its_elu_invited_without_it(db, mailbox,
                                                                       make_campaign):
    """A typo in the workshops column creates no workshop: the élu is invited all the same,
    and the line is reported with the name not found (and the closest one)."""
    campaign = _with_workshops(db, make_campaign(), "Atelier inclusion", "Atelier territoires")
    # Renamed after its creation: its address keeps the old name, which still matches.
    renamed = get_or_create_workshop(campaign, "Atelier eau")
    campaign_admin.save_workshop(campaign, renamed, name="Atelier ressources")
    db.session.commit()
    data = ("email;nom;collectivité;ateliers\n"
            "anne@rennes.fr;Anne;Rennes;atelier  INCLUSION|Atelier térritoires\n"
            "bruno@lyon.fr;Bruno;Lyon;Atelier inexistant\n"
            "chloe@brest.fr;Chloé;Brest;Atelier inclusoin|Atelier ressources|Atelier eau\n")
    report = invitations.import_invitations(data.encode(), campaign, _link_for)
    db.session.commit()
    # Anne's two, Chloé's one (« Atelier eau » is « Atelier ressources »'s former name).
    assert (report.created, report.invited, report.memberships) == (3, 3, 3)
    assert report.rejected == []
    assert [line for line, _message in report.warnings] == [3, 4]
    assert report.warnings[0][1] == ("Atelier introuvable dans la campagne : « Atelier "
                                     "inexistant ». L’élu est invité sans cet atelier.")
    assert report.warnings[1][1] == ("Atelier introuvable dans la campagne : « Atelier "
                                     "inclusoin ». L’élu est invité sans cet atelier. "
                                     "Vouliez-vous dire « Atelier inclusion » ?")
    assert sorted(db.session.scalars(select(Workshop.name).where(
        Workshop.campaign_id == campaign.id))) == ["Atelier inclusion", "Atelier ressources",
                                                   "Atelier territoires"]
    assert len(mailbox()) == 3
    bruno = accounts.get_user_by_email("bruno@lyon.fr")
    assert bruno.memberships == []


def test_a_job_report_stored_before_the_warnings_still_reads():
    from motion.models.invitations import InvitationJob

    job = InvitationJob(rejected_json='[[3, "Adresse e-mail invalide : x"]]')
    assert invitations.rejected_lines(job) == [(3, "Adresse e-mail invalide : x")]
    assert invitations.warning_lines(job) == []
