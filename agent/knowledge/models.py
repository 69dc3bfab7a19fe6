"""The structured knowledge as validated models: patterns, technologies, traits, tiers, general design."""

from __future__ import annotations

import difflib
import re
from functools import cached_property, lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from agent.compiled_patterns import compile_pattern
from agent.knowledge.regexes import KnowledgeRegex, knowledge_regex
from agent.schema import OTHER, Component, PatternId, Service, Tier

Trait = str
"""A workload trait id, one of the keys of traits.yaml (checked when the knowledge is loaded)."""


NAMES_REMEMBERED = 250_000
"""How many names a memo of lookups by name keeps: more than the parts of the largest document a check takes (a
smaller memo, cleared and refilled while one document is checked, made checking 30,000 parts quadratic)."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ComponentSpec(_Frozen):
    name: str
    category: str
    purpose: str
    cite: str
    at_scale: float | None = Field(
        default=None,
        description="Peak writes per second from which this part is needed; below a load the request states, "
        "`otherwise` takes its place (a URL shortener at 12 links a second keeps its keys in Postgres).",
    )
    otherwise: str | None = None

    def build(self) -> Component:
        """The part as it goes into a design, citing where it came from."""
        return Component(name=self.name, category=self.category, purpose=self.purpose, citations=[self.cite])


class ServiceSpec(_Frozen):
    name: str
    responsibility: str
    data_stores: tuple[str, ...] = ()
    cite: str | None = None

    def build(self) -> Service:
        """The service as it goes into a design (its own list of stores, free to change)."""
        return Service(name=self.name, responsibility=self.responsibility, data_stores=list(self.data_stores))


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
    when: str | None = Field(
        default=None,
        description="A regular expression over the request: the requirement is checked only where the request "
        "asks for the feature (end-to-end encryption where privacy is asked, or a brand known for it).",
    )

    @model_validator(mode="after")
    def _when_compiles(self) -> Requirement:
        if self.when is not None:
            knowledge_regex(self.when)
        return self

    def asked_for(self, request: str) -> bool:
        """Whether the request asks for the feature this requirement serves (always, without a `when`)."""
        return self.when is None or bool(knowledge_regex(self.when).search(request))


class PatternSpec(_Frozen):
    id: PatternId = OTHER
    name: str
    chapter: str = Field(description="A regular expression for the heading of this pattern's chapter (tags chunks).")
    aliases: tuple[str, ...] = Field(default=(), description="Other spellings of the id in documents.")
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

    @field_validator("chapter")
    @classmethod
    def _chapter_compiles(cls, chapter: str) -> str:
        knowledge_regex(chapter)
        return chapter


class TradeoffSpec(_Frozen):
    decision: str
    chosen: str
    alternatives: tuple[str, ...] = ()
    why: str
    cite: str


class FailureModeSpec(_Frozen):
    component: str
    failure: str
    impact: str
    mitigation: str
    cite: str


class CapacityDriver(_Frozen):
    """What a block's load is counted in, and how big one item of it is when stored."""

    unit: str = Field(description="The noun the workload is counted in, as the requirements reader names it.")
    item_kb: float = 1.0
    read_write: str = "80:20"


class MistakeSpec(_Frozen):
    """A common mistake in designs of a block (its chapter's "Common mistakes"), found in a document's text."""

    mistake: str = Field(description="What is wrong, as the finding says it.")
    lacks: str | None = Field(default=None, description="A regular expression: the mistake is its absence.")
    says: str | None = Field(default=None, description="A regular expression: the mistake is its presence.")
    fix: str = Field(description="The remedy; repair adds it to the design's scaling notes.")
    severity: Literal["error", "warning"] = "warning"
    cite: str
    example: str | None = Field(default=None, description="A sentence that makes the mistake (tests and docs).")

    @model_validator(mode="after")
    def _one_test(self) -> MistakeSpec:
        if (self.lacks is None) == (self.says is None):
            raise ValueError("a mistake is found by exactly one of 'lacks' or 'says'")
        # compiled through the machine cache (bundled): these run for every mistake each time the knowledge is loaded
        if self.lacks is not None and not self.regex.search(self.fix):
            raise ValueError(f"the fix of {self.mistake!r} must name what 'lacks' looks for, or repair cannot end it")
        if self.says is not None and (self.example is None or not self.regex.search(self.example)):
            raise ValueError(f"a 'says' mistake needs an example sentence it matches: {self.mistake!r}")
        return self

    @property
    def regex(self) -> KnowledgeRegex:
        """The mistake's test (`lacks` or `says`), compiled case-insensitively."""
        return knowledge_regex(self.lacks if self.lacks is not None else self.says or "")


