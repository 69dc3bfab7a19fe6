"""Score the requirement readers on requests written outside the code (evals/understanding/requirements.jsonl).

Each case states a load, a population, a peak, a team, a budget or a constraint in its own words and says what
should be read. Prints the share read right per class and overall; `--min` makes it an exit code.

    python benchmarks/requirements_reading.py [--min 0.8]
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

from agent.requirements.extract import SECONDS, Extracted, extract

CASES = Path(__file__).resolve().parent.parent / "evals" / "understanding" / "requirements.jsonl"
LOADS = ("peak factor", "ratio", "size")
AVAILABLE_FIRST = ("eventual", "eventually consistent", "available", "availability", "ap")


def _near(got: float | None, want: float, tolerance: float = 0.1) -> bool:
    return got is not None and abs(got - want) <= tolerance * abs(want) + 1e-9


def _rate(value: float, per: str) -> float:
    return value / SECONDS.get(per, 1)


def _load(found: Extracted, want: dict) -> bool:
    rate = _rate(want["value"], want.get("per") or "second")
    for figure in found.scale:
        if figure.kind in LOADS:
            continue
        unit = figure.unit
        period = next((p for p in SECONDS if unit.endswith(f"per {p}")), None)
        if period and _near(_rate(figure.value, period), rate):
            return True
    return False


def _constraint(found: Extracted, kind: str, value: object) -> bool:
    if kind == "offline":
        return found.offline
    if kind == "consistency":  # the side the case names: "strong" is CP, "eventual" is AP
        return found.consistency == ("AP" if str(value).lower() in AVAILABLE_FIRST else "CP")
    if kind == "latency":
        return found.latency_ms is not None
    if kind == "residency":
        return found.residency is not None
    if kind == "deadline":
        return found.deadline_weeks is not None
    return False


def _peak(found: Extracted, peak: dict) -> bool:
    """A peak factor near the stated one, a count at its peak near the stated count, or a figure said with the
    time of its peak."""
    for figure in found.scale:
        if figure.kind == "peak factor" and (peak.get("factor") is None or _near(figure.value, peak["factor"])):
            return True
        if figure.kind == "peak" and peak.get("value") is not None and _near(figure.value, peak["value"]):
            return True
        if figure.when:
            return True
    return False


def read_right(prompt: str, expect: dict) -> bool:
    """Whether everything `expect` names was read from `prompt`."""
    found = extract(prompt)
    checks = []
    if "load" in expect:
        checks.append(_load(found, expect["load"]))
    if "population" in expect:
        want = expect["population"]["value"]
        checks.append(any(_near(f.value, want) for f in found.scale if f.kind not in LOADS))
    if "team" in expect:
        checks.append(found.team == expect["team"])
    if "budget" in expect:
        checks.append(any(c.name == "budget" for c in found.constraints) or found.scope == "simple")
    if "constraint" in expect:
        checks.append(_constraint(found, expect["constraint"], expect.get("value")))
    if "availability" in expect:
        checks.append(_near(found.availability, expect["availability"] * 100, 0.0001))
    if "read_write_ratio" in expect:
        checks.append(any(f.kind == "ratio" and _near(f.value, expect["read_write_ratio"]) for f in found.scale))
    if "peak" in expect:
        checks.append(_peak(found, expect["peak"]))
    return bool(checks) and all(checks)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min", type=float, default=0.0)
    args = parser.parse_args()
    cases = [json.loads(line) for line in CASES.read_text(encoding="utf-8").splitlines() if line.strip()]
    by_class: dict[str, list[bool]] = defaultdict(list)
    for case in cases:
        by_class[case["class"]].append(read_right(case["prompt"], case["expect"]))
    for name, results in sorted(by_class.items()):
        print(f"{name:14} {sum(results):3}/{len(results):3}  {sum(results) / len(results):.2f}")
    share = sum(sum(r) for r in by_class.values()) / len(cases)
    print(f"read right: {share:.3f} of {len(cases)} requests")
    return 0 if share >= args.min else 1


if __name__ == "__main__":
    raise SystemExit(main())
