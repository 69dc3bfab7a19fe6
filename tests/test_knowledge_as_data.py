"""Adding an application pattern is a data-only change: a markdown chapter and a YAML entry in a folder.

The folder `tests/data/knowledge-url-shortener/` holds both; no code knows the pattern `url_shortener`. Through
the real CLI, the embedding model and FAISS, it is chunked, indexed, recognised, drafted, checked and estimated.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from agent.errors import InvalidRequest
from agent.knowledge import load_knowledge
from tests.conftest import run_cli

KNOWLEDGE = Path(__file__).parent / "data" / "knowledge-url-shortener"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("knowledge") / "url-shortener-kb"
    shutil.copytree(KNOWLEDGE, folder)
    path = folder.parent / "index"
    built = run_cli("index", "build", "--kb", str(folder), "--index", str(path))
    assert built.returncode == 0, built.stderr
    return path


def test_a_new_pattern_is_chunked_and_indexed_with_its_tag(index):
    chunks = [json.loads(line) for line in (index / "chunks.jsonl").read_text().splitlines()]
    tagged = {c["id"] for c in chunks if c["pattern"] == "url_shortener"}
    assert "url-shortener/redirect-flow" in tagged
    found = run_cli("search", "redirect lookup of a short key", "--pattern", "url_shortener", "--index", str(index),
                    "--json")  # fmt: skip
    assert found.returncode == 0, found.stderr
    assert all(hit["pattern"] == "url_shortener" for hit in json.loads(found.stdout))


def test_a_new_pattern_is_recognised_drafted_checked_and_estimated(index, tmp_path):
    asked = run_cli("ask", "a link shortening service like bitly", "--index", str(index), "--json")
    assert asked.returncode == 0, asked.stderr
    design = json.loads(asked.stdout)
    assert design["pattern"]["id"] == "url_shortener" and "bitly" in design["pattern"]["evidence"]
    services = {s["name"] for s in design["services"]}
    assert {"Shortening Service", "Redirect Service", "Analytics Service"} <= services
    assert design["flows"][0]["name"] == "Redirect"
    assert not [f for f in design["findings"] if f["severity"] == "error"]

    document = tmp_path / "shortener.json"
    document.write_text(json.dumps({"request": "a URL shortener", "pattern": "url_shortener",
                                    "components": ["Cassandra"], "services": ["Shortening Service"]}))  # fmt: skip
    checked = run_cli("check", str(document), "--index", str(index), "--json")
    report = json.loads(checked.stdout)["files"][0]
    assert report["pattern"]["id"] == "url_shortener"
    assert any("Redis" in f["message"] for f in report["findings"])  # the pattern's own required component

    estimated = run_cli("estimate", "a link shortening service like bitly", "--index", str(index), "--json")
    assert estimated.returncode == 0, estimated.stderr
    assert json.loads(estimated.stdout)["estimate"]["services_band"] == [3, 5]


def test_the_bundled_knowledge_does_not_know_the_pattern_without_the_folder():
    assert "url_shortener" not in load_knowledge().pattern_ids
    assert "url_shortener" in load_knowledge((KNOWLEDGE,)).pattern_ids


def test_an_invalid_knowledge_file_names_the_file_and_field(tmp_path):
    (tmp_path / "bad.yaml").write_text("patterns:\n  broken:\n    name: Broken\n")
    with pytest.raises(InvalidRequest, match=r"bad\.yaml.*patterns\.broken"):
        load_knowledge((tmp_path,))
    (tmp_path / "bad.yaml").write_text("pattern: {}\n")
    with pytest.raises(InvalidRequest, match=r"bad\.yaml.*pattern.*Extra inputs"):
        load_knowledge((tmp_path,))
