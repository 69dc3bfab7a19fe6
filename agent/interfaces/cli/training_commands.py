"""`sysdesign features` and `sysdesign synth`: training data from the knowledge base."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Annotated, Literal

import typer

from agent.errors import InvalidRequest
from agent.files import load_json, read_stdin, read_text_file
from agent.interfaces.cli.common import FormatJsonOption, advisor_for, output_format, print_json, progress_printer

app = typer.Typer()


def _prompts(prompt: str | None, input_file: Path | None) -> list[str]:
    if (prompt is None) == (input_file is None):
        raise InvalidRequest("give a PROMPT or --input FILE (one prompt a line, or JSONL with a 'prompt' field)")
    if prompt is not None:
        return [prompt]
    assert input_file is not None  # exactly one of the two was given
    if not input_file.is_file():
        raise InvalidRequest(f"no input file at {str(input_file)!r}")
    prompts = []
    for number, line in enumerate(read_text_file(input_file, "input file").splitlines(), start=1):
        if not line.strip():
            continue
        if input_file.suffix == ".jsonl":
            try:
                value = load_json(line, "the line")
                found = value.get("prompt") or value.get("request") if isinstance(value, dict) else None
            except InvalidRequest:
                found = None
            if not isinstance(found, str) or not found.strip():
                raise InvalidRequest(f"{input_file.name} line {number}: expected an object with a 'prompt' field")
            line = found
        prompts.append(line.strip())
    if not prompts:
        raise InvalidRequest(f"{str(input_file)!r} holds no prompts")
    return prompts


@app.command()
def features(
    prompt: Annotated[str | None, typer.Argument(help="A request ('-' reads it from stdin); or use --input.")] = None,
    input_file: Annotated[Path | None, typer.Option("--input", help="prompts.txt (a line each) or .jsonl.")] = None,
    format: Annotated[
        Literal["json", "csv"] | None, typer.Option("--format", help="What to print (default json).")
    ] = None,
    as_json: FormatJsonOption = False,
) -> None:
    """The features the knowledge base implies for each prompt: keywords per pattern, traits, mix, tier signals.

    Examples:
      sysdesign features "an app where drivers pick up passengers"
      sysdesign features --input prompts.txt --format csv > features.csv
    """
    from agent.datasets.features import columns
    from agent.datasets.features import features as extract
    from agent.pipeline import RETRIEVAL_DEPTH, validate_prompt

    chosen = output_format(as_json, format) or "json"
    if prompt == "-":
        prompt = read_stdin("the request on standard input")
    prompts = [validate_prompt(p) for p in _prompts(prompt, input_file)]
    hits = advisor_for().retriever.search_many(prompts, k=RETRIEVAL_DEPTH)
    rows = [extract(p, h) for p, h in zip(prompts, hits, strict=True)]
    if chosen == "json":
        print_json(rows[0] if prompt is not None else rows)
        return
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns(), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        cells = {**row, "cues": json.dumps(row["cues"], ensure_ascii=False)}
        writer.writerow({name: csv_cell(value) for name, value in cells.items()})
    typer.echo(buffer.getvalue(), nl=False)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A cell a spreadsheet would run as a formula (CSV injection); such text gets a leading apostrophe (OWASP)."""


def csv_cell(value: object) -> object:
    """`value`, made inert for spreadsheets when it is text that starts like a formula. Line breaks become "\n"
    first: a bare CR is a row break to a spreadsheet but not to the csv module (which then leaves the cell
    unquoted), so "x\r=cmd()" would start a row of its own with a formula; with "\n" the cell is quoted whole."""
    if not isinstance(value, str):
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _shard(text: str | None) -> tuple[int, int]:
    """'I/N' → (I, N), with 0 <= I < N."""
    if text is None:
        return (0, 1)
    found = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not found or not 0 <= int(found[1]) < int(found[2]):
        raise InvalidRequest(f"--shard takes I/N with 0 <= I < N (e.g. 0/4), not {text!r}")
    return int(found[1]), int(found[2])


