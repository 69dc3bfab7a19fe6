"""Synthetic rows as a stream: choose the requests, draft them in batches (in worker processes if asked), audit.

Which candidate becomes row `i` depends only on the seed and the candidates before it (duplicates and
contaminated requests are skipped), so a shard re-makes the cheap candidates before its own rows and drafts
only these: `--shard I/N` and `--workers N` give the rows of one process, in its order. Batches are cut at the
same row numbers in every case, so each request is embedded beside the same neighbours.
Memory is bounded: the set of 64-bit keys seen, the batches in flight, and nothing per row written.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from functools import cache
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from agent.datasets.audit import AuditResult, audit
from agent.datasets.decontaminate import Decontaminator
from agent.datasets.requests import Catalogue, SynthRequest
from agent.datasets.target import target_text
from agent.knowledge import synth_phrasings
from agent.pipeline import RETRIEVAL_DEPTH, Engine
from agent.retrieval.embedders import Embedder
from agent.retrieval.search import Retriever

BATCH = 64
ATTEMPTS = 50
"""Candidates tried per row wanted before the phrasings are taken as used up."""
AuditMode = Literal["drop", "flag"]


class Row(BaseModel):
    """A drafted row: the request, its full and compact designs, its labels and the audit's verdict."""

    model_config = ConfigDict(frozen=True)

    row: int
    request: SynthRequest
    architecture: dict[str, Any]
    target: str
    audit: AuditResult
    errors: bool = False


def shard_range(batches: int, shard: tuple[int, int]) -> tuple[int, int]:
    """The batches shard I of N drafts: whole batches, so each is embedded as in one process."""
    index, count = shard
    return batches * index // count, batches * (index + 1) // count


@cache
def _catalogue(engine: Engine) -> Catalogue:
    return Catalogue(engine.knowledge, synth_phrasings())


def select(engine: Engine, n: int, seed: int, decontaminator: Decontaminator | None = None) -> Iterator[SynthRequest]:
    """The first `n` candidates of `seed` that are neither near-duplicates nor contaminated (fewer when the
    phrasings run out)."""
    catalogue = _catalogue(engine)
    seen: set[int] = set()
    made = index = 0
    while made < n and index < n * ATTEMPTS:
        candidate = catalogue.candidate(seed, index)
        index += 1
        if candidate.key in seen:
            continue
        seen.add(candidate.key)
        if decontaminator is not None and not decontaminator.check(candidate.prompt):
            continue
        made += 1
        yield candidate


def _batches(requests: Iterator[SynthRequest], shard: tuple[int, int], n: int) -> Iterator[list[SynthRequest]]:
    first, last = shard_range(-(-n // BATCH), shard)
    batch: list[SynthRequest] = []
    for number, request in enumerate(requests):
        if number >= last * BATCH:
            return
        if number >= first * BATCH:
            batch.append(request)
            if len(batch) == BATCH:
                yield batch
                batch = []
    if batch:
        yield batch


class BatchVectors:
    """An embedder that answers from the vectors of the batch being drafted: the engine embeds a request read by
    meaning a second time, and on two busy cores each embedding costs 30-40 ms."""

    def __init__(self, inner: Embedder) -> None:
        self.inner, self.model_id = inner, inner.model_id
        self.kept: dict[str, np.ndarray] = {}

    @property
    def dim(self) -> int:
        return self.inner.dim

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if texts and all(text in self.kept for text in texts):
            return np.vstack([self.kept[text] for text in texts])
        return self.inner.embed(texts)

    def keep(self, texts: Sequence[str]) -> np.ndarray:
        """Embed `texts` together and answer them from now on (the previous batch's are forgotten)."""
        vectors = self.inner.embed(texts)
        self.kept = {text: vectors[i : i + 1] for i, text in enumerate(texts)}
        return vectors


def drafting_engine(base: Engine) -> tuple[Engine, BatchVectors]:
    """An engine over `base`'s index and knowledge whose embedder remembers the batch's vectors."""
    vectors = BatchVectors(base.retriever.embedder)
    retriever = Retriever(base.retriever.index, embedder=vectors, model=vectors.model_id)
    return Engine(retriever, knowledge=base.knowledge, estimation=base.estimation), vectors


_WORKER: tuple[Engine, BatchVectors] | None = None


def _init_worker() -> None:
    global _WORKER
    _WORKER = drafting_engine(Engine())


def draft_batch(batch: list[tuple[int, SynthRequest]], drafter: tuple[Engine, BatchVectors] | None = None) -> list[Row]:
    """Embed a batch's requests together, draft each, audit each against what it was meant to be."""
    drafter = drafter or _WORKER
    assert drafter is not None, "a worker drafts with the engine its initializer made"
    engine, memo = drafter
    prompts = [request.prompt for _, request in batch]
    vectors = memo.keep(prompts)
    hits = [engine.retriever.search(p, k=RETRIEVAL_DEPTH, vector=vectors[i : i + 1]) for i, p in enumerate(prompts)]
    rows = []
    for (number, request), found in zip(batch, hits, strict=True):
        document = engine.recommend(request.prompt, hits=found)
        errors = any(f.severity == "error" for f in document.findings)
        architecture = document.model_dump(mode="json", exclude_none=True)
        verdict = audit(request.intended, architecture, engine.knowledge)
        rows.append(Row(row=number, request=request, architecture=architecture, target=target_text(architecture),
                        audit=verdict, errors=errors))  # fmt: skip
    return rows


def rows(
    engine: Engine,
    n: int,
    seed: int,
    *,
    workers: int = 1,
    shard: tuple[int, int] = (0, 1),
    decontaminator: Decontaminator | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[Row]:
    """The drafted rows of this shard, in row order (each batch is drafted whole, in a worker when asked)."""
    numbered = _batches(select(engine, n, seed, decontaminator), shard, n)
    offset = shard_range(-(-n // BATCH), shard)[0] * BATCH
    done = 0

    def number(batch: list[SynthRequest]) -> list[tuple[int, SynthRequest]]:
        nonlocal offset
        items = list(enumerate(batch, start=offset))
        offset += len(batch)
        return items

    if workers <= 1:
        drafter = drafting_engine(engine)
        for batch in numbered:
            drafted = draft_batch(number(batch), drafter)
            done += len(drafted)
            if progress:
                progress(done, n)
            yield from drafted
        return
    context = multiprocessing.get_context("spawn")  # onnxruntime and threads do not survive fork
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker) as pool:
        pending: list[Future[list[Row]]] = []
        for batch in numbered:
            pending.append(pool.submit(draft_batch, number(batch)))
            if len(pending) > 2 * workers:  # a few batches in flight: memory stays bounded
                drafted = pending.pop(0).result()
                done += len(drafted)
                if progress:
                    progress(done, n)
                yield from drafted
        for future in pending:
            drafted = future.result()
            done += len(drafted)
            if progress:
                progress(done, n)
            yield from drafted