class BlockSpec(_Frozen):
    """A design building block: a chapter of its own (`kb/blocks/<id>.md`) plus this entry."""

    id: str
    name: str
    chapter: str = Field(description="The chunk id prefix of the block's chapter, e.g. 'blocks/url-shortener'.")
    cite: str
    brands: tuple[str, ...] = ()
    strong: tuple[str, ...]
    weak: tuple[str, ...] = ()
    traits: tuple[Trait, ...] = ()
    cap: Cap
    components: tuple[ComponentSpec, ...]
    services: tuple[ServiceSpec, ...]
    flows: tuple[FlowSpec, ...] = ()
    scaling: tuple[Note, ...] = ()
    tradeoffs: tuple[TradeoffSpec, ...] = ()
    failure_modes: tuple[FailureModeSpec, ...] = ()
    required: tuple[Requirement, ...] = ()
    mistakes: tuple[MistakeSpec, ...] = ()
    capacity: CapacityDriver | None = None
    pattern: str | None = Field(
        default=None,
        description="The seed application this block is the core of (a news feed is social media's): when the "
        "request is that application, its knowledge-base design stands and the block adds trade-offs and failure "
        "modes only.",
    )
    part_of: tuple[str, ...] = Field(
        default=(),
        description="Other seed applications whose own design already holds this block (ride hailing finds "
        "nearby drivers: no proximity-search parts are added to it).",
    )
    composes_with: tuple[str, ...] = Field(
        default=(),
        description="Seed applications or other blocks this one is usually joined to (food delivery is a shop plus "
        "courier dispatch): a request naming both keeps the application and adds the block.",
    )
    kind: Literal["problem", "capability"] = Field(
        default="problem",
        description="A problem is a system of its own (a URL shortener); a capability is what products are made of "
        "(appointments, multi-tenancy): a product recognised only by its capabilities is covered only in part.",
    )
    end_users: bool = Field(
        default=True,
        description="Whether people sign in to it. Infrastructure (a cache, a broker, a limiter) is called by "
        "services, so password hashing and user tokens are not its parts.",
    )
    supersedes: tuple[str, ...] = Field(
        default=(),
        description="Services of an application this block stands in for when composed with it (courier "
        "dispatch replaces a shop's Shipping Service).",
    )

    def held_by(self, pattern_id: str) -> bool:
        """Whether that application's own design already holds this block (its core, or a part of it)."""
        return pattern_id == self.pattern or pattern_id in self.part_of


class Technology(_Frozen):
    name: str
    category: str
    aliases: tuple[str, ...] = ()
    use: str
    cite: str


class TraitSpec(_Frozen):
    cite: str
    cues: tuple[str, ...]
    ambiguous: tuple[str, ...] = Field(
        default=(),
        description="Cues that alone do not show the trait ('tracks monthly visits' is not real time): the "
        "checker needs another cue beside one of these.",
    )

    @model_validator(mode="after")
    def _ambiguous_are_cues(self) -> TraitSpec:
        if stray := set(self.ambiguous) - set(self.cues):
            raise ValueError(f"ambiguous cues that are not cues: {sorted(stray)}")
        return self


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


class CategoryFailureSpec(_Frozen):
    """What usually fails in a part of a given category, for designs whose blocks do not say more."""

    failure: str
    impact: str
    mitigation: str
    cite: str


class RoleSpec(_Frozen):
    """A part's job, however it is named: "SQL Write Master-Slave" is a relational database, "Memory Cache" a
    cache, "Quadtree servers" a geospatial index. The checker asks for roles, so any name that fills one counts."""

    category: str = Field(description="The technology category the role belongs to.")
    pattern: str = Field(description="A regular expression over a part's lower-cased name (and purpose).")
    from_services: bool = Field(default=False, description="Whether a service's name or job can fill it.")

    @model_validator(mode="after")
    def _compiles(self) -> RoleSpec:
        compile_pattern(self.pattern)
        return self


class ControlSpec(_Frozen):
    """One obligation a regulation puts on a design, as the decision it makes and the parts it adds."""

    decision: str
    chosen: str
    why: str
    cite: str
    add: tuple[str, ...] = Field(default=(), description="Catalogued parts the control needs (added when missing).")