@app.command()
def synth(
    n: Annotated[int, typer.Option("--n", min=1, max=10_000_000, help="How many examples.")] = 100,
    seed: Annotated[int, typer.Option(help="Same seed, same output.")] = 7,
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Where to write: a JSONL file, or a folder with --format hf.")
    ] = Path("train.jsonl"),
    format: Annotated[
        Literal["jsonl", "chat", "alpaca", "hf"],
        typer.Option("--format", help="jsonl, chat (OpenAI fine-tuning), alpaca, or hf (Parquet + dataset card)."),
    ] = "jsonl",
    split: Annotated[
        float | None,
        typer.Option(min=0.05, max=0.99, help="Train share, split by template (hf: default 0.8, + test)."),
    ] = None,
    workers: Annotated[
        int, typer.Option(min=1, max=4096, help="Draft in this many processes or Ray actors (same output).")
    ] = 1,
    ray: Annotated[bool, typer.Option("--ray", help="Draft on a Ray cluster ([ml] extra); same output.")] = False,
    ray_address: Annotated[
        str | None, typer.Option(help="The Ray cluster (default: the running one, else a local one).")
    ] = None,
    shard: Annotated[str | None, typer.Option(help="I/N: make part I of N (0-based) of the same dataset.")] = None,
    audit: Annotated[
        Literal["drop", "flag"], typer.Option(help="Rows the engine read otherwise than meant: drop or flag them.")
    ] = "drop",
    decontaminate: Annotated[
        list[Path] | None, typer.Option(help="Also leave out requests like those in this file or folder (repeat).")
    ] = None,
    shard_rows: Annotated[int, typer.Option(min=100, help="Rows per Parquet file (hf).")] = 10_000,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Generate synthetic requests paired with checked architectures, for fine-tuning.

    Examples:
      sysdesign synth --n 1000 --seed 7 -o train.jsonl --format chat --split 0.9
      sysdesign synth --n 100000 --format hf -o dataset/ --workers 2 --shard 0/4
      sysdesign synth --n 10000000 --format hf -o dataset/ --ray --ray-address auto --workers 64
    """
    from agent.datasets.synth import Options, write_hf, write_lines
    from agent.files import check_writable

    options = Options(n=n, seed=seed, workers=workers, shard=_shard(shard), audit=audit, train_share=split,
                      decontaminate=tuple(decontaminate or ()), shard_rows=shard_rows, ray=ray or bool(ray_address),
                      ray_address=ray_address)  # fmt: skip
    engine = advisor_for().engine
    if format == "hf":
        if output.exists() and not output.is_dir():
            raise InvalidRequest(f"{str(output)!r} is a file; --format hf writes a folder")
        if not output.parent.is_dir():
            raise InvalidRequest(f"the folder {str(output.parent)!r} does not exist")
        from agent.datasets.hf import schema

        schema()  # a missing pyarrow is said before any work
        output.mkdir(exist_ok=True)
        summary = write_hf(engine, options, output, progress_printer("synth"))
        where = f"{output}/ (" + ", ".join(f"{k} {v['num_examples']}" for k, v in summary["splits"].items()) + ")"
    else:
        stem = output.with_suffix("")
        ends = {"train": ".train.jsonl", "validation": ".val.jsonl"}
        files = {"all": output} if split is None else {k: stem.with_name(stem.name + e) for k, e in ends.items()}
        for path in files.values():
            check_writable(path)  # before the work: a folder, a read-only file, a missing or read-only folder
        summary = write_lines(engine, options, files, format, progress_printer("synth"))
        where = ", ".join(f"{p} ({k})" for p, k in summary["files"].items())
    if as_json:
        print_json(summary)
        return
    report = summary["audit"]
    typer.echo(f"wrote {summary['rows']} examples: {where}")
    typer.echo(f"  audit: {report['flagged']} flagged, {report['dropped']} dropped; decontamination: "
               f"{summary['decontamination'].get('removed', 0)} left out; blocks: {summary['blocks']}")  # fmt: skip
    typer.echo("  patterns: " + ", ".join(f"{name} {count}" for name, count in summary["patterns"].items()))


@app.command()
def prefs(
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write: .jsonl or .parquet.")],
    n: Annotated[int, typer.Option("--n", min=1, max=10_000_000, help="How many pairs.")] = 100,
    seed: Annotated[int, typer.Option(help="Same seed, same output.")] = 7,
    input_file: Annotated[
        Path | None, typer.Option("--input", help="Your prompts (a line each, or JSONL with 'prompt').")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Preference pairs (TRL's prompt/chosen/rejected): the checked design, and the same design with one
    realistic defect, with the defect, the rules that catch it and the grade gap.

    Examples:
      sysdesign prefs --n 1000 -o prefs.jsonl
      sysdesign prefs --input prompts.txt -o prefs.parquet
    """
    from collections import Counter

    from agent.datasets.prefs import preference_pairs
    from agent.files import check_writable, write_atomic

    if output.suffix not in {".jsonl", ".parquet"}:
        raise InvalidRequest(f"-o {str(output)!r}: the file must end in .jsonl or .parquet")
    check_writable(output)
    prompts = _prompts(None, input_file) if input_file is not None else None
    wanted = n if prompts is None else len(prompts)
    made = preference_pairs(advisor_for().engine, wanted, seed, prompts, progress_printer("prefs"))
    pairs = [p.model_dump(mode="json") for p in made]
    if not pairs:
        raise InvalidRequest("no pair could be made: no defect the checker or the grader sees fits these designs")
    if output.suffix == ".parquet":
        from agent.datasets.hf import write_parquet

        write_parquet(output, pairs)
    else:
        write_atomic(output, "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pairs))
    gaps = [p["grade_gap"] for p in pairs]
    summary = {"pairs": len(pairs), "file": str(output), "defects": dict(Counter(p["defect"] for p in pairs)),
               "mean_grade_gap": round(sum(gaps) / len(gaps), 4),
               "caught_by_a_rule": sum(bool(p["rule_ids"]) for p in pairs)}  # fmt: skip
    if as_json:
        print_json(summary)
        return
    typer.echo(f"wrote {summary['pairs']} pairs to {output}: mean grade gap {summary['mean_grade_gap']:.3f}, "
               f"{summary['caught_by_a_rule']} caught by a rule; " +
               ", ".join(f"{k} {v}" for k, v in summary["defects"].items()))  # fmt: skip
