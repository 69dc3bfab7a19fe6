"""The machine-readable half of the knowledge base: patterns, technologies, traits, tiers, general design.

The YAML files beside this module are written by hand from the document, and every entry names the chunk id
that supports it (a test fails when a cited chunk does not exist). `load_knowledge()` parses and validates
them once.

A folder of your own knowledge (the one you index with `sysdesign index build --kb DIR`) may hold YAML files
beside its markdown chapters; each is a `KnowledgeExtension` (top-level keys `patterns`, `technologies`,
`traits`, `products`) and adds to or replaces the built-in entries of the same id. Adding an application pattern
is therefore a markdown chapter plus a YAML entry, with no code change.
"""

from agent.knowledge.loading import (
    CapacityInput,
    CapacityTable,
    KnowledgeExtension,
    SynthPhrasings,
    capacity_table,
    load_knowledge,
    read_knowledge_file,
    synth_phrasings,
)
from agent.knowledge.models import (
    ComponentSpec,
    Knowledge,
    PatternSpec,
    ProductSpec,
    ServiceSpec,
    Technology,
    Trait,
    normalise_name,
)
from agent.schema import TIERS, Tier

__all__ = [
    "TIERS",
    "CapacityInput",
    "CapacityTable",
    "ComponentSpec",
    "Knowledge",
    "KnowledgeExtension",
    "PatternSpec",
    "ProductSpec",
    "ServiceSpec",
    "SynthPhrasings",
    "Technology",
    "Tier",
    "Trait",
    "capacity_table",
    "load_knowledge",
    "normalise_name",
    "read_knowledge_file",
    "synth_phrasings",
]
