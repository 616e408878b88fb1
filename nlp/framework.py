"""Programme frameworks (engagements and axes) and mapping texts onto them.

YAML format::

    name: Programme 2026
    engagements:
      - code: E1
        title: Mobilités
        description: Développer les transports collectifs et le vélo.
        axes:                      # optional
          - code: E1.1
            title: Vélo
            description: Pistes cyclables sécurisées.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nlp.types import Embedder

logger = logging.getLogger(__name__)

__all__ = [
    "Axis",
    "Engagement",
    "Framework",
    "FrameworkMapper",
    "FrameworkMatch",
    "MappingResult",
    "load_framework",
    "parse_framework",
]


@dataclass(frozen=True)
class Axis:
    code: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class Engagement:
    code: str
    title: str
    description: str = ""
    axes: tuple[Axis, ...] = ()


@dataclass(frozen=True)
class Framework:
    name: str
    engagements: tuple[Engagement, ...]

    def engagement(self, code: str) -> Engagement:
        for e in self.engagements:
            if e.code == code:
                return e
        raise KeyError(code)


_ENGAGEMENT_KEYS = {"code", "title", "description", "axes"}
_AXIS_KEYS = {"code", "title", "description"}


def _text_field(item: Mapping, key: str, where: str, required: bool) -> str:
    if key not in item or item[key] is None:
        if required:
            raise ValueError(f"{where}: missing '{key}'")
        return ""
    value = item[key]
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"{where}.{key}: expected text, got {type(value).__name__}")
    value = str(value).strip()
    if required and not value:
        raise ValueError(f"{where}.{key}: must not be empty")
    return value


def _entry(item: object, where: str, allowed: set[str] | frozenset[str]) -> tuple[str, str, str]:
    """Check one engagement or axis mapping; return its code, title and description."""
    if not isinstance(item, Mapping):
        raise ValueError(f"{where}: expected a mapping, got {type(item).__name__}")
    extra = sorted(set(map(str, item)) - allowed)
    if extra:
        raise ValueError(f"{where}: unknown keys {extra}")
    return (
        _text_field(item, "code", where, required=True),
        _text_field(item, "title", where, required=True),
        _text_field(item, "description", where, required=False),
    )


def parse_framework(data: object) -> Framework:
    """Validate a decoded YAML/JSON document and build a :class:`Framework`.

    Raises:
        ValueError: with the location of the first problem, e.g.
            ``"engagements[2].axes[0]: missing 'title'"``.
    """
    if not isinstance(data, Mapping):
        raise ValueError(
            f"framework must be a mapping with 'name' and 'engagements', "
            f"got {type(data).__name__}"
        )
    unknown = sorted(set(map(str, data)) - {"name", "engagements", "description"})
    if unknown:
        raise ValueError(f"framework: unknown keys {unknown}")
    name = _text_field(data, "name", "framework", required=True)
    raw = data.get("engagements")
    if raw is None or (isinstance(raw, list) and not raw):
        raise ValueError("framework has no engagements")
    if not isinstance(raw, list):
        raise ValueError(f"engagements: expected a list, got {type(raw).__name__}")
    engagements: list[Engagement] = []
    codes: dict[str, str] = {}

    def claim(code: str, where: str) -> None:
        if code in codes:
            raise ValueError(
                f"{where}.code: duplicate code {code!r} (already used by {codes[code]})"
            )
        codes[code] = where

    for i, item in enumerate(raw):
        where = f"engagements[{i}]"
        code, title, description = _entry(item, where, _ENGAGEMENT_KEYS)
        claim(code, where)
        raw_axes = item.get("axes") or []
        if not isinstance(raw_axes, list):
            raise ValueError(f"{where}.axes: expected a list, got {type(raw_axes).__name__}")
        axes: list[Axis] = []
        for j, axis in enumerate(raw_axes):
            awhere = f"{where}.axes[{j}]"
            acode, atitle, adesc = _entry(axis, awhere, _AXIS_KEYS)
            claim(acode, awhere)
            axes.append(Axis(acode, atitle, adesc))
        engagements.append(Engagement(code, title, description, tuple(axes)))
    return Framework(name=name, engagements=tuple(engagements))


def load_framework(path: str | Path) -> Framework:
    """Read and validate a framework YAML file.

    Raises:
        ValueError: unreadable file, invalid YAML (with line and column) or invalid content.
    """
    import yaml

    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"cannot read framework file {str(p)!r}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ValueError(f"framework file {str(p)!r} is not UTF-8") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        if mark is not None:
            raise ValueError(
                f"{p.name}: invalid YAML at line {mark.line + 1}, column {mark.column + 1}: "
                f"{problem}"
            ) from exc
        raise ValueError(f"{p.name}: invalid YAML: {problem}") from exc
    try:
        return parse_framework(data)
    except ValueError as exc:
        raise ValueError(f"{p.name}: {exc}") from exc


@dataclass(frozen=True)
class FrameworkMatch:
    """Mapping of one row (a text or a cluster centroid) onto the framework.

    Attributes:
        engagement: best engagement code, or None when out of frame ("hors cadre").
        axis: best axis code within that engagement, None if it has no axes / out of frame.
        score: score of the best engagement: the mean cosine of its ``top_k`` closest
            vectors among its own (title and description) and its axes'.
        second_engagement: runner-up code when its score is within ``margin`` of the best.
        second_score: its score (None otherwise).
        out_of_frame: True when ``score`` is below the mapper's threshold.
    """

    engagement: str | None
    axis: str | None
    score: float
    second_engagement: str | None
    second_score: float | None
    out_of_frame: bool


@dataclass(frozen=True)
class MappingResult:
    """Column view of a batch mapping (arrays of length n) plus the row objects."""

    engagement: tuple[str | None, ...]
    axis: tuple[str | None, ...]
    score: np.ndarray
    second_engagement: tuple[str | None, ...]
    second_score: np.ndarray
    out_of_frame: np.ndarray
    rows: tuple[FrameworkMatch, ...]
    threshold: float
    margin: float
    #: cluster id -> True when its members took the cluster's match (map_clustered only)
    through_cluster: Mapping[int, bool] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.rows)


#: Short French texts that belong to no programme: greetings, meta-comments, small talk,
#: off-topic statements. Used only to calibrate the "hors cadre" threshold for whatever
#: embedder and framework are in use (see :class:`FrameworkMapper`).
NULL_TEXTS_FR: tuple[str, ...] = (
    "Je ne sais pas.",
    "Bonjour à tous, merci pour cette réunion.",
    "Pas d'avis sur la question.",
    "Rien à ajouter.",
    "Merci de m'avoir lu.",
    "Le chat dort sur le canapé du salon.",
    "Il a fait beau ce week-end, nous sommes allés à la plage.",
    "J'aime beaucoup la cuisine italienne et les pâtes fraîches.",
    "Mon équipe de football préférée a gagné hier soir.",
    "Ce questionnaire est trop long et mal conçu.",
    "Voir ma réponse précédente.",
    "Je regarde une série policière le soir.",
    "Bonne journée à vous.",
    "Ma fille apprend le piano depuis deux ans.",
    "Le film de dimanche était vraiment décevant.",
    "Aucune idée, je passe.",
    "Les vacances approchent enfin.",
    "J'ai perdu mes clés ce matin.",
    "Ok.",
    "Tout va bien, merci.",
)


class FrameworkMapper:
    """Map vectors (texts or cluster centroids) onto a framework's engagements and axes.

    Each engagement is represented by the embeddings of "title. description" and of each
    of its axes ("title. description"); the engagement score of a row is the mean cosine
    of its ``top_k`` closest vectors among those (all of them when it has fewer), and its
    axis is the best-scoring axis of the winning engagement.

    Why a mean of several rather than the single best (``top_k=1``, the former rule): with
    the best alone, an engagement wins on one lucky wording, and an engagement whose one
    description is generic ("la vie quotidienne") attracts texts of every kind. Asking for
    support from several of its axes maps short texts better on every labelled set and size
    measured (docs/benchmarks.md, "Engagement mapping across sizes"): 4-theme framework,
    text by text, questions 0.521 → 0.550 and démocratie 0.465 → 0.544, and better in each
    of the 40 paired samples of 400 to 3,300 texts on both frameworks; through themes
    0.685 → 0.710 and 0.710 → 0.712. ``top_k=3`` was chosen before measuring (three axes
    per engagement in the default framework, three enjeux per Atlaas family); 2 and "all"
    give the same picture.

    Thresholds (no labels involved):

    * ``threshold="auto"``: a row is "hors cadre" when its best score is no higher than
      what off-topic French small talk reaches. At :meth:`fit`, the built-in
      :data:`NULL_TEXTS_FR` are embedded with the same embedder, each gets its best score
      against the framework, and the threshold is the ``null_quantile`` (default 0.5,
      the median: a row is out of frame when it fits the framework no better than typical
      small talk does) quantile of those scores. The threshold therefore adapts to the embedder's
      similarity scale and to the framework's wording instead of being a magic cosine.
    * ``margin``: a second choice is reported when the runner-up engagement scores within
      ``margin`` of the best (default 0.03 cosine: a deliberately narrow band, small
      next to the spread of best scores, so that only genuinely ambiguous rows show two
      choices; it is a UI convention, not fitted to any labels).

    Args:
        embedder: an :class:`~nlp.types.Embedder` (must be the one that produced the
            vectors passed to :meth:`map`).
        threshold: ``"auto"`` or a float cosine threshold.
        margin: cosine margin for the second choice.
        null_quantile: quantile of the null scores used by ``threshold="auto"``.
        top_k: number of an engagement's closest vectors averaged into its score (>= 1;
            1 = the best one only).

    Attributes:
        framework_: the fitted framework.
        threshold_: effective out-of-frame threshold.
        label_vectors_: (m, d) vectors of engagements then axes.
    """

    def __init__(
        self,
        embedder: Embedder,
        threshold: float | str = "auto",
        margin: float = 0.03,
        null_quantile: float = 0.5,
        top_k: int = 3,
    ) -> None:
        self.embedder = embedder
        self.threshold = threshold
        self.margin = margin
        self.null_quantile = null_quantile
        self.top_k = top_k

    def fit(self, framework: Framework) -> FrameworkMapper:
        """Embed the framework's engagements and axes and calibrate the threshold."""
        if not isinstance(framework, Framework):
            raise ValueError(f"framework must be a Framework, got {type(framework).__name__}")
        if not framework.engagements:
            raise ValueError("framework has no engagements")
        if not isinstance(self.margin, int | float) or not 0 <= self.margin <= 1:
            raise ValueError(f"margin must be in [0, 1], got {self.margin!r}")
        if not 0 < self.null_quantile <= 1:
            raise ValueError(f"null_quantile must be in (0, 1], got {self.null_quantile!r}")
        if isinstance(self.top_k, bool) or not isinstance(self.top_k, int) or self.top_k < 1:
            raise ValueError(f"top_k must be an integer >= 1, got {self.top_k!r}")
        texts: list[str] = []
        owner: list[int] = []  # engagement index of each label vector
        axis_of: list[str | None] = []
        for ei, eng in enumerate(framework.engagements):
            texts.append(_describe(eng.title, eng.description))
            owner.append(ei)
            axis_of.append(None)
            for ax in eng.axes:
                texts.append(_describe(ax.title, ax.description))
                owner.append(ei)
                axis_of.append(ax.code)
        vecs = np.asarray(self.embedder.encode(texts), dtype=np.float32)
        self.framework_ = framework
        self.label_vectors_ = vecs
        self.owner_ = np.asarray(owner)
        self.axis_of_ = axis_of
        if self.threshold == "auto":
            null = np.asarray(self.embedder.encode(list(NULL_TEXTS_FR)), dtype=np.float32)
            best = self._engagement_scores(null @ vecs.T).max(axis=1)
            self.threshold_ = float(np.quantile(best, self.null_quantile))
        elif isinstance(self.threshold, int | float) and not isinstance(self.threshold, bool):
            if not -1 <= self.threshold <= 1:
                raise ValueError(f"threshold must be in [-1, 1], got {self.threshold!r}")
            self.threshold_ = float(self.threshold)
        else:
            raise ValueError(f"threshold must be 'auto' or a number, got {self.threshold!r}")
        logger.debug("framework %s: out-of-frame threshold %.3f", framework.name,
                     self.threshold_)
        return self

    def map(self, vectors: np.ndarray) -> MappingResult:
        """Map each row of ``vectors`` (n, d) to its best engagement and axis.

        Returns:
            A :class:`MappingResult` with n rows.
        """
        if not hasattr(self, "label_vectors_"):
            raise ValueError("FrameworkMapper is not fitted: call fit(framework) first")
        x = np.asarray(vectors, dtype=np.float32)
        if x.ndim == 1:
            x = x[None, :]
        if x.ndim != 2 or x.shape[1] != self.label_vectors_.shape[1]:
            raise ValueError(
                f"vectors must have shape (n, {self.label_vectors_.shape[1]}), got {x.shape}"
            )
        norms = np.linalg.norm(x, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        sims = (x / norms) @ self.label_vectors_.T  # (n, m)
        engs = self.framework_.engagements
        n_eng = len(engs)
        eng_scores = self._engagement_scores(sims)
        order = np.argsort(-eng_scores, axis=1, kind="stable")
        rows: list[FrameworkMatch] = []
        for r in range(x.shape[0]):
            b = int(order[r, 0])
            score = float(eng_scores[r, b])
            out = score < self.threshold_
            axis = None
            if not out and engs[b].axes:
                cols = np.where(self.owner_ == b)[0]
                cols = [c for c in cols if self.axis_of_[c] is not None]
                best_col = cols[int(np.argmax(sims[r, cols]))]
                axis = self.axis_of_[best_col]
            second = second_score = None
            if n_eng > 1 and not out:
                s = int(order[r, 1])
                if score - float(eng_scores[r, s]) <= self.margin:
                    second, second_score = engs[s].code, float(eng_scores[r, s])
            rows.append(
                FrameworkMatch(
                    engagement=None if out else engs[b].code,
                    axis=axis,
                    score=score,
                    second_engagement=second,
                    second_score=second_score,
                    out_of_frame=out,
                )
            )
        return self._result(rows)

    def _engagement_scores(self, sims: np.ndarray) -> np.ndarray:
        """(n, m) cosines to the label vectors → (n, engagements): the mean of each
        engagement's ``top_k`` largest."""
        n_eng = len(self.framework_.engagements)
        scores = np.empty((sims.shape[0], n_eng), dtype=np.float32)
        for ei in range(n_eng):
            own = sims[:, self.owner_ == ei]
            k = min(self.top_k, own.shape[1])
            scores[:, ei] = np.sort(own, axis=1)[:, -k:].mean(axis=1)
        return scores

    def _result(self, rows: list[FrameworkMatch]) -> MappingResult:
        return MappingResult(
            engagement=tuple(m.engagement for m in rows),
            axis=tuple(m.axis for m in rows),
            score=np.array([m.score for m in rows], dtype=np.float64),
            second_engagement=tuple(m.second_engagement for m in rows),
            second_score=np.array(
                [np.nan if m.second_score is None else m.second_score for m in rows]
            ),
            out_of_frame=np.array([m.out_of_frame for m in rows], dtype=bool),
            rows=tuple(rows),
            threshold=self.threshold_,
            margin=float(self.margin),
        )

    def map_clustered(
        self,
        vectors: np.ndarray,
        labels: Sequence[int],
        centroids: Mapping[int, np.ndarray],
        min_agreement: float = 0.3,
        max_share: float = 0.5,
    ) -> MappingResult:
        """Map texts through their cluster when the cluster speaks for its members.

        A cluster's centroid averages away the noise of short, single texts, so its match
        is more reliable than each member's own (questions dev set, 4-theme framework:
        0.78 of texts right through themes against 0.52 text by text). But a theme that
        is incoherent or spans engagements would drag its members to one engagement (a
        collapsed clustering gave 0.26 against 0.50 text by text), so a cluster is
        followed only when at least ``min_agreement`` of its members' own matches agree
        with its centroid's engagement; otherwise its members keep their own match.
        A theme holding more than ``max_share`` of all the texts must, besides, agree with
        its centroid more often than the whole corpus does: otherwise it may be a collapsed
        clustering, whose agreement only says how often the corpus lands on one engagement
        (on the questions dev set, one theme of all 3,300 texts agrees at 0.33 with its
        centroid under ``top_k=3``, and following it would put every text in one
        engagement, 0.18 right). On both dev sets at 400 to 3,300 texts the largest theme
        holds 9 to 16 % of the texts, so no measured figure depends on this rule.
        Texts left "à classer" (label < 0, or a label without a centroid) keep their own.

        Args:
            vectors: (n, d) text vectors.
            labels: n cluster ids (``-1`` = "à classer").
            centroids: cluster id -> (d,) centroid.
            min_agreement: share of members that must agree with the centroid, in [0, 1].
            max_share: share of the texts above which a theme must also agree with its
                centroid more than the corpus does, in (0, 1].

        Returns:
            A :class:`MappingResult` with n rows; :attr:`through_cluster` tells which
            clusters were followed.
        """
        x = np.asarray(vectors, dtype=np.float32)
        labels = [int(label) for label in labels]
        if x.ndim != 2 or len(labels) != x.shape[0]:
            raise ValueError(f"got {len(labels)} labels for vectors of shape {x.shape}")
        if not 0 <= min_agreement <= 1:
            raise ValueError(f"min_agreement must be in [0, 1], got {min_agreement!r}")
        if not 0 < max_share <= 1:
            raise ValueError(f"max_share must be in (0, 1], got {max_share!r}")
        rows = list(self.map(x).rows)
        ids = sorted(cid for cid in set(labels) if cid >= 0 and cid in centroids)
        followed: dict[int, bool] = {}
        if ids:
            by_cluster = dict(zip(ids, self.map(np.vstack([centroids[i] for i in ids])).rows,
                                  strict=True))
            for cid in ids:
                own = [row.engagement for label, row in zip(labels, rows, strict=True)
                       if label == cid]
                target = by_cluster[cid].engagement
                agree = np.mean([e == target for e in own])
                specific = (len(own) <= max_share * len(labels)
                            or agree > np.mean([row.engagement == target for row in rows]))
                followed[cid] = bool(agree >= min_agreement and specific)
            rows = [by_cluster[label] if followed.get(label) else row
                    for label, row in zip(labels, rows, strict=True)]
        result = self._result(rows)
        return MappingResult(**{**result.__dict__, "through_cluster": followed})

    def map_texts(self, texts: Sequence[str]) -> MappingResult:
        """Embed ``texts`` with the mapper's embedder and map them."""
        return self.map(self.embedder.encode(list(texts)))


def _describe(title: str, description: str) -> str:
    title = title.strip()
    description = description.strip()
    if not description:
        return title
    sep = " " if title.endswith((".", "!", "?", ":")) else ". "
    return f"{title}{sep}{description}"