class General(_Frozen):
    production_essentials: ProductionEssentials
    low_tier_stack: tuple[ComponentSpec, ...]
    tier_stack: tuple[ComponentSpec, ...]
    trait_components: dict[Trait, tuple[ComponentSpec, ...]]
    security_components: tuple[ComponentSpec, ...]
    generic_services: GenericServices
    domains: tuple[DomainSpec, ...]
    failure_modes: dict[str, CategoryFailureSpec] = {}
    """By component category (database, cache, queue, ...)."""
    roles: dict[str, RoleSpec] = {}
    """What parts do, read from how people name them (the checker's vocabulary)."""
    service_synonyms: dict[str, tuple[str, ...]] = {}
    """A service's usual key (its normalised name without "service") and the other names it goes by."""
    regulations: dict[str, tuple[ControlSpec, ...]] = {}
    """By regulation as the requirements name it (HIPAA, GDPR, PCI DSS, data residency): what it obliges."""


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
    blocks: dict[str, BlockSpec] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _traits_exist(self) -> Knowledge:
        used = {trait for spec in self.patterns.values() for trait in spec.traits}
        used |= {trait for block in self.blocks.values() for trait in block.traits}
        used |= {trait for product in self.products for trait in product.traits}
        used |= {m.trait for m in self.estimation.multipliers.values()}
        used |= set(self.general.trait_components) | set(self.general.generic_services.by_trait)
        unknown = sorted(used - set(self.traits))
        if unknown:
            raise ValueError(f"traits used but not defined in traits: {unknown}")
        nearest = {pid for product in self.products for pid in product.nearest}
        if missing := sorted(nearest - set(self.patterns)):
            raise ValueError(f"products name unknown patterns: {missing}")
        return self

    @property
    def pattern_ids(self) -> tuple[PatternId, ...]:
        """The application patterns the knowledge describes (not counting 'other')."""
        return tuple(self.patterns)

    @cached_property
    def block_by_chapter(self) -> dict[str, str]:
        """Chunk id prefix → block id, for reading which block a knowledge-base section belongs to."""
        return {spec.chapter: block_id for block_id, spec in self.blocks.items()}

    def block_of_chunk(self, chunk_id: str) -> str | None:
        """The block whose chapter holds `chunk_id`, if any."""
        prefix = chunk_id.rsplit("/", 1)[0]
        while prefix:
            if prefix in self.block_by_chapter:
                return self.block_by_chapter[prefix]
            prefix = prefix.rsplit("/", 1)[0] if "/" in prefix else ""
        return None

    @property
    def all_pattern_ids(self) -> tuple[PatternId, ...]:
        """The pattern ids a document may carry: every pattern, then 'other'."""
        return (*self.patterns, OTHER)

    @cached_property
    def chapter_cues(self) -> tuple[tuple[KnowledgeRegex, PatternId], ...]:
        """Heading cue → pattern, for tagging chunks (searched in the lower-cased heading path); a knowledge
        folder's own cues are RE2's, which search as `re`'s do."""
        return tuple((knowledge_regex(spec.chapter), pid) for pid, spec in self.patterns.items())

    @cached_property
    def _pattern_spellings(self) -> dict[str, PatternId]:
        table = {OTHER: OTHER}
        for pid, spec in self.patterns.items():
            for spelling in (pid, spec.name, *spec.aliases):
                table[_spelling_key(spelling)] = pid
        return table

    def pattern_id_for(self, written: str) -> str:
        """The pattern id a document means by `written` ('Social Media', 'ride-sharing'), or `written` itself."""
        return self._pattern_spellings.get(_spelling_key(written), written)

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
        if len(self._lookups) < NAMES_REMEMBERED:
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
        if not 5 <= len(key) <= 40:
            return None
        # a typo keeps the first letter and about the length (a ratio of 0.8 allows little else): comparing with
        # those names only keeps a 30,000-part document from costing 30,000 passes over the whole catalogue
        candidates = [k for k in self._by_initial.get(key[0], ()) if abs(len(k) - len(key)) <= len(key) // 3 + 1]
        close = difflib.get_close_matches(key, candidates, n=1, cutoff=0.8)
        return self._by_key[close[0]] if close else None

    @cached_property
    def _by_initial(self) -> dict[str, list[str]]:
        table: dict[str, list[str]] = {}
        for key in self._by_key:
            table.setdefault(key[0], []).append(key)
        return table

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


def _spelling_key(text: str) -> str:
    key = "".join(ch for ch in text.lower() if ch.isalnum())
    return key.removesuffix("platforms").removesuffix("platform").removesuffix("app") or key
