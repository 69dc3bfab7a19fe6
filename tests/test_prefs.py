"""Preference pairs: the checked design against the same design with one realistic defect the checker or the
grader sees, in TRL's format, as JSONL and Parquet."""

from __future__ import annotations

import json

import pytest

from agent.datasets.prefs import MIN_GAP, preference_pairs
from agent.pipeline import Engine
from tests.conftest import run_cli


@pytest.fixture(scope="module")
def pairs(retriever):
    return list(preference_pairs(Engine(retriever), 12, seed=3))


def test_each_pair_has_one_defect_that_the_checker_or_the_grader_sees(pairs):
    assert len(pairs) == 12
    for pair in pairs:
        assert pair.chosen != pair.rejected and pair.prompt and pair.description
        assert pair.rule_ids or pair.grade_gap >= MIN_GAP, pair
        assert pair.grade_chosen >= pair.grade_rejected
        assert json.loads(pair.chosen).keys() >= {"services", "components"}
        assert "audit" not in json.loads(pair.chosen)  # the compact target: no bookkeeping
    assert len({p.defect for p in pairs}) >= 3
    assert sum(p.grade_gap for p in pairs) / len(pairs) > 0.05


def test_the_same_seed_gives_the_same_pairs(retriever, pairs):
    again = list(preference_pairs(Engine(retriever), 4, seed=3))
    assert [p.model_dump() for p in again] == [p.model_dump() for p in pairs[:4]]


def test_prefs_command_writes_jsonl_and_parquet_for_your_prompts(tmp_path):
    datasets = pytest.importorskip("datasets")
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("Design a URL shortener\nBuild a Twitter clone\nstop any one customer from flooding our API\n")
    result = run_cli("prefs", "--input", str(prompts), "-o", str(tmp_path / "prefs.parquet"), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["pairs"] == 3
    loaded = datasets.load_dataset("parquet", data_files=str(tmp_path / "prefs.parquet"), split="train")
    assert {"prompt", "chosen", "rejected", "defect", "rule_ids", "grade_gap"} <= set(loaded.column_names)
    assert loaded["prompt"][0] == "Design a URL shortener"
    jsonl = run_cli("prefs", "--n", "2", "-o", str(tmp_path / "prefs.jsonl"))
    assert jsonl.returncode == 0 and len((tmp_path / "prefs.jsonl").read_text().splitlines()) == 2
    assert run_cli("prefs", "-o", str(tmp_path / "prefs.csv")).returncode == 2
