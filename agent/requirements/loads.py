"""Stated loads: every counted noun in a request, with its period or rate, in the workload's own unit.

"70 billion views a day" is 70e9 views per day; "10 million spans per second" is spans per second; "5,000
trucks report every 10 s" is 500 truck reports per second (and a population of 5,000 trucks); "2,000 staff"
and "100,000 participants" are people, so users; "50,000 servers" is a population that never becomes users;
"50,000 servers, each emitting 200 spans per second" is 10 million spans per second.

The counts themselves are found in `counting.py`. Nouns of the common workloads keep the canonical units sizing
knows (requests, writes, messages, events, uploads, ...); any other noun is its own unit. Peaks and ratios are
read in `peaks.py`.
"""

from __future__ import annotations

import re

from agent.compiled_patterns import compile_pattern
from agent.requirements.counting import (
    CONCURRENT,
    FILLERS,
    PERIOD,
    SECONDS,
    TIME_UNIT,
    UNIT_NAMES,
    Count,
    counts,
    period_of,
)
from agent.requirements.nouns import builds_it, is_builder, is_person, singular
from agent.requirements.numbers import AMOUNT, SCALES, parse_number
from agent.schema import RequirementSource, ScaleFigure, ScaleKind

__all__ = ["read_loads"]

# "every 10 s", "every 5 minutes", "every second", "once a minute", "twice an hour", "3 times a day"
INTERVAL = compile_pattern(
    rf"\bevery\s+(?:(?P<every>{AMOUNT}|few|couple\s+of)\s*)?{TIME_UNIT}"
    rf"|\b(?P<often>once|twice|\d+\s+times)\s+(?:a|an|per|every)\s+(?P<unit2>second|minute|hour|day|week|month)\b",
    re.IGNORECASE,
)
EACH = compile_pattern(r"\b(?:each|apiece|every one of them|per (?:one|unit|device|machine|host|node))\b", re.I)


def _kind_and_unit(count: Count, period: str | None, concurrent: bool) -> tuple[ScaleKind, str] | None:
    """What a count is (users, a population, a rate, concurrency) and its unit; None when it is the team."""
    noun = count.noun.lower()
    words = noun.split()
    if count.family is not None:
        unit, kind = count.family
        if kind == "concurrent" or (kind == "users" and concurrent):
            return "concurrent", "concurrent connections"
        if kind in ("users", "mau"):
            if period == "month" or kind == "mau":
                return "users", "monthly active users"
            if period == "day" or unit == "daily active users":
                return "users", "daily active users"
            return ("rate", f"{noun} per {period}") if period else ("users", "users")
        if re.fullmatch(r"qps|rps|tps", noun):
            return "rate", f"{unit} per second"
        return ("rate", f"{unit} per {period}") if period else ("population", unit)
    if is_builder(noun):
        return None
    bare = " ".join(w for w in words if w not in FILLERS and w not in CONCURRENT) or noun
    if is_person(bare):
        if concurrent or any(w in CONCURRENT for w in words):
            return "concurrent", "concurrent connections"
        if period == "day":
            return "users", "daily active users"
        if period == "month":
            return "users", "monthly active users"
        return ("rate", f"{bare} per {period}") if period else ("users", "users")
    if (concurrent or any(w in CONCURRENT for w in words)) and not period:
        return "concurrent", "concurrent connections"  # "20k devices sync at once": connections at one moment
    return ("rate", f"{bare} per {period}") if period else ("population", bare)


# "... at once" closing the count's own clause: "200,000 fans hit the site at once", "5k players online at once"
_AT_ONCE = compile_pattern(
    r"^\s*(?:[\w'-]+\s+){0,4}?(?:online\s+)?(?:at once|at the same time|simultaneously|concurrently)\b", re.I
)


