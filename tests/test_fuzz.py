"""Hostile input never ends in a traceback, a hang, invalid JSON or a file touched outside its folder.

A bounded slice of the fuzzing campaign (`benchmarks/fuzz.py` runs 1,000+ cases), then one regression test for
each case the fuzzing campaign of the hardening issue listed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from agent.errors import InvalidRequest
from tests.conftest import run_cli
from tests.fuzzing import Case, campaign, run_case

pytestmark = pytest.mark.slow


def test_a_bounded_campaign_finds_nothing():
    result = campaign(120, seed=20261125)
    problems = [o.problem for o in [*result.tracebacks, *result.hangs, *result.other]]
    assert problems == [] and result.touched == [] and result.tried == 120


def test_special_write_targets_and_oversized_input_find_nothing():
    """The classes of issue #32 item 12: every write path onto /dev/full, a FIFO, a dangling symlink, a folder, a
    name too long; integers past 4,300 digits, documents past 2 MB, odd prediction lines, overflowing factors."""
    result = campaign(30, seed=32012, surfaces=("write-targets", "oversized"))
    problems = [f"{o.problem} <- {o.case.args[:6]}" for o in [*result.tracebacks, *result.hangs, *result.other]]
    assert problems == [] and result.touched == [] and result.tried == 30


@pytest.mark.parametrize(
    "case",
    [
        Case(["check", "-"], stdin="[" * 1000 + "]" * 1000),  # JSON nested 1,000 levels
        Case(["estimate", "doc.json", "--json"], files={"doc.json": '{"components": ' + "[" * 900 + "]" * 900 + "}"}),
        Case(["check", "--batch", "p.jsonl"], files={"p.jsonl": "[" * 1000 + "]" * 1000}),
        Case(["check", "-"], stdin="\udcff\udcfe{}"),  # not UTF-8
        Case(["ask", "\u200b\u200b\u200b"]),  # only zero-width characters
        Case(["ask", "-"], stdin="Build a \udcff Twitter clone"),
        Case(["ask", "Build a Twitter clone", "-o", "folder"], files={"folder/keep.txt": "mine"}),
        Case(["ask", "Build a Twitter clone", "-o", "fifo.json"]),  # nobody reads the FIFO
        Case(["eval", "--report", "file.txt", "--limit", "1"], files={"file.txt": "mine"}),
        Case(["check", "doc.json", "--waivers", "w.yaml"],
             files={"doc.json": '{"components": ["Redis"]}', "w.yaml": "- rule: SD001\n  expires: 2027-13-01\n"}),
        Case(["estimate", "a todo app", "--media-mb-per-day", "inf", "--json"], wants_json=True),
        Case(["ask", "a todo app", "--timeout", "1e308"]),
        Case(["check", "doc.json", "--rules-dir", "rules"],
             files={"doc.json": '{"components": ["Redis"], "request": "' + "a" * 50000 + '"}',
                    "rules/p.yaml": "pack: p\nrules:\n- {id: T1, title: t, severity: error, pillar: security, "
                                    "message: m, remediation: r, help: h, require_text: '^(a+)+$'}\n"}),
        Case(["check", "doc.json", "--rules-dir", "rules"],
             files={"doc.json": '{"components": ["Redis"]}',
                    "rules/p.yaml": "pack: p\nrules:\n- {id: T1, title: t, severity: error, pillar: security, "
                                    "message: m, remediation: r, help: h, require_text: '(?=x)'}\n"}),
        Case(["chat"], stdin="Build a Twitter clone\nwhat breaks at " + "9" * 400 + "x?\n/save .\n/load x.json\n"),
        Case(["index", "build", "--kb", "empty", "--no-default-kb", "--index", "ix"], files={"empty/e.md": ""}),
        Case(["ask", "9" * 400 + " users", "--json"], wants_json=True),
    ],
    ids=["deep-json-check", "deep-json-estimate", "deep-json-batch", "stdin-not-utf8", "zero-width-prompt",
         "prompt-stdin-not-utf8", "output-is-a-folder", "output-fifo", "report-is-a-file", "waiver-date",
         "infinite-media", "huge-timeout", "catastrophic-regex", "re2-unsupported-regex", "chat-hostile",
         "empty-knowledge", "absurd-user-count"],
)  # fmt: skip
def test_each_listed_case_ends_cleanly(case):
    outcome = run_case(case)
    assert outcome.problem is None, outcome.problem
    assert outcome.exit_code in (0, 1, 2)


def test_a_catastrophic_regex_runs_in_linear_time():
    from agent.rules.user_regex import user_regex_search

    assert user_regex_search("^(a+)+$", "a" * 100_000 + "b") is False
    assert user_regex_search("(x+x+)+y", "x" * 100_000) is False
    with pytest.raises(ValueError, match="RE2"):
        user_regex_search("(?=x)y", "xy")


def test_corrupted_index_files_are_rebuilt_not_a_traceback(tmp_path, user_kb, monkeypatch):
    from agent.ingest.index import CHUNKS, MANIFEST, VECTORS, build_index, ensure_index, file_sha256
    from tests.conftest import HashEmbedder

    monkeypatch.setattr("agent.ingest.index.build_embedder", lambda model: HashEmbedder())
    index = tmp_path / "index"
    build_index(index, kb_dirs=[user_kb], default_kb=False, embedder=HashEmbedder())
    for name, damage in ((VECTORS, b"\x00" * 10), (CHUNKS, b'{"not": "a chunk"}\n')):
        (index / name).write_bytes(damage)
        manifest = json.loads((index / MANIFEST).read_text())
        manifest["files"][name] = file_sha256(index / name)  # the manifest agrees with the damaged file
        (index / MANIFEST).write_text(json.dumps(manifest))
        assert len(ensure_index(index).chunks) == 3  # reported, rebuilt, loaded


def test_a_symlink_loop_does_not_hang_a_recursive_glob(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "doc.json").write_text('{"components": ["Redis"]}')
    os.symlink("..", tmp_path / "a" / "loop")
    result = run_cli("check", str(tmp_path / "**" / "*.json"), cwd=tmp_path)
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr


def test_csv_cells_that_look_like_formulas_are_made_inert():
    result = run_cli("features", '=HYPERLINK("http://x") twitter clone', "--format", "csv")
    row = result.stdout.splitlines()[1]
    assert row.startswith("'=HYPERLINK") or row.startswith("\"'=HYPERLINK")


@pytest.mark.parametrize("breaks", ["\r", "\r\n", "\n", "\u2028"])
def test_a_line_break_inside_a_prompt_never_starts_a_row_with_a_formula(breaks):
    import csv
    import io

    prompt = f"a twitter clone{breaks}=SUM(1+1){breaks}@cmd"  # no quote character: nothing else makes csv quote it
    result = run_cli("features", prompt, "--format", "csv")
    assert result.returncode == 0, result.stderr
    # no bare CR, which a spreadsheet takes for a row break even where the csv module does not quote the cell
    assert "\r" not in result.stdout
    rows = list(csv.reader(io.StringIO(result.stdout, newline="")))  # quoted as spreadsheets read it
    assert len(rows) == 2 and len(rows[1]) == len(rows[0])  # the header and one row, its cells whole
    assert not [cell for cell in rows[1] if cell.startswith(("=", "+", "-", "@"))]


def test_deep_json_is_refused_with_a_clean_error():
    from agent.document import parse_document

    with pytest.raises(InvalidRequest, match="nested too deeply"):
        parse_document('{"components": ' + "[" * 100 + "]" * 100 + "}")


def test_a_long_single_paragraph_is_split_into_many_chunks():
    from agent.ingest.chunking import Chunker

    def count_words(text: str) -> int:
        return len(text.split())

    text = "# Doc\n\n## Part\n\n" + " ".join(f"word{i}." for i in range(20_000))
    chunks = Chunker(count_words, max_tokens=256).chunk_text(text, "doc.md")
    assert len(chunks) > 50 and all(chunk.tokens <= 256 for chunk in chunks)
    assert "word19999" in chunks[-1].text


def test_hostile_stored_chats_are_refused_in_one_sentence_and_left_as_they_are(tmp_path):
    import sqlite3

    from agent.chat import ChatSession, SessionStore

    store = SessionStore(tmp_path / "chats.db")
    hostiles = ["[1,2]", "null", '{"design": 5}', '{"edits": "x"}', "[" * 2000, '{"stated": [1e999]}', b"\xff\xfe",
                '{"undo": "abc"}', '{"undo": [{"design": 5}]}', '{"request": "' + "x" * 5_000_000 + '"}']  # fmt: skip
    for hostile in hostiles:
        conversation = store.new()
        store.save(conversation, {}, "t", {"user": "u", "reply": "r"})
        with sqlite3.connect(store.path) as db:
            db.execute("UPDATE conversations SET state = ? WHERE id = ?", (hostile, conversation))
        before = store.path.read_bytes()
        with pytest.raises(InvalidRequest, match=f"chat {conversation} .*; it was left as it is") as refused:
            ChatSession.open(advisor=None, store=store, resume=conversation)
        assert "\n" not in str(refused.value) and len(str(refused.value)) < 400
        assert store.path.read_bytes() == before
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)  # not ours: refused, left as it is
    with pytest.raises(InvalidRequest, match="not a chat store"):
        SessionStore(tmp_path / "junk.db")
    assert (tmp_path / "junk.db").read_bytes() == b"not a database at all" * 100
    assert not list(tmp_path.glob("junk.unreadable-*"))


def test_relative_paths_stay_inside_the_sandbox(tmp_path):
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "thesis.md").write_text("mine\n")
    project = tmp_path / "project"
    project.mkdir()
    (project / "sysdesign.toml").write_text('index = "../victim"\n')
    result = run_cli("search", "caching", cwd=project, env={"SYSDESIGN_DATA": str(tmp_path / "data")})
    assert result.returncode == 2 and (victim / "thesis.md").read_text() == "mine\n"
    assert [p.name for p in victim.iterdir()] == ["thesis.md"]


def test_nothing_is_written_into_the_project_by_a_user_index(tmp_path):
    before = sorted(p.name for p in (Path(__file__).parent.parent / "index").iterdir())
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("# A\n\n## B\n\ntext about queues\n")
    result = run_cli("index", "build", "--kb", str(docs), env={"SYSDESIGN_DATA": str(tmp_path / "data")})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "index" / "manifest.json").is_file()
    assert sorted(p.name for p in (Path(__file__).parent.parent / "index").iterdir()) == before


def test_one_unreadable_file_does_not_stop_a_folder_check(tmp_path):
    (tmp_path / "good.json").write_text('{"components": ["Redis"], "services": ["Feed Service"]}')
    (tmp_path / "bad.json").write_bytes(b"\xff\xfe not utf-8")
    result = run_cli("check", str(tmp_path), "--format", "json")
    assert result.returncode == 2 and "bad.json" in result.stderr and "Traceback" not in result.stderr
    assert "good.json" in result.stdout  # the readable one was still checked


def test_an_mcp_prompt_that_looks_like_json_is_an_app_idea():
    import asyncio

    from mcp import Client

    from agent.advisor import Advisor
    from agent.interfaces.mcp_server import build_server

    async def main():
        async with Client(build_server(Advisor())) as client:
            return [await client.call_tool("estimate_complexity", {"prompt": p}) for p in ("null", "[1,2]", '{"a": 1}')]

    results = asyncio.run(main())
    assert not results[0].is_error and results[0].structured_content["tier"]  # "null" has a word: it is designed
    assert results[1].is_error is False or "words" in results[1].content[0].text
    assert not results[2].is_error  # a prompt is never read as a document


def test_credentials_never_reach_the_chat_store(tmp_path):
    from agent.chat import ChatSession, SessionStore
    from agent.schema import Architecture, Audit

    store = SessionStore(tmp_path / "chats.db")
    session = ChatSession.open(advisor=None, store=store)
    session.design = Architecture.model_validate({"components": [{"name": "Redis"}], "services": []})
    session.design.audit = Audit(drafter="openai", fallback=True, error="cannot reach http://bob:hunter2@host/v1")
    session.handle("/model gpt-9 http://bob:hunter2@host/v1")
    saved = (tmp_path / "chats.db").read_bytes()
    assert b"hunter2" not in saved and b"***@host" in saved


@pytest.mark.parametrize(
    "sequence", ["\x1b]52;c;ZXZpbA==\x07", "\x1b[2J\x1b[H", "\x9b31m", "\x1b]8;;http://x\x1b\\link", "\u202egnp.exe"]
)
def test_terminal_sequences_in_a_chat_reach_the_screen_as_text(tmp_path, sequence):
    """OSC 52 (the clipboard), CSI (clear, colour), a hyperlink, a bidirectional override: shown, never run."""
    env = {"SYSDESIGN_DATA": str(tmp_path)}
    turns = f"Build a Twitter clone with a {sequence} feed\nadd a {sequence}Part service\n"
    chat = run_cli("chat", input=turns, env=env)
    assert chat.returncode == 0, chat.stderr
    listed = run_cli("chat", "--list", env=env)
    shown = run_cli("chat", "--show", listed.stdout.split()[0], env=env)
    for out in (chat.stdout, listed.stdout, shown.stdout):
        assert not set(out) & {"\x1b", "\x07", "\x9b", "\u202e"}
    assert "\\x1b" in chat.stdout + shown.stdout or "\\x9b" in chat.stdout or "\\u202e" in chat.stdout


def test_terminal_sequences_in_a_document_reach_the_screen_as_text(tmp_path):
    """The plain views of `ask` and `check`, and the rich terminal view, show a part's escape sequence as text."""
    import io

    from rich.console import Console

    from agent.render.output import render
    from agent.render.rich_view import print_architecture
    from agent.render.terminal import inert_strings
    from agent.schema import Architecture

    osc = "\x1b]52;c;ZXZpbA==\x07"
    asked = run_cli("ask", f"Build a Twitter clone with a {osc} feed")
    document = {"request": f"a chat app {osc}", "components": [f"Flurbo{osc}DB"], "services": [f"Chat{osc} Service"]}
    path = tmp_path / "design.json"
    path.write_text(json.dumps(document))
    checked = run_cli("check", str(path))
    assert asked.returncode == 0 and checked.returncode in (0, 1), asked.stderr + checked.stderr
    for out in (asked.stdout, checked.stdout):
        assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b]52" in checked.stdout  # the part's name is still there, written out
    design = json.loads(run_cli("ask", f"Build a Twitter clone with a {osc} feed", "--json").stdout)
    screen = io.StringIO()
    shown = Architecture.model_validate(inert_strings(design))
    print_architecture(shown, Console(file=screen, force_terminal=True, width=100))
    assert "\x1b]52" not in screen.getvalue() and "\x07" not in screen.getvalue()
    assert "\x1b]52" in design["request"] and "\x1b" not in render(shown, "text")
