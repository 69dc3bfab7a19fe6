"""The evaluation harness: case files, scoring, reports, predictions, resume, and the regression gate."""

from __future__ import annotations

import json

import pytest

from agent.advisor import Advisor
from agent.errors import InvalidRequest
from agent.evaluation.cases import CASES_DIR, EvalCase, load_cases
from agent.evaluation.report import build_report, calibration, metrics
from agent.evaluation.runner import run_cases, score_predictions, select
from agent.evaluation.scoring import score_case
from agent.evaluation.writing import write_report
from agent.knowledge import load_knowledge
from agent.schema import Architecture
from tests.conftest import PROJECT_ROOT, run_cli

BASELINE = json.loads((PROJECT_ROOT / "evals" / "baseline.json").read_text())


@pytest.fixture(scope="module")
def advisor():
    return Advisor()


@pytest.fixture(scope="module")
def suite(advisor):
    return run_cases(advisor, load_cases(), ["kb"], workers=2)


def test_the_built_in_suite_is_large_and_varied():
    cases = load_cases()
    assert len(cases) >= 120
    tags = {tag for case in cases for tag in case.tags}
    assert {"brand", "brandless", "terse", "misspelling", "long", "mvp", "outside", "mixed", "adversarial",
            "validation", "payments", "compliance", "global"} <= tags  # fmt: skip
    assert {case.pattern for case in cases} >= {"social_media", "video_streaming", "messaging", "ride_hailing",
                                                 "ecommerce", "other"}  # fmt: skip


def test_regression_gate(suite):
    """The kb drafter may not fall below evals/baseline.json."""
    figures = metrics(suite)
    for name, floor in BASELINE["kb"].items():
        assert figures[name] >= floor, f"{name} fell to {figures[name]} (baseline {floor})"
    assert figures["errors_after_repair"] == 0


def test_technology_aliases_count_as_matches():
    case = EvalCase(id="x", prompt="p", must_include=("PostgreSQL", "ElasticSearch"), must_not_include=("mongo",))
    architecture = Architecture(components=[{"name": "Postgres"}, {"name": "MongoDB"}])
    result = score_case(case, architecture, load_knowledge(), "kb", 0.0)
    assert result.true_positives == ["Postgres"] and result.missed == ["Elasticsearch"]
    assert result.forbidden_present == ["MongoDB"]


def test_invalid_lines_are_skipped_with_their_number_or_fail_strictly(tmp_path, caplog):
    file = tmp_path / "cases.jsonl"
    file.write_text('{"id": "a", "prompt": "Build a Twitter clone"}\n{"id": "b"}\nnot json\n')
    assert [c.id for c in load_cases(file)] == ["a"]
    assert "line 2" in caplog.text and "line 3" in caplog.text
    with pytest.raises(InvalidRequest, match="line 2"):
        load_cases(file, strict=True)


def test_calibration_of_a_perfectly_calibrated_set_is_zero(suite):
    perfect = [r.model_copy(update={"confidence": 1.0, "pattern_correct": True}) for r in suite[:10]]
    assert calibration(perfect)["ece"] == 0.0


def test_report_files_and_worst_cases(tmp_path, suite):
    report = build_report(suite, worst=5)
    written = write_report(report, tmp_path)
    assert {p.name for p in written} >= {"report.json", "report.md", "report.html", "scores.png", "reliability-kb.png"}
    assert (tmp_path / "scores.png").read_bytes()[:4] == b"\x89PNG"
    html = (tmp_path / "report.html").read_text()
    assert "<script" not in html and "Confusion" in html
    data = json.loads((tmp_path / "report.json").read_text())
    assert set(data["drafters"]["kb"]["by_tag"]) >= {"brand", "mvp"}
    assert len(data["drafters"]["kb"]["worst"]) <= 5


def test_predictions_from_elsewhere_are_scored(tmp_path, advisor):
    cases = select(load_cases(), limit=3)
    # a design with nowhere to keep data: an error whatever it was asked for (SD052)
    lines = [json.dumps({"id": cases[0].id, "components": ["React"], "services": ["API", "Web"]}),
             json.dumps({"id": cases[1].id, **advisor.recommend(cases[1].prompt).model_dump(mode="json")})]  # fmt: skip
    predictions = tmp_path / "preds.jsonl"
    predictions.write_text("\n".join(lines) + "\n")
    results, unused = score_predictions(advisor, cases, predictions)
    assert results[0].raw_errors > 0 and results[0].missed
    assert results[1].pattern_correct
    assert results[1].grade > results[0].grade + 0.3  # the grader, not the labels, is the main score
    assert results[2].error == "no prediction" and results[2].grade == 0.0 and not unused
    predictions.write_text('{"id": "nope", "components": ["Redis"]}\n')
    with pytest.raises(InvalidRequest, match="line 1"):
        score_predictions(advisor, cases, predictions)


def test_predictions_are_graded_on_the_design_not_its_labels(tmp_path, advisor):
    cases = [c for c in load_cases() if c.pattern == "ride_hailing"][:2]
    twitter = advisor.recommend("Build a Twitter clone").model_dump(mode="json")
    wrong = {**twitter, "pattern": {"id": "ride_hailing"}, "id": cases[0].id}  # a right label on a wrong design
    cut_off = {"id": cases[1].id, "completion": "```json\n{"}
    predictions = tmp_path / "preds.jsonl"
    predictions.write_text(json.dumps(wrong) + "\nnot json\n" + json.dumps(cut_off) + "\n")
    results, unused = score_predictions(advisor, cases, predictions)
    assert results[0].pattern_correct is False and results[0].grade < 0.3
    assert results[1].grade == 0.0 and results[1].error
    assert len(unused) == 1 and "line 2" in unused[0]
    data = build_report(results)["drafters"]["predictions"]["metrics"]
    low, high = data["grade_ci95"]
    assert low <= data["grade"] <= high


def test_resume_keeps_scored_cases(tmp_path, advisor):
    cases = select(load_cases(), limit=4)
    first = run_cases(advisor, cases[:2], ["kb"], progress_dir=tmp_path)
    assert len((tmp_path / "progress.jsonl").read_text().splitlines()) == 2
    seen = []
    resumed = run_cases(advisor, cases, ["kb"], progress_dir=tmp_path, resume=True,
                        progress=lambda done, total: seen.append((done, total)))  # fmt: skip
    assert [r.case_id for r in resumed] == [c.id for c in cases]
    assert seen == [(3, 4), (4, 4)]
    assert resumed[:2] == first


def test_cli_eval_json_and_bad_arguments(tmp_path):
    result = run_cli("eval", "--tag", "terse", "--json")
    data = json.loads(result.stdout)
    assert data["drafters"]["kb"]["metrics"]["cases"] == len([c for c in load_cases() if "terse" in c.tags])
    assert run_cli("eval", "--cases", str(tmp_path / "none.jsonl")).returncode == 2
    assert run_cli("eval", "--resume").returncode == 2
    assert run_cli("eval", "--tag", "no-such-tag").returncode == 2


def test_cases_dir_exists():
    assert CASES_DIR.is_dir()


def test_every_building_block_is_scored_on_its_own_cases(suite):
    by_block = build_report(suite, [])["drafters"]["kb"]["by_block"]
    assert set(by_block) == set(load_knowledge().blocks)  # every block has cases
    for block, figures in by_block.items():
        assert figures["cases"] >= 3, block
        # the chapters added with evals/cases/canon.jsonl (blind cases) are recognised in two of three at least;
        # what leaks into their composed designs is held by the suite's floors in evals/baseline.json
        assert figures["block_accuracy"] >= 0.66, block
