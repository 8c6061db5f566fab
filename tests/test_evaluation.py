"""The labelled evaluation: every layout and perturbation, with precision/recall floors."""

from __future__ import annotations

from pathlib import Path

import pytest

from dumpwatch.evaluation import CategoryScore, build_evaluation, evaluate
from matcher.keys import SecretKey
from matcher.scan import Scanner
from tests.conftest import CORPUS_SIZE


@pytest.fixture(scope="module")
def scores(built_home: Path, key: SecretKey) -> dict[str, CategoryScore]:
    docs = build_evaluation(CORPUS_SIZE, seed=11)
    return evaluate(Scanner(built_home, key), docs)


@pytest.mark.parametrize("layout", ["csv_header", "csv_noheader", "tsv", "pipe", "semicolon",
                                    "spaces", "jsonl", "json_nested", "sql", "html", "post",
                                    "cp949"])
def test_each_unmasked_layout(scores: dict[str, CategoryScore], layout: str) -> None:
    s = scores[layout]
    assert s.tp > 0
    assert s.precision >= 0.999 and s.recall >= 0.97, (layout, s)


def test_unmasked_floors(scores: dict[str, CategoryScore]) -> None:
    s = scores["unmasked_layouts"]
    assert s.precision >= 0.999 and s.recall >= 0.99, s


def test_typos_still_match(scores: dict[str, CategoryScore]) -> None:
    for cat in ("typo_name", "typo_phone"):
        assert scores[cat].precision >= 0.99 and scores[cat].recall >= 0.95, (cat, scores[cat])


def test_masked_unique_recall(scores: dict[str, CategoryScore]) -> None:
    s = scores["masked_unique"]
    assert s.tp > 100 and s.recall >= 0.9 and s.precision >= 0.99, s


@pytest.mark.parametrize("category", ["names_only", "chatter", "decoys"])
def test_no_findings_without_corpus_records(scores: dict[str, CategoryScore], category: str
                                            ) -> None:
    assert scores[category].reported == 0
