"""Requirements read from a request's own words: scale with units and periods, peaks, latency, availability,
spikes, offline use, consistency under partition, regions and data residency, compliance, team, deadline, budget
and scope. Deterministic: regular expressions (each part commented) and two maintained data libraries (number
words through `text2num`, places through `pycountry` and the time zone database).

Every figure keeps the words it came from. What cannot be used (a number no workload has, two different team
sizes) becomes a note for the design's assumptions, never silently dropped. The readers live beside this module,
one concern each: loads.py (counted nouns), peaks.py, qualities.py, places.py, team.py, budget.py, deadline.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from agent.compiled_patterns import compile_pattern
from agent.requirements import places, qualities
from agent.requirements.budget import budget
from agent.requirements.counting import NOUNS, PERIOD, SECONDS, period_of
from agent.requirements.deadline import deadline
from agent.requirements.loads import read_loads
from agent.requirements.numbers import NUMBER, parse_number
from agent.requirements.peaks import (
    at_a_moment,
    is_peak_rate,
    peak_factors,
    peak_windows,
    read_write_ratio,
    share_factors,
)
from agent.requirements.team import PART_TIME, SMALL_TEAM, team_statements
from agent.schema import Constraint, NonFunctional, RequirementSource, ScaleFigure

__all__ = ["NOUNS", "SECONDS", "Extracted", "extract", "extract_once"]

_NOUN = "|".join(f"(?:{pattern})" for pattern in NOUNS)
# "1 billion pages a month" is read by loads.py; "50k/s", "50,000 QPS" and "throughput of 20k per second" here
RATE_ONLY = compile_pattern(rf"(?<![\w.^:/]){NUMBER}\s*(?:/s\b|per\s+second\b|a\s+second\b)", re.IGNORECASE)
STORAGE = compile_pattern(
    rf"(?<![\w.^:/]){NUMBER}\s*(?P<unit>kb|mb|gb|tb|pb|eb)\b(?P<rest>[^.,;]{{0,30}})", re.IGNORECASE
)
# "10^400 users", "1e500 requests": numbers no workload has (an exponent past 15); reported as such, never used
EXPONENT = compile_pattern(rf"\b\d+(?:\s*\^\s*|e)(?:1[6-9]|[2-9]\d|\d{{3,}})\s*(?:\w+\s+)?(?:{_NOUN})\b", re.IGNORECASE)
BYTES = {"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12, "pb": 1e15, "eb": 1e18}

REGIONS: list[tuple[re.Pattern[str], str]] = [
    (compile_pattern(r"\b(?:one|a single|single|1) (?:city|town)\b", re.I), "one city"),
    (compile_pattern(r"\b(?:eu|europe|european union)(?:[- ]only| users only| residents)?\b|\bin (?:the )?eu\b", re.I), "EU"),
    (compile_pattern(r"\b(?:us|usa|united states|north america)[- ]only\b|\bin the (?:us|usa|united states)\b", re.I), "US"),
    (compile_pattern(r"\b(?:one|a single|single) (?:country|region)\b", re.I), "one region"),
    (compile_pattern(r"\b(?:global(?:ly)?|worldwide|world-wide|around the world|multi-region|multiple regions|international(?:ly)?|in \d+ countries)\b", re.I), "global"),
]  # fmt: skip
COMPLIANCE: list[tuple[re.Pattern[str], str]] = [
    (compile_pattern(r"\bhipaa\b|\be?phi\b|protected health information", re.I), "HIPAA"),
    (compile_pattern(r"\bgdpr\b|\bdata protection\b", re.I), "GDPR"),
    (compile_pattern(r"\bpci(?:[- ]dss)?\b", re.I), "PCI DSS"),
    (compile_pattern(r"\bsoc ?2\b", re.I), "SOC 2"),
    (compile_pattern(r"\bsox\b|\bsarbanes", re.I), "SOX"),
    (compile_pattern(r"\bferpa\b", re.I), "FERPA"),
    (compile_pattern(r"\bdata residency\b|\bdata must (?:stay|remain) in\b", re.I), "data residency"),
]  # fmt: skip
SCOPES: list[tuple[re.Pattern[str], str]] = [
    (compile_pattern(r"\bmvp\b|minimum viable|first version|v1\b", re.I), "MVP"),
    (compile_pattern(r"\bprototype\b|\bpoc\b|proof of concept|hackathon|weekend project|side project|toy\b", re.I), "prototype"),
    (compile_pattern(r"\binternal (?:tool|app|dashboard|system)\b|\bfor (?:our|my) (?:team|company|staff|employees)\b", re.I), "internal tool"),
    (compile_pattern(r"\benterprise(?:-grade)?\b|\bmany teams\b|\bcompany-wide\b", re.I), "enterprise"),
    (compile_pattern(r"\bkeep (?:it|things) (?:simple|small|lean|cheap)\b|\bsimplify\b|\bas simple as possible\b|\bsimpler\b"
                     r"|\b(?:make|keep) (?:it|this|the (?:design|system|whole thing)) cheap(?:er)?\b|\bcut (?:the |our )?costs?\b"
                     r"|\b(?:on a|tight|shoestring|small) budget\b|\bas cheap as possible\b", re.I), "simple"),
    (compile_pattern(r"\bsplit (?:it |this |the \w+ )?(?:up |out )?into (?:micro-?)?services\b|\bbreak (?:it )?(?:up )?into (?:micro-?)?services\b", re.I), "microservices"),
]  # fmt: skip


@dataclass
class Extracted:
    """What a request says about its requirements, with the notes that go into the design's assumptions."""

    scale: list[ScaleFigure] = field(default_factory=list)
    non_functional: list[NonFunctional] = field(default_factory=list)
    constraints: list[Constraint] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    team: int | None = None
    deadline_weeks: float | None = None
    scope: str | None = None
    region: str | None = None
    latency_ms: float | None = None
    availability: float | None = None
    spikes: bool = False
    offline: bool = False
    consistency: Literal["CP", "AP"] | None = None
    residency: str | None = None

    def figure(self, unit: str) -> ScaleFigure | None:
        """The first stated figure in `unit` (e.g. 'daily active users', 'requests per second')."""
        return next((f for f in self.scale if f.unit == unit), None)

    def of_kind(self, *kinds: str) -> list[ScaleFigure]:
        """The stated figures of these kinds ('users', 'population', 'rate', 'peak', 'peak factor', 'ratio')."""
        return [f for f in self.scale if f.kind in kinds]


