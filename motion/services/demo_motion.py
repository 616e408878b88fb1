"""The demo's draft motion: cluster the demo campaign, then one proposition per large theme."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from motion.extensions import db
from motion.models import Campaign, Cluster, ClusteringRun, Motion, RunStatus, User
from motion.models._types import utcnow
from motion.services import addressees, clustering, motions, sessions

DEMO_PROPOSITIONS = 8


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
                       "démonstration : les propositions sont tirées des thèmes les plus "
                       "fréquents et restent à réécrire.)"))
    largest = db.session.scalars(
        select(Cluster).where(Cluster.campaign_id == campaign.id, Cluster.active.is_(True),
                              Cluster.out_of_frame.is_(False),
                              Cluster.engagement_id.is_not(None))
        .order_by(Cluster.size.desc(), Cluster.id).limit(n_propositions))
    for cluster in largest:
        draft = motions.prefill([cluster], [])
        motions.create_proposition(motion, motions.section_for(motion, draft.engagement_id),
                                   title=draft.title, text=draft.text, clusters=[cluster],
                                   actor=actor)
    addressees.setup_demo(campaign)  # the ministries each proposition is transmitted to
    sessions.place_by_themes(motion)  # each proposition in its theme's axis slot
    return motion
