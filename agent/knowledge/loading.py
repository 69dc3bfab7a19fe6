"""Loading the structured knowledge: the built-in YAML beside this package, and a knowledge folder's own."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError

from agent.errors import InvalidRequest, first_error
from agent.files import read_yaml
from agent.knowledge.models import Knowledge, Trait, _Frozen, normalise_name
from agent.knowledge.regexes import block_regexes, knowledge_regex, pattern_regexes
from agent.schema import PatternId, TierId

HERE = Path(__file__).resolve().parent


def read_knowledge_file(name: str) -> Any:
    """One YAML file of the built-in structured knowledge, parsed."""
    return read_yaml(HERE / name, "knowledge file")


class CapacityInput(_Frozen):
    """One back-of-the-envelope input: its value and where it comes from (a chunk id, or 'heuristic')."""

    value: float
    cite: str
    note: str = ""


class CapacityTable(_Frozen):
    """capacity.yaml: the default inputs, and each pattern's own where the knowledge base gives them."""

    default: dict[str, CapacityInput]
    patterns: dict[PatternId, dict[str, CapacityInput]] = Field(default_factory=dict)


class Price(_Frozen):
    """A monthly list price and what it buys, with the chapter section that states it."""

    usd: float
    what: str = ""
    cite: str


class PriceRange(_Frozen):
    usd: tuple[float, float]
    cite: str


class PriceTable(_Frozen):
    """prices.yaml: what each category of running part costs a month at each tier (kb/practice/cloud-costs.md)."""

    currency: str
    as_of: str
    provider: str
    app_instance: dict[TierId, Price]
    instances_per_service: dict[TierId, int]
    by_category: dict[str, dict[TierId, Price]]
    free_categories: tuple[str, ...] = ()
    per_use: dict[str, Price] = Field(default_factory=dict)
    typical_total: dict[TierId, PriceRange] = Field(default_factory=dict)

    def cited(self) -> set[str]:
        """Every chunk id the table cites (a test checks they all exist)."""
        items: list[Price | PriceRange] = [*self.app_instance.values(), *self.per_use.values(),
                                           *self.typical_total.values()]  # fmt: skip
        items += [price for tiers in self.by_category.values() for price in tiers.values()]
        return {item.cite for item in items}


SubjectKind = Literal["brand", "product", "pattern", "block", "plain", "compose", "outside"]


class Frame(_Frozen):
    """A request's frame: what fills its {subject} slot, and its text (its id, the template id, is the key)."""

    subject: SubjectKind
    text: str


class LoadPhrasing(_Frozen):
    """A stated load with {n}, and the unit the engine reads it in."""

    text: str
    unit: str


class Valued(_Frozen):
    """A phrasing and the value the engine reads from it (a region, a regulation)."""

    text: str
    value: str


class SynthPhrasings(_Frozen):
    """synth.yaml: the words synthetic requests are made of."""

    brandless: dict[PatternId, tuple[str, ...]]
    audiences: tuple[str, ...]
    requirements: dict[str, tuple[str, ...]]
    outside: tuple[str, ...]
    templates: dict[Literal["brand", "brandless", "long"], tuple[str, ...]]
    details: tuple[str, ...]
    frames: dict[str, Frame] = Field(default_factory=dict)
    loads: tuple[LoadPhrasing, ...] = ()
    load_values: tuple[int, ...] = ()
    teams: tuple[str, ...] = ()
    team_sizes: tuple[int, ...] = ()
    budgets: tuple[str, ...] = ()
    budget_values: tuple[int, ...] = ()
    regions: tuple[Valued, ...] = ()
    compliance: tuple[Valued, ...] = ()


@cache
def capacity_table() -> CapacityTable:
    """The validated capacity inputs (capacity.yaml)."""
    return CapacityTable.model_validate(read_knowledge_file("capacity.yaml"))


