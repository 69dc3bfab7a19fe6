"""I/O and input errors are one sentence and exit 2, never a traceback (issue #32, item 12; the chat-store half of
item 13): a full disk under standard output, names too long, report and index folders that cannot be written,
integers too long to read, predictions of the wrong shape, estimation factors that overflow, terminals that cannot
show a character, and stored chats that were tampered with or grew too large.

Through the real CLI in a subprocess, on real files, FIFOs, symlinks, /dev/full and (as root) real tmpfs mounts;
one test runs `main()` in process with a standard output whose disk is full, at the operating system's boundary.
"""

from __future__ import annotations

import errno
import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from agent.errors import InvalidRequest
from agent.files import load_json
from agent.interfaces.cli.app import known_error
from tests.conftest import SYSDESIGN, run_cli
from tests.test_data_safety import fill_up, mount, one_sentence, read_only_folder, snapshot

__all__ = ["mount", "read_only_folder"]  # fixtures used here

TWITTER = "Build a Twitter clone"


def no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr, result.stderr


# ---- a full disk under standard output, and every OSError the CLI meets ----------------------------------------


@pytest.mark.parametrize("buffered", [True, False], ids=["buffered", "unbuffered"])
@pytest.mark.parametrize(
    "args", [["ask", TWITTER], ["ask", TWITTER, "--json"], ["schema"], ["check", "-", "--format", "json"]],
    ids=["ask", "ask-json", "schema", "check"],
)  # fmt: skip
def test_standard_output_on_a_full_disk_is_one_sentence(args, buffered):
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    env = {**os.environ, "PYTHONUNBUFFERED": "" if buffered else "1"}
    with open("/dev/full", "w") as full:
        result = subprocess.run([*SYSDESIGN, *args], stdout=full, stderr=subprocess.PIPE, text=True, env=env,
                                input='{"components": ["Redis"]}', timeout=300)  # fmt: skip
    one_sentence(result, "cannot write to '<stdout>'", "No space left on device")
    no_traceback(result)


def test_a_full_standard_error_too_still_exits_2_without_a_second_failure():
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    env = {**os.environ, "PYTHONUNBUFFERED": ""}
    with open("/dev/full", "w") as full:
        result = subprocess.run([*SYSDESIGN, "ask", TWITTER], stdout=full, stderr=full, env=env, timeout=300)
    assert result.returncode == 2  # not 120, Python's code for a flush that failed at exit


class FullDisk(io.RawIOBase):
    """A raw stream at the operating system's boundary whose writes fail as a full disk's do, while `full`."""

    full = True

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        if self.full:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return len(data)


def test_main_reports_a_failing_standard_output_in_one_sentence(monkeypatch, capsys):
    from agent.interfaces.cli.app import main

    disk = FullDisk()
    monkeypatch.setattr(sys, "argv", ["sysdesign", "schema"])
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BufferedWriter(disk), encoding="utf-8"))
    try:
        with pytest.raises(SystemExit) as exit_:
            main()
    finally:
        disk.full = False  # what is still buffered goes nowhere when the stream is collected
    assert exit_.value.code == 2
    assert capsys.readouterr().err == "error: cannot write to '<stdout>': No space left on device\n"


@pytest.mark.parametrize(
    "code", [errno.ENOSPC, errno.ENAMETOOLONG, errno.EROFS, errno.EACCES, errno.EISDIR, errno.ENOTDIR, errno.EIO]
)
def test_every_os_error_is_one_sentence_naming_the_path(code):
    path = "out/" + "x" * 300 + ".json"
    known = known_error(OSError(code, os.strerror(code), path))
    assert isinstance(known, InvalidRequest) and known.exit_code == 2
    assert str(known) == f"cannot use {path!r}: {os.strerror(code)}" and "\n" not in str(known)
    moved = known_error(OSError(code, os.strerror(code), "a.tmp", None, "b.json"))
    assert str(moved) == f"cannot move 'a.tmp' to 'b.json': {os.strerror(code)}"
    assert known_error(ValueError("a bug")) is None  # anything else keeps its traceback


