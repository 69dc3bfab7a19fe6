"""The Brief: the one typed reading of a request that every later stage takes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from agent.schema import BlockChoice, Coverage, PatternChoice, Requirements, TierId

TraitSource = Literal["request", "pattern", "block", "product", "declared"]
Decider = Literal["request", "pattern", "declared", "model"]


class TraitReading(BaseModel):
    """A workload trait with where it came from: the request's words, the pattern, a block, a named product."""

    model_config = ConfigDict(frozen=True)

    name: str
    source: TraitSource
    words: tuple[str, ...] = ()


class TierDecision(BaseModel):
    """The complexity tier and services band, with the reason and who decided."""

    model_config = ConfigDict(frozen=True)

    tier: TierId
    band: tuple[int, int]
    reason: str
    decided_by: Decider


class Brief(BaseModel):
    """What a request asks for, read once: recognition by words and meaning, requirements, tier, coverage."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    request: str
    pattern: PatternChoice
    blocks: tuple[BlockChoice, ...] = ()
    traits: tuple[TraitReading, ...] = ()
    scope: dict[str, tuple[str, ...]] = Field(
        default_factory=dict, description="Signals of scope: small, enterprise and large-scale words or figures."
    )
    requirements: Requirements = Field(default_factory=Requirements)
    tier: TierDecision
    coverage: Coverage
    meaning: dict[str, float] = Field(default_factory=dict, description="How surely the request means each design.")
