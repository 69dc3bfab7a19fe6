"""Back-of-the-envelope capacity, like a system-design interview, and the assumptions behind it.

Inputs come from flags, then from numbers in the request ("5M daily users", "99:1 reads"), then from the
pattern's scaling numbers in the knowledge base, then from labelled heuristics. Every figure carries its unit
and its formula with the inputs filled in.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from agent.knowledge import capacity_table
from agent.schema import Assumption, AssumptionSource, CapacityFigure, PatternId

SECONDS_PER_DAY = 86_400
MAX_USERS = 1e11
"""More than ten times the people on Earth: a figure beyond this is a typo or a test, not a workload."""
_SCALE = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mm": 1e6, "million": 1e6, "b": 1e9, "bn": 1e9, "billion": 1e9}
# "5M daily users", "500 million DAU", "10k users", "2 billion monthly active users"
_USERS = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(k|m|mm|b|bn|thousand|million|billion)?\s*\+?\s*"  # number and optional scale
    r"(daily active users|daily users|dau|monthly active users|mau|users|customers|members|riders|players)",
    re.IGNORECASE,
)
_RATIO = re.compile(r"\b(\d{1,3})\s*[:/]\s*(\d{1,3})\b\s*(?:read|r/w|reads)", re.IGNORECASE)  # "99:1 reads"
_TEAM = re.compile(r"\b(\d+|one|two|three|four|five|six)\s+(?:engineers|developers|devs|people)\b", re.IGNORECASE)
_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}


def parse_count(text: str) -> float:
    """'5M' → 5e6, '2.5 billion' → 2.5e9, '10k' → 1e4; ValueError when it is not a count."""
    match = re.fullmatch(r"\s*(\d+(?:[.,]\d+)?)\s*([a-zA-Z]*)\s*", text)
    if not match or (match.group(2) and match.group(2).lower() not in _SCALE):
        raise ValueError(f"not a count: {text!r} (use forms like 5000, 10k, 5M, 2B)")
    return float(match.group(1).replace(",", "")) * _SCALE.get(match.group(2).lower(), 1)


def parse_ratio(text: str) -> float:
    """'99:1' → write share 0.01."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*[:/]\s*(\d+(?:\.\d+)?)\s*", text)
    if not match or float(match.group(1)) + float(match.group(2)) == 0:
        raise ValueError(f"not a read:write ratio: {text!r} (use forms like 99:1 or 60:40)")
    reads, writes = float(match.group(1)), float(match.group(2))
    return writes / (reads + writes)


def team_from_request(request: str) -> int | None:
    match = _TEAM.search(request)
    if not match:
        return None
    word = match.group(1).lower()
    return _WORDS.get(word) or int(word)


@dataclass
class Inputs:
    values: dict[str, float]
    assumptions: list[Assumption]


def gather_inputs(pattern: PatternId, request: str, overrides: dict[str, float | None]) -> Inputs:
    """Each input with where it came from: flag, request, knowledge base or heuristic."""
    table = capacity_table()
    values: dict[str, float] = {}
    assumptions: list[Assumption] = []
    found: dict[str, float] = {}
    if users := _USERS.search(request or ""):
        count = float(users.group(1).replace(",", "")) * _SCALE.get((users.group(2) or "").lower(), 1)
        monthly = users.group(3).lower() in {"monthly active users", "mau"}
        if math.isfinite(count) and 0 < count <= MAX_USERS:
            found["dau"] = count / 2 if monthly else count  # about half of monthly users come on a given day
        else:
            assumptions.append(Assumption(name="users in the request", value=f"{users.group(0)[:40]!r} is not a "
                                          "plausible count; the default was used", source="request"))  # fmt: skip
    if ratio := _RATIO.search(request or ""):
        reads, writes = float(ratio.group(1)), float(ratio.group(2))
        found["write_share"] = writes / (reads + writes)
    own = table.patterns.get(pattern, {})
    for name, default in table.default.items():
        entry = own.get(name, default)
        source: AssumptionSource
        override = overrides.get(name)
        if override is not None:
            value, source, cite = float(override), "flag", None
        elif name in found:
            value, source, cite = found[name], "request", None
        else:
            value = entry.value
            source = "heuristic" if entry.cite == "heuristic" else "knowledge base"
            cite = None if entry.cite == "heuristic" else entry.cite
        if name == "media_mb_per_day" and source not in {"flag", "request"} and "dau" in values:
            # the pattern's media volume belongs to its own user count: scale it to the users assumed here
            reference = own.get("dau", table.default["dau"]).value
            value *= values["dau"] / reference
        values[name] = value
        if name in {"dau", "write_share", "media_mb_per_day", "peak_factor", "requests_per_user"}:
            shown = f"{value:.0%}" if name == "write_share" else f"{value:,.0f}" if value >= 10 else f"{value:g}"
            assumptions.append(Assumption(name=name.replace("_", " "), value=shown, source=source, citation=cite))
    return Inputs(values, assumptions)


def _figure(name: str, value: float, unit: str, formula: str) -> CapacityFigure:
    return CapacityFigure(name=name, value=round(value, 2), unit=unit, formula=formula)


def capacity(pattern: PatternId, request: str, overrides: dict[str, float | None] | None = None,
             services: int = 1) -> tuple[list[CapacityFigure], list[Assumption]]:  # fmt: skip
    """Requests per second, storage, bandwidth, cache and instances, with the assumptions they rest on."""
    inputs = gather_inputs(pattern, request, overrides or {})
    v = inputs.values
    daily = v["dau"] * v["requests_per_user"]
    average = daily / SECONDS_PER_DAY
    peak = average * v["peak_factor"]
    writes = average * v["write_share"]
    storage_gb = (daily * v["write_share"] * v["write_kb"] / 1e6) + v["media_mb_per_day"] / 1e3
    bandwidth = average * (1 - v["write_share"]) * v["response_kb"] * 8 / 1e6  # kilobytes/s → gigabits/s
    cache_gb = daily * (1 - v["write_share"]) * v["response_kb"] * v["hot_share"] / 1e6
    instances = max(2, math.ceil(peak / v["instance_rps"]) + 1)
    figures = [
        _figure("requests per second (average)", average, "req/s",
                f"{v['dau']:,.0f} users x {v['requests_per_user']:g} requests / 86,400 s"),
        _figure("requests per second (peak)", peak, "req/s",
                f"{average:,.1f} req/s x peak factor {v['peak_factor']:g}"),
        _figure("writes per second (average)", writes, "writes/s",
                f"{average:,.1f} req/s x {v['write_share']:.0%} writes"),
        _figure("storage growth per day", storage_gb, "GB/day",
                f"{daily * v['write_share']:,.0f} writes x {v['write_kb']:g} KB + "
                f"{v['media_mb_per_day']:,.0f} MB media"),
        _figure("storage growth per year", storage_gb * 365 / 1e3, "TB/year", f"{storage_gb:,.1f} GB/day x 365"),
        _figure("egress bandwidth (average)", bandwidth, "Gbit/s",
                f"{average * (1 - v['write_share']):,.1f} reads/s x {v['response_kb']:g} KB x 8"),
        _figure("cache for the hot set", cache_gb, "GB",
                f"{daily * (1 - v['write_share']):,.0f} reads/day x {v['response_kb']:g} KB x {v['hot_share']:.0%}"),
        _figure("instances per stateless service tier", instances, "instances",
                f"ceil({peak:,.0f} peak req/s / {v['instance_rps']:,.0f} per instance) + 1 spare, at least 2"),
    ]  # fmt: skip
    return figures, inputs.assumptions
