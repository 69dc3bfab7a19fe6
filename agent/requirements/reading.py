"""From extracted requirements to the design: tier signals, the requirements section, open questions, answers.

Stated figures beat the knowledge base's brand-scale defaults, and scope words beat brand scale: an "Instagram
MVP" is sized for an MVP, and its assumptions say so. A team of four or fewer gets a modular monolith unless the
request asks for microservices (the knowledge base's warning against over-engineering).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

from agent.compiled_patterns import compile_pattern
from agent.requirements.extract import Extracted, extract, extract_once
from agent.schema import NonFunctional, Question, Requirements, ScaleFigure

SMALL_TEAM = 4
LARGE_USERS = 1_000_000
LARGE_RATE = 1_000  # requests or events per second
LARGE_FLEET = 10_000
"""Machines or devices a system serves or watches: ten thousand of them is infrastructure at scale."""
ASKS_FOR_MICROSERVICES = compile_pattern(r"\bmicro-?services?\b", re.IGNORECASE)

# how an answer to a question is read: the key, then text the extractor understands
ANSWER_TEXT = {
    "users": "{value} daily active users",
    "rate": "{value} requests per second",
    "team": "team of {value}",
    "deadline": "in {value}",
    "region": "{value}",
    "compliance": "{value}",
    "availability": "{value} availability",
    "latency": "p99 under {value}",
    "budget": "{value}",
    "scope": "{value}",
}


ADDITIVE = frozenset({"compliance"})
"""Constraints a later statement adds to instead of replacing: "PCI DSS too" keeps HIPAA."""


def read_requirements(prompt: str, answers: Mapping[str, str] | None = None, stated: Sequence[str] = ()) -> Extracted:
    """What the request states, with answers to the open questions laid over it (an answer wins), then what was
    stated later (a chat's "we are 3 engineers"), each later statement winning over what came before."""
    from agent.errors import InvalidRequest

    once = extract_once(prompt)  # recognition reads the same request: read it once
    found = replace(once, scale=list(once.scale), non_functional=list(once.non_functional),
                    constraints=list(once.constraints), notes=list(once.notes))  # fmt: skip
    for key, value in (answers or {}).items():
        if key not in ANSWER_TEXT:
            raise InvalidRequest(f"unknown answer {key!r}; known: {', '.join(sorted(ANSWER_TEXT))}")
        answered = extract(ANSWER_TEXT[key].format(value=value), source="answer")
        if not (answered.scale or answered.constraints or answered.non_functional):
            raise InvalidRequest(f"cannot read the answer {key}={value!r}; e.g. users=50k, team=3, region='EU only'")
        _overlay(found, answered)
    for statement in stated:
        _overlay(found, extract(statement, source="answer"))
    return found


def _overlay(found: Extracted, answered: Extracted) -> None:
    units = {f.unit for f in answered.scale}
    found.scale = [f for f in found.scale if f.unit not in units] + answered.scale
    names = {c.name for c in answered.constraints} - ADDITIVE  # a later region replaces, a regulation adds
    kept = [c for c in found.constraints if c.name not in names]
    said = {(k.name, k.value) for k in kept}
    found.constraints = kept + [c for c in answered.constraints if (c.name, c.value) not in said]
    qualities = {n.name for n in answered.non_functional}
    found.non_functional = [n for n in found.non_functional if n.name not in qualities] + answered.non_functional
    for attribute in ("team", "deadline_weeks", "scope", "region", "latency_ms", "availability"):
        if getattr(answered, attribute) is not None:
            setattr(found, attribute, getattr(answered, attribute))
    found.spikes = found.spikes or answered.spikes
    found.notes = found.notes + answered.notes


def scope_signals(found: Extracted, prompt: str) -> tuple[list[str], list[str], list[str]]:
    """(small-scope, enterprise, large-scale) cues the stated requirements add to recognition's own."""
    small, enterprise, large = [], [], []
    if found.scope in ("MVP", "prototype", "internal tool", "simple"):
        small.append(f"scope: {found.scope}")
    if found.scope == "microservices":
        large.append("split into services as asked")
    split = found.scope == "microservices" or ASKS_FOR_MICROSERVICES.search(prompt)
    if found.team is not None and found.team <= SMALL_TEAM and not split:
        small.append(f"team of {found.team}")
    if found.scope == "enterprise":
        enterprise.append("scope: enterprise")
    # a count of places ("30 countries") is the system's reach, and a count of machines ("2,000 servers") what it
    # runs on or watches: neither is a small load of people or requests
    loads = [f for f in found.scale if not PLACES.fullmatch(f.unit) and f.kind != "population"]
    if any(f.kind not in ("peak factor", "ratio", "size") for f in loads) and all(map(_small, loads)):
        # every stated figure is small (10k links a month, 500 users): a modest system, whatever it is called
        small.append("small stated load: " + ", ".join(f.text or f.name for f in loads))
    for figure in found.scale:
        rate = per_second(figure)
        if figure.unit in ("daily active users", "users", "monthly active users") and figure.value >= LARGE_USERS:
            large.append(f"{figure.value:,.0f} {figure.unit}")
        elif rate is not None and rate >= LARGE_RATE:
            large.append(f"{rate:,.0f} {figure.unit.split(' per ')[0]} per second")
        elif figure.unit == "concurrent connections" and figure.value >= 100_000:
            large.append(f"{figure.value:,.0f} concurrent connections")
        elif figure.kind == "population" and figure.value >= LARGE_FLEET and not PLACES.fullmatch(figure.unit):
            large.append(f"{figure.value:,.0f} {figure.unit}")  # 50,000 servers to deploy to, 100k devices
    return small, enterprise, large


SMALL_USERS = 10_000
PLACES = compile_pattern(
    r"(?:countr(?:y|ies)|regions?|cit(?:y|ies)|markets?|languages?|time ?zones?|continents?|states?)", re.IGNORECASE
)
SMALL_RATE = 1.0  # per second: about 86,000 a day


def _small(figure: ScaleFigure) -> bool:
    if figure.kind in ("peak factor", "ratio", "size"):
        return True  # a factor, a ratio or a size says nothing about how big the load is
    if figure.kind == "population" or figure.unit in (
        "daily active users",
        "users",
        "monthly active users",
        "concurrent connections",
    ):
        return figure.value < SMALL_USERS
    rate = per_second(figure)
    return rate is not None and rate < SMALL_RATE


def per_second(figure: ScaleFigure) -> float | None:
    """The figure's rate per second, when it is a rate ("1M links a day" → 11.6)."""
    from agent.requirements.extract import SECONDS

    if " per " not in figure.unit:
        return None
    period = figure.unit.rsplit(" per ", 1)[1]
    return figure.value / SECONDS[period] if period in SECONDS else None


def requirements_section(found: Extracted, functional: list[str], consistency: str | None) -> Requirements:
    """The document's `requirements`: what was stated, plus the consistency the design chose (marked as such)."""
    qualities = list(found.non_functional)
    if consistency and not any(n.name == "consistency" for n in qualities):
        qualities.append(NonFunctional(name="consistency", target=consistency, source="knowledge base",
                                       citation="cap-theorem-understanding"))  # fmt: skip
    return Requirements(functional=functional, non_functional=qualities, scale=list(found.scale),
                        constraints=list(found.constraints))  # fmt: skip


def open_questions(found: Extracted, pattern_id: str, traits: list[str], assumed_users: str) -> list[Question]:
    """The two to four questions whose answers would change this design most, each with the default assumed."""
    questions = []
    if not any(f.unit in ("daily active users", "users", "monthly active users") or " per " in f.unit
               for f in found.scale):  # fmt: skip
        questions.append(Question(
            key="users",
            question="How many daily users (or requests per second) do you expect, at launch and in a year?",
            why="capacity, the tier and how many services are worth running all follow from it",
            default=assumed_users))  # fmt: skip
    if found.team is None:
        questions.append(Question(
            key="team", question="How many engineers will build and run it?",
            why="four or fewer are better served by a modular monolith; larger teams can own separate services",
            default="a team sized for the design"))  # fmt: skip
    if found.region is None and (pattern_id in ("ride_hailing", "ecommerce", "messaging") or "global" not in traits):
        questions.append(Question(
            key="region", question="Where are the users: one city or country, one continent, or worldwide?",
            why="one region keeps one primary database; worldwide needs multi-region replication and a CDN",
            default="one region"))  # fmt: skip
    money = {"payments", "transaction_heavy", "compliance"} & set(traits)
    if money and not any(c.name == "compliance" for c in found.constraints):
        questions.append(Question(
            key="compliance",
            question="Does it handle card data, health records or personal data (PCI DSS, HIPAA, GDPR)?",
            why="regulated data adds encryption, audit logs and a card-data boundary to the design",
            default="GDPR basics; card data only through the payment gateway"))  # fmt: skip
    if not any(n.name in ("availability", "latency") for n in found.non_functional):
        questions.append(Question(
            key="availability", question="What availability and latency must it meet (e.g. 99.9%, p99 under 300 ms)?",
            why="99.99% and tight latency add replicas across zones, caches and failover",
            default="99.9% availability, p99 under 500 ms"))  # fmt: skip
    return questions[:4]


def vague(found: Extracted, prompt: str) -> bool:
    """A request that states no figure, constraint or quality: its design rests on defaults."""
    return not (found.scale or found.constraints or found.non_functional) and len(prompt.split()) <= 8
