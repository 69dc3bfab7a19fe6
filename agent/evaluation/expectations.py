"""What each design of the knowledge base is made of, as words a completion can be measured against.

A design's profile is the distinctive stemmed words of its chapter's structured knowledge (services and their
jobs, flows, decisions, parts' purposes, failure modes, recognition cues), weighted by how rare each word is among
all designs: "shortcode" weighs, "service" does not. Its mechanisms are its decisions (a decision is addressed when
the chosen way or one of its alternatives is named), its flows and the parts it requires.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from agent.brief.model import Brief
from agent.knowledge import Knowledge, normalise_name
from agent.knowledge.models import BlockSpec, PatternSpec
from agent.retrieval.bm25 import terms

PROFILE_TERMS = 40
"""The most distinctive words a profile keeps: enough to describe a design, few enough not to dilute it."""
COMMON_SHARE = 0.3
"""A word in more than this share of designs says nothing about which design a text is (service, user, data)."""


@dataclass(frozen=True)
class Mechanism:
    """One thing a design's chapter requires, named by one or more phrases (any of them addresses it)."""

    kind: str  # decision, flow or part
    label: str
    phrases: tuple[tuple[str, ...], ...]
    cite: str | None = None
    parts: frozenset[str] = frozenset()
    """For a part: the catalogue keys (`normalise_name` of the canonical name) of the parts that fill it."""


@dataclass(frozen=True)
class DesignProfile:
    id: str
    name: str
    weights: dict[str, float]
    total: float
    mechanisms: tuple[Mechanism, ...]
    services: tuple[str, ...]
    components: tuple[str, ...]
    kin: frozenset[str]


def _texts(spec: PatternSpec | BlockSpec) -> Iterable[str]:
    yield spec.name
    yield from spec.strong
    for service in spec.services:
        yield f"{service.name} {service.responsibility}"
    for flow in spec.flows:
        yield flow.name
        yield from flow.steps
    for component in spec.components:
        yield component.purpose
    for note in spec.scaling:
        yield note.note
    if isinstance(spec, BlockSpec):
        for tradeoff in spec.tradeoffs:
            yield f"{tradeoff.decision} {tradeoff.chosen} {' '.join(tradeoff.alternatives)}"
        for failure in spec.failure_modes:
            yield f"{failure.failure} {failure.mitigation}"
        for mistake in spec.mistakes:
            yield mistake.fix


