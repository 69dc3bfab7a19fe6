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
from agent.requirements.extract import SECONDS, Extracted, extract, extract_once
from agent.requirements.reading import per_second, scope_signals
from agent.schema import Assumption, AssumptionSource, CapacityFigure, PatternId, ScaleFigure

SECONDS_PER_DAY = 86_400
DAILY_PER_CONCURRENT = 10
"""At the busiest moment about a tenth of a day's users are online (this project's heuristic)."""
SPIKE_PEAK_FACTOR = 10.0
"""A request that warns of spikes (flash sales, on-sales, going viral) is planned for ten times its average."""
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


@dataclass
class Inputs:
    values: dict[str, float]
    assumptions: list[Assumption]


def stated_daily_users(found: Extracted) -> float | None:
    """Daily users the request states (monthly users count about half on a given day). Of several groups of
    people ("8 coordinators and 5,000 volunteers") the largest is the users; the others are roles among them."""
    for unit, share in (("daily active users", 1.0), ("users", 1.0), ("monthly active users", 0.5)):
        values = [f.value for f in found.scale if f.unit == unit and 0 < f.value <= MAX_USERS]
        if values:
            return max(values) * share
    return None


def gather_inputs(pattern: PatternId, request: str, overrides: dict[str, float | None],
                  found: Extracted | None = None) -> Inputs:  # fmt: skip
    """Each input with where it came from: flag, request (or an answer), knowledge base, default or heuristic.

    A stated figure beats the knowledge base's; a small scope (an MVP, a team of four) beats a brand's scale.
    """
    table = capacity_table()
    found = found if found is not None else extract(request or "")
    values: dict[str, float] = {}
    assumptions = [Assumption(name="figure in the request", value=note, source="request") for note in found.notes]
    stated: dict[str, float] = {}
    users = stated_daily_users(found)
    concurrent = found.figure("concurrent connections")
    if users is None and concurrent is not None and concurrent.value <= MAX_USERS:
        users = concurrent.value * DAILY_PER_CONCURRENT
        derived = f"{concurrent.value:,.0f} concurrent x {DAILY_PER_CONCURRENT} = {users:,.0f} daily users"
        assumptions.append(Assumption(name="daily users from concurrency", value=derived, source="heuristic"))
    if users is not None:
        stated["dau"] = users
    if ratio := _RATIO.search(request or ""):
        reads, writes = float(ratio.group(1)), float(ratio.group(2))
        stated["write_share"] = writes / (reads + writes)
    elif said := found.of_kind("ratio"):
        stated["write_share"] = 1 / (1 + said[0].value)  # reads per write
    if factors := found.of_kind("peak factor"):
        stated["peak_factor"] = max(f.value for f in factors)
    small, _, _ = scope_signals(found, request or "")
    own = {} if small else table.patterns.get(pattern, {})  # an MVP of a famous app is still an MVP
    if found.of_kind(*STATED_LOAD) and users is None:
        # the request sizes itself (50,000 servers, 2M downloads a month): a brand's famous user count would only
        # mislead, so the users fall back to the general default, labelled as such
        own = {name: entry for name, entry in own.items() if name not in BRAND_SCALE}
    for name, default in table.default.items():
        entry = own.get(name, default)
        source: AssumptionSource
        override = overrides.get(name)
        if override is not None:
            value, source, cite = float(override), "flag", None
        elif name in stated:
            value, source, cite = stated[name], _source(found, name), None
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
    if small and users is None and pattern in table.patterns:
        assumptions.append(Assumption(name="scale", value=f"sized for {', '.join(small)}, not for the published "
                                      f"scale of {pattern.replace('_', ' ')} platforms", source="request"))  # fmt: skip
    if found.spikes and "peak_factor" not in stated and overrides.get("peak_factor") is None:
        values["peak_factor"] = max(values["peak_factor"], SPIKE_PEAK_FACTOR)
    return Inputs(values, assumptions)


STATED_LOAD = ("users", "population", "concurrent", "rate", "peak")
"""Kinds of stated figure that say how big the system is."""
BRAND_SCALE = ("dau", "media_mb_per_day")
"""A pattern's inputs that are the famous brand's size rather than the shape of its workload."""


