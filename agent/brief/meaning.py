"""Recognition by meaning: how close a request is to what each design is for.

Each design (a building block or an application) is described in the knowledge base by the sections that say
what it is for: a block's "When it applies" and "Requirements", an application's "Core characteristics" and
"Microservices"; `descriptions.yaml` adds each design's purpose in plain words and what people ask when they need
it without naming it. Their vectors are already in the FAISS index; a request's vector
(the one retrieval computes anyway) is compared with them, and a design's similarity is that of its closest
section. The index's own vectors are read back once per index; the plain-language requests of
`descriptions.yaml` are embedded once per machine and cached (`agent/brief/descriptions.py`).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from agent.brief.descriptions import description_vectors, descriptions, plain_words
from agent.ingest.index import LoadedIndex
from agent.knowledge import Knowledge
from agent.retrieval.embedders import Embedder

BLOCK_SECTIONS = ("when-it-applies", "requirements")
"""A block's sections that say what the block is for (the rest say how it is built)."""
PATTERN_KINDS = ("characteristics", "services")
"""An application's sections in the seed that say what it is for."""


HUB_NEIGHBOURS = 10
"""How many requests meant for other designs measure how much of a hub a design is."""
TOP_DESCRIPTIONS = 3
"""A design's closeness to a request's plain-language descriptions: the mean of its three closest. One close
sentence is often a coincidence of words; three close ones are a need."""


@dataclass(frozen=True)
class DesignVectors:
    """The purpose-section vectors and the description vectors of every design, with the design of each row."""

    designs: tuple[str, ...]
    owner: np.ndarray  # section row → index into `designs`
    matrix: np.ndarray  # rows: L2-normalised section vectors
    described: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))  # description row → design
    descriptions: np.ndarray = field(default_factory=lambda: np.empty((0, 0), dtype=np.float32))

    def similarities(self, vector: np.ndarray) -> dict[str, float]:
        """Cosine similarity of `vector` (one L2-normalised row) to each design: its closest purpose section,
        averaged with the mean of its closest descriptions where it has them, less how close the design comes to
        requests meant for other designs (see `_hubness`)."""
        if not len(self.matrix):
            return {}
        best = self._raw(np.asarray(vector, dtype=np.float32).reshape(1, -1))[:, 0] - self._hubness
        return {design: round(float(best[i]), 4) for i, design in enumerate(self.designs)}

    def _raw(self, queries: np.ndarray) -> np.ndarray:
        """The similarities of many queries (rows) at once: a row per design, a column per query."""
        best = np.full((len(self.designs), len(queries)), -1.0, dtype=np.float32)
        np.maximum.at(best, self.owner, self.matrix @ queries.T)
        if len(self.descriptions):
            described, slots = self._description_slots
            padded = np.vstack([self.descriptions @ queries.T, np.full((1, len(queries)), -np.inf)])
            scores = np.sort(padded[slots], axis=1)[:, -TOP_DESCRIPTIONS:]  # designs x closest x queries
            kept = np.isfinite(scores)
            closest = np.where(kept, scores, 0).sum(axis=1) / kept.sum(axis=1)
            best[described] = 0.5 * best[described] + 0.5 * closest
        return best

    @cached_property
    def _hubness(self) -> np.ndarray:
        """How close each design comes, on average, to its ten closest requests meant for other designs, less the
        designs' mean. A design described in broad words is near every request (a hub) and would win requests
        of its neighbours; subtracting what is above the mean (cross-domain similarity local scaling, one-sided:
        raising the narrowest designs made them claim requests no design fits) puts designs on one footing."""
        if not len(self.descriptions):
            return np.zeros(len(self.designs), dtype=np.float32)
        raw = self._raw(self.descriptions)  # every plain-language request, as if asked
        raw[np.arange(len(self.designs))[:, None] == self.described[None, :]] = -np.inf  # not a design's own
        nearest = np.sort(raw, axis=1)[:, -HUB_NEIGHBOURS:]
        hub = np.where(np.isfinite(nearest), nearest, 0).mean(axis=1)
        return np.maximum(hub - hub.mean(), 0).astype(np.float32)  # hubs are lowered; no design is raised

    @cached_property
    def _description_slots(self) -> tuple[np.ndarray, np.ndarray]:
        """The designs with descriptions, and for each the rows of its descriptions (padded with one past the
        last row), so a query's closest descriptions are found for every design at once."""
        described = np.unique(self.described)
        rows = [np.flatnonzero(self.described == i) for i in described]
        slots = np.full((len(rows), max(len(r) for r in rows)), len(self.described), dtype=np.int64)
        for n, r in enumerate(rows):
            slots[n, : len(r)] = r
        return described, slots


def _design_of(chunk_id: str, pattern: str | None, kind: str, knowledge: Knowledge) -> str | None:
    """The design a chunk describes the purpose of, or None when it says how something is built."""
    block = knowledge.block_of_chunk(chunk_id)
    if block is not None:
        return block if chunk_id.rsplit("/", 1)[-1] in BLOCK_SECTIONS else None
    if pattern in knowledge.patterns and kind in PATTERN_KINDS:
        return pattern
    return None


