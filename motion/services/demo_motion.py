"""The demo's draft motion: cluster the demo campaign, then the propositions the facilitators
wrote from its themes (each drawn from the theme closest to it in meaning, whose contributions
become its sources)."""

from __future__ import annotations

import numpy as np
from flask_babel import gettext as _
from sqlalchemy import select

from motion.extensions import db
from motion.models import (
    Axis,
    Campaign,
    Cluster,
    ClusteringRun,
    Contribution,
    Engagement,
    Motion,
    PropositionAxis,
    RunStatus,
    User,
)
from motion.models._types import utcnow
from motion.services import addressees, clustering, motions, sessions
from motion.services.embedding import embedder

DEMO_PROPOSITIONS = 8

# What the facilitators wrote from the demo's themes (the demo's contributions are answers
# on public services, the climate and transport): (axis code, title, text), in the order of
# the motion. Each is linked to the theme closest to it, so its sources are real.
WRITTEN = [
    ("E1.1", "Une connexion à Internet fiable et abordable pour tous",
     "Les élus demandent que chaque foyer ait accès à une connexion fiable à un coût réduit, "
     "et que personne ne soit privé d’un service public faute de connexion ou d’équipement."),
    ("E2.2", "Des données ouvertes sur le climat de chaque territoire",
     "Les collectivités publient en données ouvertes les relevés de températures, de "
     "tempêtes et de qualité de l’air de leur territoire, et s’en servent pour informer les "
     "habitants des effets du dérèglement climatique."),
    ("E3.2", "Une information voyageurs mutualisée pour des transports praticables",
     "Les autorités organisatrices mettent en commun l’information voyageurs en temps réel "
     "et la billettique, pour que les transports en commun et le covoiturage deviennent "
     "praticables hors des grandes villes."),
    ("E1.2", "Des démarches en ligne simples, avec un accueil humain à côté",
     "Toute démarche administrative peut se faire en ligne, simplement, et garde un accueil "
     "physique ou téléphonique à des horaires adaptés pour ceux qui ne peuvent pas ou ne "
     "veulent pas passer par Internet."),
    ("E1.3", "Une aide près de chez soi pour les démarches de santé et d’identité",
     "Les maisons France services et les conseillers numériques accompagnent les habitants "
     "dans leurs démarches auprès de l’assurance maladie et leurs demandes de carte "
     "d’identité ou de passeport, sur rendez-vous en ligne ou sur place."),
    ("E1.2", "Des services publics de proximité qui annoncent leurs horaires et leurs délais",
     "Les services publics de proximité publient en ligne leurs horaires et leurs délais "
     "d’attente, et l’État renforce l’accueil là où les habitants signalent des services "
     "surchargés."),
    ("E2.1", "Tracer les pistes cyclables avec les habitants",
     "Les collectivités ouvrent des outils numériques de concertation pour dessiner les "
     "itinéraires cyclables avec les habitants, et publient leurs plans de mobilité en "
     "données ouvertes."),
    ("E1.2", "La téléconsultation accompagnée en appui des soins de proximité",
     "Là où manquent médecins et services d’urgence, l’État et les collectivités équipent "
     "des lieux de téléconsultation accompagnée, sans remplacer la présence de soignants."),
]


def create_demo_motion(campaign: Campaign, *, actor: User | None = None,
                       n_propositions: int = DEMO_PROPOSITIONS) -> Motion:
    """Cluster ``campaign`` (unless already done) and draft a motion from its largest themes.

    Idempotent: an existing motion with propositions is returned as is. Flushes only; the
    caller commits.
    """
    motion = motions.get_motion(campaign)
    if motion is not None and motions.propositions_in_order(motion):
        addressees.setup_demo(campaign)
        return motion
    done = db.session.scalar(select(ClusteringRun.id).where(
        ClusteringRun.campaign_id == campaign.id, ClusteringRun.status == RunStatus.DONE))
    if done is None:
        record = clustering.request_run(campaign, actor=actor)
        record.status, record.started_at = RunStatus.RUNNING, utcnow()
        summary = clustering.cluster_campaign(campaign, record)
        record.status, record.progress, record.message = RunStatus.DONE, 1.0, _("Terminé")
        record.finished_at, record.summary = utcnow(), summary
        db.session.flush()
    if motion is None:
        motion = motions.create_motion(
            campaign, actor=actor,
            preamble=_("Réunis en congrès national, les élus au numérique des communes, "
                       "intercommunalités, départements et régions ont débattu dans quatre "
                       "ateliers, un par engagement de leur feuille de route. Considérant "
                       "que l’accès de chacun aux services publics, la sobriété du numérique, "
                       "le pilotage partagé des services en ligne et la confiance des "
                       "habitants sont indissociables, ils adoptent les propositions "
                       "suivantes et demandent à l’État de s’en saisir. (Projet de "
                       "démonstration : chaque proposition a été rédigée à partir du thème "
                       "le plus proche, dont les contributions sont ses sources.)"))
    _write_propositions(motion, WRITTEN[:n_propositions], actor)
    addressees.setup_demo(campaign)  # the ministries each proposition is transmitted to
    sessions.place_by_themes(motion)  # each proposition in its theme's axis slot
    return motion


def _write_propositions(motion: Motion, written: list[tuple[str, str, str]],
                        actor: User | None) -> None:
    """Create the written propositions, each linked to the theme closest to its text among
    the in-frame themes of its engagement (any in-frame theme when the engagement has none
    left), a theme serving once; each proposition fills its axis's slot."""
    campaign = motion.campaign
    themes = list(db.session.scalars(
        select(Cluster).where(Cluster.campaign_id == campaign.id, Cluster.active.is_(True),
                              Cluster.out_of_frame.is_(False),
                              Cluster.engagement_id.is_not(None))
        .order_by(Cluster.size.desc(), Cluster.id)))
    if not themes or not written:
        return
    axes = {axis.code: axis for axis in db.session.scalars(
        select(Axis).join(Engagement).where(
            Engagement.framework_id == campaign.framework_id))}
    written = [w for w in written if w[0] in axes]
    if not written:
        return
    model = embedder()
    texts = {c.id: c.text for c in db.session.scalars(select(Contribution).where(
        Contribution.id.in_([i for t in themes for i in t.representative_ids])))}
    theme_vectors = np.stack([
        np.mean(model.encode([texts[i] for i in t.representative_ids if i in texts]
                             or [t.name]), axis=0) for t in themes])
    theme_vectors /= np.linalg.norm(theme_vectors, axis=1, keepdims=True)
    wanted = model.encode([f"{title}. {text}" for _code, title, text in written])
    wanted /= np.linalg.norm(wanted, axis=1, keepdims=True)
    scores = wanted @ theme_vectors.T
    used: set[int] = set()
    for row, (code, title, text) in enumerate(written):
        axis = axes[code]
        order = [int(j) for j in np.argsort(-scores[row]) if int(j) not in used]
        if not order:
            break
        same = [j for j in order if themes[j].engagement_id == axis.engagement_id]
        chosen = (same or order)[0]
        used.add(chosen)
        proposition = motions.create_proposition(
            motion, motions.section_for(motion, axis.engagement_id), title=title, text=text,
            clusters=[themes[chosen]], actor=actor)
        db.session.add(PropositionAxis(proposition_id=proposition.id, axis_id=axis.id))
    db.session.flush()
