"""Batch validation of model predictions: many architectures, one JSON document a line."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from agent.errors import InvalidRequest, SysdesignError
from agent.files import load_json, read_text_file


def check_batch(engine, path: Path, rules=None) -> dict[str, Any]:
    """Per-line results and a summary; a malformed line is reported with its number and the rest still checked."""
    if not Path(path).is_file():
        raise InvalidRequest(f"no predictions file at {str(path)!r}")
    lines: list[dict[str, Any]] = []
    counts: Counter[str] = Counter()
    # the knowledge base's own validation examples ("Using This Knowledge Base > Validation")
    examples: Counter[str] = Counter()
    for number, text in enumerate(read_text_file(Path(path), "predictions file").splitlines(), start=1):
        if not text.strip():
            continue
        try:
            data = load_json(text, "the line")
            report = engine.check(data, rules=rules)
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
                      "errors": report.errors, "warnings": report.warnings, "findings": findings})  # fmt: skip
    checked = [entry for entry in lines if "error" not in entry]
    summary = {
        "lines": len(lines),
        "checked": len(checked),
        "malformed": [{"line": e["line"], "error": e["error"]} for e in lines if "error" in e],
        "with_errors": sum(1 for e in checked if not e["passed"]),
        "passed": sum(1 for e in checked if e["passed"]),
        "top_violations": counts.most_common(10),
        "validation_examples": dict(examples),
    }
    return {"summary": summary, "results": lines}
