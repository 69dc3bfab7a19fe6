"""Requirements read from a request's own words: scale with units and periods, latency, availability, spikes,
regions, compliance, team, deadline, budget and scope. Deterministic: regular expressions, each part commented.

Every figure keeps the words it came from. What cannot be used (a number no workload has, two different team
sizes) becomes a note for the design's assumptions, never silently dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from agent.requirements.numbers import NUMBER, WORDS, parse_number
from agent.schema import Constraint, NonFunctional, RequirementSource, ScaleFigure

SECONDS = {"second": 1, "minute": 60, "hour": 3_600, "day": 86_400, "week": 604_800, "month": 2_592_000,
           "year": 31_536_000}  # fmt: skip
"""A month is 30 days, a year 365: the usual back-of-the-envelope convention."""
_PERIOD = (  # "per second", "a month", "/s", "each day", "daily", "monthly", "per sec"
    r"(?:(?:per|a|an|each|every|/)\s*(?P<unit>second|sec|s|minute|min|hour|hr|h|day|d|week|wk|month|mo|year|yr)\b"
    r"|(?P<adverb>daily|weekly|monthly|yearly|annually|hourly))"
)
_UNIT_NAMES = {"sec": "second", "s": "second", "min": "minute", "hr": "hour", "h": "hour", "d": "day", "wk": "week",
               "mo": "month", "yr": "year", "daily": "day", "weekly": "week", "monthly": "month", "yearly": "year",
               "annually": "year", "hourly": "hour"}  # fmt: skip

# what is counted: noun phrase → (canonical unit, kind). Kinds: users, concurrent, request, write, event.
NOUNS: dict[str, tuple[str, str]] = {
    r"daily active users|daily users|dau": ("daily active users", "users"),
    r"monthly active users|monthly users|mau": ("monthly active users", "mau"),
    r"concurrent (?:users|connections|viewers|players|streams|sessions)|simultaneous (?:users|connections)|open connections|websocket connections|connections": ("concurrent connections", "concurrent"),
    r"(?:active )?(?:users|people|customers|members|subscribers|visitors|accounts|patients|students|employees|shoppers|players|riders|drivers|listeners|viewers|creators|sellers|buyers)": ("users", "users"),
    r"(?:api )?requests|queries|api calls|calls|hits|qps|rps|lookups|reads|redirects": ("requests", "request"),
    r"writes|transactions|tps|orders|bookings|reservations|payments|purchases|checkouts|trades": ("writes", "write"),
    r"(?:new |short(?:ened)? )?(?:urls|links)(?: created| shortened)?|pastes|shortened urls": ("new links", "write"),
    r"(?:web )?pages(?: crawled| fetched| indexed)?|documents crawled|sites crawled": ("pages", "event"),
    r"messages|chats|texts|notifications|emails|push notifications|sms": ("messages", "event"),
    r"events|clicks|page views|pageviews|impressions|log lines|logs|log events|metrics|data points|samples|telemetry points": ("events", "event"),
    r"uploads|(?:new )?videos|photos|images|files|posts|tweets|comments|uploaded files": ("uploads", "write"),
    r"rides|trips|deliveries|jobs|tasks|searches|tickets": ("jobs", "event"),
}  # fmt: skip
_NOUN = "|".join(f"(?:{pattern})" for pattern in NOUNS)
# a number, up to two filler words ("new", "active", "of"), the thing counted, an optional period
QUANTITY = re.compile(
    rf"(?<![\w.^:/]){NUMBER}\s*(?:(?:new|active|unique|incoming|outgoing|total|of)\s+){{0,2}}"
    rf"(?P<noun>{_NOUN})\b(?:\s*(?:\w+\s+){{0,2}}?{_PERIOD})?",
    re.IGNORECASE,
)
# "1 billion pages a month" is caught above; "50k/s", "50,000 QPS" and "throughput of 20k per second" here
RATE_ONLY = re.compile(rf"(?<![\w.^:/]){NUMBER}\s*(?:/s\b|per\s+second\b|a\s+second\b)", re.IGNORECASE)
STORAGE = re.compile(rf"(?<![\w.^:/]){NUMBER}\s*(?P<unit>kb|mb|gb|tb|pb|eb)\b(?P<rest>[^.,;]{{0,30}})", re.IGNORECASE)
# "10^400 users", "1e500 requests": numbers no workload has; reported as such, never used
EXPONENT = re.compile(rf"\b\d+(?:\s*\^\s*|e)\d+\s*(?:\w+\s+)?(?:{_NOUN})\b", re.IGNORECASE)
BYTES = {"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12, "pb": 1e15, "eb": 1e18}

LATENCY = re.compile(  # "p99 under 100 ms", "latency below 50ms", "< 200 ms", "within 2 seconds", "sub-second"
    r"(?P<pct>p\d{2,3}(?:\.\d)?)?[^.\n]{0,30}?(?:under|below|less than|within|<=?|at most|no more than|max(?:imum)?)\s*"
    r"(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>ms|milliseconds?|s|secs?|seconds?)\b|(?P<sub>sub-?second|real-?time latency)",
    re.IGNORECASE,
)
AVAILABILITY = re.compile(  # "99.99%", "99.9% uptime", "four nines", "5 nines"
    r"(?P<pct>9\d(?:\.\d+)?)\s*%(?!\s*(?:read|write|of))|(?P<nines>two|three|four|five|2|3|4|5)\s+nines", re.IGNORECASE
)
_NINES = {"two": 99.0, "three": 99.9, "four": 99.99, "five": 99.999, "2": 99.0, "3": 99.9, "4": 99.99, "5": 99.999}
SPIKES = re.compile(
    r"\b(?:traffic spikes?|spiky|bursty|bursts? of traffic|flash sales?|black friday|peak (?:hours|traffic|season)"
    r"|(?:sudden|huge) (?:spikes?|surges?)|surges?|on-?sales?|ticket drops?|viral)\b",
    re.IGNORECASE,
)
REGIONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(?:one|a single|single|1) (?:city|town)\b", re.I), "one city"),
    (re.compile(r"\b(?:eu|europe|european union)(?:[- ]only| users only| residents)?\b|\bin (?:the )?eu\b", re.I), "EU"),
    (re.compile(r"\b(?:us|usa|united states|north america)[- ]only\b|\bin the (?:us|usa|united states)\b", re.I), "US"),
    (re.compile(r"\b(?:one|a single|single) (?:country|region)\b", re.I), "one region"),
    (re.compile(r"\b(?:global(?:ly)?|worldwide|world-wide|around the world|multi-region|multiple regions|international(?:ly)?|in \d+ countries)\b", re.I), "global"),
]  # fmt: skip
COMPLIANCE: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\bhipaa\b", re.I), "HIPAA"),
    (re.compile(r"\bgdpr\b|\bdata protection\b", re.I), "GDPR"),
    (re.compile(r"\bpci(?:[- ]dss)?\b", re.I), "PCI DSS"),
    (re.compile(r"\bsoc ?2\b", re.I), "SOC 2"),
    (re.compile(r"\bsox\b|\bsarbanes", re.I), "SOX"),
    (re.compile(r"\bferpa\b", re.I), "FERPA"),
    (re.compile(r"\bdata residency\b|\bdata must (?:stay|remain) in\b", re.I), "data residency"),
]  # fmt: skip
_TEAM_WORD = rf"(\d+|{'|'.join(w for w in WORDS if ' ' not in w and w not in ('a', 'an'))})"
TEAM = re.compile(  # "team of 4", "4 engineers", "two devs", "a 3-person team", "we are 3 engineers"
    rf"\bteam of {_TEAM_WORD}\b|\b{_TEAM_WORD}[- ](?:person|people|member|man|dev|engineer)[- ]team\b"
    rf"|\b{_TEAM_WORD} (?:\w+ )?(?:engineers|developers|devs|programmers|people on the team|coders|backend engineers)\b",
    re.IGNORECASE,
)
SOLO = re.compile(r"\b(?:solo (?:founder|developer|dev|engineer)|by myself|just me|on my own|i am alone|i'm alone"
                  r"|one[- ]person|indie hacker|single developer|one developer|one engineer)\b", re.I)  # fmt: skip
SMALL_TEAM = re.compile(r"\b(?:a )?small team\b|\btiny team\b|\bfew engineers\b|\bsmall startup\b", re.I)
DEADLINE = re.compile(  # "in 6 months", "within 3 weeks", "by Q3", "by March", "launch next month"
    rf"\b(?:in|within|over the next|for the next)\s+{NUMBER}\s*(?P<unit>days?|weeks?|months?|years?)\b"
    r"|\bby (?P<quarter>q[1-4])\b|\bby (?:the )?end of (?:the )?(?P<end>year|quarter|month)\b"
    r"|\bby (?P<month>january|february|march|april|may|june|july|august|september|october|november|december)\b"
    r"|\b(?:launch|ship|release|go live)\w* (?P<next>next (?:week|month|quarter))\b",
    re.IGNORECASE,
)
BUDGET = re.compile(
    r"\b(?:on a (?:tight |small |shoestring )?budget|low[- ]budget|limited budget|tight budget|cheap(?:ly)?|low[- ]cost"
    r"|cost[- ](?:sensitive|conscious|effective)|bootstrapped|keep costs? (?:low|down)|free tier)\b"
    r"|(?P<amount>\$\s?\d[\d,]*(?:\.\d+)?\s*[km]?)\s*(?:/|per|a)\s*(?P<per>month|mo|year|yr)",
    re.IGNORECASE,
)
SCOPES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\bmvp\b|minimum viable|first version|v1\b", re.I), "MVP"),
    (re.compile(r"\bprototype\b|\bpoc\b|proof of concept|hackathon|weekend project|side project|toy\b", re.I), "prototype"),
    (re.compile(r"\binternal (?:tool|app|dashboard|system)\b|\bfor (?:our|my) (?:team|company|staff|employees)\b", re.I), "internal tool"),
    (re.compile(r"\benterprise(?:-grade)?\b|\bmany teams\b|\bcompany-wide\b", re.I), "enterprise"),
    (re.compile(r"\bkeep (?:it|things) (?:simple|small|lean)\b|\bsimplify\b|\bas simple as possible\b|\bsimpler\b", re.I), "simple"),
    (re.compile(r"\bsplit (?:it |this |the \w+ )?(?:up |out )?into (?:micro-?)?services\b|\bbreak (?:it )?(?:up )?into (?:micro-?)?services\b", re.I), "microservices"),
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

    def figure(self, unit: str) -> ScaleFigure | None:
        """The first stated figure in `unit` (e.g. 'daily active users', 'requests per second')."""
        return next((f for f in self.scale if f.unit == unit), None)


def _period(match: re.Match[str]) -> str | None:
    unit = match.group("unit") or match.group("adverb")
    return _UNIT_NAMES.get(unit.lower(), unit.lower()) if unit else None


def _noun(text: str) -> tuple[str, str]:
    for pattern, meaning in NOUNS.items():
        if re.fullmatch(pattern, text, re.IGNORECASE):
            return meaning
    return ("items", "event")


def _quantities(text: str, source: RequirementSource, out: Extracted) -> None:
    for match in EXPONENT.finditer(text):
        out.notes.append(f"{match.group(0)!r} is not a plausible figure; it was not used")
    covered: list[tuple[int, int]] = []
    for match in QUANTITY.finditer(text):
        parsed = parse_number(match.group("number"))
        words = match.group(0).strip()
        if parsed is None:
            out.notes.append(f"{words!r} is not a plausible figure; it was not used")
            continue
        unit, kind = _noun(match.group("noun").strip())
        period = _period(match)
        if kind == "request" and re.fullmatch(r"qps|rps", match.group("noun"), re.I):
            period = "second"
        if kind == "users" and period in ("day", None) and re.search(r"daily|dau", words, re.I):
            unit = "daily active users"
        if kind == "users" and period == "month":
            unit, kind = "monthly active users", "mau"
        if period and kind not in ("users", "mau", "concurrent"):
            unit = f"{unit} per {period}"
        out.scale.append(ScaleFigure(name=unit, value=parsed.value, unit=unit, source=source, text=words))
        if parsed.note:
            out.notes.append(parsed.note)
        covered.append(match.span())
    for match in RATE_ONLY.finditer(text):
        if any(start <= match.start() < end for start, end in covered):
            continue
        parsed = parse_number(match.group("number"))
        if parsed is not None:
            out.scale.append(ScaleFigure(name="requests per second", value=parsed.value, unit="requests per second",
                                         source=source, text=match.group(0).strip()))  # fmt: skip


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
        elif period := re.search(_PERIOD, rest, re.IGNORECASE):
            name = unit = f"GB per {_period(period)}"
        else:
            name, unit = "data stored", "GB"
        out.scale.append(ScaleFigure(name=name, value=size_gb, unit=unit, source=source, text=match.group(0).strip()))


def _qualities(text: str, source: RequirementSource, out: Extracted) -> None:
    if latency := LATENCY.search(text):
        if latency.group("sub"):
            out.latency_ms = 1000.0
            target = "under 1 s"
        else:
            value = float(latency.group("value"))
            out.latency_ms = value if latency.group("unit").lower().startswith("m") else value * 1000
            target = f"{(latency.group('pct') or 'p99').lower()} under {out.latency_ms:g} ms"
        out.non_functional.append(NonFunctional(name="latency", target=target, source=source))
    if availability := AVAILABILITY.search(text):
        pct = (
            float(availability.group("pct"))
            if availability.group("pct")
            else _NINES[availability.group("nines").lower()]
        )
        if pct < 100:
            out.availability = pct
            out.non_functional.append(NonFunctional(name="availability", target=f"{pct:g}%", source=source))
    if SPIKES.search(text):
        out.spikes = True
        out.non_functional.append(NonFunctional(name="traffic spikes", target="absorb sudden peaks", source=source))


# "our sales team of 40", "a team of 12 nurses": a team that uses the system, not one that builds it
NOT_BUILDERS = re.compile(
    r"(?:sales|support|marketing|customer|service|medical|nursing|care|teaching|sports|football|soccer|ops|field|"
    r"delivery|security guard|cleaning|hr|finance|legal)\s+(?:team|staff)\s+of\s+\S+$"
    r"|team of \S+\s+(?:users|people|agents|staff|employees|nurses|doctors|teachers|players|drivers|salespeople|reps)",
    re.IGNORECASE,
)


def _team(text: str, source: RequirementSource, out: Extracted) -> None:
    sizes = []
    for match in TEAM.finditer(text):
        context = text[max(0, match.start() - 30) : match.end() + 15]
        if NOT_BUILDERS.search(context[: match.end() - max(0, match.start() - 30)]) or NOT_BUILDERS.search(
            text[match.start() : match.end() + 15]
        ):
            continue
        word = next(g for g in match.groups() if g)
        sizes.append(int(word) if word.isdigit() else int(WORDS[word.lower()]))
    if SOLO.search(text):
        sizes.append(1)
    sizes = [s for s in sizes if 0 < s <= 10_000]
    if len(set(sizes)) > 1:
        out.notes.append(f"the request names team sizes {sorted(set(sizes))}; the largest was used")
    if sizes:
        out.team = max(sizes)
        out.constraints.append(
            Constraint(name="team", value=f"{out.team} engineer{'s' * (out.team != 1)}", source=source)
        )
    elif SMALL_TEAM.search(text):
        out.team = 3
        out.constraints.append(Constraint(name="team", value="a small team (about 3 engineers)", source=source))


def _deadline(text: str, source: RequirementSource, out: Extracted) -> None:
    text = re.sub(r"\b(in|within) an? (day|week|month|year)\b", r"\1 1 \2", text, flags=re.IGNORECASE)  # "in a year"
    match = DEADLINE.search(text)
    if not match:
        return
    if match.group("number"):
        parsed = parse_number(match.group("number"))
        unit = match.group("unit").lower().rstrip("s")
        if parsed is None:
            return
        weeks = parsed.value * {"day": 1 / 7, "week": 1, "month": 30 / 7, "year": 52}[unit]
        value = f"{parsed.value:g} {unit}{'s' * (parsed.value != 1)}"
    else:
        # dates without a year: a quarter, a month or "the end of the year" counted as about a quarter away
        weeks = {"next week": 1, "next month": 4, "next quarter": 13}.get((match.group("next") or "").lower(), 13)
        value = match.group(0).strip()
    out.deadline_weeks = round(weeks, 1)
    out.constraints.append(Constraint(name="deadline", value=value, source=source))


def _labels(text: str, source: RequirementSource, out: Extracted) -> None:
    for pattern, region in REGIONS:
        if pattern.search(text):
            out.region = region
            out.constraints.append(Constraint(name="region", value=region, source=source))
            break
    for pattern, rule in COMPLIANCE:
        if pattern.search(text):
            out.constraints.append(Constraint(name="compliance", value=rule, source=source))
    if budget := BUDGET.search(text):
        value = f"{budget.group('amount').strip()} a {budget.group('per')}" if budget.group("amount") else "low"
        out.constraints.append(Constraint(name="budget", value=value, source=source))
    for pattern, scope in SCOPES:
        if pattern.search(text):
            out.scope = scope
            out.constraints.append(Constraint(name="scope", value=scope, source=source))
            break


def extract(text: str, source: RequirementSource = "request") -> Extracted:
    """Everything the text states about scale, qualities and constraints."""
    out = Extracted()
    _quantities(text, source, out)
    _storage(text, source, out)
    _qualities(text, source, out)
    _team(text, source, out)
    _deadline(text, source, out)
    _labels(text, source, out)
    return out


@lru_cache(maxsize=2048)
def extract_once(text: str) -> Extracted:
    """`extract` memoised, for readers that never change the result (recognition, the checker's rules): the
    checker reads the same request several times per document."""
    return extract(text)
