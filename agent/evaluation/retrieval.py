"""Retrieval quality on labelled queries: recall@1, recall@5 and MRR for dense, BM25 and hybrid.

A query counts as found at k when at least one of its labelled chunks is in the top k (the labels list
every chunk that answers it, and one is enough for a reader); MRR uses the rank of the first labelled chunk.
"""

from __future__ import annotations

from pathlib import Path
from typing import get_args

from pydantic import BaseModel

from agent.errors import InvalidRequest
from agent.files import jsonl_records
from agent.paths import bundled
from agent.retrieval.search import Mode, Retriever

RETRIEVAL_CASES = bundled("evals", "retrieval.jsonl")


class RetrievalCase(BaseModel):
    query: str
    relevant: list[str]


class RetrievalScore(BaseModel):
    mode: Mode
    queries: int
    recall_at_1: float
    recall_at_5: float
    mrr: float
    misses: list[str]
    """Queries with no labelled chunk in the top 5."""
    block_queries: int = 0
    """Queries about one building block (every label in one `blocks/` chapter)."""
    block_chapter_at_1: float | None = None
    """Of those, the share whose first hit is in that block's chapter (any of its sections)."""


def load_cases(path: Path = RETRIEVAL_CASES) -> list[RetrievalCase]:
    """Read a JSONL file of {"query", "relevant"} objects; InvalidRequest names the bad line."""
    cases = []
    for number, record in jsonl_records(Path(path), RetrievalCase, "retrieval cases"):
        if not isinstance(record, RetrievalCase):
            raise InvalidRequest(f"{str(path)!r} line {number} is not a retrieval case: {record}")
        cases.append(record)
    if not cases:
        raise InvalidRequest(f"{str(path)!r} holds no retrieval cases")
    return cases


def unknown_labels(cases: list[RetrievalCase], retriever: Retriever) -> list[str]:
    """Labelled chunk ids that the index does not contain (a label gone stale after a document edit)."""
    known = {chunk.id for chunk in retriever.index.chunks}
    return sorted({chunk_id for case in cases for chunk_id in case.relevant} - known)


def block_chapter(case: RetrievalCase) -> str | None:
    """The block chapter a query is about, when all its labels are sections of one (`blocks/<name>/`)."""
    chapters = {chunk_id.rsplit("/", 1)[0] for chunk_id in case.relevant}
    chapter = chapters.pop() if len(chapters) == 1 else None
    return chapter if chapter and chapter.startswith("blocks/") else None


def score(cases: list[RetrievalCase], retriever: Retriever, mode: Mode) -> RetrievalScore:
    """Recall@1, recall@5 and MRR (over the top 10) of one retrieval mode, and how often a question about a
    building block gets that block's chapter first."""
    at1 = at5 = reciprocal = 0.0
    misses = []
    block_queries = block_first = 0
    for case in cases:
        ranked = [hit.chunk_id for hit in retriever.search(case.query, k=10, mode=mode)]
        if chapter := block_chapter(case):
            block_queries += 1
            block_first += bool(ranked) and ranked[0].startswith(chapter + "/")
        first = next((rank for rank, chunk_id in enumerate(ranked, 1) if chunk_id in case.relevant), None)
        at1 += first == 1
        at5 += first is not None and first <= 5
        reciprocal += 1 / first if first else 0.0
        if first is None or first > 5:
            misses.append(case.query)
    n = len(cases)
    return RetrievalScore(
        mode=mode, queries=n, recall_at_1=round(at1 / n, 3), recall_at_5=round(at5 / n, 3),
        mrr=round(reciprocal / n, 3), misses=misses, block_queries=block_queries,
        block_chapter_at_1=round(block_first / block_queries, 3) if block_queries else None,
    )  # fmt: skip


def evaluate(retriever: Retriever, path: Path = RETRIEVAL_CASES) -> list[RetrievalScore]:
    """Score every mode on the cases in `path`."""
    cases = load_cases(path)
    if stale := unknown_labels(cases, retriever):
        raise InvalidRequest(f"{str(path)!r} labels chunks the index lacks: {stale[:3]!r}")
    return [score(cases, retriever, mode) for mode in get_args(Mode)]