def _quantities(text: str, source: RequirementSource, out: Extracted) -> None:
    for match in EXPONENT.finditer(text):
        out.notes.append(f"{match.group(0)!r} is not a plausible figure; it was not used")
    figures, notes = read_loads(text, source)
    windows = peak_windows(text, source)
    in_window = {w.text.split(" in ")[0] for w in windows if w.text}
    for figure in figures:
        if figure.text in in_window or any(figure.text and w.text and w.text.startswith(figure.text) for w in windows):
            continue  # "20k people in the last 10 minutes" is a peak, not 20k users
        if figure.kind == "rate" and is_peak_rate(text, figure):
            figure = figure.model_copy(update={"kind": "peak"})
        out.scale.append(at_a_moment(text, figure))
    out.scale += windows + peak_factors(text, source) + share_factors(text, source)
    if (ratio := read_write_ratio(text, source)) is not None:
        out.scale.append(ratio)
    out.notes += notes
    covered = [f.text for f in out.scale if f.text]
    for match in RATE_ONLY.finditer(text):
        if any(match.group(0).strip() in words or words in match.group(0) for words in covered):
            continue
        parsed = parse_number(match.group("number"))
        if parsed is not None:
            out.scale.append(ScaleFigure(name="requests per second", value=parsed.value, unit="requests per second",
                                         source=source, text=match.group(0).strip(), kind="rate"))  # fmt: skip


def _storage(text: str, source: RequirementSource, out: Extracted) -> None:
    for match in STORAGE.finditer(text):
        parsed = parse_number(match.group("number"))
        if parsed is None:
            continue
        size_gb = parsed.value * BYTES[match.group("unit").lower()] / 1e9
        rest, before = match.group("rest").lower(), text[: match.start()].lower()[-30:]
        items = r"(?:files?|videos?|uploads?|photos?|images?|attachments?|documents?)"
        if (
            re.search(rf"\b(?:each|per (?:file|video|upload|item|photo|image))\b|^\s*{items}\b", rest)
            or re.search(rf"{items}\s+(?:of\s+|are\s+|as large as\s+)?$", before)
            or match.group("number").lower().startswith("up to")
        ):
            name, unit = "item size", "GB per item"
        elif period := re.search(PERIOD, rest, re.IGNORECASE):
            name = unit = f"GB per {period_of(period)}"
        else:
            name, unit = "data stored", "GB"
        out.scale.append(ScaleFigure(name=name, value=size_gb, unit=unit, source=source, text=match.group(0).strip(),
                                     kind="size"))  # fmt: skip


