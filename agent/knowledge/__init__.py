"""The machine-readable half of the knowledge base: patterns, technologies, traits, tiers, general design.

The YAML files beside this module are written by hand from the document, and every entry names the chunk id
that supports it (a test fails when a cited chunk does not exist). `load_knowledge()` parses and validates
them once.
"""

from __future__ import annotations

import difflib
import re
from functools import cache, cached_property, lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict

from agent.schema import PatternId

HERE = Path(__file__).resolve().parent
Tier = Literal["low", "medium", "high", "enterprise"]
TIERS: tuple[Tier, ...] = ("low", "medium", "high", "enterprise")
Trait = Literal[
    "real_time", "media_heavy", "search_driven", "transaction_heavy", "payments", "geospatial", "write_heavy",
    "read_heavy", "ml", "compliance", "global", "high_availability", "i18n",
]  # fmt: skip


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ComponentSpec(_Frozen):
    name: str
    category: str
    purpose: str
    cite: str


class ServiceSpec(_Frozen):
    name: str
    responsibility: str
    data_stores: tuple[str, ...] = ()
    cite: str | None = None


class FlowSpec(_Frozen):
    name: str
    steps: tuple[str, ...]
    cite: str


class Note(_Frozen):
    note: str
    cite: str


class Cap(_Frozen):
    choice: Literal["CP", "AP"]
    why: str
    cite: str


class Requirement(_Frozen):
    any_of: tuple[str, ...]
    why: str


class PatternSpec(_Frozen):
    id: PatternId = "other"
    name: str
    cite: str
    recognition_cite: str
    brands: tuple[str, ...]
    strong: tuple[str, ...]
    weak: tuple[str, ...]
    traits: tuple[Trait, ...]
    read_write: str
    cap: Cap
    band: tuple[int, int]
    band_cite: str
    components: tuple[ComponentSpec, ...]
    services: tuple[ServiceSpec, ...]
    services_cite: str
    flows: tuple[FlowSpec, ...]
    scaling: tuple[Note, ...]
    required: tuple[Requirement, ...]


class Technology(_Frozen):
    name: str
    category: str
    aliases: tuple[str, ...] = ()
    use: str
    cite: str


class TraitSpec(_Frozen):
    cite: str
    cues: tuple[str, ...]


class TierSpec(_Frozen):
    hours: tuple[int, int]
    services: tuple[int, int]
    cite: str
    examples: str


class MultiplierSpec(_Frozen):
    value: float
    trait: Trait
    why: str
    cite: str


class Estimation(_Frozen):
    tiers: dict[Tier, TierSpec]
    multipliers: dict[str, MultiplierSpec]
    small_scope_cues: tuple[str, ...]
    enterprise_cues: tuple[str, ...]
    large_scale_cues: tuple[str, ...]


class ProductionEssentials(_Frozen):
    cite: str
    components: tuple[ComponentSpec, ...]


class DomainServiceSpec(_Frozen):
    name: str
    responsibility: str


class DomainSpec(_Frozen):
    cues: tuple[str, ...]
    name: str
    responsibility: str


class GenericServices(_Frozen):
    cite: str
    always: tuple[ServiceSpec, ...]
    by_trait: dict[Trait, ServiceSpec]
    extra: tuple[ServiceSpec, ...]


class General(_Frozen):
    production_essentials: ProductionEssentials
    low_tier_stack: tuple[ComponentSpec, ...]
    tier_stack: tuple[ComponentSpec, ...]
    trait_components: dict[Trait, tuple[ComponentSpec, ...]]
    security_components: tuple[ComponentSpec, ...]
    generic_services: GenericServices
    domains: tuple[DomainSpec, ...]


class ProductSpec(_Frozen):
    """A well-known product outside the five patterns: its traits, nearest patterns and domain services."""

    names: tuple[str, ...]
    traits: tuple[Trait, ...]
    nearest: dict[PatternId, float] = {}
    services: tuple[DomainServiceSpec, ...] = ()


