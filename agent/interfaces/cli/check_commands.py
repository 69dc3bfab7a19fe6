"""`sysdesign check`: documents in, reports out in the formats CI systems read, and the exit code."""

from __future__ import annotations

import difflib
import fnmatch
import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import typer

from agent.errors import InvalidRequest, SysdesignError
from agent.files import read_stdin
from agent.interfaces.cli.common import (
    FormatJsonOption,
    IndexOption,
    advisor_for,
    output_format,
    read_input,
)
from agent.rules.waivers import DEFAULT_WAIVERS, Waiver, load_waivers

app = typer.Typer()

FAIL_ON = ("error", "warning", "never")


def documents(target: str) -> list[tuple[str, str | InvalidRequest]]:
    """(label, text or why it cannot be read) of every document `target` names: a file, '-', a folder (all *.json
    under it) or a glob. Symlinked folders are not followed (a link loop must not hang the walk)."""
    if target == "-":
        return [("<stdin>", read_stdin())]
    path = Path(target)
    if path.is_dir():
        files = _walk(path, "*.json")
        if not files:
            raise InvalidRequest(f"no .json architecture documents under {target!r}")
    elif any(ch in target for ch in "*?["):
        files = _glob(target)
        if not files:
            raise InvalidRequest(f"no file matches {target!r}")
    else:
        return [(target, read_input(target))]
    found: list[tuple[str, str | InvalidRequest]] = []
    for file in files:
        try:
            found.append((str(file), read_input(str(file))))
        except InvalidRequest as exc:  # one unreadable file must not stop the others from being checked
            found.append((str(file), exc))
    return found


def _walk(root: Path, pattern: str) -> list[Path]:
    """Files under `root` whose path matches `pattern`, without following symlinked folders."""
    matched = []
    for folder, _, names in os.walk(root, followlinks=False):
        matched += [Path(folder) / name for name in names if fnmatch.fnmatch(str(Path(folder) / name), pattern)]
    return sorted(matched)


def _glob(pattern: str) -> list[Path]:
    """A glob (with `**`) expanded by walking from its fixed prefix, never through symlinked folders."""
    parts = Path(pattern).parts
    fixed = next((i for i, part in enumerate(parts) if any(ch in part for ch in "*?[")), len(parts))
    root = Path(*parts[:fixed]) if fixed else Path(".")
    if not root.is_dir():
        return []
    relative = pattern if fixed else str(Path(".") / pattern)
    return [p for p in _walk(root, relative.replace("**/", "*")) if p.is_file()]


def gather(targets: Sequence[str]) -> list[tuple[str, str | InvalidRequest]]:
    """Every document the targets name, once each. With several targets one that cannot be read (a missing file,
    a glob that matches nothing) is reported and the others are still checked; a single one stops the run."""
    if not targets:
        raise InvalidRequest("name an architecture document, a folder or a glob to check, or '-' for stdin")
    if list(targets).count("-") > 1:
        raise InvalidRequest("'-' (stdin) can be read only once; name it once")
    found: dict[str, tuple[str, str | InvalidRequest]] = {}
    for target in targets:
        try:
            named = documents(target)
        except InvalidRequest as exc:
            if len(targets) == 1:
                raise
            named = [(target, exc)]
        for label, text in named:
            found.setdefault(label if label == "<stdin>" else os.path.realpath(label), (label, text))
    return list(found.values())


def _output_targets(outputs: list[str]) -> list[tuple[str, Path]]:
    """The FORMAT=PATH items, checked before any work is done: a known format, a writable path, none named twice."""
    from agent.files import check_writable, same_file
    from agent.render.check_formats import CHECK_FORMATS

    targets: list[tuple[str, Path]] = []
    for item in outputs:
        kind, _, path = item.partition("=")
        if kind not in CHECK_FORMATS or not path:
            raise InvalidRequest(f"--output-format wants FORMAT=PATH with FORMAT in {', '.join(CHECK_FORMATS)}, "
                                 f"not {item!r}")  # fmt: skip
        if any(same_file(Path(path), other) or Path(path) == other for _, other in targets):
            raise InvalidRequest(f"{path!r} is named by two outputs; give each report its own file")
        check_writable(Path(path))
        targets.append((kind, Path(path)))
    return targets


def _waivers(waivers_file: Path | None) -> tuple[list[Waiver], list[str]]:
    """The waivers to apply (the named file, else sysdesign-waivers.yaml here if present) and their notices."""
    waivers_path = waivers_file or (Path(DEFAULT_WAIVERS) if Path(DEFAULT_WAIVERS).exists() else None)
    if waivers_path is None:
        return [], []
    if not waivers_path.exists():
        raise InvalidRequest(f"no waivers file at {str(waivers_path)!r}")
    return load_waivers(waivers_path)  # a FIFO, a device or a folder there is refused by name