# ---- names no file system takes, in the chat ---------------------------------------------------------------------


def test_chat_save_and_load_with_impossible_names_answer_in_one_line(tmp_path):
    long = "d" * 300
    turns = [TWITTER, f"/save {long}.json", f"/save {long}/design.md", "/save ~nosuchuser-here/x.json",
             "/save a\x00b.json", "/load ~nosuchuser-here/x.json", "/load a\x00b.json", f"/load {long}.json",
             f"/load {long}/design.json", "/save ok.json"]  # fmt: skip
    result = run_cli("chat", input="\n".join(turns) + "\n", env={"SYSDESIGN_DATA": str(tmp_path / "data")},
                     cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    no_traceback(result)
    replies = result.stdout.split("sysdesign> ")[2:]
    assert "File name too long" in replies[0] and "File name too long" in replies[1]
    assert "whose home folder" in replies[2] and "NUL" in replies[3]
    assert "whose home folder" in replies[4] and "NUL" in replies[5]
    assert "File name too long" in replies[6] and "File name too long" in replies[7]
    assert "Saved the design" in replies[8]  # the chat went on after each
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "ok.json"]


# ---- the evaluation's report folder -----------------------------------------------------------------------------


def _dangling(folder: Path) -> Path:
    (folder / "report").symlink_to(folder / "nowhere")
    return folder / "report"


def _fifo(folder: Path) -> Path:
    os.mkfifo(folder / "report")
    return folder / "report"


def _file(folder: Path) -> Path:
    (folder / "report").write_text("mine\n")
    return folder / "report"


def _chart_is_a_folder(folder: Path) -> Path:
    (folder / "report" / "scores.png").mkdir(parents=True)
    return folder / "report"


def _report_is_a_fifo(folder: Path) -> Path:
    (folder / "report").mkdir()
    os.mkfifo(folder / "report" / "report.md")
    return folder / "report"


def _progress_is_a_dangling_link(folder: Path) -> Path:
    (folder / "report").mkdir()
    (folder / "report" / "progress.jsonl").symlink_to(folder / "gone")
    return folder / "report"


REPORTS = {
    "dangling-symlink": (_dangling, "symlink to nothing"),
    "fifo": (_fifo, "wants a folder"),
    "file": (_file, "wants a folder"),
    "chart-is-a-folder": (_chart_is_a_folder, "scores.png' is not a regular file"),
    "report-is-a-fifo": (_report_is_a_fifo, "report.md' is not a regular file"),
    "progress-is-a-dangling-link": (_progress_is_a_dangling_link, "progress.jsonl' is not a regular file"),
}


@pytest.mark.parametrize("kind", REPORTS, ids=list(REPORTS))
def test_a_report_folder_that_cannot_take_the_report_is_refused_before_any_work(tmp_path, kind):
    make, message = REPORTS[kind]
    target = make(tmp_path)
    before = snapshot(tmp_path)
    result = run_cli("eval", "--report", str(target), "--limit", "1")
    one_sentence(result, message)
    assert "eval:" not in result.stderr  # refused before the first case ran
    assert snapshot(tmp_path) == before


def test_a_report_folder_on_a_full_disk_is_one_sentence(mount):
    disk = mount("full", size="64k")
    (disk / "report").mkdir()
    fill_up(disk)
    result = run_cli("eval", "--report", str(disk / "report"), "--limit", "1")
    one_sentence(result, "report'", "No space left on device")


# ---- the index folder -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("where", [".", "..", "sub/.."], ids=["here", "parent", "dotted"])
def test_index_build_never_replaces_the_folder_you_are_in(tmp_path, user_kb, where):
    (tmp_path / "sub").mkdir()
    here = tmp_path if where == "sub/.." else tmp_path / "sub"
    result = run_cli("index", "build", "--kb", str(user_kb), "--no-default-kb", "--index", where, cwd=here)
    one_sentence(result, "the folder you are in")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sub", "team-kb"]


