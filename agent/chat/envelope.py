"""Back-of-the-envelope answers: "8,000 drivers send a position every 4 seconds, how many updates a second?",
"400 videos a day at 1 GB each, storage after 3 years?", "10k viewers at 5 Mbps, what egress?", "how much
downtime does 99.99% allow?".

The figures are read from the question (and, when it has none, from what was said before it), each with its
dimension: a count, a rate (per period), a size in bytes, a bit rate, a time, a factor. What is asked (a rate, a
size, a bandwidth) is a dimension too, and the answer is the product of the figures whose dimensions multiply to
it, using as many of them as fit: dimensional analysis, as an engineer does it on a whiteboard, not a formula per
phrasing. pint was considered and not used: it treats bytes as dimensionless and reads "Mbps" as megabaud, so it
cannot tell a size from a count.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass

from agent.requirements.counting import PERIOD, SECONDS, UNIT_NAMES, period_of
from agent.requirements.numbers import NUMBER, parse_number

Dimension = tuple[int, int, int]
"""Exponents of (seconds, bytes, bits); counts and factors have none."""
RATE: Dimension = (-1, 0, 0)
SIZE: Dimension = (0, 1, 0)
BANDWIDTH: Dimension = (-1, 0, 1)
SIZE_RATE: Dimension = (-1, 1, 0)

_SIZE_UNITS = {"b": 1, "byte": 1, "k": 1e3, "m": 1e6, "g": 1e9, "t": 1e12, "p": 1e15}
_BINARY = {"k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40, "p": 2**50}
_WORD_PREFIX = {"kilo": "k", "mega": "m", "giga": "g", "tera": "t", "peta": "p"}
UNIT = re.compile(
    r"(?P<bitrate>(?P<bp>[kmgt])(?:bps|bit/s|bits?\s+per\s+second|b/s(?<=b/s)))"
    r"|(?P<wordbits>(?P<wbp>kilo|mega|giga|tera)bits?\s+per\s+second)"
    r"|(?P<size>(?P<sp>[kmgtp])(?P<bin>i)?b(?:ytes?)?|(?P<wsp>kilo|mega|giga|tera|peta)bytes?|bytes?)"
    r"|(?P<time>seconds?|secs?|s|minutes?|mins?|hours?|hrs?|h|days?|weeks?|months?|years?|yrs?)"
    r"|(?P<percent>%|percent\b)"
    r"|(?P<factor>x|times)",
    re.IGNORECASE,
)
FIGURE_WITH_UNIT = re.compile(rf"(?<![\w.$€£]){NUMBER}(?:\s*-\s*|\s*)(?P<unit>{UNIT.pattern})(?![\w])", re.IGNORECASE)
FIGURE = re.compile(rf"(?<![\w.$€£:/]){NUMBER}(?![\w%:/]|\.\d)", re.IGNORECASE)
WINDOW_BEFORE = re.compile(r"\b(?:within|in the first|in|over|during)\s+(?:the\s+)?(?:first\s+)?(?:an?\s+)?$", re.I)
INTERVAL_BEFORE = re.compile(r"\b(?:every|each|once\s+(?:a|per|every))\s*$", re.IGNORECASE)
PEAK_WORDS = re.compile(r"peak|spike|burst|busiest|rush|black friday|kick-?off|launch|drop", re.IGNORECASE)
AVERAGE = re.compile(r"\baverage\b|\bon avg\b|\btypical", re.IGNORECASE)
PEAK = re.compile(r"\bpeak|\bbusiest|\bat most\b|\bworst", re.IGNORECASE)

_SIZE_ASKED = (r"storage|\bstore\b|disk|how much (?:raw )?data|pile up|space|\b[kmgtp]i?b\b|terabytes|gigabytes|how big"
               r"|archive")  # fmt: skip
_RATE_ASKED = (r"per\s+(?:second|sec|minute|hour)|a\s+second|/\s*s\b|\brate\b|\bqps\b|\brps\b|throughput of"
               r"|how many .*(?:a|per|each)\s+(?:second|minute|hour)|requests? (?:a|per)")  # fmt: skip
ASKED = {
    BANDWIDTH: re.compile(r"bandwidth|egress|ingress|network|throughput|\b[kmgt]bps\b|gigabit", re.IGNORECASE),
    SIZE: re.compile(_SIZE_ASKED, re.IGNORECASE),
    RATE: re.compile(_RATE_ASKED, re.IGNORECASE),
}
NOT_A_FIGURE = re.compile(r"^\s*(?:why|how\s+(?:does|do|is|are|would|should|can|could|will)|what\s+happens|explain"
                          r"|walk me|tell me how)\b", re.IGNORECASE)  # fmt: skip
"""A question that asks how something works, not for a figure ("how does the rate limiter work?")."""
BARE_PERIOD = re.compile(
    r"\b(?:per|a|an|each|every)\s+(?P<unit>day|week|month|year)\b|\b(?P<adverb>daily|monthly|yearly|annually)\b",
    re.IGNORECASE,
)
DOWNTIME = re.compile(r"downtime|down\s*time|outage|allowed to be down|be down for", re.IGNORECASE)


@dataclass(frozen=True)
class Figure:
    """One figure as written, in base units (seconds, bytes, bits), with its dimension and role."""

    value: float
    dimension: Dimension
    words: str
    role: str  # count, rate, size, bitrate, interval, window, duration, factor, peak factor, percent


def _size(match: re.Match[str]) -> float:
    prefix = (match.group("sp") or _WORD_PREFIX.get((match.group("wsp") or "").lower(), "b")).lower()
    return (_BINARY if match.group("bin") else _SIZE_UNITS).get(prefix, 1)


def _seconds(unit: str) -> float:
    name = unit.lower()
    name = UNIT_NAMES.get(name, name)
    name = {"sec": "second", "secs": "second", "mins": "minute", "hrs": "hour", "yrs": "year"}.get(name, name)
    return float(SECONDS.get(name.rstrip("s") if name not in SECONDS else name, 0))


def _with_unit(match: re.Match[str], unit: re.Match[str], value: float, text: str) -> Figure | None:
    """A figure written with its unit ("5 Mbps", "300-byte", "every 4 seconds", "10x", "99.9%")."""
    words = match.group(0).strip()
    before = text[max(0, match.start() - 30) : match.start()]
    after = text[match.end() : match.end() + 40]
    if unit.group("bitrate") or unit.group("wordbits"):
        prefix = (unit.group("bp") or _WORD_PREFIX[unit.group("wbp").lower()]).lower()
        return Figure(value * _SIZE_UNITS[prefix], BANDWIDTH, words, "bitrate")
    if unit.group("size"):
        if unit.group("size") == "b" and not re.search(r"\bbytes?\b", after[:12], re.I):
            return None  # "5 b users": a billion, read as a count
        per = re.match(rf"\s*(?:{PERIOD})", after, re.IGNORECASE)
        if per and (period := period_of(per)):  # "400 GB a day"
            return Figure(value * _size(unit) / SECONDS[period], SIZE_RATE, words + per.group(0), "size rate")
        return Figure(value * _size(unit), SIZE, words, "size")
    if unit.group("time"):
        seconds = _seconds(unit.group("time"))
        role = "interval" if INTERVAL_BEFORE.search(before) else "duration"
        if WINDOW_BEFORE.search(before) or re.match(r"\s*window", after, re.I):
            role = "window"
        return Figure(value * seconds, (1, 0, 0), words, role) if seconds else None
    if unit.group("percent"):
        return Figure(value, (0, 0, 0), words, "percent")
    clause = text[max(0, match.start() - 40) : match.end() + 40]
    return Figure(value, (0, 0, 0), words, "peak factor" if PEAK_WORDS.search(clause) else "factor")


def _counted(match: re.Match[str], value: float, text: str) -> Figure | None:
    """A figure without a unit: a count, or with its period a rate ("1.2 million transfers a day")."""
    if re.fullmatch(r"(?:19|20)\d\d", match.group(0).strip()):
        return None  # a year, not a figure
    after = text[match.end() : match.end() + 60]
    if re.match(r"\s*(?:am|pm|st|nd|rd|th)\b", after, re.I):
        return None  # a time of day or a date
    per = re.match(rf"\s*(?:[\w-]+\s+){{0,3}}?(?:{PERIOD})", after, re.IGNORECASE)
    period = period_of(per) if per else None
    adjective = per is not None and per.group("adverb") and re.match(r"\s*[a-z]", after[per.end() :], re.I)
    if per and period and not adjective and not re.search(r"\bevery\b", per.group(0), re.I):  # "daily users": people
        return Figure(value / SECONDS[period], RATE, (match.group(0) + per.group(0)).strip(), "rate")
    return Figure(value, (0, 0, 0), match.group(0).strip(), "count")


def figures(text: str) -> list[Figure]:
    """Every figure of `text` with its dimension."""
    found: list[Figure] = []
    taken: list[tuple[int, int]] = []
    for match in FIGURE_WITH_UNIT.finditer(text):
        parsed = parse_number(match.group("number"))
        unit = UNIT.fullmatch(match.group("unit"))
        if parsed and unit and (figure := _with_unit(match, unit, parsed.value, text)):
            found.append(figure)
            taken.append(match.span())
    for match in FIGURE.finditer(text):
        if any(a <= match.start() < b for a, b in taken):
            continue
        parsed = parse_number(match.group("number"))
        if parsed and (figure := _counted(match, parsed.value, text)):
            found.append(figure)
    return found


def _dimension(chosen: list[tuple[Figure, int]]) -> Dimension:
    total = [0, 0, 0]
    for figure, power in chosen:
        for axis in range(3):
            total[axis] += figure.dimension[axis] * power
    return (total[0], total[1], total[2])


def _powers(figure: Figure) -> tuple[int, ...]:
    if figure.role in ("interval", "window"):
        return (0, -1)
    if figure.role == "duration":
        return (0, 1, -1)
    if figure.role == "percent":
        return (0,)
    return (0, 1)


def _preference(chosen: list[tuple[Figure, int]], target: Dimension, question: str) -> float:
    used = [(f, p) for f, p in chosen if p]
    score = 2.0 * len(used)
    for figure, power in used:
        if figure.role == "peak factor" and AVERAGE.search(question) and not PEAK.search(question):
            score -= 5  # "on average": the peak factor is left out
        if target == RATE and figure.role in ("interval", "window") and power < 0:
            score += 1  # "every 4 s", "within 10 s": what makes a population a rate
        if figure.role == "duration" and power < 0:
            score -= 1.5  # a duration divides only when nothing else can
    return score


MAX_FIGURES = 8


def compute(target: Dimension, found: list[Figure], question: str) -> tuple[float, list[tuple[Figure, int]]] | None:
    """The product of the figures whose dimensions give `target`, using as many as fit; None when none do."""
    found = [f for f in found if f.role != "percent"][:MAX_FIGURES]
    best: tuple[float, list[tuple[Figure, int]]] | None = None
    best_score = -math.inf
    for powers in itertools.product(*(_powers(f) for f in found)):
        chosen = list(zip(found, powers, strict=True))
        if not any(p for _, p in chosen) or _dimension(chosen) != target:
            continue
        if not any(p and f.dimension != (0, 0, 0) for f, p in chosen) and target != (0, 0, 0):
            continue
        score = _preference(chosen, target, question)
        if score > best_score:
            value = math.prod(f.value**p for f, p in chosen if p)
            best, best_score = (value, [(f, p) for f, p in chosen if p]), score
    return best


def _count(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:,.1f}"
    return f"{value:.2f}" if value >= 1 else f"{value:.2g}"


def _scaled(value: float, units: tuple[str, ...]) -> str:
    step = 0
    while value >= 1000 and step < len(units) - 1:
        value, step = value / 1000, step + 1
    text = f"{value:,.1f}".removesuffix(".0")
    return f"{text} {units[step]}"


def say(value: float, target: Dimension) -> str:
    """A result in the units people use for it."""
    if target == RATE:
        text = f"{_count(value)} per second"
        if value < 10:
            text += f" ({_count(value * 60)} a minute, {_count(value * 3600)} an hour)"
        return text
    if target == SIZE:
        return _scaled(value, ("bytes", "KB", "MB", "GB", "TB", "PB", "EB"))
    if target == BANDWIDTH:
        return _scaled(value, ("bps", "Kbps", "Mbps", "Gbps", "Tbps", "Pbps"))
    if target == SIZE_RATE:
        return f"{_scaled(value * 86400, ('bytes', 'KB', 'MB', 'GB', 'TB', 'PB'))} a day"
    return f"{value:,.3g}"


ORDER = ("count", "rate", "factor", "peak factor", "size", "size rate", "bitrate", "duration", "period")


def _formula(chosen: list[tuple[Figure, int]]) -> str:
    chosen = sorted(chosen, key=lambda pair: ORDER.index(pair[0].role) if pair[0].role in ORDER else len(ORDER))
    top = [f.words for f, p in chosen if p > 0]
    bottom = [f.words for f, p in chosen if p < 0]
    return " × ".join(top or ["1"]) + "".join(f" ÷ {b}" for b in bottom)


def _downtime(question: str, found: list[Figure]) -> str | None:
    shares = [f.value for f in found if f.role == "percent" and 90 <= f.value < 100]
    if not shares or not DOWNTIME.search(question):
        return None
    share = shares[0]
    down = 1 - share / 100
    year, month, week = down * 365 * 86400, down * 30 * 86400, down * 7 * 86400

    def span(seconds: float) -> str:
        if seconds >= 3 * 3600:
            return f"{seconds / 3600:.2f} hours"
        if seconds >= 120:
            return f"{seconds / 60:.1f} minutes"
        return f"{seconds:.1f} seconds"

    return (f"{share:g}% availability allows about {span(year)} of downtime a year, {span(month)} a month, "
            f"{span(week)} a week ((1 − {share:g}%) × the period; a year of 365 days).")  # fmt: skip


def _periods(question: str) -> list[Figure]:
    """A period said without a number ("per year", "a day") as the time a size accumulates over."""
    found = []
    for match in BARE_PERIOD.finditer(question):
        unit = (match.group("unit") or UNIT_NAMES.get(match.group("adverb").lower(), "")).lower()
        if unit in SECONDS:
            found.append(Figure(float(SECONDS[unit]), (1, 0, 0), f"1 {unit}", "duration"))
    return found[:1]


def asked_dimensions(question: str) -> list[Dimension]:
    """What the question asks to compute, in the order it asks."""
    asked = [(match.start(), dimension) for dimension, pattern in ASKED.items()
             if (match := pattern.search(question))]  # fmt: skip
    return [dimension for _, dimension in sorted(asked)]


def estimate(question: str, earlier: list[str]) -> str | None:
    """The arithmetic the question asks for, from its own figures or, failing that, from what was said before it
    (most recent first); None when it asks for none or no figures give it."""
    if NOT_A_FIGURE.search(question):
        return None
    if downtime := _downtime(question, figures(question)):
        return downtime
    targets = asked_dimensions(question)
    if not targets:
        return None
    lines = []
    for target in targets:
        found = figures(question)
        if target == SIZE and not any(f.role == "duration" for f in found):
            found += _periods(question)  # "how much data per year": a year's worth
        result = compute(target, found, question) if found else None
        for line in earlier if result is None else ():
            found = figures(line) + [f for f in found if f.role in ("duration", "window", "factor", "peak factor")]
            if result := compute(target, found, question):
                break
        if result is not None:
            value, chosen = result
            lines.append(f"About {say(value, target)}: {_formula(chosen)}.")
    if downtime := next((d for line in earlier if (d := _downtime(question, figures(line)))), None):
        lines.append(downtime)
    return "\n".join(lines) if lines else None
