"""What the knowledge base covers, in one sentence per line: the first thing every view shows."""

from __future__ import annotations

from agent.schema import Architecture

STATUS_WORDS = {"covered": "covered", "partial": "partly covered", "not_covered": "NOT covered"}


def coverage_lines(arch: Architecture) -> list[str]:
    """'Coverage: ...' and, when something is not covered, what and why; empty for a document without coverage."""
    coverage = arch.coverage
    if coverage is None:
        return []
    rests = f"; rests on {', '.join(coverage.chapters)}" if coverage.chapters else ""
    lines = [f"Coverage: {STATUS_WORDS.get(coverage.status, coverage.status)} by the knowledge base{rests}"]
    if coverage.uncovered:
        lines.append("  Not covered: " + "; ".join(repr(item) for item in coverage.uncovered))
    if coverage.note:
        lines.append(f"  {coverage.note}")
    return lines
