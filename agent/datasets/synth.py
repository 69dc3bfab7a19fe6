"""Synthetic training examples: varied requests for every pattern, block and beyond, each with its checked design.

Same seed, same output, in one process or many (`agent.datasets.stream`). Requests are deduplicated by their
content words; the split is made by template, so no frame is in two files; a label audit drops (or flags)
rows the engine read differently from what they were made to be; requests that copy an evaluation set's are
left out. `write_lines` writes JSONL, chat or alpaca; `write_hf` a Hugging Face dataset (`agent.datasets.hf`).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from agent.datasets.audit import AuditReport
from agent.datasets.decontaminate import Decontaminator
from agent.datasets.stream import AuditMode, Row, rows
from agent.datasets.target import SYSTEM, compact, messages
from agent.knowledge import synth_phrasings
from agent.paths import bundled
from agent.pipeline import Engine
from agent.retrieval.bm25 import STOP_WORDS

Format = Literal["jsonl", "chat", "alpaca", "hf"]
INSTRUCTION = "Design a software architecture for this request. Answer with the architecture document as JSON."
__all__ = ["SYSTEM", "Options", "SynthResult", "generate", "near_key", "render", "split", "write_hf", "write_lines"]

# words that do not change what is asked for ("Build a X" and "X" are the same request)
FILLER = frozenset({"a", "an", "build", "design", "create", "make", "develop", "something", "i", "we", "like"})


def near_key(request: str) -> str:
    """Requests with the same content words are near-duplicates."""
    words = {w for w in re.findall(r"[a-z0-9]+", request.lower()) if w not in STOP_WORDS and w not in FILLER}
    return " ".join(sorted(words))


class Options(BaseModel):
    """What a run makes: how many rows, from which seed, which part, how audited and cleaned."""

    n: int
    seed: int = 7
    workers: int = 1
    shard: tuple[int, int] = (0, 1)
    audit: AuditMode = "drop"
    train_share: float | None = None
    decontaminate: tuple[Path, ...] = ()
    evals: bool = True  # also decontaminate against the bundled evals/
    shard_rows: int = 10_000
    ray: bool = False
    ray_address: str | None = None


def template_splits(train_share: float, names: list[str] | None = None) -> dict[str, str]:
    """Template id → split: ordered by a hash of the id, the first templates go to validation, the next to test."""
    names = sorted(names if names is not None else synth_phrasings().frames)
    order = sorted(names, key=lambda n: hashlib.blake2b(n.encode(), digest_size=8).digest())
    held = max(1, round(len(order) * (1 - train_share) / 2))
    return {name: "validation" if i < held else "test" if i < 2 * held else "train" for i, name in enumerate(order)}


def _decontaminator(options: Options) -> Decontaminator | None:
    paths = [*options.decontaminate]
    if options.evals and bundled("evals").is_dir():
        paths.insert(0, bundled("evals"))
    return Decontaminator(paths, root=bundled("evals").parent) if paths else None


def _rows(options: Options, engine: Engine, progress, cleaner) -> Iterator[Row]:
    if options.ray:
        from agent.datasets.ray_synth import rows_on_ray

        return rows_on_ray(engine, options.n, options.seed, workers=options.workers, address=options.ray_address,
                           shard=options.shard, decontaminator=cleaner, progress=progress)  # fmt: skip
    return rows(engine, options.n, options.seed, workers=options.workers, shard=options.shard,
                decontaminator=cleaner, progress=progress)  # fmt: skip


def _kept(options: Options, engine: Engine, report: AuditReport, progress, cleaner) -> Iterator[Row]:
    for row in _rows(options, engine, progress, cleaner):
        if row.errors:
            continue  # never happens with the kb drafter; a design with an error finding is not a target
        drop = options.audit == "drop" and row.audit.verdict != "ok"
        report.add(row.request.prompt, row.request.template, row.audit, dropped=drop)
        if not drop:
            yield row


@dataclass
class SynthResult:
    examples: list[dict[str, Any]]
    summary: dict[str, Any] = field(default_factory=dict)


def _example(row: Row) -> dict[str, Any]:
    request = row.request
    return {"request": request.prompt, "architecture": row.architecture, "template": request.template,
            "intended": request.intended.model_dump(exclude_none=True), "audit": row.audit.model_dump()}  # fmt: skip


def generate(engine: Engine, n: int, seed: int, progress: Callable[[int, int], None] | None = None,
             workers: int = 1, audit: AuditMode = "flag") -> SynthResult:  # fmt: skip
    """`n` unique requests (fewer if the phrasings run out) with their checked architectures, in a list (the
    command streams them instead)."""
    options = Options(n=n, seed=seed, workers=workers, audit=audit, evals=False)
    report = AuditReport()
    examples = [_example(r) for r in _kept(options, engine, report, progress, None)]
    summary = {
        "examples": len(examples),
        "requested": n,
        "rejected_with_errors": 0,
        "audit": report.model_dump(),
        "patterns": dict(Counter(e["architecture"]["pattern"]["id"] for e in examples).most_common()),
        "tiers": dict(Counter(e["architecture"]["estimate"]["tier"] for e in examples).most_common()),
        "traits": dict(Counter(t for e in examples for t in e["architecture"]["traits"]).most_common()),
    }
    return SynthResult(examples, summary)


def render(example: dict[str, Any], fmt: Format) -> str:
    """One example as a line of the chosen format (chat and alpaca carry the compact target)."""
    document = json.dumps(compact(example["architecture"]), ensure_ascii=False)
    if fmt == "chat":
        return json.dumps({"messages": messages(example["request"], document)}, ensure_ascii=False)
    if fmt == "alpaca":
        return json.dumps({"instruction": INSTRUCTION, "input": example["request"], "output": document},
                          ensure_ascii=False)  # fmt: skip
    return json.dumps(example, ensure_ascii=False)


def split(examples: list[dict[str, Any]], train_share: float, seed: int) -> tuple[list, list]:
    """A deterministic train/validation split of a list (requests are unique, so none lands in both)."""
    order = list(range(len(examples)))
    random.Random(seed + 1).shuffle(order)
    cut = round(len(examples) * train_share)
    return [examples[i] for i in sorted(order[:cut])], [examples[i] for i in sorted(order[cut:])]


def _summary(options: Options, audit: AuditReport, cleaner: Decontaminator | None, coverage: dict) -> dict:
    return {"rows": sum(coverage["subject_kinds"].values()), "audit": audit.model_dump(),
            "decontamination": cleaner.report.model_dump() if cleaner else {},
            "patterns": coverage["patterns"], "blocks": len(coverage["blocks"])}  # fmt: skip


def _count(coverage: dict[str, Counter], row: Row) -> None:
    coverage["subject_kinds"][row.request.intended.subject_kind] += 1
    coverage["patterns"][(row.architecture.get("pattern") or {}).get("id", "other")] += 1
    coverage["blocks"].update(row.request.intended.blocks)
    coverage["templates"][row.request.template] += 1


def write_lines(engine: Engine, options: Options, files: dict[str, Path], fmt: Format, progress=None) -> dict:
    """Stream the rows into JSONL files, one per split named in `files` ('all', or 'train' and 'validation')."""
    audit, cleaner = AuditReport(), _decontaminator(options)
    coverage: dict[str, Counter] = {k: Counter() for k in ("subject_kinds", "patterns", "blocks", "templates")}
    splits = template_splits(options.train_share or 0.9)
    temporary = {name: path.with_name(path.name + ".part") for name, path in files.items()}
    handles = {name: path.open("w", encoding="utf-8") for name, path in temporary.items()}
    counts: Counter[str] = Counter()
    try:
        for row in _kept(options, engine, audit, progress, cleaner):
            name = "all" if "all" in files else "train" if splits[row.request.template] == "train" else "validation"
            handles[name].write(render(_example(row), fmt) + "\n")
            counts[name] += 1
            _count(coverage, row)
    finally:
        for handle in handles.values():
            handle.close()
    for name, path in files.items():
        os.replace(temporary[name], path)
    return {**_summary(options, audit, cleaner, coverage), "files": {str(files[k]): counts[k] for k in files}}


def write_hf(engine: Engine, options: Options, folder: Path, progress=None) -> dict:
    """Stream the rows into Parquet shards under `folder`, leave this run's statistics, (re)write the card."""
    from agent.datasets import hf
    from agent.datasets.card import card, knowledge_version

    shards = hf.ParquetShards(folder, options.shard, options.shard_rows)  # fails first when pyarrow is missing
    audit, cleaner = AuditReport(), _decontaminator(options)
    coverage: dict[str, Counter] = {k: Counter() for k in ("subject_kinds", "patterns", "blocks", "templates")}
    splits = template_splits(options.train_share or 0.8)
    lengths: Counter[int] = Counter()  # target lengths in hundreds of characters: a median in constant memory
    for row in _kept(options, engine, audit, progress, cleaner):
        shards.add(splits[row.request.template], row)
        _count(coverage, row)
        lengths[len(row.target) // 100] += 1
    counts = shards.close()
    index, count = options.shard
    parameters = options.model_dump(mode="json", exclude={"shard", "shard_rows"})
    stats = {"shard": [index, count], "parameters": parameters, "splits": counts, "audit": audit.model_dump(),
             "decontamination": cleaner.report.model_dump(mode="json") if cleaner else {},
             "coverage": {k: dict(v) for k, v in coverage.items()}, "templates": splits,
             "target_length_hundreds": dict(lengths), "knowledge": knowledge_version(),
             "all_blocks": sorted(engine.knowledge.blocks)}  # fmt: skip
    hf.write_json(folder / "stats" / f"shard{index:04d}-of-{count:04d}.json", stats)
    (folder / "README.md").write_text(card(folder, hf.features_yaml(), hf.COLUMNS), encoding="utf-8")
    return {**_summary(options, audit, cleaner, coverage), "splits": counts, "folder": str(folder)}
