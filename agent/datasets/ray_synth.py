"""Synthetic rows drafted on a Ray cluster: the same per-row work as `stream.rows`, run by Ray Data actors.

The driver chooses which candidates become rows (cheap, and it must see them in order to skip duplicates and
contaminated requests) and keeps only their candidate numbers; each actor rebuilds a batch's requests from
(seed, candidate number), embeds them together and drafts them, exactly as one process would. Rows come back in
row order, so the files written are the single-process run's.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from agent.datasets.decontaminate import Decontaminator
from agent.datasets.requests import Catalogue
from agent.datasets.stream import BATCH, Row, draft_batch, drafting_engine, select, shard_range
from agent.evaluation.ray_grading import ray_session
from agent.knowledge import synth_phrasings
from agent.pipeline import Engine


class _DraftBatches:
    """A Ray Data actor: one drafting engine and the request catalogue, many batches."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.drafter = drafting_engine(Engine())
        self.catalogue = Catalogue(self.drafter[0].knowledge, synth_phrasings())

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        drafted = []
        for first, indices in zip(batch["first"], batch["indices"], strict=True):
            requests = [self.catalogue.candidate(self.seed, int(i)) for i in json.loads(indices)]
            rows = draft_batch(list(enumerate(requests, start=int(first))), self.drafter)
            drafted.append(json.dumps([row.model_dump(mode="json") for row in rows]))
        return {"first": batch["first"], "rows": drafted}


def rows_on_ray(engine: Engine, n: int, seed: int, *, workers: int = 2, address: str | None = None,
                shard: tuple[int, int] = (0, 1), decontaminator: Decontaminator | None = None,
                progress: Callable[[int, int], None] | None = None) -> Iterator[Row]:  # fmt: skip
    """The rows `stream.rows` makes for this shard, drafted by `workers` actors on the cluster at `address`."""
    ray = ray_session(address, "--ray")
    first_batch, last_batch = shard_range(-(-n // BATCH), shard)
    chosen = [r.index for number, r in enumerate(select(engine, n, seed, decontaminator))
              if first_batch * BATCH <= number < last_batch * BATCH]  # fmt: skip
    offset = first_batch * BATCH
    items = [{"first": offset + start, "indices": json.dumps(chosen[start : start + BATCH])}
             for start in range(0, len(chosen), BATCH)]  # fmt: skip
    if not items:
        return
    drafted = ray.data.from_items(items).map_batches(
        _DraftBatches, fn_constructor_kwargs={"seed": seed}, batch_size=1, concurrency=workers
    )
    done = 0
    for record in drafted.iter_rows():
        rows = [Row.model_validate(row) for row in json.loads(record["rows"])]
        done += len(rows)
        if progress:
            progress(done, len(chosen))
        yield from rows
