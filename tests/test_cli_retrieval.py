"""The retrieval commands, run as a user runs them (subprocess, real index and model)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from agent.ingest.sources import CHUNKS_FILE
from tests.conftest import run_cli


def test_search_json_lists_the_geospatial_section_first():
    result = run_cli("search", "how do I find drivers near a rider quickly", "--json")
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)
    assert hits[0]["chunk_id"] == "ride-hailing-platforms/matching-algorithm/step-1-find-nearby-drivers"
    assert "GEORADIUS" in hits[0]["text"]
    assert len(hits) == 5 and {"heading_path", "score", "dense_score", "lexical_score"} <= hits[0].keys()


def test_search_text_output_shows_id_path_and_score():
    result = run_cli("search", "how do I find drivers near a rider quickly", "-k", "2")
    assert result.returncode == 0
    assert result.stdout.startswith("1. ") and "\n2. " in result.stdout
    assert "ride-hailing-platforms/" in result.stdout  # the id, then the section's heading path
    assert "score" in result.stdout and " > " in result.stdout


def test_query_path_never_imports_torch():
    code = (
        "import sys, agent; agent.search('what database for a shopping cart');"
        "print(sorted(m for m in ('torch', 'sentence_transformers', 'transformers') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search", "   "], "empty"),
        (["search", "a" * 20_001], "20,000"),
        (["search", "cache", "--pattern", "blog"], "unknown pattern"),
        (["search"], "Missing argument"),
        (["index", "build", "--kb", "/no/such/folder"], "does not exist"),
        (["index", "build", "--no-default-kb"], "needs at least one"),
        (["eval", "retrieval", "--cases", "/no/such.jsonl"], "does not exist"),
    ],
)
def test_bad_input_exits_2_without_traceback(args, message):
    result = run_cli(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_kb_folder_without_markdown_exits_2(tmp_path):
    (tmp_path / "notes.txt").write_text("not markdown")
    result = run_cli("index", "build", "--kb", str(tmp_path))
    assert result.returncode == 2 and "no markdown" in result.stderr


def test_kb_chunk_check_passes_on_the_committed_chunks():
    result = run_cli("kb", "chunk", "--check")
    assert result.returncode == 0, result.stderr


@pytest.mark.slow
def test_index_build_with_a_users_kb_then_search_and_status(tmp_path, user_kb):
    index = str(tmp_path / "index")
    built = run_cli("index", "build", "--kb", str(user_kb), "--index", index)
    assert built.returncode == 0, built.stderr
    assert "embedding:" in built.stderr  # progress
    found = run_cli("search", "retried payment charged twice", "--index", index, "--json")
    assert json.loads(found.stdout)[0]["chunk_id"] == "payments/ledger/idempotency-keys"
    status = run_cli("index", "status", "--index", index, "--json")
    bundled = len(CHUNKS_FILE.read_text(encoding="utf-8").splitlines())
    assert status.returncode == 0 and json.loads(status.stdout)["chunk_count"] == bundled + 3
    (user_kb / "oncall.md").write_text("# On-call\n\nchanged\n")
    stale = run_cli("index", "status", "--index", index)
    assert stale.returncode == 1 and "changed" in stale.stdout


def test_missing_index_is_built_on_first_use_with_a_notice(tmp_path, monkeypatch):
    index = tmp_path / "fresh-index"
    result = run_cli("search", "cache invalidation", "--index", str(index), "--json")
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("no index at") == 1
    assert json.loads(result.stdout)[0]["chunk_id"] == "caching-strategies/cache-invalidation-strategies"


def test_eval_retrieval_json():
    result = run_cli("eval", "retrieval", "--json")
    scores = {row["mode"]: row for row in json.loads(result.stdout)}
    assert set(scores) == {"hybrid", "dense", "lexical"} and scores["hybrid"]["recall_at_5"] >= 0.9


def test_version():
    assert run_cli("--version").stdout.startswith("sysdesign-agent ")
