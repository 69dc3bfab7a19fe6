"""The grader: what it reads, what it ignores, and that gaming it scores clearly below an honest design."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from agent.evaluation.completions import read_completion
from agent.evaluation.grader import WEIGHTS, Grader
from agent.evaluation.markdown_design import markdown_design
from agent.pipeline import Engine

RATE_LIMITER = "stop any one customer from flooding our API"
REQUESTS = [
    RATE_LIMITER,
    "Design a URL shortener for 100M new links a month",
    "online booking for our four dental clinics, one freelance developer",
    "an app where friends message each other in real time, 3 engineers",
    "We need a HIPAA compliant patient portal where patients see lab results and message their doctor",
]
MARKDOWN = """Here is my design.

## Tech stack
- **Redis** — token buckets per API key, updated atomically by a Lua script
- PostgreSQL: plans and their limits

## Services
- Gateway Service: checks the bucket before forwarding; answers 429 with Retry-After
- Limits API: per-plan limits, cached in every gateway

## Key flows
### Token bucket check
1. compute the key from the API key and endpoint
2. refill and take a token in Redis

## Trade-offs
- Algorithm: token bucket over fixed windows, which let twice the rate through at window edges

## Failure modes
- Redis: unreachable → fail open after a 2 ms timeout
"""


@pytest.fixture(scope="module")
def engine(retriever) -> Engine:
    return Engine(retriever)


@pytest.fixture(scope="module")
def grader(engine) -> Grader:
    return Grader(engine)


@pytest.fixture(scope="module")
def honest(engine) -> dict[str, dict]:
    return {r: engine.recommend(r).model_dump(mode="json", exclude_none=True) for r in REQUESTS}


def test_weights_sum_to_one():
    assert sum(WEIGHTS.values()) == pytest.approx(1.0)


def test_markdown_subset_is_read_into_the_documents_fields():
    design = markdown_design(MARKDOWN)
    assert [c["name"] for c in design["components"]] == ["Redis", "PostgreSQL"]
    assert [s["name"] for s in design["services"]] == ["Gateway Service", "Limits API"]
    assert design["flows"] == [{"name": "Token bucket check", "steps": [
        "compute the key from the API key and endpoint", "refill and take a token in Redis"]}]  # fmt: skip
    assert design["tradeoffs"][0]["decision"] == "Algorithm"
    assert design["failure_modes"][0]["component"] == "Redis"


@pytest.mark.parametrize(
    ("text", "parsed_as"),
    [
        ('{"services": [{"name": "Links"}]}', "json"),
        ('Sure! ```json\n{"services": [{"name": "Links"}]}\n``` Hope it helps.', "fenced_json"),
        ('The design: {"services": [{"name": "Links"}]} as asked.', "prose_json"),
        ('{"services": [{"name": "Links"},], }', "repaired_json"),
        ('{"services": [{"name": "Links"}, {"name": "Redir', "truncated_json"),
        ('```json\n{"design": {"components": ["Redis"]}}\n```', "fenced_json"),
        (MARKDOWN, "markdown"),
    ],
)
def test_what_models_emit_is_read(text, parsed_as):
    read = read_completion(text)
    assert read.parsed_as == parsed_as
    assert read.document is not None


@pytest.mark.parametrize(
    ("completion", "problem"),
    [("", "empty"), (None, "empty"), ("I cannot help with that.", "no design found"),
     ('{"answer": 42}', "no services or components"), ([{"role": "user", "content": "hi"}], "empty")],
)  # fmt: skip
def test_missing_or_unreadable_output_scores_zero_and_says_why(grader, completion, problem):
    grade = grader.grade(RATE_LIMITER, completion)
    assert grade.score == 0.0
    assert problem in (grade.problem or "")


def test_markdown_design_for_the_request_scores_well(grader):
    grade = grader.grade(RATE_LIMITER, MARKDOWN)
    assert grade.parsed_as == "markdown"
    assert grade.score >= 0.6, grade.explanation


def test_a_cut_off_answer_is_scored_on_what_is_there_with_a_penalty(grader, honest):
    whole = json.dumps(honest[RATE_LIMITER])
    cut = grader.grade(RATE_LIMITER, whole[: len(whole) * 2 // 3])
    assert cut.parsed_as == "truncated_json"
    assert 0.3 < cut.score < grader.grade(RATE_LIMITER, whole).score


def test_the_completions_own_labels_are_never_believed(grader, honest):
    design = honest[RATE_LIMITER]
    relabelled = {**design, "pattern": {"id": "social_media"}, "blocks": [{"id": "chat"}], "request": "a chat app"}
    assert grader.grade(RATE_LIMITER, relabelled).score == grader.grade(RATE_LIMITER, design).score


def test_grades_are_deterministic_and_explained(grader, honest):
    first = grader.grade(RATE_LIMITER, json.dumps(honest[RATE_LIMITER]))
    again = grader.grade(RATE_LIMITER, json.dumps(honest[RATE_LIMITER]))
    assert first == again
    assert [p.name for p in first.parts] == list(WEIGHTS)
    assert all(p.reason for p in first.parts) and first.explanation.startswith(f"{first.score:.2f}")
    assert first.expected == ["rate_limiter"]


def _gamed(engine, grader, request: str, honest: dict) -> dict[str, object]:
    knowledge, brief = engine.knowledge, grader.brief(request)
    twitter = engine.recommend("Build a Twitter clone").model_dump(mode="json", exclude_none=True)
    others = [s for p in ("video_streaming", "ride_hailing", "ecommerce") for s in knowledge.patterns[p].services]
    stripped = {**honest, "components": [], "flows": [], "tradeoffs": [],
                "services": [{**s, "data_stores": []} for s in honest["services"]]}  # fmt: skip
    return {
        "same design for every prompt": twitter,
        "right labels on a wrong design": {
            **twitter,
            "pattern": {"id": brief.pattern.id},
            "request": request,
            "blocks": [{"id": b.id} for b in brief.blocks],
        },
        "the catalogue": {
            "services": [{"name": "API"}],
            "components": [{"name": t.name, "category": t.category, "purpose": t.use} for t in knowledge.technologies],
        },
        "many services": {
            **honest,
            "services": honest["services"] + [{"name": s.name, "responsibility": s.responsibility} for s in others],
        },
        "the request pasted back": {
            "request": request,
            "services": [{"name": "App", "responsibility": request}],
            "components": [{"name": "Postgres", "purpose": request}],
        },
        "the request as the answer": request,
        "failing more rules": stripped,
        "empty": "",
    }


MARGINS = {"many services": 0.3, "failing more rules": 0.15}
"""How far below the honest design each gaming case must score (0.5 unless named here)."""


@pytest.mark.parametrize("request_text", REQUESTS)
def test_gaming_scores_clearly_below_an_honest_design(engine, grader, honest, request_text):
    fair = grader.grade(request_text, honest[request_text]).score
    assert fair >= 0.85
    for name, gamed in _gamed(engine, grader, request_text, honest[request_text]).items():
        grade = grader.grade(request_text, gamed)
        assert grade.score <= fair - MARGINS.get(name, 0.5), f"{name}: {grade.explanation}"


def test_grade_command_on_one_completion_and_on_a_file(tmp_path, honest):
    from tests.conftest import run_cli

    single = run_cli("grade", RATE_LIMITER, "-", "--json", input=MARKDOWN)
    assert single.returncode == 0, single.stderr
    assert json.loads(single.stdout)["parsed_as"] == "markdown"
    lines = [json.dumps({"prompt": RATE_LIMITER, "completion": json.dumps(honest[RATE_LIMITER])}), "not json",
             json.dumps({"request": RATE_LIMITER, "completion": ""}), json.dumps({"completion": "x"})]  # fmt: skip
    source, out = tmp_path / "completions.jsonl", tmp_path / "grades.jsonl"
    source.write_text("\n".join(lines) + "\n")
    batch = run_cli("grade", "--input", str(source), "-o", str(out), "--workers", "2", "--json")
    assert batch.returncode == 0, batch.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["line"] for r in rows] == [1, 2, 3, 4]
    assert rows[0]["score"] > 0.8 and rows[1]["score"] == rows[2]["score"] == rows[3]["score"] == 0.0
    assert "no 'prompt'" in rows[3]["problem"] and json.loads(batch.stdout)["summary"]["unreadable"] == 3
    refused = run_cli("grade", "--input", str(source), "-o", str(source))
    assert refused.returncode == 2 and "is the input file" in refused.stderr
    assert source.read_text().startswith('{"prompt"')
    assert run_cli("grade").returncode == 2


BLIND_CASES = Path(__file__).parent / "data" / "grader_cases"
"""Requests with 3-5 answers each (JSON, fenced, cut-off, Markdown) ranked best to worst, written by helper sessions
that never saw the grader's code. `calibration` was read while setting the grader's constants; `holdout` was not
(0.923 pairwise on its first run), though a blind reviewer's report on the grades of its answers was read before
the grader's third revision; `fresh` was written after that revision (0.656 pairwise, best first 14 of 16 on its
first run; the layout of two answers it could not read, designs told in sections without a list of parts, was
looked at to make the Markdown reader find the technologies they name)."""
FLOORS = {"calibration": (0.9, 1), "holdout": (0.88, 1), "fresh": (0.75, 1)}
"""Per set: the pairwise agreement it must reach, and how many cases may have another answer scored highest."""


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_grades_rank_answers_as_a_blind_reviewer_did(grader, name):
    cases = [json.loads(line) for line in (BLIND_CASES / f"{name}.jsonl").read_text().splitlines()]
    pairs = agree = first = 0
    for case in cases:
        scores = {c["label"]: grader.grade(case["request"], c["text"]).score for c in case["completions"]}
        ranking = case["ranking"]
        first += max(scores, key=lambda label: scores[label]) == ranking[0]
        for better, worse in itertools.combinations(ranking, 2):
            pairs += 1
            agree += scores[better] > scores[worse]
    least, slack = FLOORS[name]
    assert agree / pairs >= least and first >= len(cases) - slack, (agree, pairs, first)


def test_answers_written_to_game_a_grader_score_below_the_honest_one(grader):
    """A second blind helper wrote 14 requests, each with an honest design and 3-4 answers built to fool a grader
    (keyword stuffing, a bare list of mechanisms, the request echoed, a generic template, over-building, a design
    for a neighbouring problem, claims addressed to the grader). First run, before any change: the honest answer
    first in 14 of 14, every trick below it (smallest gap 0.09), mean gap per trick 0.40-0.65."""
    cases = [json.loads(line) for line in (BLIND_CASES / "adversarial.jsonl").read_text().splitlines()]
    gaps: dict[str, list[float]] = {}
    for case in cases:
        scores = {c["label"]: grader.grade(case["request"], c["text"]).score for c in case["completions"]}
        for label, score in scores.items():
            if label != "honest":
                gaps.setdefault(label, []).append(scores["honest"] - score)
    assert all(gap > 0 for values in gaps.values() for gap in values), gaps
    assert all(sum(values) / len(values) >= 0.3 for values in gaps.values()), gaps


def test_the_module_level_grade_answers(tmp_path):
    """`agent.grade` shares the default advisor (it once waited forever on the advisor's own lock)."""
    import subprocess
    import sys

    code = ("import agent; g = agent.grade('Design a URL shortener', '{\"services\": [{\"name\": \"Links\"}]}'); "
            "print(g.parsed_as, g.expected)")  # fmt: skip
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "json" and "url_shortener" in result.stdout
