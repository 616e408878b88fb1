"""Large invitation files are imported by a background job with a progress record."""

from __future__ import annotations

import email
import io

from sqlalchemy import func, select

from motion.models import Invitation, User
from motion.models.invitations import InvitationJob, InvitationJobStatus
from motion.services import invitations
from tests.conftest import csrf_token


def _csv(rows: int) -> bytes:
    lines = ["email;nom;collectivité;ateliers"]
    lines += [f"elu{i}@commune{i}.fr;Élu {i};Commune {i};Atelier inclusion"
              for i in range(rows)]
    lines.append("pas-une-adresse;Personne;Nulle part;Atelier inclusion")
    return ("\n".join(lines) + "\n").encode()


def _upload(client, campaign, data: bytes):
    token = csrf_token(client, "/admin/invitations")
    return client.post("/admin/invitations", data={
        "csrf_token": token, "campaign": campaign.slug,
        "file": (io.BytesIO(data), "elus.csv"),
    }, content_type="multipart/form-data")


def _mails(folder) -> list:
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in sorted(folder.glob("*.eml"))] if folder.exists() else []


def test_a_large_file_becomes_a_job_whose_page_shows_the_report(app, db, client, login,
                                                                   make_user, make_campaign,
                                                                   tmp_path):
    app.config.update(JOB_BACKEND="inline", MAIL_DIR=str(tmp_path / "mail"),
                      INVITATION_SYNC_MAX_ROWS=100)
    campaign = make_campaign()
    login(make_user(role="admin"))
    response = _upload(client, campaign, _csv(150))
    assert response.status_code == 302
    assert "/admin/invitations/" in response.headers["Location"]
    job = db.session.scalars(select(InvitationJob)).one()
    assert job.status == InvitationJobStatus.DONE, job.error
    assert (job.created, job.invited, job.progress) == (150, 150, 1.0)
    assert invitations.rejected_lines(job) == [(152, "Adresse e-mail invalide : "
                                                     "pas-une-adresse")]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "150 comptes créés" in page
    assert "pas-une-adresse" in page
    status = client.get(f"/api/admin/invitations/{job.id}").get_json()
    assert status["finished"] is True
    assert status["status"] == "done"
    mails = _mails(tmp_path / "mail")
    assert len(mails) == 150
    assert "http://localhost/invitation/" in mails[0].get_content()


def test_a_failed_job_keeps_and_sends_nothing(app, db, client, login, make_user, make_campaign,
                                               tmp_path, monkeypatch):
    app.config.update(JOB_BACKEND="inline", MAIL_DIR=str(tmp_path / "mail"),
                      INVITATION_SYNC_MAX_ROWS=100)

    def broken(*_args, **_kwargs):
        raise RuntimeError("the mail queue is broken")

    monkeypatch.setattr(invitations, "invite", broken)
    campaign = make_campaign()
    login(make_user(role="admin"))
    response = _upload(client, campaign, _csv(150))
    job = db.session.scalars(select(InvitationJob)).one()
    assert job.status == InvitationJobStatus.FAILED
    assert "L’import s’est arrêté" in client.get(response.headers["Location"]).get_data(
        as_text=True)
    assert _mails(tmp_path / "mail") == []
    assert db.session.scalar(select(func.count(Invitation.id))) == 0
    assert db.session.scalar(select(func.count(User.id))) == 1  # the admin only


def test_a_file_over_the_row_limit_is_refused_before_its_job(app, db, client, login,
                                                             make_user, make_campaign,
                                                             monkeypatch):
    app.config.update(JOB_BACKEND="inline", INVITATION_SYNC_MAX_ROWS=100)
    monkeypatch.setattr(invitations, "MAX_ROWS", 120)
    campaign = make_campaign()
    login(make_user(role="admin"))
    response = _upload(client, campaign, _csv(150))
    assert response.status_code == 400
    assert "Trop de lignes : 120 au plus par fichier." in response.get_data(as_text=True)
    assert db.session.scalars(select(InvitationJob)).all() == []
