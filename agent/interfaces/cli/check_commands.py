"""`sysdesign check`: documents in, reports out in the formats CI systems read, and the exit code."""

from __future__ import annotations

import difflib
import fnmatch
import json
import logging
import os
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

FORMATS = ("text", "json", "sarif", "junit")
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


def _render(kind: str, reports, rules, fail_on: str) -> str:
    from agent import __version__
    from agent.render.ci import to_junit, to_sarif
    from agent.render.terminal import inert
    from agent.render.text import render_findings, render_report

    if kind == "json":
        data = [r.model_dump(mode="json", exclude_none=True) for r in reports]
        return json.dumps(data[0] if len(data) == 1 else data, indent=2) + "\n"
    if kind == "sarif":
        return json.dumps(to_sarif(reports, rules, __version__), indent=2) + "\n"
    if kind == "junit":
        return to_junit(reports, rules, fail_on)
    parts = []
    for report in reports:
        head = f"== {report.source}\n" if len(reports) > 1 else ""
        body = render_report(report)
        if report.repaired is not None:
            body += f"\n\nFixed ({len(report.changes)}):\n" + "\n".join(
                f"  {c.rule_id} {c.action}: {c.detail}" for c in report.changes
            )
            body += "\n\nAfter repair:\n" + "\n".join(render_findings(report.repaired.findings))
        parts.append(head + body)
    if len(reports) > 1:
        failed = sum(not r.passed for r in reports)
        parts.append(f"{len(reports)} documents: {failed} with errors, {len(reports) - failed} passed")
    return inert("\n\n".join(parts)) + "\n"  # names and messages are the document's data, shown, never run


def _output_targets(outputs: list[str]) -> list[tuple[str, Path]]:
    """The --output FORMAT=PATH items, checked before any work is done."""
    from agent.files import check_writable

    targets = []
    for item in outputs:
        kind, _, path = item.partition("=")
        if kind not in FORMATS or not path:
            raise InvalidRequest(f"--output-format wants FORMAT=PATH with FORMAT in {', '.join(FORMATS)}, not {item!r}")
        check_writable(Path(path))
        targets.append((kind, Path(path)))
    return targets


def _waivers(waivers_file: Path | None) -> tuple[list[Waiver], list[str]]:
    """The waivers to apply (the named file, else sysdesign-waivers.yaml here if present) and their notices."""
    waivers_path = waivers_file or (Path(DEFAULT_WAIVERS) if Path(DEFAULT_WAIVERS).is_file() else None)
    if waivers_path is None:
        return [], []
    if not waivers_path.is_file():
        raise InvalidRequest(f"no waivers file at {str(waivers_path)!r}")
    return load_waivers(waivers_path)