def _qualities(text: str, source: RequirementSource, out: Extracted) -> None:
    if latency := qualities.latency_ms(text):
        out.latency_ms, said = latency
        percentile = re.search(r"\bp\d{2,3}(?:\.\d)?\b", said, re.IGNORECASE)
        target = f"{(percentile.group(0) if percentile else 'p99').lower()} under {out.latency_ms:g} ms"
        out.non_functional.append(NonFunctional(name="latency", target=target, source=source))
    if (pct := qualities.availability(text)) is not None:
        out.availability = pct
        out.non_functional.append(NonFunctional(name="availability", target=f"{pct:g}%", source=source))
    if qualities.SPIKES.search(text) or out.of_kind("peak", "peak factor") or any(f.when for f in out.scale):
        out.spikes = True
        out.non_functional.append(NonFunctional(name="traffic spikes", target=_peak_target(out), source=source))
    if offline := qualities.offline(text):
        out.offline = True
        out.constraints.append(Constraint(name="offline", value="must keep working without a network connection",
                                          source=source, text=offline))  # fmt: skip
    if chosen := qualities.consistency(text):
        out.consistency, clause = chosen
        target = ("CP: stays correct when the network partitions, refusing what it cannot do safely"
                  if out.consistency == "CP" else "AP: stays available when the network partitions; reads may be "
                  "briefly stale")  # fmt: skip
        out.non_functional.append(NonFunctional(name="consistency", target=f"{target} (said: {clause[:80]!r})",
                                                source=source))  # fmt: skip


def _peak_target(out: Extracted) -> str:
    factor = next(iter(out.of_kind("peak factor")), None)
    window = next(iter(out.of_kind("peak")), None)
    if factor is not None:
        return f"{factor.value:g}x the average" + (f" at {factor.when}" if factor.when else "")
    if window is not None:
        return f"{window.value:,.0f} {window.unit}" + (f" ({window.when})" if window.when else "")
    return "absorb sudden peaks"


def _team(text: str, source: RequirementSource, out: Extracted) -> None:
    statements = team_statements(text)
    sizes = [size for size, _, _ in statements]
    # the words that state the team are not its users: "our team is 5 people", "I work with two other developers"
    spans = [(start, end) for _, start, end in statements]
    out.scale = [f for f in out.scale if f.kind not in ("users", "concurrent") or not _within(text, f, spans)]
    if len(set(sizes)) > 1:
        out.notes.append(f"the request names team sizes {sorted(set(sizes))}; the largest was used")
    part_time = " part-time" if PART_TIME.search(text) else ""
    if sizes:
        out.team = max(sizes)
        value = f"{out.team}{part_time} engineer{'s' * (out.team != 1)}"
        out.constraints.append(Constraint(name="team", value=value, source=source))
    elif SMALL_TEAM.search(text):
        out.team = 3
        out.constraints.append(Constraint(name="team", value="a small team (about 3 engineers)", source=source))


def _within(text: str, figure: ScaleFigure, spans: list[tuple[int, int]]) -> bool:
    at = text.find(figure.text or "\0")
    return at >= 0 and any(start <= at < end for start, end in spans)


def _deadline(text: str, source: RequirementSource, out: Extracted) -> None:
    if stated := deadline(text):
        out.deadline_weeks = stated.weeks
        out.constraints.append(Constraint(name="deadline", value=stated.value, source=source))
        if stated.note:
            out.notes.append(stated.note)


def _labels(text: str, source: RequirementSource, out: Extracted) -> None:
    for pattern, region in REGIONS:
        if pattern.search(text):
            out.region = region
            out.constraints.append(Constraint(name="region", value=region, source=source))
            break
    for pattern, rule in COMPLIANCE:
        if pattern.search(text):
            out.constraints.append(Constraint(name="compliance", value=rule, source=source))
    _places(text, source, out)
    if stated := budget(text):
        value, words = stated
        out.constraints.append(Constraint(name="budget", value=value, source=source, text=words))
    for pattern, scope in SCOPES:
        if pattern.search(text):
            out.scope = scope
            out.constraints.append(Constraint(name="scope", value=scope, source=source))
            break


def _places(text: str, source: RequirementSource, out: Extracted) -> None:
    """Data residency from a country, state or city name; otherwise the users' country or city as the region."""
    if kept := places.residency(text):
        out.residency = ", ".join(place.label() for place in kept)
        if not any(c.value == "data residency" for c in out.constraints):
            out.constraints.append(Constraint(name="compliance", value="data residency", source=source))
        out.constraints.append(Constraint(name="data residency", value=out.residency, source=source))
    where = kept or places.user_region(text)
    if out.region is None and where:
        if all(places.in_eu(place) for place in where) and len({p.country for p in where}) > 1:
            out.region = "EU"
        else:
            out.region = ", ".join(dict.fromkeys(place.label() for place in where))
        out.constraints.append(Constraint(name="region", value=out.region, source=source))


def extract(text: str, source: RequirementSource = "request") -> Extracted:
    """Everything the text states about scale, qualities and constraints."""
    out = Extracted()
    _quantities(text, source, out)
    _storage(text, source, out)
    _qualities(text, source, out)
    _team(text, source, out)
    _deadline(text, source, out)
    _labels(text, source, out)
    out.notes = list(dict.fromkeys(out.notes))  # one figure can be found unusable by two readers
    return out


@lru_cache(maxsize=2048)
def extract_once(text: str) -> Extracted:
    """`extract` memoised, for readers that never change the result (recognition, the checker's rules): the
    checker reads the same request several times per document."""
    return extract(text)