@dataclass(frozen=True)
class RuleChoice:
    """Which rules run: packs to add, and ids or prefixes to select and ignore (as ruff's --select/--ignore)."""

    rules_dirs: Sequence[Path] = ()
    select: Sequence[str] = ()
    ignore: Sequence[str] = ()


def run_check(engine, targets: str | Sequence[str], fix_mode: str, rules: RuleChoice | list[Path],
              waivers_file: Path | None, fmt: str, outputs: list[str], fail_on: str, pattern: str | None = None,
              blocks: list[str] | None = None, docs_url: str | None = None) -> None:  # fmt: skip
    """Check, render, write, and exit with the CI-friendly code. `fix_mode`: "" (check only), "write" (repair the
    files in place, like `ruff --fix`) or "diff" (show the repair as a unified diff); `fmt`: stdout's format, or
    "none"; `outputs`: FORMAT=PATH files to write as well."""
    from agent import __version__
    from agent.render.check_formats import CHECK_FORMATS, CheckRun
    from agent.render.output import write_output
    from agent.rules.checker import load_rules
    from agent.rules.docs import docs_url as checked_docs_url
    from agent.rules.selection import select_rules

    if fmt not in (*CHECK_FORMATS, "none"):
        raise InvalidRequest(f"unknown format {fmt!r}; use one of {', '.join(CHECK_FORMATS)}")
    if fail_on not in FAIL_ON:
        raise InvalidRequest(f"--fail-on must be one of {', '.join(FAIL_ON)}, not {fail_on!r}")
    checked_docs_url(docs_url)  # a bad setting is refused before any file is fixed or written
    files = _output_targets(outputs)
    choice = rules if isinstance(rules, RuleChoice) else RuleChoice(rules_dirs=rules)
    chosen = select_rules(load_rules(choice.rules_dirs), choice.select, choice.ignore)
    waivers, notices = _waivers(waivers_file)
    inputs = gather([targets] if isinstance(targets, str) else targets)
    _refuse_overwrites(files, inputs, waivers_file, fix_mode)
    reports, unreadable = _check_each(engine, inputs, bool(fix_mode), chosen, waivers, notices, pattern, blocks or [])
    expired = [f"{r.source}: {n}" for r in reports for n in r.notices if n not in notices]
    for message in [*notices, *expired]:
        logging.getLogger("sysdesign").warning("%s", message)  # -q hides notices
    texts = {label: text for label, text in inputs if isinstance(text, str)}
    shown, changed = None, False
    if fix_mode:
        shown, changed = _apply_fixes(engine, reports, texts, fix_mode, fmt, unreadable, single=len(inputs) == 1)
    for name, why in unreadable:
        typer.echo(f"sysdesign: {name}: {why}", err=True)
    run = CheckRun(reports, chosen, fail_on, texts, unreadable, docs_url, __version__)
    if reports or unreadable:
        if shown is not None:
            typer.echo(shown, nl=False)
        elif fmt != "none":
            typer.echo(CHECK_FORMATS[fmt].render(run), nl=False)
        for kind, target_path in files:
            write_output(CHECK_FORMATS[kind].render(run), target_path)
    if unreadable:
        raise typer.Exit(2)
    if changed or run.summary()["failed"]:
        raise typer.Exit(1)


def _refuse_overwrites(targets: list[tuple[str, Path]], inputs, waivers_file: Path | None, fix_mode: str) -> None:
    """Before any work: no report may replace a file being read, and --fix refuses a file it may not replace."""
    from agent.files import check_not_input, check_writable

    read = [label for label, _ in inputs if label != "<stdin>"] + ([waivers_file] if waivers_file else [])
    for _, path in targets:
        check_not_input(path, read)
    if fix_mode == "write":
        for label, text in inputs:
            if label != "<stdin>" and isinstance(text, str):
                check_writable(Path(label))  # a read-only file is kept as it is, like `ruff --fix` does


def _check_each(engine, inputs, fix: bool, rules, waivers, notices, pattern, blocks) -> tuple[list, list]:
    """A report per readable document, and (file, why) for each one that could not be checked; a document that
    cannot be checked stops the run only when it is the only one."""
    reports, unreadable = [], []
    for label, text in inputs:
        try:
            if isinstance(text, InvalidRequest):
                raise text
            report = engine.check(text, fix=fix, rules=rules, waivers=waivers, pattern=pattern, blocks=blocks)
        except SysdesignError as exc:
            if len(inputs) == 1:
                raise
            unreadable.append((label, str(exc)))
            continue
        report.source = label
        report.notices = notices + report.notices
        reports.append(report)
    return reports, unreadable


