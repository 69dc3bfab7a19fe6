"""Training-data tools: features, synthetic examples, batch validation of predictions."""

from __future__ import annotations

import csv
import io
import json

import pytest

from agent.datasets.features import columns, features
from agent.datasets.synth import generate, near_key, render, split
from agent.pipeline import Engine
from tests.conftest import run_cli


@pytest.fixture(scope="module")
def engine(retriever):
    return Engine(retriever)


def test_features_of_a_request(retriever):
    prompt = "MVP for 2 engineers: uber for dog walkers with card payments"
    row = features(prompt, retriever.search(prompt, k=10))
    assert list(row) == columns()
    assert row["pattern"] == "ride_hailing" and row["kw_ride_hailing"] >= 1 and row["kw_social_media"] == 0
    assert row["trait_payments"] == 1 and "payment" in row["cues"]["payments"]
    assert row["signal_small_scope"] == 1 and row["tier"] == "low"
    assert row["read_write"] == "50:50"


def test_features_cli_csv_has_stable_columns(tmp_path):
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("Build a Twitter clone\n\ncustom IoT dashboard\n")
    result = run_cli("features", "--input", str(prompts), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert result.returncode == 0 and len(rows) == 2
    assert list(rows[0]) == columns()
    assert rows[0]["pattern"] == "social_media" and rows[1]["pattern"] == "other"
    assert run_cli("features").returncode == 2
    (tmp_path / "bad.jsonl").write_text('{"prompt": "ok"}\n{"nope": 1}\n')
    bad = run_cli("features", "--input", str(tmp_path / "bad.jsonl"))
    assert bad.returncode == 2 and "line 2" in bad.stderr


def test_synth_is_deterministic_varied_unique_and_checked(engine):
    first = generate(engine, 120, seed=3)
    again = generate(engine, 120, seed=3)
    assert [e["request"] for e in first.examples] == [e["request"] for e in again.examples]
    assert first.summary["examples"] == 120 and first.summary["rejected_with_errors"] == 0
    assert set(first.summary["patterns"]) == {"social_media", "video_streaming", "messaging", "ride_hailing",
                                              "ecommerce", "other"}  # fmt: skip
    assert len({near_key(e["request"]) for e in first.examples}) == 120
    for example in first.examples:
        assert not [f for f in example["architecture"]["findings"] if f["severity"] == "error"]
    other = generate(engine, 40, seed=4)
    assert [e["request"] for e in other.examples] != [e["request"] for e in first.examples[:40]]


def test_near_duplicates_share_a_key():
    assert near_key("Build a Twitter clone for runners") == near_key("twitter clone, for the runners")
    assert near_key("Build a Twitter clone") != near_key("Build a YouTube clone")


def test_formats_and_split(engine):
    examples = generate(engine, 30, seed=5).examples
    chat = json.loads(render(examples[0], "chat"))
    assert [m["role"] for m in chat["messages"]] == ["system", "user", "assistant"]
    assert chat["messages"][1]["content"] == examples[0]["request"]
    target = json.loads(chat["messages"][2]["content"])
    assert "services" in target and not {"request", "audit", "changes", "findings", "citations"} & set(target)
    alpaca = json.loads(render(examples[0], "alpaca"))
    assert alpaca["input"] == examples[0]["request"] and json.loads(alpaca["output"])
    train, validation = split(examples, 0.8, seed=5)
    assert len(train) == 24 and len(validation) == 6
    assert not {e["request"] for e in train} & {e["request"] for e in validation}


def test_synth_cli_writes_split_files(tmp_path):
    out = tmp_path / "data.jsonl"
    result = run_cli("synth", "--n", "20", "--seed", "1", "-o", str(out), "--format", "chat", "--split", "0.9",
                     "--json")  # fmt: skip
    summary = json.loads(result.stdout)
    train, validation = tmp_path / "data.train.jsonl", tmp_path / "data.val.jsonl"
    assert train.is_file() and validation.is_file()
    lines = len(train.read_text().splitlines()) + len(validation.read_text().splitlines())
    assert lines == summary["rows"] == 20 - summary["audit"]["dropped"] and summary["audit"]["checked"] == 20


def test_batch_check_reports_malformed_lines_and_keeps_going(tmp_path):
    predictions = tmp_path / "preds.jsonl"
    predictions.write_text("\n".join([
        json.dumps({"request": "Twitter clone", "services": ["API", "Tweets"]}),
        "not json",
        json.dumps({"request": "insta clone", "components": ["Postgres"], "services": ["Feed Service"]}),
    ]) + "\n")  # fmt: skip
    result = run_cli("check", "--batch", str(predictions), "--json")
    data = json.loads(result.stdout)
    summary = data["summary"]
    assert result.returncode == 2
    assert summary["checked"] == 2 and summary["malformed"][0]["line"] == 2
    assert summary["validation_examples"]["social media without Redis (SD020)"] == 2
    assert summary["validation_examples"]["social media with too few microservices (SD010)"] == 2
    assert [r["line"] for r in data["results"]] == [1, 2, 3]


def test_ask_says_when_a_request_is_outside_the_known_patterns():
    assert "Outside the five known patterns" in run_cli("ask", "custom IoT dashboard").stdout


def test_synth_into_a_missing_folder_is_a_usage_error(tmp_path):
    result = run_cli("synth", "--n", "5", "-o", str(tmp_path / "missing" / "train.jsonl"))
    assert result.returncode == 2 and "does not exist" in result.stderr
    assert not (tmp_path / "missing").exists()
