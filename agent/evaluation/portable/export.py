"""The eval cases as a Hugging Face dataset folder: one Parquet file for the split "test" and a dataset card.

    DIR/README.md                                   the card: YAML front matter the Hub reads, then prose
    DIR/data/test-00000-of-00001.parquet            one row per case (columns in `cases.COLUMNS`)

`datasets.load_dataset(DIR)` and `load_dataset("parquet", data_files=...)` both read it; pyarrow (the `[ml]`
extra) is imported lazily, when a folder is written.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict

from agent.errors import InvalidRequest
from agent.evaluation.cases import EvalCase
from agent.evaluation.portable.card import card_prose
from agent.evaluation.portable.cases import COLUMNS, SPLIT, case_row, chosen_cases, knowledge_hash, require
from agent.files import write_atomic

DATA_FILE = f"data/{SPLIT}-00000-of-00001.parquet"
FEATURES = {"string": {"dtype": "string"}, "strings": {"list": "string"}, "int": {"dtype": "int32"}}
"""How each column kind is written in the card's `dataset_info.features` (the Hub's YAML spelling)."""


class Exported(BaseModel):
    """What `export` wrote."""

    model_config = ConfigDict(frozen=True)

    folder: Path
    files: tuple[Path, ...]
    cases: int
    knowledge_hash: str


def export(folder: Path, tags: Iterable[str] = (), cases: Path | None = None) -> Exported:
    """Write the cases (those with any of `tags`; all when none) to `folder` as a Hugging Face dataset."""
    folder = Path(folder)
    check_folder(folder)
    pa = require("pyarrow")
    parquet = require("pyarrow.parquet")
    chosen = chosen_cases(tags, cases=cases)
    table = pa.Table.from_pylist([case_row(c) for c in chosen], schema=arrow_schema(pa))
    data = folder / DATA_FILE
    data.parent.mkdir(parents=True, exist_ok=True)
    _write_parquet(parquet, table, data)
    digest = knowledge_hash()
    card = folder / "README.md"
    write_atomic(card, card_text(chosen, table.nbytes, data.stat().st_size, digest))
    return Exported(folder=folder, files=(card, data), cases=len(chosen), knowledge_hash=digest)


def check_folder(folder: Path) -> None:
    """The target is a folder (or can be made in an existing one) and is writable: checked before any work."""
    if folder.exists() and not folder.is_dir():
        raise InvalidRequest(f"-o wants a folder; {str(folder)!r} is a file")
    parent = folder if folder.is_dir() else folder.parent
    if not parent.is_dir():
        raise InvalidRequest(f"folder {str(parent)!r} does not exist; create it or choose another -o")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InvalidRequest(f"folder {str(parent)!r} is not writable; choose another -o")


def arrow_schema(pa: Any) -> Any:
    """The Arrow schema of `COLUMNS` (`pa` is the pyarrow module)."""
    types = {"string": pa.string(), "strings": pa.list_(pa.string()), "int": pa.int32()}
    return pa.schema([pa.field(name, types[kind]) for name, kind in COLUMNS.items()])


def _write_parquet(parquet: Any, table: Any, path: Path) -> None:
    """Write `table` beside `path` and rename it over: a reader never sees half a file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        parquet.write_table(table, tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def card_metadata(count: int, num_bytes: int, download_size: int) -> dict[str, Any]:
    """The card's YAML front matter: what the Hub reads to show the dataset and to load it."""
    from agent.datasets.card import LICENSE, size_category

    return {
        "license": LICENSE,
        "language": ["en"],
        "pretty_name": "sysdesign-agent design cases",
        "size_categories": [size_category(count)],
        "task_categories": ["text-generation"],
        "tags": ["system-design", "software-architecture", "evaluation", "llm-as-architect"],
        "configs": [{"config_name": "default", "data_files": [{"split": SPLIT, "path": f"data/{SPLIT}-*"}]}],
        "dataset_info": {
            "features": [{"name": name, **FEATURES[kind]} for name, kind in COLUMNS.items()],
            "splits": [{"name": SPLIT, "num_bytes": num_bytes, "num_examples": count}],
            "download_size": download_size,
            "dataset_size": num_bytes,
        },
    }


def card_text(cases: list[EvalCase], num_bytes: int, download_size: int, digest: str) -> str:
    """The whole dataset card: front matter, then the prose."""
    front = yaml.safe_dump(card_metadata(len(cases), num_bytes, download_size), sort_keys=False, allow_unicode=True)
    tags = Counter(tag for case in cases for tag in case.tags)
    return f"---\n{front}---\n\n{card_prose(len(cases), tags, digest)}"