def test_index_build_into_a_read_only_folder_is_refused_before_any_work(read_only_folder, user_kb):
    folder = read_only_folder(lambda f: None)
    result = run_cli("index", "build", "--kb", str(user_kb), "--no-default-kb", "--index", str(folder / "ix"))
    one_sentence(result, "not writable")
    assert "embedding" not in result.stderr and list(folder.iterdir()) == []


def test_index_build_onto_a_full_disk_is_one_sentence_and_leaves_nothing(mount, user_kb):
    disk = mount("full", size="64k")
    fill_up(disk)
    before = snapshot(disk)
    result = run_cli("index", "build", "--kb", str(user_kb), "--no-default-kb", "--index", str(disk / "ix"))
    one_sentence(result, "cannot write the index to", "No space left on device")
    assert snapshot(disk) == before


# ---- input that parses into trouble ------------------------------------------------------------------------------


LONG_NUMBER = '{"components": ["Redis"], "estimate": {"hours": [1, ' + "9" * 5000 + "]}}"


@pytest.mark.parametrize("command", [["check", "doc.json"], ["check", "doc.json", "--fix"], ["estimate", "doc.json"]])
def test_an_integer_of_5000_digits_is_one_sentence(tmp_path, command):
    (tmp_path / "doc.json").write_text(LONG_NUMBER)
    result = run_cli(*command, cwd=tmp_path)
    one_sentence(result, "more than 4,300 digits")
    assert (tmp_path / "doc.json").read_text() == LONG_NUMBER


def test_load_json_refuses_an_integer_too_long_to_read():
    with pytest.raises(InvalidRequest, match="has a number of more than 4,300 digits"):
        load_json("[" + "1" * 4301 + "]", "the line")
    assert load_json("[" + "1" * 4300 + "]")[0] > 0


