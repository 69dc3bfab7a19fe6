"""`sysdesign eval`: run the case suite against drafters (or score predictions) and write reports."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from agent.errors import InvalidRequest, os_problem
from agent.interfaces.cli.common import (
    EmbeddingModelOption,
    IndexOption,
    SchemaOption,
    ThreadsOption,
    advisor_for,
    print_json,
    progress_printer,
)

eval_app = typer.Typer(help="Measure quality against labelled cases.")


@eval_app.callback(invoke_without_command=True)
def eval_suite(
    ctx: typer.Context,
    cases: Annotated[Path | None, typer.Option(help="A case file or folder of them (default: evals/cases/).")] = None,
    drafter: Annotated[list[str] | None, typer.Option("--drafter", help="Drafter to evaluate (repeatable).")] = None,
    report: Annotated[Path | None, typer.Option(help="Write report.json/.md/.html and charts to DIR.")] = None,
    predictions: Annotated[Path | None, typer.Option(help="Score these architectures instead of drafting.")] = None,
    workers: Annotated[int, typer.Option(min=1, max=32, help="Cases in parallel.")] = 1,
    limit: Annotated[int | None, typer.Option(min=1, help="Only the first N cases (after --seed shuffles).")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="Only cases with this tag (repeatable).")] = None,
    seed: Annotated[int | None, typer.Option(help="Shuffle the cases with this seed before --limit.")] = None,
    strict: Annotated[bool, typer.Option(help="Fail on an invalid case line instead of skipping it.")] = False,
    resume: Annotated[bool, typer.Option(help="Keep the cases already scored in --report DIR.")] = False,
    model: Annotated[str | None, typer.Option(help="Model name for hosted drafters.")] = None,
    model_path: Annotated[Path | None, typer.Option(help="GGUF file for llama-cpp.")] = None,
    base_url: Annotated[str | None, typer.Option(help="OpenAI-compatible server URL.")] = None,
    rounds: Annotated[int | None, typer.Option(min=0, max=10, help="Model repair rounds.")] = None,
    schema: SchemaOption = None,
    threads: ThreadsOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report JSON to stdout.")] = False,
    index: IndexOption = None,
) -> None:
    """Run the built-in suite (or --cases) and print a scorecard; `sysdesign eval retrieval` scores retrieval.

    Examples:
      sysdesign eval
      sysdesign eval --cases my-cases.jsonl --drafter kb --drafter llama-cpp --report out/
      sysdesign eval --predictions preds.jsonl --json
    """
    if ctx.invoked_subcommand is not None:
        return
    from agent.evaluation.cases import CASES_DIR, load_cases
    from agent.evaluation.report import build_report
    from agent.evaluation.retrieval import evaluate
    from agent.evaluation.runner import run_cases, select
    from agent.evaluation.writing import write_report

    if report is not None:
        _check_report_folder(report, ["predictions"] if predictions is not None else drafter or ["kb"])
    if resume and report is None:
        raise InvalidRequest("--resume needs --report DIR (where the scored cases are kept)")
    chosen = load_cases(cases or CASES_DIR, strict=strict)
    if seed is not None:
        random.Random(seed).shuffle(chosen)
    chosen = select(chosen, tag or (), limit)
    if not chosen:
        raise InvalidRequest(f"no case has the tag(s) {tag!r}")
    advisor = advisor_for(model=model, model_path=model_path, base_url=base_url, rounds=rounds, index=index,
                          schema=schema, threads=threads)  # fmt: skip
    if predictions is not None:
        results = _graded_predictions(advisor, chosen, predictions)
    else:
        try:
            with _writing_into(report):  # the progress file
                results = run_cases(advisor, chosen, drafter or ["kb"], workers, progress_printer("eval"), report,
                                    resume)  # fmt: skip
        except KeyboardInterrupt:
            typer.echo("\ninterrupted; the cases scored so far are kept: rerun with --resume", err=True)
            raise typer.Exit(130) from None
    retrieval = [s.model_dump(mode="json", exclude={"misses"}) for s in evaluate(advisor.retriever)]
    data = build_report(results, retrieval)
    if report is not None:
        with _writing_into(report):
            written = write_report(data, report)
        typer.echo(f"wrote {', '.join(p.name for p in written)} to {report}", err=True)
    if as_json:
        print_json(data)
        return
    columns = {"pattern_accuracy": "pattern", "tech_precision": "tech P", "tech_recall": "tech R", "tech_f1": "tech F1",
               "service_band_compliance": "band", "tier_accuracy": "tier", "raw_errors_per_case": "raw err",
               "errors_after_repair": "errors", "ece": "ECE", "seconds_per_case": "s/case"}  # fmt: skip
    typer.echo(f"{'drafter':<12}{'cases':>6}" + "".join(f"{label:>9}" for label in columns.values()))
    for name, entry in data["drafters"].items():
        m = entry["metrics"]
        cells = "".join(f"{'-' if m[k] is None else m[k]:>9}" for k in columns)
        typer.echo(f"{name:<12}{m['cases']:>6}{cells}")
    raw = {"raw_pattern_accuracy": "pattern", "raw_block_accuracy": "blocks", "raw_concept_recall": "concepts",
           "junk_rate": "junk", "fixed_by_model_share": "fixed by model"}  # fmt: skip
    for name, entry in data["drafters"].items():
        m = entry["metrics"]
        if m.get("junk_rate") is not None:  # a model drafter: what its own first drafts did, before repair
            cells = ", ".join(f"{label} {'-' if m.get(key) is None else m[key]}" for key, label in raw.items())
            typer.echo(f"{name} first drafts (before the engine): {cells}")
    _print_grades(data)
    for row in retrieval:
        if row["mode"] == "hybrid":
            typer.echo(f"retrieval (hybrid): recall@5 {row['recall_at_5']}, MRR {row['mrr']}")


def _graded_predictions(advisor, cases, predictions: Path) -> list:
    """The predictions graded; lines that could not be used are said on stderr (each is a case scored 0)."""
    from agent.evaluation.runner import score_predictions

    results, unused = score_predictions(advisor, cases, predictions)
    for problem in unused:
        typer.echo(f"warning: {problem} (not used)", err=True)
    return results


def _print_grades(data: dict) -> None:
    """Predictions: the grader's mean score is the main one, with its 95% bootstrap interval."""
    for name, entry in data["drafters"].items():
        m = entry["metrics"]
        if m.get("grade") is not None:
            low, high = m["grade_ci95"]
            typer.echo(f"{name} grade {m['grade']:.3f} (95% CI {low:.3f}-{high:.3f}) over {m['cases']} cases, "
                       f"{m['missing_predictions']} without a prediction (scored 0)")  # fmt: skip


