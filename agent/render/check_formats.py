"""`sysdesign check`'s reports, one table of formats: text, JSON, SARIF, JUnit XML and GitHub workflow commands."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from agent.render.ci import SEVERITY_RANK, to_github, to_junit, to_sarif
from agent.render.terminal import inert
from agent.render.text import render_report
from agent.rules.checker import Rule
from agent.schema import CheckReport, Finding


@dataclass(frozen=True)
class CheckRun:
    """What one run of `check` found: the reports, and what every format needs to say about them."""

    reports: Sequence[CheckReport]
    rules: Sequence[Rule]
    fail_on: str = "error"
    texts: dict[str, str] = field(default_factory=dict)  # each document's text by its source, for line numbers
    unreadable: Sequence[tuple[str, str]] = ()  # (file, why it could not be checked)
    docs_url: str | None = None
    version: str = "0"

    def summary(self) -> dict[str, object]:
        """Counts over every document (after repair, with --fix) and the files that could not be checked."""
        failing = [r for r in self.reports if _fails(r, self.fail_on)]
        return {
            "files": len(self.reports) + len(self.unreadable),
            "checked": len(self.reports),
            "failed": len(failing),
            "passed": len(self.reports) - len(failing),
            "errors": sum(r.errors for r in self.reports),
            "warnings": sum(r.warnings for r in self.reports),
            "changes": sum(len(r.changes) for r in self.reports),
            "unreadable": [{"file": name, "error": why} for name, why in self.unreadable],
        }

    def standing(self) -> list[CheckReport]:
        """The reports as the files now stand: with --fix, the findings that remain after the repair."""
        return [r.model_copy(update={"findings": final_findings(r)}) if r.repaired else r for r in self.reports]


def final_findings(report: CheckReport) -> list[Finding]:
    """The findings that stand: after repair when there was one."""
    return report.repaired.findings if report.repaired is not None else report.findings


def _fails(report: CheckReport, fail_on: str) -> bool:
    return any(SEVERITY_RANK[f.severity] >= SEVERITY_RANK[fail_on] for f in final_findings(report))


def _json(run: CheckRun) -> str:
    """One shape for any number of files: every finding as written, each with its file (flat, as linters list
    them), the per-file reports, and the summary."""
    files = [r.model_dump(mode="json", exclude_none=True) for r in run.reports]
    findings = [{**finding, "file": report.get("source")} for report in files for finding in report["findings"]]
    text = json.dumps({"findings": findings, "files": files, "summary": run.summary()}, indent=2, ensure_ascii=False)
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


# a lone surrogate (a document's "\ud800") has no UTF-8 form; in JSON text it can only sit inside a string, where
# its escape is what it was read from
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _sarif(run: CheckRun) -> str:
    return json.dumps(to_sarif(run.standing(), run.rules, run.version, run.texts, run.docs_url), indent=2) + "\n"


def _text(run: CheckRun) -> str:
    parts = []
    for report in run.reports:
        head = f"== {report.source}\n" if len(run.reports) > 1 else ""
        parts.append(head + (_fixed(report) if report.repaired is not None else render_report(report)))
    if len(run.reports) > 1:
        summary = run.summary()
        parts.append(f"{len(run.reports)} documents: {summary['failed']} failed, {summary['passed']} passed")
    return inert("\n\n".join(parts)) + "\n"  # names and messages are the document's data, shown, never run


def _fixed(report: CheckReport) -> str:
    """A repaired document's report: what remains after the repair, then each change once."""
    remaining = report.model_copy(update={"findings": final_findings(report), "repaired": None})
    lines = [render_report(remaining), "", f"Fixed ({len(report.changes)}):"]
    lines += [f"  {c.rule_id} {c.action}: {c.detail}" for c in report.changes] or ["  nothing to fix"]
    return "\n".join(lines)


@dataclass(frozen=True)
class CheckFormat:
    """A report format: the file suffixes that ask for it and how a run is written in it."""

    suffixes: tuple[str, ...]
    render: Callable[[CheckRun], str]


CHECK_FORMATS = {
    "text": CheckFormat((".txt",), _text),
    "json": CheckFormat((".json",), _json),
    "sarif": CheckFormat((".sarif",), _sarif),
    "junit": CheckFormat((".xml",), lambda run: to_junit(run.standing(), run.rules, run.fail_on)),
    "github": CheckFormat((), lambda run: to_github(run.standing(), run.texts)),
}


def format_for_suffix(suffix: str) -> str | None:
    """The format a file's suffix asks for (`.sarif` → sarif), or None."""
    return next((name for name, fmt in CHECK_FORMATS.items() if suffix.lower() in fmt.suffixes), None)
