"""Fixtures for the nlp tests: real dev data, real USE model (loaded once per session)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from nlp.embedding import USEEmbedder

HERE = Path(__file__).resolve().parent
REPO = Path(__file__).resolve().parents[2]
THEMES_YAML = HERE / "data" / "granddebat_themes.yaml"


def dev_csv_path() -> Path:
    return REPO / "tests" / "data" / "granddebat_questions_dev.csv"


@pytest.fixture(scope="session")
def dev_csv() -> Path:
    path = dev_csv_path()
    if not path.exists():
        pytest.fail(f"dev data not found at {path}")
    return path


@pytest.fixture(scope="session")
def dev_rows(dev_csv) -> list[dict[str, str]]:
    with dev_csv.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="session")
def use() -> USEEmbedder:
    return USEEmbedder()


@pytest.fixture(scope="session")
def dev_embeddings(dev_rows, use) -> np.ndarray:
    """USE vectors of the whole dev set (about 4 s, once per session)."""
    return use.encode([r["text"] for r in dev_rows])


@pytest.fixture(scope="session")
def small_rows(dev_rows) -> list[dict[str, str]]:
    """First 600 dev rows (rows are shuffled, so all 11 questions appear)."""
    return dev_rows[:600]