def test_predictions_that_are_not_objects_or_whose_ids_are_not_text_are_said_and_skipped(tmp_path):
    good = json.dumps({"id": "bl-url-01", "components": ["Redis", "Cassandra"], "services": ["URL Service"]})
    bad = ["[1, 2]", '"text"', "null", '{"id": ["bl-url-01"]}', '{"id": {"a": 1}}', '{"case_id": 5}',
           '{"id": "bl-url-01", "n": ' + "9" * 5000 + "}"]  # fmt: skip
    (tmp_path / "only-bad.jsonl").write_text("\n".join(bad) + "\n")
    refused = run_cli("eval", "--predictions", str(tmp_path / "only-bad.jsonl"), "--limit", "1")
    one_sentence(refused, "holds no prediction", "line 1: a prediction is a JSON object")
    (tmp_path / "mixed.jsonl").write_text("\n".join([*bad, good]) + "\n")
    mixed = run_cli("eval", "--predictions", str(tmp_path / "mixed.jsonl"), "--limit", "1", "--json")
    assert mixed.returncode == 0, mixed.stderr
    no_traceback(mixed)
    warnings = [line for line in mixed.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == len(bad)
    assert "not list" in warnings[0] and "unknown case id ['bl-url-01']" in warnings[3]
    assert "more than 4,300 digits" in warnings[6]
    assert json.loads(mixed.stdout)["drafters"]["predictions"]["metrics"]["cases"] == 1


@pytest.mark.parametrize(
    "settings, factor",
    [
        ('combination = "product"\ncap = 1e308\nfactors = { ml = 1e308 }', "1e+308"),
        ("factors = { ml = nan }", "nan"),
        ("factors = { ml = -2.0 }", "-2.0"),
        ("factors = { ml = inf }", "inf"),
    ],
    ids=["product-overflow", "nan", "negative", "infinite"],
)
def test_estimation_factors_that_overflow_are_one_sentence(tmp_path, settings, factor):
    (tmp_path / "sysdesign.toml").write_text(f"[estimation]\n{settings}\n")
    prompt = "a shop with payments and recommendations"
    for args in (["estimate", prompt, "--json"], ["ask", prompt]):
        one_sentence(run_cli(*args, cwd=tmp_path), "factor 'ml'", factor, "sysdesign.toml")


def test_estimation_factors_within_bounds_still_multiply(tmp_path):
    (tmp_path / "sysdesign.toml").write_text(
        '[estimation]\ncombination = "product"\ncap = 1e308\nfactors = { ml = 1000 }\n'
    )
    result = run_cli("estimate", "a recommendation engine for my shop", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["estimate"]["factor"] >= 1000


# ---- terminals that cannot show a character -----------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["latin-1", "ascii", "cp1252"])
def test_any_output_encoding_prints_every_character(encoding):
    env = {"PYTHONIOENCODING": encoding}
    prompt = f"{TWITTER} for 東京 🚀 café"
    asked = subprocess.run([*SYSDESIGN, "ask", prompt, "--json"], capture_output=True, env={**os.environ, **env},
                           timeout=300)  # fmt: skip
    assert asked.returncode == 0, asked.stderr
    assert json.loads(asked.stdout.decode(encoding))["request"] == prompt  # escaped as JSON escapes: still JSON
    for args in (["ask", prompt], ["search", "東京 caching 🚀"], ["ask", "🚀"]):
        result = run_cli(*args, env=env)
        assert result.returncode in (0, 2), result.stderr
        no_traceback(result)


# ---- stored chats: validated whole when read back, refused and left as they are --------------------------------


def _stored_chat(data: Path) -> tuple[Path, str, dict]:
    made = run_cli("chat", input=f"{TWITTER}\nadd payments\n", env={"SYSDESIGN_DATA": str(data)})
    assert made.returncode == 0, made.stderr
    store = data / "chats.db"
    with sqlite3.connect(store) as db:
        ((conversation, state),) = db.execute("SELECT id, state FROM conversations").fetchall()
    return store, conversation, json.loads(state)


def _tamper(state: dict) -> dict[str, dict]:
    return {
        "undo-a-string": {**state, "undo": "abc"},
        "undo-design-a-number": {**state, "undo": [{**state["undo"][0], "design": 5}]},
        "undo-too-deep": {**state, "undo": [state["undo"][0]] * 21},
        "undo-entry-oversized": {**state, "undo": [{**state["undo"][0], "request": "x" * 5_000_000}]},
        "request-5mb": {**state, "request": TWITTER + " " * 5_000_000},
        "stated-not-text": {**state, "stated": [5]},
        "said-too-many": {**state, "said": ["hi"] * 100},
    }


def test_a_tampered_or_oversized_stored_chat_is_refused_and_left_as_it_is(tmp_path):
    store, conversation, state = _stored_chat(tmp_path / "data")
    assert state["undo"], "a chat of two turns has something to undo"
    for name, tampered in _tamper(state).items():
        with sqlite3.connect(store) as db:
            db.execute("UPDATE conversations SET state = ? WHERE id = ?", (json.dumps(tampered), conversation))
        before = store.read_bytes()
        for how in (["--resume", conversation], ["--continue"]):
            result = run_cli("chat", *how, input="/undo\nwe are 3 engineers\n",
                             env={"SYSDESIGN_DATA": str(tmp_path / "data")})  # fmt: skip
            one_sentence(result, f"chat {conversation}", "left as it is")
            assert len(result.stderr.splitlines()[-1]) < 400, (name, result.stderr)  # no 5 MB in the message
            assert store.read_bytes() == before, name


def test_an_untouched_stored_chat_still_resumes_and_undoes(tmp_path):
    _stored_chat(tmp_path / "data")
    result = run_cli(
        "chat", "--continue", input="/undo\n/undo\n/undo\n", env={"SYSDESIGN_DATA": str(tmp_path / "data")}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("Undone: back to the previous design.") == 2 and "Nothing to undo." in result.stdout


def test_a_lone_surrogate_is_written_as_its_escape_not_a_traceback(tmp_path):
    """A document read with a lone surrogate (from a JSON escape) has no UTF-8 form; every atomic write spells it
    as its escape, which JSON reads back as the same text (the fuzz campaign found `check --fix` crashing here)."""
    import json

    from agent.files import write_atomic

    target = tmp_path / "doc.json"
    write_atomic(target, json.dumps({"request": "x \ud800 y"}, ensure_ascii=False))
    assert json.loads(target.read_text(encoding="utf-8")) == {"request": "x \ud800 y"}
