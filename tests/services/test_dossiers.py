"""Addressees and transmission dossiers: suggestions from engagement and text (real
embedding model), a facilitator's confirmation, and each dossier opened with real readers
(odfpy, python-docx, pypdf) holding only its addressee's propositions and their votes."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, timedelta

import pytest

from motion.errors import Conflict, InvalidInput
from motion.models import Addressee, PropositionAddressee
from motion.models._types import utcnow
from motion.models.collectivites import Collectivite, CollectiviteKind
from motion.services import addressees, contributions, dossiers, motions, provenance, votes

FIBRE = (
    "Raccorder chaque commune rurale à la fibre",
    "Raccorder chaque commune rurale à la fibre optique et couvrir les zones blanches "
    "en téléphonie mobile avant la fin du mandat.",
)
REEMPLOI = (
    "Réemploi des ordinateurs publics",
    "Allonger la durée de vie des ordinateurs des collectivités par le réemploi, le "
    "reconditionnement et la réparation.",
)
ECOLES = (
    "Tablettes et formation dans les écoles",
    "Équiper chaque école primaire de tablettes et former les enseignants au numérique éducatif.",
)
# Élus of an imported list of collectivités: a village, a town and a département.
AUTHORS = [
    ("Lanvallon", "22117", CollectiviteKind.COMMUNE, 1_200),
    ("Figeac", "46102", CollectiviteKind.COMMUNE, 9_800),
    ("Lot", "46", CollectiviteKind.DEPARTEMENT, 174_000),
]


def _text_of_odt(content: bytes) -> str:
    from odf import teletype, text
    from odf.opendocument import load

    document = load(io.BytesIO(content))
    parts = [
        teletype.extractText(e)
        for kind in (text.H, text.P)
        for e in document.text.getElementsByType(kind)
    ]
    return " ".join(" ".join(parts).split())


def _text_of_docx(content: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for r in t.rows for c in r.cells]
    return " ".join(" ".join(parts).split())


def _text_of_pdf(content: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split()
    )


READERS = {"odt": _text_of_odt, "docx": _text_of_docx, "pdf": _text_of_pdf}


def _plain(text: str) -> str:
    # French typography puts narrow no-break spaces before colons; readers keep them.
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())


@pytest.fixture
def congress(db, make_campaign, make_user, make_workshop):
    """Three propositions in three engagements, two of them voted, from three élus of a
    village, a town and a département; the default addressees, suggested."""
    campaign = make_campaign("dossiers")
    campaign.place = "Cahors"
    db.session.add_all(
        [
            Collectivite(name=name, insee_code=code, kind=kind, population=n)
            for name, code, kind, n in AUTHORS
        ]
    )
    db.session.commit()
    # Each élu is linked to the list by name; their contributions snapshot type and size.
    elus = [make_user(collectivite=name, campaign=campaign) for name, *_rest in AUTHORS]
    workshop = campaign.workshops[0]
    posted = [
        contributions.post_contribution(elu, workshop, text[1])
        for elu, text in zip(elus, (FIBRE, REEMPLOI, ECOLES), strict=True)
    ]
    motion = motions.create_motion(campaign)
    by_code = {s.engagement.code: s for s in motion.sections if s.engagement}
    fibre = motions.create_proposition(
        motion, by_code["E1"], title=FIBRE[0], text=FIBRE[1], contributions=posted[:2]
    )
    reemploi = motions.create_proposition(
        motion, by_code["E2"], title=REEMPLOI[0], text=REEMPLOI[1], contributions=posted[1:2]
    )
    ecoles = motions.create_proposition(
        motion, by_code["E3"], title=ECOLES[0], text=ECOLES[1], contributions=posted[2:]
    )
    for proposition, choices in (
        (fibre, ("for", "for", "against")),
        (reemploi, ("for", "against", "against")),
    ):
        session = votes.open_vote(proposition, actor=None)
        for elu, choice in zip(elus, choices, strict=True):
            votes.cast_vote(session.id, elu.id, choice)
        votes.close_vote(session.id, actor=None)
    assert addressees.ensure_defaults(campaign) == len(addressees.DEFAULTS)
    addressees.suggest(campaign)
    db.session.commit()
    named = {a.short_name: a for a in addressees.addressees(campaign)}
    return {
        "campaign": campaign,
        "motion": motion,
        "fibre": fibre,
        "reemploi": reemploi,
        "ecoles": ecoles,
        "a": named,
        "facilitator": make_user(role="facilitator"),
    }


def _rows(db, proposition) -> dict[str, PropositionAddressee]:
    from sqlalchemy import select

    return {
        row.addressee.short_name: row
        for row in db.session.scalars(
            select(PropositionAddressee).where(
                PropositionAddressee.proposition_id == proposition.id
            )
        )
    }


def test_suggestions_come_from_engagement_and_text_and_decisions_stay(db, congress):
    fibre, ecoles, reemploi = congress["fibre"], congress["ecoles"], congress["reemploi"]
    a = congress["a"]
    # E1's default addressees, from the editable engagement mapping.
    assert {"Collectivités territoriales", "Numérique", "ANCT"} <= set(_rows(db, fibre))
    assert all(
        "engagement" in r.reason
        for r in _rows(db, fibre).values()
        if r.addressee.short_name in {"Collectivités territoriales", "ANCT"}
    )
    assert "Transition écologique" in _rows(db, reemploi)
    # Schools are nobody's engagement here: the text alone points at education.
    school = _rows(db, ecoles)["Éducation nationale"]
    assert school.suggested
    assert school.reason == "texte"
    assert school.score >= 0.3
    assert "ANSSI" not in _rows(db, ecoles)

    facilitator = congress["facilitator"]
    addressees.confirm(
        fibre, [a["Numérique"].id, a["Collectivités territoriales"].id], actor=facilitator
    )
    addressees.confirm(reemploi, [a["Transition écologique"].id], actor=facilitator)
    addressees.confirm(ecoles, [a["Éducation nationale"].id, a["Numérique"].id], actor=facilitator)
    db.session.commit()
    # A second suggestion pass leaves the facilitator's decisions alone.
    addressees.suggest(congress["campaign"])
    rows = _rows(db, fibre)
    assert not rows["ANCT"].confirmed
    assert rows["ANCT"].decided_at is not None
    assert rows["Numérique"].confirmed
    assert rows["Numérique"].decided_by_id == facilitator.id
    checked = {c.addressee.short_name for c in addressees.choices(fibre) if c.checked}
    assert checked == {"Numérique", "Collectivités territoriales"}
    with pytest.raises(InvalidInput):
        addressees.confirm(fibre, [10**6])

    # The list: rename, reorder, and delete only when unused.
    anssi = a["ANSSI"]
    with pytest.raises(Conflict, match="ne peut pas être supprimé"):
        addressees.delete_addressee(a["Numérique"])
    with pytest.raises(Conflict):
        addressees.update_addressee(
            anssi, addressees.AddresseeValues(name=a["CNIL"].name, short_name="X", kind="other")
        )
    db.session.rollback()
    first = addressees.addressees(congress["campaign"])[0]
    addressees.move_addressee(first, 1)
    assert addressees.addressees(congress["campaign"])[1].id == first.id
    addressees.delete_addressee(anssi)
    db.session.commit()
    assert db.session.get(Addressee, anssi.id) is None


def test_each_dossier_holds_only_its_addressees_propositions_in_three_formats(db, congress):
    a, facilitator = congress["a"], congress["facilitator"]
    fibre, reemploi, ecoles = congress["fibre"], congress["reemploi"], congress["ecoles"]
    addressees.confirm(fibre, [a["Numérique"].id, a["Collectivités territoriales"].id])
    addressees.confirm(reemploi, [a["Transition écologique"].id])
    addressees.confirm(ecoles, [a["Éducation nationale"].id, a["Numérique"].id])
    dossiers.save_settings(
        congress["campaign"],
        association="Villes Internet",
        signatory="Marie Dupont, présidente",
        letter="Madame, Monsieur,\n\nÀ {destinataire} : {nombre_propositions} "
        "de {association}.\n\n{signataire}, {lieu}.",
        actor=facilitator,
    )
    db.session.commit()
    campaign = congress["campaign"]
    expected = {
        "Numérique": {fibre, ecoles},
        "Éducation nationale": {ecoles},
        "Transition écologique": {reemploi},
        "Collectivités territoriales": {fibre},
    }
    for short, wanted in expected.items():
        for fmt, read in READERS.items():
            result = dossiers.dossier_file(campaign, a[short], fmt)
            assert result.filename.endswith(f".{fmt}")
            text = _plain(read(result.content))
            n = len(wanted)
            assert (
                _plain(
                    f"À {a[short].name} : {n} proposition{'s' if n > 1 else ''} de Villes Internet"
                )
                in text
            ), (short, fmt)
            for proposition in (fibre, reemploi, ecoles):
                assert (proposition.title in text) == (proposition in wanted), (short, fmt)
            if fibre in wanted:
                assert "adoptée, 2 pour, 1 contre, 0 abstention" in text
            if reemploi in wanted:
                assert "rejetée, 1 pour, 2 contre" in text
            if ecoles in wanted:
                assert "Pas encore soumise au vote." in text
            if short == "Numérique":
                assert "Par type de collectivité : 2 communes, 1 département." in text
    numerique = dossiers.build_dossier(campaign, a["Numérique"])
    # Fibre comes from the village and the town, écoles from the département.
    assert (
        numerique.provenance.contributions,
        numerique.provenance.elus,
        numerique.provenance.collectivites,
    ) == (3, 3, 3)
    assert {(c.label, c.n) for c in numerique.provenance.by_kind} == {
        ("communes", 2),
        ("département", 1),
    }
    assert {c.label for c in numerique.provenance.by_size} == {
        "village (moins de 2 000 habitants)",
        "ville",
        "territoire",
    }
    assert provenance.proposition_counters(fibre).elus == 2

    # The ZIP holds the four dossiers with propositions, in each format.
    archive = dossiers.archive(campaign)
    names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    assert len(names) == 12
    assert {n.rsplit(".", 1)[1] for n in names} == {"odt", "docx", "pdf"}
    assert all("anssi" not in n and "cnil" not in n for n in names)
    only_pdf = zipfile.ZipFile(io.BytesIO(dossiers.archive(campaign, "pdf").content))
    assert len(only_pdf.namelist()) == 4
    with pytest.raises(InvalidInput, match="Aucune proposition n’est confirmée"):
        dossiers.dossier_file(campaign, a["CNIL"], "odt")

    # Once adopted, a rejected proposition leaves its dossier.
    motions.adopt(congress["motion"], actor=facilitator)
    db.session.commit()
    assert dossiers.build_dossier(campaign, a["Transition écologique"]).propositions == ()
    assert {p.id for p in dossiers.build_dossier(campaign, a["Numérique"]).propositions} == {
        fibre.id,
        ecoles.id,
    }


def test_cover_letter_placeholders_and_dispatch_records(db, congress):
    campaign, a = congress["campaign"], congress["a"]
    with pytest.raises(InvalidInput, match=r"Champ inconnu dans la lettre : \{ministre\}"):
        dossiers.save_settings(
            campaign, association="", signatory="", letter="Madame la {ministre},"
        )
    with pytest.raises(InvalidInput, match="accolade"):
        dossiers.check_letter("Madame {destinataire")
    assert dossiers.settings(campaign).letter == dossiers.DEFAULT_LETTER
    addressees.confirm(congress["fibre"], [a["Numérique"].id])
    today = dossiers.local_today(campaign)
    with pytest.raises(InvalidInput, match="futur"):
        dossiers.record_dispatch(a["Numérique"], today + timedelta(days=1))
    sent = dossiers.record_dispatch(a["Numérique"], today, actor=congress["facilitator"])
    db.session.commit()
    assert sent.versions == f"{congress['fibre'].id}:v1"
    assert sent.propositions == 1
    rows = {r.addressee.short_name: r for r in dossiers.overview(campaign)}
    assert rows["Numérique"].dispatches == [sent]
    assert rows["Numérique"].propositions == 1
    assert rows["CNIL"].dispatches == []
    # Sent once: it stays, even when no proposition is confirmed for it any more.
    addressees.confirm(congress["fibre"], [])
    with pytest.raises(Conflict, match="un dossier lui a déjà été envoyé"):
        addressees.delete_addressee(a["Numérique"])
    assert utcnow() - sent.recorded_at < timedelta(minutes=5)


def test_a_dispatch_cannot_predate_the_campaign(db, congress):
    """A dossier is not sent before its campaign began (1999-01-01 was accepted): the
    earliest day is the campaign's creation, or its first phase when that is earlier (a
    past congress recorded afterwards)."""
    from datetime import date, datetime

    from motion.models import PhaseKind
    from motion.services.campaigns import set_phases

    campaign, a = congress["campaign"], congress["a"]
    addressees.confirm(congress["fibre"], [a["Numérique"].id])
    first = dossiers.earliest_dispatch(campaign)
    assert first == dossiers.local_today(campaign) - timedelta(days=1)  # collect: yesterday
    for too_early in (date(1999, 1, 1), first - timedelta(days=1)):
        with pytest.raises(InvalidInput, match="début de la campagne") as refused:
            dossiers.record_dispatch(a["Numérique"], too_early)
        assert refused.value.field == "sent_on"
    assert dossiers.record_dispatch(a["Numérique"], first).sent_on == first
    start = datetime(2025, 9, 1, 8, tzinfo=UTC)
    set_phases(campaign, {PhaseKind.COLLECT: start,
                          PhaseKind.SYNTHESIS: start + timedelta(days=60)})
    db.session.flush()
    assert dossiers.earliest_dispatch(campaign) == date(2025, 9, 1)
    assert dossiers.record_dispatch(a["Numérique"], date(2025, 12, 1)).sent_on == date(
        2025, 12, 1)