def _check_report_folder(folder: Path, drafters: list[str]) -> None:
    """The report folder is a folder (or can be made) that can be written, and each file the report writes there is
    a regular file or not there yet: checked before any work, so that hours of cases are never lost at the end."""
    import os

    from agent.files import check_writable

    if os.path.islink(folder) and not folder.exists():
        raise InvalidRequest(f"--report {str(folder)!r} is a symlink to nothing; choose a folder")
    if folder.exists() and not folder.is_dir():
        raise InvalidRequest(f"--report wants a folder; {str(folder)!r} is not one")
    parent = folder if folder.is_dir() else folder.parent
    if not parent.is_dir():
        raise InvalidRequest(f"folder {str(parent)!r} does not exist; create it or choose another --report")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InvalidRequest(f"folder {str(parent)!r} is not writable; choose another --report")
    if not folder.is_dir():
        return  # made when the report is written: nothing in it yet
    for name in _report_files(drafters):
        path = folder / name
        if os.path.lexists(path) and not path.is_file():
            raise InvalidRequest(f"{str(path)!r} is not a regular file (a folder, a FIFO, a device or a broken "
                                 "symlink); move it away or choose another --report")  # fmt: skip
        check_writable(path)


@contextlib.contextmanager
def _writing_into(folder: Path | None) -> Iterator[None]:
    """A write into the report folder that fails (a full disk) as one sentence naming the folder."""
    try:
        yield
    except OSError as exc:
        raise os_problem(exc, folder, "write the report into") from None


def _report_files(drafters: list[str]) -> list[str]:
    """The files an evaluation writes into --report DIR (agent.evaluation.writing, and the runner's progress)."""
    from agent.evaluation.runner import PROGRESS_FILE

    charts = [f"reliability-{name}.png" for name in drafters]
    return ["report.json", "report.md", "report.html", "scores.png", *charts, PROGRESS_FILE]


