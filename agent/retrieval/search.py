"""Hybrid retrieval: dense (FAISS) and lexical (BM25) rankings fused with reciprocal rank fusion.

Dense retrieval finds paraphrases ("drivers near a rider" → geospatial indexing); BM25 finds exact terms
the embedding blurs ("Cassandra", "HIPAA"). Reciprocal rank fusion (Cormack et al., 2009) adds
1 / (60 + rank) from each list, so neither score scale dominates.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import numpy as np

from agent.errors import InvalidRequest
from agent.ingest.index import LoadedIndex, ensure_index
from agent.paths import default_index
from agent.retrieval.bm25 import BM25
from agent.retrieval.embedders import DEFAULT_MODEL, Embedder, query_embedder
from agent.schema import Hit

MAX_QUERY_CHARS = 20_000
RRF_K = 60
CANDIDATES = 50
"""How deep each ranking is read before fusion."""
Mode = Literal["hybrid", "dense", "lexical"]


def validate_text(value: object, what: str, example: str) -> str:
    """`value` stripped; InvalidRequest (naming `what` and showing `example`) when it is not usable text."""
    if not isinstance(value, str):
        raise InvalidRequest(f"the {what} must be text, not {type(value).__name__}")
    text = value.strip()
    if not text:
        raise InvalidRequest(f"the {what} is empty; {example}")
    if len(text) > MAX_QUERY_CHARS:
        raise InvalidRequest(f"the {what} has {len(text):,} characters; the limit is {MAX_QUERY_CHARS:,}")
    if any("\ud800" <= char <= "\udfff" for char in text):  # lone surrogates: bytes that were not UTF-8
        raise InvalidRequest(f"the {what} is not valid UTF-8 text; {example}")
    if not any(char.isalnum() for char in text):  # only punctuation, spaces or zero-width characters
        raise InvalidRequest(f"the {what} has no words in it; {example}")
    return text


def validate_query(query: object) -> str:
    """The query, stripped; InvalidRequest when it is not usable text."""
    return validate_text(query, "query", "say what you want to know, e.g. 'what database for a cart'")


def validate_k(k: object) -> int:
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise InvalidRequest(f"k must be a positive whole number, not {k!r}")
    return k


def validate_pattern(pattern: str | None, known: Sequence[str]) -> str | None:
    """`pattern` when the index has sections tagged with it (or None); InvalidRequest listing the known ones."""
    if pattern is not None and pattern not in known:
        raise InvalidRequest(f"unknown pattern {pattern!r}; known: {', '.join(known)}")
    return pattern


class Retriever:
    """Searches one index; load once and share (searching is thread-safe)."""

    def __init__(self, index: LoadedIndex, embedder: Embedder | None = None, model: str = DEFAULT_MODEL) -> None:
        self.index = index
        self._model = model
        self._embedder = embedder
        self._lock = threading.Lock()

    @classmethod
    def open(cls, path: Path | None = None, model: str = DEFAULT_MODEL) -> Retriever:
        """Load (building on first use) the index at `path`."""
        return cls(ensure_index(Path(path) if path is not None else default_index(), model), model=model)

    @property
    def embedder(self) -> Embedder:
        with self._lock:  # two threads must not both load the model
            if self._embedder is None:
                self._embedder = query_embedder(self._model)
            return self._embedder

    @cached_property
    def _bm25(self) -> BM25:
        return BM25.kept([chunk.embedding_text() for chunk in self.index.chunks])

    @cached_property
    def _patterns(self) -> np.ndarray:
        return np.asarray([chunk.pattern or "" for chunk in self.index.chunks])

    @cached_property
    def patterns(self) -> tuple[str, ...]:
        """The pattern tags the indexed sections carry, in order of first appearance."""
        return tuple(dict.fromkeys(chunk.pattern for chunk in self.index.chunks if chunk.pattern))

    def embed(self, query: str) -> np.ndarray:
        """The query's vector (one L2-normalised row), to pass to `search` and to recognition by meaning."""
        return self.embedder.embed([validate_query(query)])

    def search_many(self, queries: list[str], k: int = 5) -> list[list[Hit]]:
        """`search` for many queries at once: the embeddings are computed in batches (several times faster)."""
        queries = [validate_query(q) for q in queries]
        vectors = self.embedder.embed(queries) if queries else np.empty((0, 0), dtype=np.float32)
        return [self.search(q, k, vector=vectors[i : i + 1]) for i, q in enumerate(queries)]

    def search(
        self,
        query: str,
        k: int = 5,
        pattern: str | None = None,
        mode: Mode = "hybrid",
        vector: np.ndarray | None = None,
    ) -> list[Hit]:
        """The `k` chunks that best answer `query`, best first; `pattern` keeps only that pattern's chunks."""
        query, k, pattern = validate_query(query), validate_k(k), validate_pattern(pattern, self.patterns)
        allowed = None if pattern is None else np.flatnonzero(self._patterns == pattern)
        depth = max(CANDIDATES, k)
        dense = self._dense(query, depth, allowed, vector) if mode != "lexical" else []
        lexical = self._lexical(query, depth, allowed) if mode != "dense" else []
        fused: dict[int, float] = {}
        for ranking in (dense, lexical):
            for rank, (row, _) in enumerate(ranking, start=1):
                fused[row] = fused.get(row, 0.0) + 1.0 / (RRF_K + rank)
        dense_at = {row: (rank, score) for rank, (row, score) in enumerate(dense, start=1)}
        lexical_at = {row: (rank, score) for rank, (row, score) in enumerate(lexical, start=1)}
        # ties (a chunk at the same rank in one list only) fall back to the dense score, then document order
        order = sorted(fused, key=lambda row: (-fused[row], -dense_at.get(row, (0, -1.0))[1], row))
        hits = []
        for row in order[:k]:
            chunk = self.index.chunks[row]
            d_rank, d_score = dense_at.get(row, (None, None))
            l_rank, l_score = lexical_at.get(row, (None, None))
            hits.append(
                Hit(
                    chunk_id=chunk.id,
                    heading_path=chunk.heading_path,
                    text=chunk.text,
                    pattern=chunk.pattern,
                    kind=chunk.kind,
                    score=round(fused[row], 6),
                    dense_score=None if d_score is None else round(float(d_score), 6),
                    lexical_score=None if l_score is None else round(float(l_score), 6),
                    dense_rank=d_rank,
                    lexical_rank=l_rank,
                )
            )
        return hits

    def _dense(
        self, query: str, depth: int, allowed: np.ndarray | None, vector: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        vector = self.embedder.embed([query]) if vector is None else vector
        vectors: Any = self.index.vectors  # a faiss.Index (faiss ships no type information)
        total = vectors.ntotal
        fetch = min(total, depth if allowed is None else max(depth * 20, 1000))
        scores, rows = vectors.search(vector, fetch)
        ranking = [(int(r), float(s)) for r, s in zip(rows[0], scores[0], strict=True) if r >= 0]
        if allowed is not None:
            keep = set(allowed.tolist())
            ranking = [(r, s) for r, s in ranking if r in keep]
        return ranking[:depth]

    def _lexical(self, query: str, depth: int, allowed: np.ndarray | None) -> list[tuple[int, float]]:
        scores = self._bm25.scores(query)
        if allowed is not None:
            masked = np.zeros_like(scores)
            masked[allowed] = scores[allowed]
            scores = masked
        count = min(depth, int(np.count_nonzero(scores)))
        if count == 0:
            return []
        top = np.argpartition(-scores, count - 1)[:count]
        top = top[np.lexsort((top, -scores[top]))]
        return [(int(row), float(scores[row])) for row in top]