class Profiles:
    """Every design's profile, and the word weights they share; built once per knowledge base."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        specs: dict[str, PatternSpec | BlockSpec] = {**knowledge.patterns, **knowledge.blocks}
        counts = {design: Counter(t for text in _texts(spec) for t in terms(text)) for design, spec in specs.items()}
        frequency = Counter(t for counted in counts.values() for t in counted)
        total = len(specs)
        self.common = frozenset(t for t, n in frequency.items() if n > COMMON_SHARE * total)
        self.idf = {t: math.log((total + 1) / (n + 0.5)) for t, n in frequency.items()}
        self.designs: dict[str, DesignProfile] = {}
        for design, spec in specs.items():
            scored = {t: (1 + math.log(n)) * self.idf[t] for t, n in counts[design].items() if t not in self.common}
            top = sorted(scored, key=lambda t: (-scored[t], t))[:PROFILE_TERMS]
            self.designs[design] = DesignProfile(
                id=design,
                name=spec.name,
                weights={t: self.idf[t] for t in top},
                total=sum(self.idf[t] for t in top),
                mechanisms=self._mechanisms(spec),
                services=tuple(s.name for s in spec.services),
                components=tuple(c.name for c in spec.components),
                kin=self._kin(design, spec, knowledge),
            )

        self.by_term: dict[str, tuple[str, ...]] = {}
        for design, profile in self.designs.items():
            for term in profile.weights:
                self.by_term[term] = (*self.by_term.get(term, ()), design)

    @cached_property
    def _catalogue(self) -> tuple[re.Pattern[str], dict[str, str]]:
        names = {n.lower(): t.name for t in self.knowledge.technologies for n in (t.name, *t.aliases) if len(n) >= 3}
        alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        return re.compile(rf"(?<![\w.-])(?:{alternatives})(?![\w-])", re.IGNORECASE), names

    def technologies_named(self, text: str) -> list[str]:
        """The catalogue's technologies `text` names (under any alias), in the order first named."""
        pattern, names = self._catalogue
        return list(dict.fromkeys(names[m.group().lower()] for m in pattern.finditer(text)))

    def coverages(self, present: set[str]) -> dict[str, float]:
        """`coverage` of every design a text uses any distinctive word of, in one pass over the text's words."""
        found: dict[str, float] = {}
        for term in sorted(present & self.by_term.keys()):  # a fixed order: the same sums in every process
            weight = self.idf[term]
            for design in self.by_term[term]:
                found[design] = found.get(design, 0.0) + weight
        return {design: total / self.designs[design].total for design, total in found.items()}

    def key_terms(self, text: str) -> tuple[str, ...]:
        """The words of `text` that can tell designs apart (common ones dropped, order kept, no repeats)."""
        return tuple(dict.fromkeys(t for t in terms(text) if t not in self.common))

    def _mechanisms(self, spec: PatternSpec | BlockSpec) -> tuple[Mechanism, ...]:
        found: list[Mechanism] = []
        if isinstance(spec, BlockSpec):
            for tradeoff in spec.tradeoffs:
                phrases = tuple(p for p in map(self.key_terms, (tradeoff.chosen, *tradeoff.alternatives)) if p)
                if phrases:
                    found.append(Mechanism("decision", f"{tradeoff.decision}: {tradeoff.chosen}", phrases,
                                           tradeoff.cite))  # fmt: skip
        for flow in spec.flows:
            if phrase := self.key_terms(flow.name):
                found.append(Mechanism("flow", flow.name, (phrase,), flow.cite))
        for requirement in spec.required:
            phrases = tuple(p for p in map(self.key_terms, requirement.any_of) if p)
            if phrases and requirement.when is None:  # a conditional requirement is the checker's to judge
                keys = frozenset(normalise_name(self.knowledge.canonical(n)) for n in requirement.any_of)
                found.append(Mechanism("part", " or ".join(requirement.any_of), phrases, parts=keys))
        return tuple(found)

    @staticmethod
    def _kin(design: str, spec: PatternSpec | BlockSpec, knowledge: Knowledge) -> frozenset[str]:
        """Designs that belong with this one: what it is part of or composes with, and the other way round."""
        kin = {design}
        if isinstance(spec, BlockSpec):
            kin |= {*spec.part_of, *spec.composes_with, *spec.supersedes}
            if spec.pattern:
                kin.add(spec.pattern)
        for other, block in knowledge.blocks.items():
            if design in (*block.part_of, *block.composes_with, *block.supersedes, block.pattern):
                kin.add(other)
        return frozenset(kin)


def expected_designs(brief: Brief) -> list[str]:
    """The designs the request calls for: its application (unless 'other') and its building blocks."""
    found = [brief.pattern.id] if brief.pattern.id != "other" else []
    return found + [b.id for b in brief.blocks if b.id not in found]


def coverage(profile: DesignProfile, present: set[str]) -> float:
    """The weighted share of a design's distinctive words that a text uses."""
    total = profile.total  # summed in the profile's order: a set's order changes with each process's hash seed
    return sum(w for t, w in profile.weights.items() if t in present) / total if total else 0.0


def phrase_hit(phrase: tuple[str, ...], present: set[str]) -> bool:
    """A short phrase needs two thirds of its words; a long one (a sentence of a decision) two fifths."""
    share = 0.67 if len(phrase) <= 4 else 0.4
    return sum(t in present for t in phrase) >= max(1, math.ceil(len(phrase) * share))


_cache: dict[int, tuple[Knowledge, Profiles]] = {}
_lock = threading.Lock()


def profiles_for(knowledge: Knowledge) -> Profiles:
    """The profiles of `knowledge`, built on first use (about 50 ms) and kept."""
    with _lock:
        held = _cache.get(id(knowledge))
        if held is None or held[0] is not knowledge:
            held = (knowledge, Profiles(knowledge))
            _cache[id(knowledge)] = held
        return held[1]
