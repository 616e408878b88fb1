"""Seeding shared by tests: themes placed on axes, as a clustering run leaves them."""

from __future__ import annotations


def place_themes(campaign, places, name: str = "Thème {code}") -> list:
    """One theme per ``(engagement, axis, contributions)`` of ``places``, all of one run,
    with its contributions assigned to it; ``name`` is formatted with the axis ``code``.
    Flushed, not committed."""
    from motion.extensions import db
    from motion.models import Cluster, ClusterAssignment, ClusteringRun

    run = ClusteringRun(campaign_id=campaign.id)
    db.session.add(run)
    db.session.flush()
    clusters = []
    for stable_id, (engagement, axis, members) in enumerate(places, start=1):
        cluster = Cluster(
            campaign_id=campaign.id,
            stable_id=stable_id,
            name=name.format(code=axis.code),
            size=len(members),
            engagement_id=engagement.id,
            axis_id=axis.id,
            representative_ids=[m.id for m in members],
            created_run_id=run.id,
            updated_run_id=run.id,
        )
        db.session.add(cluster)
        db.session.flush()
        db.session.add_all(
            [
                ClusterAssignment(
                    campaign_id=campaign.id,
                    contribution_id=m.id,
                    cluster_id=cluster.id,
                    run_id=run.id,
                )
                for m in members
            ]
        )
        clusters.append(cluster)
    return clusters