@eval_app.command("retrieval")
def eval_retrieval(
    cases: Annotated[
        Path | None, typer.Option("--cases", help="JSONL of {query, relevant} (default: built-in).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
    index: IndexOption = None,
    model: EmbeddingModelOption = None,
) -> None:
    """Recall@1, recall@5 and MRR of dense, BM25 and hybrid retrieval on labelled queries."""
    from agent.evaluation.retrieval import RETRIEVAL_CASES, evaluate

    if cases is not None and not cases.is_file():
        raise InvalidRequest(f"cases file {str(cases)!r} does not exist")
    scores = evaluate(advisor_for(index=index, embedding_model=model).retriever, cases or RETRIEVAL_CASES)
    if as_json:
        print_json([s.model_dump(mode="json") for s in scores])
        return
    typer.echo(f"{'mode':<10}{'recall@1':>10}{'recall@5':>10}{'MRR':>8}   ({scores[0].queries} queries)")
    for s in scores:
        typer.echo(f"{s.mode:<10}{s.recall_at_1:>10.3f}{s.recall_at_5:>10.3f}{s.mrr:>8.3f}")


@eval_app.command("checker")
def eval_checker(
    folder: Annotated[
        Path | None, typer.Option("--dir", help="Folder with expert/*.json and seeded.jsonl (default: built-in).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
    index: IndexOption = None,
) -> None:
    """Precision of `check` on expert designs (labelled findings) and recall on seeded defects.

    Examples:
      sysdesign eval checker
      sysdesign eval checker --json
    """
    from agent.evaluation.checker_bench import CHECKER_DIR, score

    if folder is not None and not folder.is_dir():
        raise InvalidRequest(f"--dir wants a folder; {str(folder)!r} is not one")
    result = score(advisor_for(index=index), folder or CHECKER_DIR)
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    typer.echo(f"expert designs: {result.designs}, error and warning findings: {result.findings}")
    typer.echo(f"precision (true + debatable): {result.precision:.3f}; "
               f"errors judged false per design: {result.false_errors_per_design}")  # fmt: skip
    typer.echo(f"seeded defects: {result.seeded}, recall: {result.recall:.3f}"
               + (f" (missed: {', '.join(result.missed)})" if result.missed else ""))  # fmt: skip
    for design in result.per_design:
        if design.unlabelled:
            typer.echo(f"  {design.id}: {len(design.unlabelled)} unlabelled finding(s), e.g. {design.unlabelled[0]}")


@eval_app.command("chat")
def eval_chat(
    cases: Annotated[
        Path | None, typer.Option("--cases", help="A JSONL file or folder of conversations (default: built-in).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
    index: IndexOption = None,
) -> None:
    """The share of chat turns that make the expected change or give the expected facts.

    Examples:
      sysdesign eval chat
      sysdesign eval chat --cases my-conversations.jsonl --json
    """
    from agent.evaluation.chat_bench import CHAT_CASES, score

    if cases is not None and not cases.exists():
        raise InvalidRequest(f"cases {str(cases)!r} do not exist")
    result = score(advisor_for(index=index), cases or CHAT_CASES)
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    checked = "" if result.checked in (None, result.turns) else f", checked mechanically: {result.checked}"
    typer.echo(f"conversations: {result.conversations}, turns: {result.turns}{checked}, right: {result.right} "
               f"({result.share_right:.3f})")  # fmt: skip
    for kind, part in result.by_kind.items():
        share = "-" if part.share_right is None else f"{part.share_right:.3f}"
        typer.echo(f"  {kind}: {part.turns} turns, {part.checked} checked, {part.right} right ({share})")
    if result.unchecked:
        typer.echo(f"  {len(result.unchecked)} turn(s) only a reader can judge: --json lists them with their replies")
    for turn in result.wrong:
        typer.echo(f"  {turn.conversation} #{turn.n} {turn.say!r}: {'; '.join(turn.misses)}")


@eval_app.command("export")
def eval_export(
    output: Annotated[Path, typer.Option("-o", "--output", help="The folder to write the dataset to.")],
    tag: Annotated[
        list[str] | None, typer.Option("--tag", "--tags", help="Only cases with this tag (repeatable).")
    ] = None,
    cases: Annotated[Path | None, typer.Option(help="A case file or folder of them (default: evals/cases/).")] = None,
) -> None:
    """Write the cases as a Hugging Face dataset: data/test-*.parquet and a dataset card (README.md).

    Examples:
      sysdesign eval export -o sysdesign-cases/
      sysdesign eval export -o blocks/ --tag block

    Needs the [ml] extra (pyarrow). The same cases run as an lm-evaluation-harness task (its --include_path is
    what `python -m agent.evaluation.portable.lm_eval` prints) and as an inspect-ai task (`inspect eval` takes what
    `python -m agent.evaluation.portable.inspect_task` prints); both are scored by the grader.
    """
    from agent.evaluation.portable.export import export

    result = export(output, tag or (), cases)
    written = ", ".join(str(path.relative_to(result.folder)) for path in result.files)
    typer.echo(f"wrote {result.cases} cases to {result.folder} ({written}); knowledge sha256 {result.knowledge_hash}")
