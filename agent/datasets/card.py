"""The dataset card (`README.md` with the YAML Hugging Face reads) from the statistics each run leaves beside its
shards, so that shards written by several machines into one folder get one card.
"""

from __future__ import annotations

import hashlib
import json
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

from agent.datasets.audit import AuditReport
from agent.datasets.decontaminate import DecontaminationReport
from agent.datasets.target import NESTED_BOOKKEEPING, TOP_LEVEL_BOOKKEEPING
from agent.paths import bundled

LICENSE = "mit"  # the project's licence (pyproject.toml)
SIZES = ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"))


def knowledge_version() -> dict[str, str]:
    """The package version and a SHA-256 of the knowledge (kb/ and agent/knowledge/), file names and bytes."""
    digest = hashlib.sha256()
    roots = [bundled("kb"), Path(__file__).resolve().parents[1] / "knowledge"]
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(str(path.relative_to(root.parent)).encode() + b"\0" + path.read_bytes())
    try:
        version = metadata.version("sysdesign-agent")
    except metadata.PackageNotFoundError:
        version = "unknown"
    return {"version": version, "sha256": digest.hexdigest()}


def size_category(rows: int) -> str:
    """The Hugging Face size category of `rows` examples."""
    return next((name for bound, name in SIZES if rows < bound), "1M<n<10M")


def merged(folder: Path) -> dict[str, Any]:
    """The statistics of every run written into `folder` (one file per shard), added together."""
    runs = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((folder / "stats").glob("shard*.json"))]
    splits: dict[str, dict[str, int]] = {}
    audit, decontamination = AuditReport(), DecontaminationReport()
    coverage: dict[str, dict[str, int]] = {}
    for run in runs:
        for split, counts in run["splits"].items():
            mine = splits.setdefault(split, {"num_examples": 0, "num_bytes": 0})
            for key in mine:
                mine[key] += counts[key]
        audit.merge(AuditReport.model_validate(run["audit"]))
        for kind, counts in run["coverage"].items():
            for key, count in counts.items():
                coverage.setdefault(kind, {})[key] = coverage.get(kind, {}).get(key, 0) + count
    if runs:  # every shard checks its candidates against the same files: the first one's report stands for all
        decontamination = DecontaminationReport.model_validate(runs[0]["decontamination"])
    shards = sorted(tuple(run["shard"]) for run in runs)
    return {"runs": runs, "shards": shards, "splits": splits, "audit": audit, "decontamination": decontamination,
            "coverage": coverage}  # fmt: skip


def card(folder: Path, features: list[dict[str, Any]], columns: dict[str, str]) -> str:
    """The card's text: YAML front matter (configs, features, splits, licence, size, tasks, tags) and prose."""
    stats = merged(folder)
    first = stats["runs"][0]
    splits = stats["splits"]
    total = sum(s["num_examples"] for s in splits.values())
    meta = {
        "license": LICENSE,
        "language": ["en"],
        "pretty_name": "sysdesign-agent synthetic system designs",
        "size_categories": [size_category(total)],
        "task_categories": ["text-generation"],
        "tags": ["synthetic", "system-design", "software-architecture", "structured-output", "json"],
        "configs": [{"config_name": "default", "default": True,
                     "data_files": [{"split": s, "path": f"data/{s}/*.parquet"} for s in splits]}],
        "dataset_info": {"features": features,
                         "splits": [{"name": s, **counts} for s, counts in splits.items()],
                         "download_size": sum(c["num_bytes"] for c in splits.values()),
                         "dataset_size": sum(c["num_bytes"] for c in splits.values())},
    }  # fmt: skip
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)
    return f"---\n{front}---\n\n" + _prose(stats, first, columns, total)


def _prose(stats: dict[str, Any], first: dict[str, Any], columns: dict[str, str], total: int) -> str:
    parameters, kb = first["parameters"], first["knowledge"]
    audit: AuditReport = stats["audit"]
    clean: DecontaminationReport = stats["decontamination"]
    missing = sorted(set(first["all_blocks"]) - set(stats["coverage"].get("blocks", {})))
    lines = [
        "# sysdesign-agent synthetic system designs",
        "",
        "Requests for software systems paired with the architecture the sysdesign-agent engine drafts and checks "
        "from its knowledge base (offline `kb` drafter: no language model wrote a target).",
        "",
        "## How it was generated",
        "",
        f"`sysdesign synth --format hf` with {json.dumps(parameters)}; shards written: {len(stats['shards'])} of "
        f"{stats['shards'][0][1] if stats['shards'] else 1}.",
        f"Knowledge base: sysdesign-agent {kb['version']}, SHA-256 of kb/ and agent/knowledge/ `{kb['sha256']}`.",
        "",
        "Each row comes from a frame (the `template` column) with slots: a subject dealt from a deck of every "
        "application pattern, building block, capability, well-known product and outside app; a niche audience; "
        "stated loads, teams, budgets, regions and regulations; plain-words phrasings and typos. Each row's seed "
        "is derived from the run's seed and the row's index, so any machine can make any row. Requests that ask "
        "for the same content words (numbers, audience and brand left out) are kept once.",
        "",
        "## Splits",
        "",
        "By template: no frame is in two splits. "
        + ", ".join(f"{s}: {c['num_examples']:,} rows" for s, c in stats["splits"].items())
        + f" ({total:,} in all).",
        "Templates per split: " + json.dumps(first["templates"]) + ".",
        "",
        "## Columns",
        "",
        *[f"- `{name}`: {text}" for name, text in columns.items()],
        "",
        "The target leaves out bookkeeping: top-level "
        + ", ".join(f"`{k}`" for k in sorted(TOP_LEVEL_BOOKKEEPING))
        + ", and anywhere "
        + ", ".join(f"`{k}`" for k in sorted(NESTED_BOOKKEEPING))
        + ".",
        "",
        "## Label audit",
        "",
        f"Mode `{parameters['audit']}`: {audit.checked:,} rows checked, {audit.flagged:,} flagged, "
        f"{audit.dropped:,} dropped. Flags by kind: {json.dumps(audit.reasons)}. By template: "
        f"{json.dumps(audit.by_template)}.",
        *[f"- {e['prompt']!r}: {'; '.join(e['reasons'])}" for e in audit.examples[:5]],
        "",
        "## Decontamination",
        "",
        f"Against {sum(clean.sources.values()):,} evaluation requests in {len(clean.sources)} files "
        f"(shared runs of words and content-word overlap): {clean.checked:,} candidates checked, {clean.removed:,} "
        f"left out. By method: {json.dumps(clean.by_method)}; by file: {json.dumps(clean.by_source)}.",
        *[f"- {m.prompt!r} ~ {m.eval_text!r} ({m.source}, {m.method}, {m.score:.2f})" for m in clean.examples[:5]],
        "",
        "## Coverage",
        "",
        f"Blocks among the rows: {len(stats['coverage'].get('blocks', {}))} of {len(first['all_blocks'])}"
        + (f" (missing: {', '.join(missing)})." if missing else "."),
        f"Patterns read: {json.dumps(stats['coverage'].get('patterns', {}))}.",
        f"Subject kinds: {json.dumps(stats['coverage'].get('subject_kinds', {}))}.",
        "",
    ]
    return "\n".join(lines)
