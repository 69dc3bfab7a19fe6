"""Aggregating case results into metrics, and the report as Markdown (`writing` puts it on disk)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from agent.evaluation.scoring import CaseResult
from agent.knowledge import load_knowledge

CALIBRATION_BINS = 10
BOOTSTRAP_RESAMPLES = 2000


def _ratio(hits: int, total: int) -> float | None:
    return round(hits / total, 3) if total else None


def bootstrap_interval(values: list[float], resamples: int = BOOTSTRAP_RESAMPLES, seed: int = 0) -> list[float]:
    """The 95% percentile bootstrap interval of the mean of `values` (the same values, the same interval)."""
    import numpy as np

    data = np.asarray(values, dtype=float)
    means = np.random.default_rng(seed).choice(data, size=(resamples, len(data)), replace=True).mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return [round(float(low), 3), round(float(high), 3)]


def _graded(results: list[CaseResult]) -> dict[str, Any]:
    grades = [r.grade for r in results if r.grade is not None]
    if not grades:
        return {}
    return {"grade": round(sum(grades) / len(grades), 3), "grade_ci95": bootstrap_interval(grades),
            "missing_predictions": sum(r.error == "no prediction" for r in results)}  # fmt: skip


def metrics(results: list[CaseResult]) -> dict[str, Any]:
    """The metrics of one group of results (one drafter, one tag, one pattern)."""
    judged = [r for r in results if r.pattern_correct is not None]
    tp = sum(len(r.true_positives) for r in results)
    fn = sum(len(r.missed) for r in results)
    fp = sum(len(r.forbidden_present) for r in results)
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    f1 = round(2 * precision * recall / (precision + recall), 3) if precision and recall else 0.0
    banded = [r for r in results if r.services_in_band is not None]
    tiered = [r for r in results if r.tier_correct is not None]
    raw = [r.raw_errors for r in results if r.raw_errors is not None]
    blocked = [r for r in results if r.blocks_correct is not None]
    found = sum(len(r.concepts_found) for r in results)
    asked = found + sum(len(r.concepts_missed) for r in results)
    return {
        "cases": len(results),
        **_graded(results),
        "pattern_accuracy": _ratio(sum(bool(r.pattern_correct) for r in judged), len(judged)),
        "tech_precision": precision,
        "tech_recall": recall,
        "tech_f1": f1,
        "service_band_compliance": _ratio(sum(bool(r.services_in_band) for r in banded), len(banded)),
        "tier_accuracy": _ratio(sum(bool(r.tier_correct) for r in tiered), len(tiered)),
        "block_accuracy": _ratio(sum(bool(r.blocks_correct) for r in blocked), len(blocked)) if blocked else None,
        "concept_recall": _ratio(found, asked) if asked else None,
        # of the cases that name their blocks: none of another block's parts, no generic filler, services drafted
        "leak_free": _ratio(sum(not r.leaked for r in blocked), len(blocked)) if blocked else None,
        "filler_free": _ratio(sum(not r.filler for r in blocked), len(blocked)) if blocked else None,
        "services_per_block_case": round(sum(r.services for r in blocked) / len(blocked), 1) if blocked else None,
        "raw_errors_per_case": round(sum(raw) / len(raw), 2) if raw else None,
        "errors_after_repair": sum(r.errors for r in results),
        "fallbacks": sum(r.fallback for r in results),
        "ece": calibration(judged)["ece"],
        **raw_metrics(results),
        "seconds_per_case": round(sum(r.seconds for r in results) / len(results), 4) if results else None,
    }


def calibration(results: list[CaseResult]) -> dict[str, Any]:
    """Expected calibration error over confidence bins, and the bins for the reliability chart."""
    bins: list[list[CaseResult]] = [[] for _ in range(CALIBRATION_BINS)]
    for result in results:
        bins[min(int(result.confidence * CALIBRATION_BINS), CALIBRATION_BINS - 1)].append(result)
    rows, ece = [], 0.0
    for index, members in enumerate(bins):
        if not members:
            continue
        confidence = sum(r.confidence for r in members) / len(members)
        accuracy = sum(bool(r.pattern_correct) for r in members) / len(members)
        ece += len(members) / max(len(results), 1) * abs(accuracy - confidence)
        rows.append({"bin": index, "confidence": round(confidence, 3), "accuracy": round(accuracy, 3),
                     "cases": len(members)})  # fmt: skip
    return {"ece": round(ece, 3), "bins": rows}


def confusion(results: list[CaseResult]) -> dict[str, dict[str, int]]:
    """Expected pattern → predicted pattern → count."""
    ids = load_knowledge().all_pattern_ids
    matrix: dict[str, dict[str, int]] = {p: dict.fromkeys(ids, 0) for p in ids}
    for result in results:
        if result.expected_pattern in matrix and result.pattern in ids:
            matrix[result.expected_pattern][result.pattern] += 1
    return matrix


def _grouped(results: list[CaseResult], keys: Callable[[CaseResult], Iterable[str]]) -> dict[str, Any]:
    groups: dict[str, list[CaseResult]] = defaultdict(list)
    for result in results:
        for key in keys(result):
            groups[key].append(result)
    return {key: metrics(members) for key, members in sorted(groups.items())}


def build_report(results: list[CaseResult], retrieval: list[dict[str, Any]] | None = None,
                 worst: int = 10) -> dict[str, Any]:  # fmt: skip
    """The whole report: per drafter, overall metrics, by tag, by pattern, confusion, calibration, worst cases."""
    by_drafter: dict[str, list[CaseResult]] = defaultdict(list)
    for result in results:
        by_drafter[result.drafter].append(result)
    drafters = {}
    for name, members in by_drafter.items():
        judged = [r for r in members if r.pattern_correct is not None]
        ranked = sorted(members, key=lambda r: (-r.problems, r.case_id))
        drafters[name] = {
            "metrics": metrics(members),
            "by_tag": _grouped(members, lambda r: r.tags or ["untagged"]),
            "by_pattern": _grouped(members, lambda r: [r.expected_pattern or "unlabelled"]),
            # block accuracy, concept recall, leakage and services of each building block's own cases
            "by_block": _grouped([r for r in members if r.expected_blocks], lambda r: r.expected_blocks),
            "confusion": confusion(judged),
            "calibration": calibration(judged),
            "worst": [r.model_dump(mode="json") for r in ranked[:worst] if r.problems],
        }
    return {"drafters": drafters, "retrieval": retrieval or [], "cases": [r.model_dump(mode="json") for r in results]}


def _fmt(value: Any) -> str:
    return "–" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def raw_metrics(results: list[CaseResult]) -> dict[str, Any]:
    """What the model did on its own (first drafts, before repair), beside the final scores; empty for the kb."""
    raws = [r.raw for r in results if r.raw is not None]
    if not raws:
        return {}
    judged = [r for r in raws if r.pattern_correct is not None]
    blocked = [r for r in raws if r.blocks_correct is not None]
    asked = sum(len(r.concepts_found) + len(r.concepts_missed) for r in results if r.raw is not None)
    fixed = sum(r.fixed_by_model + r.fixed_by_engine for r in raws)
    return {
        "raw_pattern_accuracy": _ratio(sum(bool(r.pattern_correct) for r in judged), len(judged)) if judged else None,
        "raw_block_accuracy": _ratio(sum(bool(r.blocks_correct) for r in blocked), len(blocked)) if blocked else None,
        "raw_concept_recall": _ratio(sum(r.concepts_found for r in raws), asked) if asked else None,
        "junk_rate": _ratio(sum(r.junk for r in raws), sum(r.junk + r.names for r in raws) or 1),
        "fixed_by_model_share": _ratio(sum(r.fixed_by_model for r in raws), fixed) if fixed else None,
    }


HEADLINE = ["cases", "pattern_accuracy", "tech_precision", "tech_recall", "tech_f1", "service_band_compliance",
            "tier_accuracy", "raw_errors_per_case", "errors_after_repair", "ece", "seconds_per_case"]  # fmt: skip


def render_markdown(report: dict[str, Any]) -> str:
    """The report for people, as Markdown."""
    lines = ["# Evaluation report", "", "| drafter | " + " | ".join(HEADLINE) + " |",
             "|---|" + "---|" * len(HEADLINE)]  # fmt: skip
    for name, data in report["drafters"].items():
        lines.append(f"| {name} | " + " | ".join(_fmt(data["metrics"][k]) for k in HEADLINE) + " |")
    for row in report["retrieval"]:
        lines.append(f"\nRetrieval ({row['mode']}): recall@5 {row['recall_at_5']:.3f}, MRR {row['mrr']:.3f}")
    for name, data in report["drafters"].items():
        lines += ["", f"## {name}", "", "### By tag", "", "| tag | cases | pattern acc. | tech F1 | band | tier |",
                  "|---|---|---|---|---|---|"]  # fmt: skip
        for tag, m in data["by_tag"].items():
            lines.append(f"| {tag} | {m['cases']} | {_fmt(m['pattern_accuracy'])} | {_fmt(m['tech_f1'])} | "
                         f"{_fmt(m['service_band_compliance'])} | {_fmt(m['tier_accuracy'])} |")  # fmt: skip
        ids = list(data["confusion"])
        lines += ["", "### Confusion (rows: expected, columns: predicted)", "",
                  "| | " + " | ".join(ids) + " |", "|---|" + "---|" * len(ids)]  # fmt: skip
        for expected, row in data["confusion"].items():
            if sum(row.values()):
                lines.append(f"| {expected} | " + " | ".join(str(row.get(p, 0)) for p in ids) + " |")
        lines += ["", "### Worst cases", ""]
        for case in data["worst"]:
            lines.append(
                f"- **{case['case_id']}** {case['prompt']!r}: pattern {case['pattern']} "
                f"(expected {case['expected_pattern']}), missed {case['missed']}, "
                f"forbidden {case['forbidden_present']}, "
                f"{case['services']} services (expected {case['expected_services']}), tier {case['tier']} "
                f"(expected {case['expected_tier']})"
            )
    return "\n".join(lines) + "\n"
