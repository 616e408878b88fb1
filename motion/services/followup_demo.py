"""The demo's previous campaign: the 2025 congress, closed, with a small adopted motion
whose propositions are followed up, imported into the demo's current campaign.

The propositions, notes and statuses are invented for the demonstration (plain French,
one or two per engagement of the default framework); the links point at the home pages of
public sites, not at real answers.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from motion.extensions import db
from motion.models import Campaign, PhaseKind, PropositionAxis, User
from motion.models.followup import FollowUpStatus
from motion.services import campaigns, followup, frameworks, motions

PREVIOUS_SLUG = "demo-2025"
PREVIOUS_TITLE = "Congrès national des élus au numérique 2025 — démonstration"
PREVIOUS_WORKSHOP = "Plénière du congrès 2025"
PREVIOUS_PHASES = {
    PhaseKind.COLLECT: datetime(2025, 9, 1, 8, tzinfo=UTC),
    PhaseKind.SYNTHESIS: datetime(2025, 10, 20, 8, tzinfo=UTC),
    PhaseKind.PLENARY: datetime(2025, 11, 20, 8, tzinfo=UTC),
    PhaseKind.CLOSED: datetime(2025, 11, 22, 17, tzinfo=UTC),
}
PREAMBLE = (
    "Réunis en congrès national en novembre 2025, les élus au numérique des communes, "
    "intercommunalités, départements et régions ont adopté les propositions suivantes et les "
    "transmettent aux ministères concernés. (Motion de démonstration.)"
)
# (axis code, title, text, (for, against, abstain), status, [(date, note)], [(title, url)])
PROPOSITIONS = [
    (
        "E1.3",
        "Un conseiller numérique dans chaque intercommunalité",
        "Financer dans la durée au moins un conseiller numérique par intercommunalité, pour "
        "accompagner les habitants dans leurs démarches en ligne, au plus près de chez eux.",
        (212, 9, 14),
        FollowUpStatus.ADOPTED_IN_TEXT,
        [
            (date(2025, 12, 10), "Dossier transmis au ministère chargé des collectivités."),
            (
                date(2026, 4, 2),
                "Le financement sur trois ans est repris dans la convention "
                "nationale de la médiation numérique.",
            ),
        ],
        [("Vie publique — suivi des politiques publiques", "https://www.vie-publique.fr/")],
    ),
    (
        "E1.2",
        "Un accueil de proximité pour chaque démarche en ligne",
        "Garantir qu’aucune démarche administrative ne soit accessible seulement en ligne : "
        "chaque service public numérique garde un accueil physique ou téléphonique de proximité.",
        (198, 21, 16),
        FollowUpStatus.ANSWERED,
        [
            (
                date(2025, 12, 10),
                "Dossier transmis au ministère chargé de la transformation publique.",
            ),
            (
                date(2026, 2, 18),
                "Réponse écrite du cabinet : un groupe de travail avec les "
                "associations d’élus est annoncé.",
            ),
        ],
        [],
    ),
    (
        "E2.3",
        "Allonger la durée d’usage des ordinateurs des collectivités",
        "Inscrire dans la commande publique une durée d’usage d’au moins six ans pour les "
        "ordinateurs des mairies et des écoles, et donner la priorité au matériel reconditionné.",
        (187, 30, 18),
        FollowUpStatus.TRANSMITTED,
        [
            (
                date(2025, 12, 12),
                "Dossier transmis au ministère chargé de la transition "
                "écologique ; pas de réponse à ce jour.",
            )
        ],
        [],
    ),
    (
        "E3.2",
        "Des outils mutualisés pour les petites communes",
        "Soutenir les syndicats et opérateurs publics de mutualisation pour que les communes de "
        "moins de 2 000 habitants aient accès aux mêmes outils numériques que les villes.",
        (220, 4, 11),
        FollowUpStatus.ANSWERED,
        [
            (date(2025, 12, 12), "Dossier transmis au ministère chargé des collectivités."),
            (
                date(2026, 3, 5),
                "Rencontre avec la direction générale des collectivités locales : "
                "un appel à projets est à l’étude.",
            ),
        ],
        [],
    ),
    (
        "E3.3",
        "Associer les élus locaux à la conception des services de l’État",
        "Réunir chaque année les associations d’élus avant le lancement d’un nouveau service "
        "numérique de l’État qui touche les mairies, pour en mesurer le coût pour les communes.",
        (176, 35, 24),
        FollowUpStatus.NO_FOLLOW_UP,
        [
            (date(2025, 12, 12), "Dossier transmis au ministère chargé du numérique."),
            (
                date(2026, 6, 30),
                "Aucune réponse après deux relances : proposition classée sans "
                "suite, à représenter au congrès 2026.",
            ),
        ],
        [],
    ),
    (
        "E4.2",
        "Un plan de cybersécurité pour chaque collectivité",
        "Proposer à toute collectivité un diagnostic de cybersécurité gratuit et un plan de "
        "réponse aux incidents, avec un interlocuteur dans chaque région.",
        (229, 2, 4),
        FollowUpStatus.TRANSMITTED,
        [
            (
                date(2025, 12, 15),
                "Dossier transmis au ministère chargé du numérique et à l’agence "
                "nationale de la sécurité des systèmes d’information.",
            )
        ],
        [("Cybermalveillance.gouv.fr", "https://www.cybermalveillance.gouv.fr/")],
    ),
]


def ensure_previous_campaign(current: Campaign, members: list[User]) -> Campaign:
    """Create the closed 2025 demo campaign once, and import its motion into ``current``.

    ``members`` (the demo accounts) take part in it, so they can read its motion and its
    follow-up. Idempotent: a second call adds nothing. Flushes only.
    """
    previous = db.session.scalar(select(Campaign).where(Campaign.slug == PREVIOUS_SLUG))
    if previous is None:
        previous = create_previous_campaign(members)
    workshop = campaigns.get_or_create_workshop(previous, PREVIOUS_WORKSHOP)
    for user in members:
        campaigns.add_member(user, workshop)
    followup.import_previous_motion(current, previous)
    return previous


def create_previous_campaign(members: list[User]) -> Campaign:
    """Create the closed 2025 demo campaign with its adopted, followed-up motion."""
    previous = campaigns.create_campaign(
        PREVIOUS_SLUG,
        PREVIOUS_TITLE,
        framework=frameworks.ensure_default_framework(),
        phase_starts=PREVIOUS_PHASES,
        is_demo=True,
    )
    previous.place = "Démoville"
    actor = next((u for u in members if u.role.value == "facilitator"), None)
    motion = motions.create_motion(
        previous, title="Motion du congrès 2025 (démonstration)", preamble=PREAMBLE
    )
    engagements = {e.code: e for e in previous.framework.engagements}
    made = []
    for axis_code, title, text, (n_for, n_against, n_abstain), *_rest in PROPOSITIONS:
        engagement = engagements[axis_code.split(".")[0]]
        proposition = motions.create_proposition(
            motion, motions.section_for(motion, engagement.id), title=title, text=text
        )
        proposition.outcome = "adopted"
        proposition.result_for, proposition.result_against = n_for, n_against
        proposition.result_abstain = n_abstain
        proposition.result_at = PREVIOUS_PHASES[PhaseKind.CLOSED]
        db.session.flush()
        axis = next(a for a in engagement.axes if a.code == axis_code)
        db.session.add(PropositionAxis(proposition_id=proposition.id, axis_id=axis.id))
        made.append(proposition)
    motions.adopt(motion, actor=actor)
    motion.adopted_at = PREVIOUS_PHASES[PhaseKind.CLOSED]
    for proposition, (*_head, status, notes, links) in zip(made, PROPOSITIONS, strict=True):
        if status != FollowUpStatus.TRANSMITTED:
            followup.set_status(proposition, FollowUpStatus.TRANSMITTED, actor=actor)
        followup.set_status(proposition, status, actor=actor)
        for day, note in notes:
            followup.add_note(proposition, note, noted_on=day, actor=actor)
        for link_title, url in links:
            followup.add_link(proposition, url, link_title, actor=actor)
        # The history reads as it happened: transmitted on the first note's day, the last
        # status on the last note's day.
        days = [datetime(d.year, d.month, d.day, 9, tzinfo=UTC) for d, _note in notes]
        row = followup.followups_by_proposition([proposition.id])[proposition.id]
        row.changes[0].changed_at = days[0]
        row.changes[-1].changed_at = row.updated_at = days[-1]
    db.session.flush()
    return previous