def repaired_text(engine, report, original: str) -> str:
    """The repaired document as it is written back: a minimal edit of the user's text (their layout, key order,
    nulls, own fields and numbers as spelled), never the checker's findings."""
    from agent.document import parse_document
    from agent.rules.write_back import written_back

    return written_back(original, parse_document(original, engine.knowledge), report.repaired)


def _apply_fixes(engine, reports, texts: dict[str, str], fix_mode: str, fmt: str, unreadable: list,
                 single: bool) -> tuple[str | None, bool]:  # fmt: skip
    """Write each repair back (atomically, and only if nobody changed the file meanwhile) or show it as a diff.
    Returns what to print instead of the report (the diffs, or the repaired document read from stdin), or None,
    and whether anything changed. `texts` then holds the repaired texts, which the report's lines refer to."""
    from agent.files import replace_if_unchanged

    diffs, printed, changed = [], None, False
    for report in list(reports):
        label = report.source
        original = texts[label]
        new = repaired_text(engine, report, original)
        changed |= new != original
        if fix_mode == "diff":
            name = label.lstrip("/")
            lines = difflib.unified_diff(original.splitlines(True), new.splitlines(True), f"a/{name}", f"b/{name}")
            diffs.append("".join(line if line.endswith("\n") else line + "\n" for line in lines))
            continue
        if label == "<stdin>":
            printed = new if fmt == "text" else None
            continue
        if new != original:
            try:  # an edit saved while we checked is never overwritten
                replace_if_unchanged(Path(label), new, read=original)
            except InvalidRequest as exc:
                if single:
                    raise
                unreadable.append((label, str(exc)))
                reports.remove(report)
                continue
        texts[label] = new
        logging.getLogger("sysdesign").warning("%s: %d change(s) written", label, len(report.changes))
    return ("".join(diffs) if fix_mode == "diff" else printed), changed and fix_mode == "diff"


def run_batch(engine, path: Path, rules_dirs: list[Path], as_json: bool) -> None:
    """`check --batch`: a summary table (or everything as JSON); exit 1 when a document has an error."""
    from agent.datasets.batch import check_batch
    from agent.rules.checker import load_rules

    result = check_batch(engine, path, load_rules(rules_dirs))
    summary = result["summary"]
    if as_json:
        typer.echo(json.dumps(result, indent=2))
    else:
        typer.echo(f"{summary['lines']} lines: {summary['checked']} checked, {summary['passed']} passed, "
                   f"{summary['with_errors']} with errors, {len(summary['malformed'])} malformed")  # fmt: skip
        for entry in summary["malformed"]:
            typer.echo(f"  line {entry['line']}: {entry['error']}")
        if summary["top_violations"]:
            typer.echo("Most frequent error-level violations:")
            for rule_id, count in summary["top_violations"]:
                typer.echo(f"  {rule_id:<8} {count:>6}")
        if summary["validation_examples"]:
            typer.echo("The knowledge base's own validation examples:")
            for name, count in summary["validation_examples"].items():
                typer.echo(f"  {name}: {count}")
    if summary["malformed"]:
        raise typer.Exit(2)
    if summary["with_errors"]:
        raise typer.Exit(1)


ReportFormat = Literal["text", "json", "sarif", "junit", "github"]


