"""Readable theme titles on real themes: the eleven Grand Débat questions of the dev set."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest

from nlp.labelling import ctfidf_keywords, fold
from nlp.titles import keyword_title, propose_title


@pytest.fixture(scope="module")
def themes(dev_rows):
    """Each question's answers as one theme, with its c-TF-IDF keywords."""
    labels = sorted({r["label"] for r in dev_rows})
    index = {label: i for i, label in enumerate(labels)}
    texts = [r["text"] for r in dev_rows]
    y = np.array([index[r["label"]] for r in dev_rows])
    keywords = ctfidf_keywords(texts, y, top_n=8)
    by_label = defaultdict(list)
    for row in dev_rows:
        by_label[row["label"]].append(row["text"])
    return [(label, by_label[label][:40], keywords[index[label]]) for label in labels]


def test_titles_are_short_phrases_of_the_theme_not_keyword_lists(themes):
    with_keywords = 0
    for _label, texts, keywords in themes:
        title = propose_title(texts, keywords)
        assert title
        assert "·" not in title
        assert 1 <= len(title.split()) <= 10
        assert title[0].isupper() or not title[0].isalpha()
        folded = fold(title)
        if sum(fold(k) in folded for k in keywords[:6]) >= 2:
            with_keywords += 1
        # The title is the theme's own words (a clause of one of its texts) or built
        # from its keywords.
        assert any(fold(title) in fold(" ".join(t.split())) for t in texts) or \
            title == keyword_title(keywords)
    # Quality floor measured on the eleven questions: most titles carry two keywords.
    assert with_keywords >= 8, with_keywords


def test_falls_back_to_a_noun_phrase_of_keywords():
    assert propose_title(["Oui."], ["impôts", "taxe", "baisser"]) == "Impôts et taxe"
    assert keyword_title(["TVA", "tva", "essence"]) == "TVA et essence"
    assert keyword_title(["services", "service", "publics"]) == "Services et publics"
    assert propose_title([], []) is None


def test_refuses_bad_lengths():
    with pytest.raises(ValueError, match="min_words"):
        propose_title(["texte"], ["texte"], min_words=5, max_words=2)
