"""The checker benchmark: expert designs from public sources with labelled findings, and seeded defects."""

from __future__ import annotations

import json

import pytest

from agent.errors import InvalidRequest
from agent.evaluation.checker_bench import CHECKER_DIR, Mutation, damaged, load_designs, load_seeded, score
from agent.pipeline import Engine
from tests.conftest import run_cli
from tests.test_evaluation import BASELINE


@pytest.fixture(scope="module")
def engine(retriever):
    return Engine(retriever)


@pytest.fixture(scope="module")
def result(engine):
    return score(engine)


def test_the_benchmark_has_a_dozen_expert_designs_from_several_sources():
    designs = load_designs()
    assert len(designs) >= 12
    assert len({d.source.publisher for d in designs}) >= 6
    assert all(d.source.url.startswith("https://") and d.source.licence for d in designs)
    assert all(label.why for d in designs for label in d.labels)


def test_precision_and_recall_hold_the_regression_gate(result):
    gate = BASELINE["checker"]
    assert result.precision >= gate["precision"], result.per_design
    assert result.recall >= gate["recall"], result.missed
    assert result.false_errors_per_design <= gate["false_errors_per_design"]
    assert not [d.unlabelled for d in result.per_design if d.unlabelled]  # every new finding needs a label


def test_every_seeded_defect_names_a_design_and_a_rule(engine):
    designs = {d.id for d in load_designs()}
    seeded = load_seeded()
    assert len(seeded) >= len(designs)
    assert all(s.design in designs and s.expect.startswith("SD") for s in seeded)


def test_damage_removes_a_part_everywhere_and_adds_notes():
    document = {"request": "r", "components": ["Redis", {"name": "MySQL"}],
                "services": [{"name": "A", "data_stores": ["Redis", "MySQL"]}]}  # fmt: skip
    hurt = damaged(document, Mutation(remove=["redis"], add_scaling=["x"]))
    assert hurt["components"] == [{"name": "MySQL"}] and hurt["services"][0]["data_stores"] == ["MySQL"]
    assert hurt["scaling"] == ["x"] and document["components"][0] == "Redis"  # the original is untouched


def test_a_broken_design_file_is_named(tmp_path, engine):
    (tmp_path / "expert").mkdir()
    (tmp_path / "expert" / "bad.json").write_text(json.dumps({"id": "x"}))
    with pytest.raises(InvalidRequest, match=r"bad\.json"):
        score(engine, tmp_path)


def test_the_cli_reports_the_scores():
    out = run_cli("eval", "checker", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["designs"] >= 12 and 0 <= data["precision"] <= 1 and data["seeded"] >= 12
    assert (CHECKER_DIR / "seeded.jsonl").is_file()
