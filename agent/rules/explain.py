"""A rule explained the way `ruff rule E501` does: what it checks, why (the knowledge base's own words), what it
requires, an example that breaks it (run through the checker, so the finding shown is the one it really gives),
the fix (and what `check --fix` does to the example), and the citation."""

from __future__ import annotations

import json
from typing import Any

from agent.retrieval.passages import chunk_text, section_title, sentences

WHY_SENTENCES = 3


def explain(rule: Any, engine: Any) -> dict[str, Any]:
    """Everything `rules show` prints, as data (the `--json` form)."""
    spec = rule.spec
    text = chunk_text(spec.help)
    why = " ".join(sentences(text)[:WHY_SENTENCES]) if text else ""
    found: dict[str, Any] = {
        "id": spec.id, "title": spec.title, "severity": spec.severity, "pillar": spec.pillar,
        "tags": list(spec.tags), "checks": spec.message, "why": why, "requires": spec.requires,
        "fix": spec.remediation, "autofix": spec.autofix, "citation": spec.help,
        "citation_title": section_title(spec.help) if text else None, "source": rule.source,
    }  # fmt: skip
    if spec.example is not None:
        found["example"] = _run_example(spec.id, spec.example, engine, [rule] if rule.source != "builtin" else None)
    return found


def _run_example(rule_id: str, document: dict[str, Any], engine: Any, rules: list[Any] | None) -> dict[str, Any]:
    options = {"rules": rules} if rules else {}
    report = engine.check(json.dumps(document), fix=True, **options)
    given = [f.model_dump(mode="json", include={"severity", "message", "fix"}) for f in report.findings
             if f.rule_id == rule_id]  # fmt: skip
    repaired = [c.detail for c in report.changes if c.rule_id == rule_id]
    after = report.repaired.findings if report.repaired is not None else []
    return {"document": document, "findings": given, "repair": repaired,
            "fixed": bool(given) and not any(f.rule_id == rule_id for f in after)}  # fmt: skip


def render(info: dict[str, Any]) -> str:
    """The explanation as text, section by section."""
    fixable = " · `sysdesign check --fix` repairs it" if info["autofix"] else ""
    lines = [f"{info['id']}: {info['title']}", f"{info['severity']} · {info['pillar']}{fixable}", ""]
    lines += ["What it checks", f"  {info['checks']}", ""]
    if info["why"]:
        lines += ["Why (the knowledge base)", f"  {info['why']}", ""]
    if info["requires"]:
        lines += ["What it requires", f"  {info['requires']}", ""]
    example = info.get("example")
    if example:
        lines += ["Example that breaks it", f"  {json.dumps(example['document'], ensure_ascii=False)}"]
        lines += [f"  -> {f['severity']}: {f['message']}" for f in example["findings"]]
        lines.append("")
    lines += ["Fix", f"  {info['fix']}"]
    if example and example["repair"]:
        lines.append(f"  On the example, --fix: {'; '.join(example['repair'])}")
    title = f" ({info['citation_title']})" if info["citation_title"] else ""
    lines += ["", f"Citation: {info['citation']}{title}; every rule: docs/rules.md in the repository"]
    return "\n".join(lines) + "\n"
