"""Parquet shards in the Hugging Face layout, written as rows arrive: the one module that imports pyarrow.

`data/<split>/shard<I>-of-<N>-<k>.parquet`, a row group every `ROW_GROUP` rows and a new file every
`shard_rows`: memory holds one row group per split, whatever the number of rows.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agent.datasets.stream import Row
from agent.datasets.target import messages
from agent.errors import ML_EXTRA, InvalidRequest

ROW_GROUP = 1_000
SPLIT_ORDER = ("train", "validation", "test")
STRINGS = ("prompt", "target", "template", "subject_kind", "subject", "intended_pattern", "intended_load_unit",
           "intended_region", "intended_compliance", "audience", "brand", "typo", "read_pattern", "tier",
           "audit_verdict")  # fmt: skip
COLUMNS: dict[str, str] = {
    "prompt": "the request",
    "target": "the checked design as compact JSON, without bookkeeping fields",
    "messages": "the row as a chat (system, user, assistant)",
    "template": "the frame the request was made from; the splits are made by it",
    "row": "the row's number in the whole dataset",
    "row_seed": "the row's own seed, derived from the run's seed and the candidate's index",
    "subject_kind": "brand, product, pattern, block, plain, compose or outside",
    "subject": "the pattern, block, product or app the request was made about",
    "intended_pattern": "the pattern the request was generated to be (null: not audited)",
    "intended_blocks": "the blocks it was generated to need",
    "intended_load_value": "the load it states (null: none)",
    "intended_load_unit": "the unit of that load",
    "intended_team": "the team size it states",
    "intended_budget": "the monthly budget in USD it states",
    "intended_region": "the region it states",
    "intended_compliance": "the regulation it states",
    "audience": "the niche audience it names",
    "brand": "the brand it names",
    "typo": "the word it misspells, as it should be written",
    "read_pattern": "the pattern the engine read",
    "read_blocks": "the blocks the engine read",
    "tier": "the complexity tier of the design",
    "audit_verdict": "ok, or flagged when the engine's reading disagrees with what the row was generated to be",
    "audit_reasons": "each disagreement",
}


def _pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise InvalidRequest(f"--format hf needs pyarrow, which is not installed; run {ML_EXTRA}") from None
    return pyarrow


def schema() -> Any:
    """The Arrow schema of a row (the column order of the Parquet files)."""
    pa = _pyarrow()
    text, strings = pa.string(), pa.list_(pa.string())
    message = pa.struct([("role", text), ("content", text)])
    types = {name: text for name in STRINGS}
    types.update(messages=pa.list_(message), row=pa.int64(), row_seed=pa.int64(), intended_blocks=strings,
                 intended_load_value=pa.float64(), intended_team=pa.int64(), intended_budget=pa.int64(),
                 read_blocks=strings, audit_reasons=strings)  # fmt: skip
    return pa.schema([(name, types[name]) for name in COLUMNS])


def record(row: Row) -> dict[str, Any]:
    """One row as the columns hold it."""
    request, intended, design = row.request, row.request.intended, row.architecture
    load = intended.load
    return {
        "prompt": request.prompt, "target": row.target, "messages": messages(request.prompt, row.target),
        "template": request.template, "row": row.row, "row_seed": request.seed,
        "subject_kind": intended.subject_kind, "subject": intended.subject, "intended_pattern": intended.pattern,
        "intended_blocks": list(intended.blocks), "intended_load_value": load.value if load else None,
        "intended_load_unit": load.unit if load else None, "intended_team": intended.team,
        "intended_budget": intended.budget, "intended_region": intended.region,
        "intended_compliance": intended.compliance, "audience": intended.audience, "brand": intended.brand,
        "typo": intended.typo, "read_pattern": (design.get("pattern") or {}).get("id"),
        "read_blocks": [b["id"] for b in design.get("blocks", [])], "tier": design.get("tier"),
        "audit_verdict": row.audit.verdict, "audit_reasons": list(row.audit.reasons),
    }  # fmt: skip


def features_yaml() -> list[dict[str, Any]]:
    """The columns as the card's `dataset_info.features` (the Hugging Face YAML form)."""
    pa = _pyarrow()
    names = {pa.string(): "string", pa.int64(): "int64", pa.float64(): "float64"}
    features: list[dict[str, Any]] = []
    for field in schema():
        if field.name == "messages":
            features.append({"name": field.name, "list": [{"name": "role", "dtype": "string"},
                                                          {"name": "content", "dtype": "string"}]})  # fmt: skip
        elif pa.types.is_list(field.type):
            features.append({"name": field.name, "list": names[field.type.value_type]})
        else:
            features.append({"name": field.name, "dtype": names[field.type]})
    return features


class ParquetShards:
    """Writes rows into per-split Parquet files as they come; `close()` returns rows and bytes per split."""

    def __init__(self, folder: Path, shard: tuple[int, int], shard_rows: int = 10_000) -> None:
        self.pa, self.folder, self.shard, self.shard_rows = _pyarrow(), Path(folder), shard, shard_rows
        self.schema = schema()
        self.buffers: dict[str, list[dict[str, Any]]] = {}
        self.writers: dict[str, Any] = {}
        self.in_file: dict[str, int] = {}
        self.files: dict[str, list[Path]] = {}
        self.counts: dict[str, int] = {}

    def add(self, split: str, row: Row) -> None:
        """Buffer one row of `split`; a full row group is written at once."""
        self.buffers.setdefault(split, []).append(record(row))
        self.counts[split] = self.counts.get(split, 0) + 1
        if len(self.buffers[split]) >= min(ROW_GROUP, self.shard_rows):
            self._flush(split)

    def _flush(self, split: str) -> None:
        rows = self.buffers.get(split)
        if not rows:
            return
        if split not in self.writers:
            index, count = self.shard
            number = len(self.files.get(split, []))
            path = self.folder / "data" / split / f"shard{index:04d}-of-{count:04d}-{number:05d}.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            self.writers[split] = self.pa.parquet.ParquetWriter(path, self.schema, compression="zstd")
            self.files.setdefault(split, []).append(path)
            self.in_file[split] = 0
        self.writers[split].write_table(self.pa.Table.from_pylist(rows, schema=self.schema))
        self.in_file[split] += len(rows)
        self.buffers[split] = []
        if self.in_file[split] >= self.shard_rows:
            self.writers.pop(split).close()

    def close(self) -> dict[str, dict[str, int]]:
        """Write what is buffered, close every file; rows and bytes per split."""
        for split in list(self.buffers):
            self._flush(split)
        for writer in self.writers.values():
            writer.close()
        self.writers = {}
        return {
            split: {"num_examples": self.counts[split], "num_bytes": sum(p.stat().st_size for p in paths)}
            for split, paths in sorted(self.files.items(), key=lambda item: SPLIT_ORDER.index(item[0]))
        }


def write_json(path: Path, data: Any) -> None:
    """A small JSON file (the run's statistics beside the shards)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def write_parquet(path: Path, rows: list[dict[str, Any]]) -> None:
    """`rows` as one Parquet file, written beside it and moved into place (a reader never sees half of it)."""
    pa = _pyarrow()
    path = Path(path)
    staging = path.with_name(f".{path.name}.tmp")
    try:
        pa.parquet.write_table(pa.Table.from_pylist(rows), staging, compression="zstd")
        staging.replace(path)
    finally:
        staging.unlink(missing_ok=True)