def _source(found: Extracted, name: str) -> AssumptionSource:
    if name == "dau":
        for unit in ("daily active users", "users", "monthly active users"):
            figure = found.figure(unit)
            if figure is not None:
                return "answer" if figure.source == "answer" else "request"
    return "request"


def _figure(name: str, value: float, unit: str, formula: str) -> CapacityFigure:
    # two decimals, or three significant figures below one: 0.00174 orders/s is not 0
    shown = round(value, 2) if abs(value) >= 1 or value == 0 else float(f"{value:.3g}")
    return CapacityFigure(name=name, value=shown, unit=unit, formula=formula)


# bytes one item of a workload takes when stored, when the request does not say (this project's heuristics)
ITEM_KB = {"new links": 0.5, "pages": 100.0, "messages": 1.0, "events": 0.2, "uploads": 2000.0, "writes": 1.0,
           "jobs": 1.0, "requests": 0.0, "items": 1.0}  # fmt: skip
HOT_DAYS = 30
"""The hot set is what was written in the last month (the 80/20 rule picks a fifth of it)."""


def capacity(
    pattern: PatternId,
    request: str,
    overrides: dict[str, float | None] | None = None,
    services: int = 1,
    found: Extracted | None = None,
) -> tuple[list[CapacityFigure], list[Assumption]]:
    """Requests per second, storage, bandwidth, cache and instances, with the assumptions they rest on; figures
    in the workload's own units (links per second, pages per second, ...) when the request states them."""
    found = found if found is not None else extract(request or "")
    inputs = gather_inputs(pattern, request, overrides or {}, found)
    v = inputs.values
    stated_rps = found.figure("requests per second")
    if stated_rps is not None and (overrides or {}).get("dau") is None:
        at_peak = stated_rps.kind == "peak"  # "20k RPS at peak": the average is the peak over the peak factor
        average = stated_rps.value / v["peak_factor"] if at_peak else stated_rps.value
        basis = f"{average:,.0f} requests/s stated in the request"
        if at_peak:
            basis = f"{stated_rps.value:,.0f} requests/s at peak, stated / peak factor {v['peak_factor']:g}"
    else:
        average = v["dau"] * v["requests_per_user"] / SECONDS_PER_DAY
        basis = f"{v['dau']:,.0f} users x {v['requests_per_user']:g} requests / 86,400 s"
    daily = average * SECONDS_PER_DAY
    peak = average * v["peak_factor"]
    writes = average * v["write_share"]
    storage_gb = (daily * v["write_share"] * v["write_kb"] / 1e6) + v["media_mb_per_day"] / 1e3
    bandwidth = average * (1 - v["write_share"]) * v["response_kb"] * 8 / 1e6  # kilobytes/s → gigabits/s
    hot_items = daily * v["write_share"] * HOT_DAYS
    cache_gb = hot_items * v["write_kb"] * v["hot_share"] / 1e6
    instances = max(2, math.ceil(peak / v["instance_rps"]) + 1)
    figures = [
        _figure("requests per second (average)", average, "req/s", basis),
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
                f"{hot_items:,.0f} distinct items written in {HOT_DAYS} days x {v['write_kb']:g} KB x "
                f"{v['hot_share']:.0%} hot"),
        _figure("instances per stateless service tier", instances, "instances",
                f"ceil({peak:,.0f} peak req/s / {v['instance_rps']:,.0f} per instance) + 1 spare, at least 2"),
    ]  # fmt: skip
    workload = workload_figures(found, v["peak_factor"])
    users_stated = stated_daily_users(found) is not None or (overrides or {}).get("dau") is not None
    peaks = [f for f in workload if f.name.endswith("(peak)")]
    if peaks and stated_rps is None and not users_stated:
        # the request sizes itself in its own units (links, pages, events): user-based guesses would only mislead
        busiest = max(peaks, key=lambda f: f.value)
        instances = max(2, math.ceil(busiest.value / v["instance_rps"]) + 1)
        figures = [*workload, _figure("instances per stateless service tier", instances, "instances",
                                      f"ceil({busiest.value:,.0f} peak {busiest.unit} / {v['instance_rps']:,.0f} "
                                      "per instance) + 1 spare, at least 2")]  # fmt: skip
        kept = [a for a in inputs.assumptions if a.name not in {"dau", "requests per user", "write share"}]
        kept.append(Assumption(name="scale", value="from the request's own workload; no user count was given",
                               source="request"))  # fmt: skip
        return figures, kept
    return figures + workload, inputs.assumptions