def read_loads(text: str, source: RequirementSource) -> tuple[list[ScaleFigure], list[str]]:
    """The stated loads of `text` as figures, and notes on figures that could not be used."""
    figures: list[ScaleFigure] = []
    notes: list[str] = []
    populations: list[tuple[Count, ScaleFigure]] = []
    found = counts(text)
    for count in found:
        rest = text[count.end : count.end + 60]
        period_match = re.match(rf"\s*(?:[\w-]+\s+){{0,2}}?{PERIOD}", rest, re.I)
        period = period_of(period_match) if period_match else None
        if (
            period_match
            and count.family is None
            and re.search(r"\b(?:every|once|twice|times)\b", period_match.group(0), re.I)
        ):
            period_match, period = None, None  # "20,000 sensors report every minute": a population on an interval
        words = text[count.start : count.end + (period_match.end() if period_match else 0)].strip()
        if count.value < 0:
            notes.append(f"{words!r} is not a plausible figure; it was not used")
            continue
        if count.value < 2 and period is None:
            continue  # "one city", "a single database": no population
        first, *others = words.split()
        scaled = bool(others) and others[0].lower() in SCALES  # "1.2 million cardholders" is a count
        if count.family is None and period is None and re.fullmatch(r"\d+\.\d+", first) and not scaled:
            continue  # "a web 3.0 wallet": a version, not a count
        meaning = _kind_and_unit(count, period, bool(_AT_ONCE.match(rest)))
        if meaning is None or (meaning[0] in ("users", "concurrent") and builds_it(rest)):
            continue  # "ten people will build the portal": the team, not its users
        kind, unit = meaning
        figure = ScaleFigure(
            name=unit, value=count.value, unit=unit, source=source, text=words, kind=kind, noun=count.noun.lower()
        )
        if kind != "concurrent" and (total := _times_population(text, count, populations)) is not None:
            population, members = total
            figure = figure.model_copy(
                update={"value": count.value * members.value, "text": f"{members.text} ... {words}"}
            )
            notes.append(
                f"{words!r} for each of {members.value:,.0f} {population.noun} counts as {figure.value:,.0f} {unit}"
            )
        figures.append(figure)
        if count.note:
            notes.append(count.note)
        if kind in ("population", "users"):
            populations.append((count, figure))
            later = [c.start - count.end for c in found if c.start > count.end and c.value >= 2]
            figures += _reports(text, count, figure, source, min(later, default=None))
    return figures, notes


def _times_population(text: str, count: Count, populations: list[tuple[Count, ScaleFigure]]):
    """The population a per-member rate multiplies ("50,000 servers, each emitting 200 spans per second")."""
    if not populations:
        return None
    population, figure = populations[-1]
    between = text[population.end : count.start]
    head = re.escape(singular(population.noun.split()[-1]))
    per_member = re.match(rf"\s*(?:\w+\s+){{0,2}}?per\s+{head}\b", text[count.end : count.end + 40], re.I)
    # a new sentence names the members again: "... 2M meters into a store; each meter sends one reading an hour"
    again = compile_pattern(rf"\b(?:each|every)\s+(?:single\s+|one\s+of\s+(?:the|these|those)\s+)?{head}\b", re.I)
    each_of = re.search(
        r"\b(?:each|every\s+one)\s+of\s+(?:(?:our|the|these|those|its|their|your)\s+)?$",
        text[max(0, population.start - 30) : population.start],
        re.IGNORECASE,
    )
    if figure.kind == "population" and population.noun == count.noun:
        return None  # "2,000 servers ... 500 servers each": the same members counted again
    if stop := list(re.finditer(r"[.;!?]\s", between)):
        if not again.search(between[stop[-1].end() :]):
            return None
    elif not (EACH.search(between) or per_member or each_of):
        return None  # "each of our 300 stores sends 2 orders a minute" names the members first
    return population, figure


def _reports(text: str, count: Count, figure: ScaleFigure, source: RequirementSource,
             next_count: int | None) -> list[ScaleFigure]:  # fmt: skip
    """A population that acts on an interval ("5,000 trucks send their position every 10 s") as a rate; an
    interval after another counted noun is that one's ("12 warehouses, 40 robots each reporting every 2 s")."""
    clause = re.split(r"[.;!?]\s|\n", text[count.end : count.end + 120])[0][:next_count]
    interval = INTERVAL.search(clause)
    if interval is None or re.search(
        r"\b(?:per|a|an)\s+(?:second|minute|hour|day|week|month)\b", clause[: interval.start()], re.I
    ):
        return []
    if interval.group("often"):
        often = interval.group("often").lower()
        times = {"once": 1.0, "twice": 2.0}.get(often) or float(often.split()[0])
        seconds = SECONDS[interval.group("unit2").lower()] / times
    else:
        unit = interval.group("unit").lower()
        unit = UNIT_NAMES.get(unit, unit.rstrip("s"))
        every = (interval.group("every") or "1").lower().strip()
        amount = {"few": 3.0, "couple of": 2.0}.get(every)
        parsed = parse_number(every) if amount is None else None
        seconds = SECONDS.get(unit, 0) * (amount or (parsed.value if parsed else 1.0))
    if seconds <= 0:
        return []
    noun = singular(count.noun.split()[-1])
    name = f"{' '.join([*count.noun.lower().split()[:-1], noun])} reports"
    unit = f"{name} per second"
    words = f"{text[count.start : count.end]} ... {interval.group(0)}"
    return [
        ScaleFigure(
            name=unit, value=figure.value / seconds, unit=unit, source=source, text=words, kind="rate", noun=name
        )
    ]
