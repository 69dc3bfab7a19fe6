"""The functions `sysdesign_design.yaml` names: the cases as a dataset, the text a model is given, and the grade.

lm-evaluation-harness loads this file by its path (not as part of the `agent` package), so it imports the package
absolutely; sysdesign-agent must be installed in the environment that runs `lm_eval`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agent.evaluation.portable.cases import SPLIT, case_row, chosen_cases, instruction, require


def load(
    tags: list[str] | str | None = None, data_dir: str | None = None, cases: str | None = None, **metadata: Any
) -> Any:
    """The `custom_dataset`: a DatasetDict with the split "test", from the built-in cases (or `cases`, a JSONL file
    or folder), or from a folder `sysdesign eval export` wrote (`data_dir`).

    lm-eval calls it with the task's whole metadata merged with the model's arguments (`version`, `base_url`, ...),
    which `metadata` takes in and this task does not need.
    """
    datasets = require("datasets")
    wanted = [tags] if isinstance(tags, str) else list(tags or [])
    if data_dir is not None:
        files = sorted(str(p) for p in (Path(data_dir) / "data").glob(f"{SPLIT}-*.parquet"))
        if not files:
            from agent.errors import InvalidRequest

            raise InvalidRequest(f"no data/{SPLIT}-*.parquet in {data_dir!r}; run 'sysdesign eval export -o DIR'")
        loaded = datasets.load_dataset("parquet", data_files={SPLIT: files})
        if wanted:
            loaded = loaded.filter(lambda row: bool(set(wanted) & set(row["tags"])))
        return loaded
    pa = require("pyarrow")
    from agent.evaluation.portable.export import arrow_schema

    rows = [case_row(case) for case in chosen_cases(wanted, cases=cases)]
    return datasets.DatasetDict({SPLIT: datasets.Dataset(pa.Table.from_pylist(rows, schema=arrow_schema(pa)))})


def doc_to_text(doc: dict[str, Any]) -> str:
    """The instruction asking for a design of the case's request (rebuilt when a dataset lacks the column)."""
    return doc.get("instruction") or instruction(doc["prompt"])


def process_results(doc: dict[str, Any], results: list[str]) -> dict[str, float]:
    """The grader's score of the model's one completion for this case."""
    from agent.evaluation.grader import grade

    return {"grade": grade(doc["prompt"], results[0]).score}
