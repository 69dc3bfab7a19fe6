"""One set of conventions for every command, checked by walking the whole command tree's help (clig.dev)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import run_cli


def _commands() -> list[tuple[str, ...]]:
    import typer

    from agent.interfaces.cli.app import add_commands, app
    from agent.interfaces.cli.conventions import polish

    add_commands()
    root = polish(typer.main.get_command(app))
    found: list[tuple[str, ...]] = []

    def walk(command, path: tuple[str, ...]) -> None:
        found.append(path)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, (*path, name))

    walk(root, ())
    return found


COMMANDS = _commands()


def _help(path: tuple[str, ...]) -> str:
    import contextlib
    import io

    import typer

    from agent.interfaces.cli.app import app
    from agent.interfaces.cli.conventions import polish

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = polish(typer.main.get_command(app)).main(args=[*path, "-h"], prog_name="sysdesign",
                                                        standalone_mode=False)  # fmt: skip
    assert code in (0, None), (path, out.getvalue())
    return out.getvalue()


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(p) or "root" for p in COMMANDS])
def test_every_commands_help_follows_the_conventions(path):
    text = _help(path)
    assert "-h, --help" in text
    usage = text.splitlines()[0]
    assert "{" not in usage and "<" not in usage, usage  # PROMPT, not {prompt}
    options = text[text.find("Options:") :]
    assert not re.search(r"<(?:str|int|float|path|list\[)", options), options  # TEXT, PATH, not <list[str]>
    if "--format" in options:
        choices = re.search(r"--format \[([a-z]+(?:\|[a-z]+)+)\]", options)
        assert choices, options  # the choices are listed
        if "--json" in options and "json" in choices.group(1).split("|"):
            assert "Shorthand for --format json." in options
    if "--model " in options:
        assert "embedding" not in options.split("--model ", 1)[1].splitlines()[0].lower()  # --model is the LLM
    if "Examples:" in text:
        after = text.split("Examples:", 1)[1].splitlines()
        assert after[0].strip() == "" or not after[0].strip().startswith("sysdesign"), after[:2]
        assert sum(line.strip().startswith("sysdesign") for line in after) >= 1  # laid out a line each


def test_quiet_and_verbose_are_accepted_anywhere(tmp_path):
    for args in (["-q", "rules", "list"], ["rules", "list", "-q"], ["rules", "-v", "list"]):
        result = run_cli(*args)
        assert result.returncode == 0, (args, result.stderr)
    quiet = run_cli("ask", "Build a Twitter clone", "--json", "-q")
    assert quiet.returncode == 0 and quiet.stderr == "", quiet.stderr  # no notices, no "Loading weights" bar


def test_conflicting_formats_are_a_usage_error_and_dash_reads_stdin():
    both = run_cli("ask", "a todo app", "--json", "--format", "markdown")
    assert both.returncode == 2 and "choose one" in both.stderr
    wrong = run_cli("check", "-", "--format", "yaml", input="{}")
    assert wrong.returncode == 2 and "sarif" in wrong.stderr
    searched = run_cli("search", "-", "-k", "1", "--json", input="consistent hashing\n")
    assert searched.returncode == 0 and searched.stdout.lstrip().startswith("[")
    featured = run_cli("features", "-", "--json", input="an app where drivers pick up passengers\n")
    assert featured.returncode == 0 and '"pattern": "ride_hailing"' in featured.stdout


def test_progress_is_one_final_line_when_stderr_is_a_file(tmp_path):
    result = run_cli("eval", "--limit", "3", "--json")
    assert result.returncode == 0, result.stderr
    assert "\r" not in result.stderr and "eval: 3/3 done" in result.stderr


def test_check_output_means_a_path_and_output_format_keeps_format_equals_path(tmp_path):
    document = '{"request": "Twitter clone", "services": ["API", "Tweets"]}'
    sarif = tmp_path / "report.sarif"
    to_file = run_cli("check", "-", "-o", str(sarif), input=document)
    assert to_file.returncode == 1 and to_file.stdout == "" and '"version": "2.1.0"' in sarif.read_text()
    junit = tmp_path / "j.xml"
    both = run_cli("check", "-", "--output-format", f"junit={junit}", input=document)
    assert "Check failed" in both.stdout and junit.read_text().startswith("<?xml")
    unknown = run_cli("check", "-", "-o", str(tmp_path / "report.yaml"), input=document)
    assert unknown.returncode == 2 and "cannot tell the format" in unknown.stderr