def run_check(engine, target: str, fix_mode: str, rules_dirs: list[Path], waivers_file: Path | None, fmt: str,
              outputs: list[str], fail_on: str, pattern: str | None = None,
              blocks: list[str] | None = None) -> None:  # fmt: skip
    """Check, render, write, and exit with the CI-friendly code. `fix_mode`: "" (check only), "write" (repair the
    file in place, like `ruff --fix`) or "diff" (show the repair as a unified diff)."""
    from agent.render.ci import SEVERITY_RANK
    from agent.render.output import write_output
    from agent.rules.checker import load_rules

    if fmt not in (*FORMATS, "none"):
        raise InvalidRequest(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fail_on not in FAIL_ON:
        raise InvalidRequest(f"--fail-on must be one of {', '.join(FAIL_ON)}, not {fail_on!r}")
    targets = _output_targets(outputs)
    rules = load_rules(rules_dirs)
    waivers, notices = _waivers(waivers_file)
    inputs = documents(target)
    fix = bool(fix_mode)
    if fix and len(inputs) > 1:
        raise InvalidRequest(f"--{'diff' if fix_mode == 'diff' else 'fix'} repairs one document at a time; name a "
                             "single file")  # fmt: skip
    _refuse_overwrites(targets, inputs, waivers_file, fix_mode)
    reports, unreadable = _check_each(engine, inputs, fix, rules, waivers, notices, pattern, blocks or [])
    expired = [f"{r.source}: {n}" for r in reports for n in r.notices if n not in notices]
    for message in [*notices, *expired]:
        logging.getLogger("sysdesign").warning("%s", message)  # -q hides notices
    for message in unreadable:
        typer.echo(f"sysdesign: {message}", err=True)
    instead = _apply_fix(engine, reports[0], str(inputs[0][1]), fix_mode, fmt) if fix and reports else None
    if reports:
        if instead is not None:
            typer.echo(instead, nl=False)
        elif fmt != "none":
            typer.echo(_render(fmt, reports, rules, fail_on), nl=False)
        for kind, target_path in targets:
            write_output(_render(kind, reports, rules, fail_on), target_path)
    if unreadable:
        raise typer.Exit(2)
    threshold = SEVERITY_RANK[fail_on]
    final = [f for r in reports for f in (r.repaired.findings if r.repaired is not None else r.findings)]
    if any(SEVERITY_RANK[f.severity] >= threshold for f in final):
        raise typer.Exit(1)


def _refuse_overwrites(targets: list[tuple[str, Path]], inputs, waivers_file: Path | None, fix_mode: str) -> None:
    """Before any work: no report may replace a file being read, and --fix refuses a file it may not replace."""
    from agent.files import check_not_input, check_writable

    read = [label for label, _ in inputs if label != "<stdin>"] + ([waivers_file] if waivers_file else [])
    for _, path in targets:
        check_not_input(path, read)
    if fix_mode == "write" and inputs and inputs[0][0] != "<stdin>":
        check_writable(Path(inputs[0][0]))  # a read-only file is kept as it is, like `ruff --fix` does


def _check_each(engine, inputs, fix: bool, rules, waivers, notices, pattern, blocks) -> tuple[list, list[str]]:
    """A report per readable document; a document that cannot be read stops the run only when it is the only one."""
    reports, unreadable = [], []
    for label, text in inputs:
        if isinstance(text, InvalidRequest):
            if len(inputs) == 1:
                raise text
            unreadable.append(f"{label}: {text}")
            continue
        try:
            report = engine.check(text, fix=fix, rules=rules, waivers=waivers, pattern=pattern, blocks=blocks)
        except SysdesignError as exc:
            if len(inputs) == 1:
                raise
            unreadable.append(f"{label}: {exc}")
            continue
        report.source = label
        report.notices = notices + report.notices
        reports.append(report)
    return reports, unreadable


def repaired_text(engine, report, original: str) -> str:
    """The repaired document as it is written back: the user's text wherever the repair changed nothing (their
    nulls, their own fields, their numbers as spelled), the repair elsewhere; never the checker's findings."""
    from agent.document import parse_document, written_back

    return written_back(original, parse_document(original, engine.knowledge), report.repaired)


def _apply_fix(engine, report, original: str, fix_mode: str, fmt: str) -> str | None:
    """Write the repair back (a file: atomically, and only if nobody changed it meanwhile) or show it; the text
    to print in place of the report (the diff, or the repaired document read from stdin), or None for the report."""
    from agent.files import replace_if_unchanged

    new = repaired_text(engine, report, original)
    label = report.source or "document"
    if fix_mode == "diff":
        name = label.lstrip("/")
        lines = difflib.unified_diff(original.splitlines(True), new.splitlines(True), f"a/{name}", f"b/{name}")
        return "".join(line if line.endswith("\n") else line + "\n" for line in lines)
    if label == "<stdin>":
        return None if fmt != "text" else new
    if new != original:
        replace_if_unchanged(Path(label), new, read=original)  # an edit saved while we checked is never overwritten
    logging.getLogger("sysdesign").warning("%s: %d change(s) written", label, len(report.changes))
    return None


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


@app.command()
def check(
    file: Annotated[str, typer.Argument(help="A JSON architecture, '-' for stdin, a folder or a glob of them.")],
    fix: Annotated[
        bool, typer.Option("--fix", help="Repair FILE in place (atomically) and list the changes; with '-', print it.")
    ] = False,
    diff: Annotated[bool, typer.Option("--diff", help="Show the repair as a unified diff; write nothing.")] = False,
    rules_dir: Annotated[
        list[Path] | None, typer.Option("--rules-dir", help="A folder of your own rule packs (repeatable).")
    ] = None,
    waivers: Annotated[
        Path | None, typer.Option(help="Waivers file (default: sysdesign-waivers.yaml here, if present).")
    ] = None,
    format: Annotated[
        Literal["text", "json", "sarif", "junit"] | None,
        typer.Option("--format", help="The report's format (default: from -o's suffix, else text)."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to PATH instead of stdout.")
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

    Exit 0 when nothing reaches --fail-on, 1 when something does (with --fix: after repair), 2 for bad input.

    Examples:
      sysdesign check architecture.json
      echo '{"request": "Twitter clone", "services": ["API", "Tweets"]}' | sysdesign check -
      sysdesign check architecture/ --rules-dir rules/ --output-format sarif=out.sarif --output-format junit=j.xml
      sysdesign check architecture.json -o results.sarif
      sysdesign check --batch predictions.jsonl --json
      sysdesign check design.json --pattern other --blocks pastebin
    """
    if batch:
        run_batch(advisor_for(index=index).engine, Path(file), rules_dir or [], as_json)
        return
    if fix and diff:
        raise InvalidRequest("--fix writes the repair and --diff only shows it; choose one")
    fmt, extra = _report_targets(output_format(as_json, format), output, output_formats or [])
    mode = "diff" if diff else "write" if fix else ""
    run_check(advisor_for(index=index).engine, file, mode, rules_dir or [], waivers, fmt, extra, fail_on, pattern,
              blocks or [])  # fmt: skip


REPORT_SUFFIXES = {".txt": "text", ".json": "json", ".sarif": "sarif", ".xml": "junit"}


def _report_targets(fmt: str | None, output: Path | None, extra: list[str]) -> tuple[str, list[str]]:
    """The stdout format and the FORMAT=PATH files: `-o PATH` is one more file (its format from --format or the
    suffix) and stdout then stays quiet; the older `-o FORMAT=PATH` is read as --output-format."""
    if output is None:
        return fmt or "text", extra
    kind, equals, path = str(output).partition("=")
    if equals and kind in FORMATS:
        return fmt or "text", [*extra, f"{kind}={path}"]
    chosen = fmt or REPORT_SUFFIXES.get(output.suffix.lower())
    if chosen is None:
        raise InvalidRequest(f"cannot tell the format from {output.name!r}; add --format ({', '.join(FORMATS)})")
    return "none", [*extra, f"{chosen}={output}"]