def workload_figures(found: Extracted, peak_factor: float) -> list[CapacityFigure]:
    """The request's own workload in its own units: per second, at peak, and the storage it adds."""
    figures = []
    item_size = found.figure("GB per item")
    for figure in found.scale:
        if " per " not in figure.unit or figure.unit.startswith("GB") or figure.unit == "requests per second":
            continue
        noun, period = figure.unit.rsplit(" per ", 1)
        if figure.kind == "peak" and figure.window_seconds:
            at_peak = figure.value / figure.window_seconds
            figures.append(_figure(f"{noun} per second (peak)", at_peak, f"{noun}/s",
                                   f"{figure.value:,.0f} {noun} in {figure.window_seconds:,.0f} s"
                                   + (f" ({figure.when})" if figure.when else "")))  # fmt: skip
            continue
        if period not in SECONDS:
            continue
        per_second = figure.value / SECONDS[period]
        if figure.kind == "peak":  # a rate stated at the busiest time: the average is below it
            figures.append(_figure(f"{noun} per second (peak)", per_second, f"{noun}/s",
                                   f"{figure.value:,.0f} {noun} per {period} at peak, stated"))  # fmt: skip
            per_second /= peak_factor
            formula = f"{figure.value:,.0f} {noun} per {period} / peak factor {peak_factor:g}"
            figures.append(_figure(f"{noun} per second (average)", per_second, f"{noun}/s", formula))
        else:
            figures.append(_figure(f"{noun} per second (average)", per_second, f"{noun}/s",
                                   f"{figure.value:,.0f} {noun} per {period} / {SECONDS[period]:,} s"))  # fmt: skip
            figures.append(_figure(f"{noun} per second (peak)", per_second * peak_factor, f"{noun}/s",
                                   f"{per_second:,.1f}/s x peak factor {peak_factor:g}"))  # fmt: skip
        size_kb = item_size.value * 1e6 if item_size is not None else ITEM_KB.get(noun, 1.0)
        if size_kb:
            per_month = per_second * SECONDS["month"]
            figures.append(_figure(f"storage for {noun} per month", per_month * size_kb / 1e6, "GB/month",
                                   f"{per_month:,.0f} {noun} a month x {size_kb:,.1f} KB"))  # fmt: skip
        if noun == "pages":
            figures.append(_figure("download bandwidth for pages", per_second * size_kb * 8 / 1e6, "Gbit/s",
                                   f"{per_second:,.1f} pages/s x {size_kb:,.0f} KB x 8"))  # fmt: skip
    connections = found.figure("concurrent connections")
    if connections is not None:
        servers = max(2, math.ceil(connections.value / CONNECTIONS_PER_SERVER) + 1)
        figures.append(_figure("connection servers", servers, "servers",
                               f"ceil({connections.value:,.0f} connections / {CONNECTIONS_PER_SERVER:,} per server) "
                               "+ 1 spare"))  # fmt: skip
    return figures


CONNECTIONS_PER_SERVER = 50_000
"""Persistent connections one tuned server holds comfortably (this project's heuristic)."""


WRITE_PEAK_FACTOR = 3
WRITE_NOUNS = re.compile(r"write|upload|post|tweet|message|order|link|paste|event|transaction|booking|payment|"
                         r"insert|record|sign[- ]?up|comment|like|ride|trip|click|view")  # fmt: skip


def peak_writes_per_second(text: str) -> float | None:
    """The write rate a request states ("48,000 writes per second"), or implies at peak (3x the average of
    "500 million tweets a day"); None when it states nothing of the kind."""
    return peak_writes_of(extract_once(text).scale)


def peak_writes_of(scale: list[ScaleFigure]) -> float | None:
    """peak_writes_per_second over figures already read (a Brief's)."""
    stated = [f.value for f in scale if f.unit == "writes per second"]
    if stated:
        return max(stated)
    rates = []
    for figure in scale:
        noun, _, period = figure.unit.rpartition(" per ")
        rate = per_second(figure)
        if rate is not None and WRITE_NOUNS.search(noun) and "read" not in noun:
            rates.append(rate * (WRITE_PEAK_FACTOR if period != "second" else 1))
    return max(rates) if rates else None