@cache
def price_table() -> PriceTable:
    """The validated monthly prices (prices.yaml)."""
    return PriceTable.model_validate(read_knowledge_file("prices.yaml"))


@cache
def synth_phrasings() -> SynthPhrasings:
    """The validated phrasings for synthetic requests (synth.yaml)."""
    return SynthPhrasings.model_validate(read_knowledge_file("synth.yaml"))


class KnowledgeExtension(_Frozen):
    """A YAML file in a knowledge folder of your own: entries added to (or replacing) the built-in ones."""

    patterns: dict[PatternId, dict[str, Any]] = Field(default_factory=dict)
    technologies: tuple[dict[str, Any], ...] = ()
    traits: dict[Trait, dict[str, Any]] = Field(default_factory=dict)
    products: tuple[dict[str, Any], ...] = ()
    blocks: dict[str, dict[str, Any]] = Field(default_factory=dict)


def _extensions(directory: Path) -> list[tuple[Path, KnowledgeExtension]]:
    found = []
    for path in sorted([*Path(directory).glob("*.yaml"), *Path(directory).glob("*.yml")]):
        data = read_yaml(path, "knowledge file")
        if data is None:
            continue
        try:
            extension = KnowledgeExtension.model_validate(data)
        except ValidationError as exc:
            raise InvalidRequest(f"knowledge file {str(path)!r}: {first_error(exc)}") from None
        _check_regexes(path, extension)
        found.append((path, extension))
    return found


def _check_regexes(path: Path, extension: KnowledgeExtension) -> None:
    """Compile every expression the file adds (on RE2, size-bounded), naming the file and key of one refused."""
    entries = [("patterns", pid, spec, pattern_regexes) for pid, spec in extension.patterns.items()]
    entries += [("blocks", bid, spec, block_regexes) for bid, spec in extension.blocks.items()]
    for section, entry_id, spec, regexes in entries:
        for key, pattern in regexes(spec):
            try:
                knowledge_regex(pattern)
            except ValueError as exc:
                raise InvalidRequest(f"knowledge file {str(path)!r}: {section}.{entry_id}.{key}: {exc}") from None


@cache
def load_knowledge(extra_dirs: tuple[Path, ...] = ()) -> Knowledge:
    """The built-in knowledge, plus the YAML files of `extra_dirs` (parsed and validated once per process)."""
    patterns: dict[str, Any] = {pid: {"id": pid, **spec} for pid, spec in read_knowledge_file("patterns.yaml").items()}
    technologies: list[Any] = list(read_knowledge_file("technologies.yaml"))
    traits: dict[str, Any] = dict(read_knowledge_file("traits.yaml"))
    products: list[Any] = list(read_knowledge_file("products.yaml"))
    blocks: dict[str, Any] = {}
    for path in sorted((HERE / "blocks").glob("*.yaml")):
        entry = read_yaml(path, "knowledge file")
        blocks[entry["id"]] = entry
    origin = "the built-in knowledge"
    for directory in extra_dirs:
        for path, extension in _extensions(directory):
            origin = repr(str(path))
            patterns.update({pid: {"id": pid, **spec} for pid, spec in extension.patterns.items()})
            names = {normalise_name(str(t.get("name", ""))) for t in extension.technologies}
            technologies = [t for t in technologies if normalise_name(t["name"]) not in names]
            technologies += extension.technologies
            traits.update(extension.traits)
            products += extension.products
            blocks.update({bid: {"id": bid, **spec} for bid, spec in extension.blocks.items()})
    try:
        return Knowledge.model_validate(
            {"patterns": patterns, "technologies": technologies, "traits": traits, "products": products,
             "blocks": blocks, "estimation": read_knowledge_file("estimation.yaml"),
             "general": read_knowledge_file("general.yaml")}
        )  # fmt: skip
    except ValidationError as exc:
        raise InvalidRequest(f"the knowledge (last read: {origin}) is invalid: {first_error(exc)}") from None
