"""Batch validation of model predictions: many architectures, one JSON document a line."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from agent.errors import InvalidRequest, SysdesignError
from agent.evaluation.completions import read_completion
from agent.evaluation.grader import Grader
from agent.files import load_json, read_text_file


def request_and_completion(data: Any) -> tuple[str | None, Any]:
    """A line is a design document (graded against its `request` when it has one) or a model's answer:
    `{"prompt": ..., "completion": ...}` (also `output` or `response` for the answer)."""
    if not isinstance(data, dict):
        raise InvalidRequest("the line must be a JSON object")
    completion = next((data[k] for k in ("completion", "output", "response") if k in data), None)
    request = data.get("prompt") or data.get("request")
    return (request if isinstance(request, str) and request.strip() else None), (
        data if completion is None else completion
    )


def _document(completion: Any) -> Any:
    if isinstance(completion, dict) and not {"completion", "output", "response"} & completion.keys():
        return completion
    read = read_completion(completion)
    if read.document is None:
        raise InvalidRequest(read.problem or "no design found")
    return read.document


def check_batch(engine, path: Path, rules=None) -> dict[str, Any]:
    """Per-line results and a summary; a malformed line is reported with its number and the rest still checked.
    A line that carries its request is also graded (`agent.evaluation.grader`): `grade` per line, `mean_grade`."""
    if not Path(path).is_file():
        raise InvalidRequest(f"no predictions file at {str(path)!r}")
    lines: list[dict[str, Any]] = []
    counts: Counter[str] = Counter()
    # the knowledge base's own validation examples ("Using This Knowledge Base > Validation")
    examples: Counter[str] = Counter()
    grader = Grader(engine)
    for number, text in enumerate(read_text_file(Path(path), "predictions file").splitlines(), start=1):
        if not text.strip():
            continue
        try:
            data = load_json(text, "the line")
            request, completion = request_and_completion(data)
            grade = grader.grade(request, completion) if request else None
            report = engine.check(_document(completion), rules=rules)
        except SysdesignError as exc:
            lines.append({"line": number, "error": str(exc)})
            continue
        fired = {(f.rule_id, f.subject) for f in report.findings if f.severity == "error"}
        counts.update({rule_id for rule_id, _ in fired})  # documents per rule, not subjects
        if report.pattern.id == "social_media":
            examples["social media with too few microservices (SD010)"] += any(r == "SD010" for r, _ in fired)
            examples["social media without Redis (SD020)"] += ("SD020", "Redis") in fired
        findings = [f.model_dump(mode="json") for f in report.findings]
        lines.append({"line": number, "pattern": report.pattern.id, "passed": report.passed,
                      "errors": report.errors, "warnings": report.warnings, "findings": findings,
                      **({"grade": grade.score, "grade_explanation": grade.explanation} if grade else {})})  # fmt: skip
    checked = [entry for entry in lines if "error" not in entry]
    grades = [entry["grade"] for entry in checked if "grade" in entry]
    summary = {
        "lines": len(lines),
        "checked": len(checked),
        "malformed": [{"line": e["line"], "error": e["error"]} for e in lines if "error" in e],
        "with_errors": sum(1 for e in checked if not e["passed"]),
        "passed": sum(1 for e in checked if e["passed"]),
        "top_violations": counts.most_common(10),
        "graded": len(grades),
        "mean_grade": round(sum(grades) / len(grades), 3) if grades else None,
        "validation_examples": dict(examples),
    }
    return {"summary": summary, "results": lines}