@lru_cache(maxsize=8192)
def normalise_name(name: str) -> str:
    """'PostgreSQL ' → 'postgresql', 'Node.JS' → 'nodejs': the key technology names are compared by."""
    return re.sub(r"[^a-z0-9+#]", "", name.lower())


class Knowledge(BaseModel):
    """Everything the engine knows, validated."""

    model_config = ConfigDict(frozen=True)

    patterns: dict[PatternId, PatternSpec]
    technologies: tuple[Technology, ...]
    traits: dict[Trait, TraitSpec]
    estimation: Estimation
    general: General
    products: tuple[ProductSpec, ...] = ()

    @cached_property
    def _by_key(self) -> dict[str, Technology]:
        table: dict[str, Technology] = {}
        for tech in self.technologies:
            for key in (tech.name, *tech.aliases):
                table.setdefault(normalise_name(key), tech)
        return table

    @cached_property
    def _longest_first(self) -> list[str]:
        return sorted((key for key in self._by_key if len(key) >= 3), key=len, reverse=True)

    @cached_property
    def _lookups(self) -> dict[str, Technology | None]:
        return {}

    def technology(self, name: str) -> Technology | None:
        """The catalogue entry for a name as people write it (aliases, case, punctuation, small typos)."""
        if name in self._lookups:
            return self._lookups[name]
        found = self._lookup(name)
        if len(self._lookups) < 10_000:
            self._lookups[name] = found
        return found

    def _lookup(self, name: str) -> Technology | None:
        key = normalise_name(name)
        if not key:
            return None
        if key in self._by_key:
            return self._by_key[key]
        # "Postgres (primary)", "Redis cluster for sessions": the longest known name at the start
        for known in self._longest_first:
            if key.startswith(known):
                return self._by_key[known]
        close = difflib.get_close_matches(key, list(self._by_key), n=1, cutoff=0.8) if len(key) >= 5 else []
        return self._by_key[close[0]] if close else None

    def canonical(self, name: str) -> str:
        """The knowledge base's spelling of a technology name, or the name as given when it is unknown."""
        tech = self.technology(name)
        return tech.name if tech else name.strip()

    def cited_chunk_ids(self) -> set[str]:
        """Every chunk id the structured knowledge cites (a test checks they all exist)."""
        found: set[str] = set()

        def walk(value: object) -> None:
            if isinstance(value, BaseModel):
                for field, item in value:
                    if field in {"cite", "band_cite", "services_cite", "recognition_cite"} and isinstance(item, str):
                        found.add(item)
                    else:
                        walk(item)
            elif isinstance(value, dict):
                for item in value.values():
                    walk(item)
            elif isinstance(value, list | tuple):
                for item in value:
                    walk(item)

        walk(self)
        return found


def read_knowledge_file(name: str) -> Any:
    """One YAML file of the structured knowledge, parsed (safe loader; the C one is ten times faster)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load((HERE / name).read_text(encoding="utf-8"), Loader=loader)


@cache
def load_knowledge() -> Knowledge:
    """Parse the bundled knowledge files (once per process)."""
    patterns = {pid: {"id": pid, **spec} for pid, spec in read_knowledge_file("patterns.yaml").items()}
    return Knowledge(
        patterns=patterns,
        technologies=read_knowledge_file("technologies.yaml"),
        traits=read_knowledge_file("traits.yaml"),
        estimation=read_knowledge_file("estimation.yaml"),
        general=read_knowledge_file("general.yaml"),
        products=read_knowledge_file("products.yaml"),
    )


__all__ = [
    "TIERS",
    "ComponentSpec",
    "Knowledge",
    "PatternSpec",
    "ServiceSpec",
    "Technology",
    "Tier",
    "Trait",
    "load_knowledge",
    "normalise_name",
    "read_knowledge_file",
]
