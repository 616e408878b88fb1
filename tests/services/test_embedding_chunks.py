"""The clustering job embeds in chunks with progress, and only texts the cache (keyed by
model and text hash) has never seen."""

from __future__ import annotations

from sqlalchemy import select

from motion.models import ClusteringRun, Contribution, RunStatus
from motion.services import clustering, embedding, imports
from nlp.embedding import text_key
from tests.services.test_clustering import _write_rows


def _run(db, campaign) -> ClusteringRun:
    record = clustering.request_run(campaign)
    db.session.commit()
    assert clustering.execute_run(record.id)
    db.session.expire_all()
    record = db.session.get(ClusteringRun, record.id)
    assert record.status == RunStatus.DONE
    return record


def _keys(db, campaign) -> set[str]:
    return {text_key(t) for t in db.session.scalars(
        select(Contribution.text).where(Contribution.campaign_id == campaign.id))}


def test_a_re_run_embeds_only_new_texts_chunk_by_chunk(
    app, db, make_campaign, make_contribution, dev_rows, tmp_path, monkeypatch
):
    monkeypatch.setattr(clustering, "EMBED_CHUNK", 250)
    campaign = make_campaign("cache")
    imports.import_csv(_write_rows(tmp_path / "a.csv", dev_rows[:600]), campaign)
    db.session.commit()
    first_keys = _keys(db, campaign)
    # The import embedded its texts (near-duplicate report): start from an empty cache.
    app.instance_path = str(tmp_path / "instance")
    app.extensions.pop("motion_embedder", None)

    first = _run(db, campaign)
    # Every distinct text embedded once (once per chunk when a text repeats across chunks).
    assert first.summary["embedded"]["new"] >= len(first_keys)
    assert first.summary["embedded"]["cached"] <= 600 - len(first_keys)

    workshop = campaign.workshops[0]
    for row in dev_rows[600:620]:  # posted ideas: nothing embeds them before the job
        make_contribution(workshop=workshop, text=row["text"])
    new_keys = _keys(db, campaign) - first_keys
    assert len(new_keys) >= 18
    second = _run(db, campaign)
    assert second.summary["embedded"]["new"] == len(new_keys)
    assert second.n_contributions == 620

    texts = [row["text"] for row in dev_rows[:620]] + [row["text"] for row in dev_rows[:80]]
    seen = []
    vectors, counts = clustering._embed_in_chunks(
        embedding.embedder(), texts, lambda value, message: seen.append((value, message)))
    assert vectors.shape[0] == 700
    assert counts["new"] == 0
    assert [message.rsplit(" ", 1)[1] for _value, message in seen] == [
        "(0/700)", "(250/700)", "(500/700)"]
    assert [value for value, _message in seen] == sorted(value for value, _m in seen)