@app.command()
def check(
    files: Annotated[
        list[str] | None,
        typer.Argument(
            help="JSON architecture documents, '-' for stdin, folders (every *.json) or globs.", show_default=False
        ),
    ] = None,
    fix: Annotated[
        bool,
        typer.Option("--fix", help="Repair the files in place (atomically) and list the changes; with '-', print it."),
    ] = False,
    diff: Annotated[bool, typer.Option("--diff", help="Show the repair as a unified diff; write nothing.")] = False,
    select: Annotated[
        list[str] | None,
        typer.Option("--select", help="Only the rules with these ids or id prefixes (comma-separated or repeated)."),
    ] = None,
    ignore: Annotated[
        list[str] | None, typer.Option("--ignore", help="Skip the rules with these ids or id prefixes, e.g. SD07.")
    ] = None,
    rules_dir: Annotated[
        list[Path] | None, typer.Option("--rules-dir", help="A folder of your own rule packs (repeatable).")
    ] = None,
    waivers: Annotated[
        Path | None, typer.Option(help="Waivers file (default: sysdesign-waivers.yaml here, if present).")
    ] = None,
    format: Annotated[
        ReportFormat | None,
        typer.Option(
            "--format", help="The report's format on stdout, and for -o PATH (default: its suffix, else text)."
        ),
    ] = None,
    output: Annotated[
        list[str] | None,
        typer.Option(
            "--output",
            "-o",
            help="Write the report to PATH (or FORMAT=PATH) instead of stdout; '-' is stdout (repeatable).",
        ),
    ] = None,
    output_formats: Annotated[
        list[str] | None,
        typer.Option("--output-format", help="Also write FORMAT=PATH (repeatable), e.g. sarif=out.sarif."),
    ] = None,
    fail_on: Annotated[str, typer.Option(help="Exit 1 on findings at: error (default), warning, never.")] = "error",
    batch: Annotated[
        bool, typer.Option("--batch", help="FILE is JSONL: one architecture a line (predictions).")
    ] = False,
    pattern: Annotated[
        str | None, typer.Option("--pattern", help="What the design is (one of the five, or other): no guessing.")
    ] = None,
    blocks: Annotated[
        list[str] | None, typer.Option("--blocks", help="A building block the design is (repeatable), e.g. pastebin.")
    ] = None,
    as_json: FormatJsonOption = False,
    index: IndexOption = None,
) -> None:
    """Check architectures against the knowledge base's rules and your own packs.

    Exit codes: 0 nothing reaches --fail-on; 1 something does (with --fix: after repair; with --diff: also when
    the diff shows a change); 2 usage or input error (with several files, one that cannot be read is reported and
    the others are still checked).

    Examples:
      sysdesign check architecture.json
      sysdesign check architecture/*.json design.json --select SD0 --ignore SD036
      echo '{"request": "Twitter clone", "services": ["API", "Tweets"]}' | sysdesign check -
      sysdesign check architecture/ --rules-dir rules/ -o sarif=out.sarif -o junit=junit.xml -o -
      sysdesign check architecture/ --format github
      sysdesign check --batch predictions.jsonl --json
      sysdesign check design.json --pattern other --blocks pastebin
    """
    from agent.rules.selection import selectors

    targets = files or []
    if batch:
        if len(targets) != 1:
            raise InvalidRequest("--batch reads one JSONL file; name exactly one")
        run_batch(advisor_for(index=index).engine, Path(targets[0]), rules_dir or [], as_json)
        return
    if fix and diff:
        raise InvalidRequest("--fix writes the repair and --diff only shows it; choose one")
    fmt, extra = _report_targets(output_format(as_json, format), output or [], output_formats or [])
    mode = "diff" if diff else "write" if fix else ""
    choice = RuleChoice(rules_dir or [], selectors(select or []), selectors(ignore or []))
    advisor = advisor_for(index=index)
    run_check(advisor.engine, targets, mode, choice, waivers, fmt, extra, fail_on, pattern, blocks or [],
              advisor.settings.docs_url)  # fmt: skip


def _report_targets(fmt: str | None, outputs: list[str], extra: list[str]) -> tuple[str, list[str]]:
    """stdout's format ("none" to keep it quiet) and the FORMAT=PATH files. Each `-o` is PATH (its format from
    --format, else its suffix) or FORMAT=PATH; '-' as the path is stdout. With any -o, stdout carries only what an
    -o sends there; --output-format files come on top of whatever stdout shows."""
    from agent.render.check_formats import CHECK_FORMATS, format_for_suffix

    stdout: list[str] = [fmt] if fmt and not outputs else []
    files: list[str] = []
    for item in outputs:
        kind, equals, path = item.partition("=")
        if not (equals and kind in CHECK_FORMATS):
            kind, path = fmt or ("text" if item == "-" else format_for_suffix(Path(item).suffix)) or "", item
            if not kind:
                raise InvalidRequest(f"cannot tell the format from {Path(item).name!r}; add --format "
                                     f"({', '.join(CHECK_FORMATS)}) or write FORMAT=PATH")  # fmt: skip
        files.append(f"{kind}={path}")
    for item in [*extra, *files]:
        kind, _, path = item.partition("=")
        if path == "-":
            stdout.append(kind)
    if len(stdout) > 1:
        raise InvalidRequest("two reports were sent to stdout ('-'); send one there and the others to files")
    shown = stdout[0] if stdout else "none" if outputs else "text"
    return shown, [item for item in [*extra, *files] if not item.endswith("=-")]
