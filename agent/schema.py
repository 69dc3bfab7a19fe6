"""Pydantic models of the retrieval stage: chunks of the knowledge base and search hits."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

PatternId = Literal["social_media", "video_streaming", "messaging", "ride_hailing", "ecommerce", "other"]
PATTERN_IDS: tuple[PatternId, ...] = (
    "social_media",
    "video_streaming",
    "messaging",
    "ride_hailing",
    "ecommerce",
    "other",
)

ChunkKind = Literal[
    "guide",
    "principle",
    "characteristics",
    "technology",
    "services",
    "flow",
    "decision",
    "scaling",
    "decomposition",
    "estimate",
    "mistake",
    "rule",
    "other",
]


class Chunk(BaseModel):
    """A self-contained section of a knowledge-base document."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="Stable id derived from the heading path, e.g. 'core-principles/cap-theorem'.")
    heading_path: tuple[str, ...] = Field(description="Headings from the document's top section down.")
    text: str = Field(description="The markdown of the section (or of one piece of it).")
    source: str = Field(description="The document the chunk comes from, relative to its knowledge-base folder.")
    span: tuple[int, int] = Field(description="Character offsets [start, end) of `text` in the source.")
    pattern: PatternId | None = Field(default=None, description="Application pattern the section belongs to.")
    kind: ChunkKind = "other"
    tokens: int = Field(default=0, description="Word pieces of the embedded text (heading path + text).")

    def embedding_text(self) -> str:
        """The text that is embedded and searched: the heading path gives a short piece its context."""
        return " > ".join(self.heading_path) + "\n" + self.text


class Hit(BaseModel):
    """One search result: a chunk with its scores."""

    model_config = ConfigDict(frozen=True)

    chunk_id: str
    heading_path: tuple[str, ...]
    text: str
    pattern: PatternId | None
    kind: ChunkKind
    score: float = Field(description="Fused reciprocal-rank score (higher is better).")
    dense_score: float | None = Field(description="Cosine similarity, or None when not in the dense top list.")
    lexical_score: float | None = Field(description="BM25 score, or None when not in the lexical top list.")
    dense_rank: int | None = None
    lexical_rank: int | None = None