_CACHE: dict[tuple[int, int, int], DesignVectors] = {}
_LOCK = threading.Lock()


def design_vectors(index: LoadedIndex, knowledge: Knowledge, embedder: Embedder | None = None) -> DesignVectors:
    """The designs' section vectors read back from `index` (flat inner-product index: exact copies), and, with an
    `embedder`, the vectors of the plain-language requests in `descriptions.yaml`."""
    key = (id(index), id(knowledge), id(embedder))
    with _LOCK:
        cached = _CACHE.get(key)
        if cached is not None:
            return cached
        faiss_index: Any = index.vectors
        designs: dict[str, int] = {}
        owners, rows = [], []
        for row, chunk in enumerate(index.chunks):
            design = _design_of(chunk.id, chunk.pattern, chunk.kind, knowledge)
            if design is None:
                continue
            owners.append(designs.setdefault(design, len(designs)))
            rows.append(faiss_index.reconstruct(row))
        dim = int(getattr(faiss_index, "d", 0))
        if embedder is not None:
            paragraphs = _paragraphs(index, knowledge, designs)
            rows += list(description_vectors(embedder, paragraphs))
            owners += [designs[d] for d, _ in paragraphs]
        matrix = np.vstack(rows).astype(np.float32) if rows else np.empty((0, dim), dtype=np.float32)
        known = [(d, t) for d, t in descriptions() if d in designs] if embedder is not None else []
        described = np.asarray([designs[d] for d, _ in known], dtype=np.int64)
        asked = description_vectors(embedder, known) if embedder is not None and known else np.empty((0, dim))
        cached = _CACHE[key] = DesignVectors(tuple(designs), np.asarray(owners, dtype=np.int64), matrix, described,
                                             np.asarray(asked, dtype=np.float32))  # fmt: skip
        return cached


def _paragraphs(index: LoadedIndex, knowledge: Knowledge, designs: Mapping[str, int]) -> list[tuple[str, str]]:
    """Each design's plain-words paragraph, read with the purpose section its entry cites."""
    texts = {c.id: c.embedding_text() for c in index.chunks}
    cites = {**{b: spec.cite for b, spec in knowledge.blocks.items()},
             **{p: spec.cite for p, spec in knowledge.patterns.items()}}  # fmt: skip
    return [(d, f"{texts.get(cites.get(d, ''), '')}\n\n{t}".strip()) for d, t in plain_words() if d in designs]


# P(the closest design is the one meant | its similarity s and its lead over the next design), a logistic fit on
# requests written outside the team (benchmarks/recognition_calibration.py prints the fit and its calibration error)
LEVEL = 0.45
LEVEL_SLOPE = 10.54
LEAD_SLOPE = 22.09
BIAS = 0.76


MIN_WORDS = 7
"""Below this many words a sentence embedding is swayed by any one word ("a personal blog" lands on social
media): such requests are read by their words alone."""


def has_meaning(text: str) -> bool:
    """Whether `text` is long enough for its meaning to be read (see MIN_WORDS)."""
    return len(re.findall(r"[\w'-]+", text)) >= MIN_WORDS


_KIN: dict[int, dict[str, frozenset[str]]] = {}


def kin_of(knowledge: Knowledge) -> dict[str, frozenset[str]]:
    """Designs that do not compete for a request: a block and the application it is the core of or composes
    with ("a group chat" means the chat block and a messaging app alike)."""
    cached = _KIN.get(id(knowledge))
    if cached is None:
        cached = _KIN[id(knowledge)] = _kin(knowledge)
    return cached


def _kin(knowledge: Knowledge) -> dict[str, frozenset[str]]:
    kin: dict[str, set[str]] = {}
    for block_id, spec in knowledge.blocks.items():
        for other in (spec.pattern, *spec.composes_with):
            if other:
                kin.setdefault(block_id, set()).add(other)
                kin.setdefault(other, set()).add(block_id)
    return {design: frozenset(others) for design, others in kin.items()}


def meaning_confidence(
    similarities: dict[str, float], kin: Mapping[str, frozenset[str]] | None = None
) -> dict[str, float]:
    """How sure the meaning alone is of each design: high only for a close design well ahead of every other
    design that competes with it (its kin do not, unless closer)."""
    if not similarities:
        return {}
    kin = kin or {}
    ranked = sorted(similarities.items(), key=lambda item: -item[1])
    out = {}
    for design, similarity in similarities.items():
        related = kin.get(design, frozenset())
        # kin further away do not compete; a closer kin does: the request means it more than this design
        rival = next((s for d, s in ranked if d != design and (d not in related or s > similarity)), 0.0)
        z = BIAS + LEVEL_SLOPE * (similarity - LEVEL) + LEAD_SLOPE * (similarity - rival)
        out[design] = round(1.0 / (1.0 + float(np.exp(-z))), 3)
    return out
