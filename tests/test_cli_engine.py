"""ask, check, schema and estimate as a user runs them (subprocess, real parts)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli

CONTRACT_KEYS = {"request", "pattern", "traits", "cap", "components", "services", "flows", "estimate", "findings",
                 "citations"}  # fmt: skip


def test_ask_json_follows_the_contract():
    result = run_cli("ask", "Build a Twitter clone", "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document.keys() >= CONTRACT_KEYS
    assert document["pattern"]["id"] == "social_media" and 0 < document["pattern"]["confidence"] <= 1
    assert {"name", "category", "purpose", "citations"} <= document["components"][0].keys()
    assert {"tier", "services_band", "base_hours", "multipliers", "hours"} <= document["estimate"].keys()


def test_ask_text_shows_pattern_stack_services_and_estimate():
    out = run_cli("ask", "an app where drivers pick up passengers").stdout
    for part in ("Pattern: ride_hailing", "Stack:", "Redis Geo", "Services (", "Estimate: high tier", "Citations:"):
        assert part in out


def test_check_exit_codes(tmp_path):
    good = run_cli("ask", "Build a WhatsApp clone", "--json").stdout
    assert run_cli("check", "-", input=good).returncode == 0
    bad = json.dumps({"request": "Twitter clone", "services": ["API", "Tweets"]})
    result = run_cli("check", "-", input=bad)
    assert result.returncode == 1 and "SD010" in result.stdout
    path = tmp_path / "doc.json"
    path.write_text(bad)
    fixed = run_cli("check", str(path), "--fix", "--json")
    report = json.loads(fixed.stdout)["files"][0]
    assert fixed.returncode == 0 and report["changes"] and len(report["repaired"]["services"]) >= 10


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["check", "-"], "{broken", "not valid JSON"),
        (["check", "-"], '{"components": [{"category": "db"}]}', "components.0.name"),
        (["check", "/no/such/file.json"], None, "no file"),
        (["ask", "  "], None, "empty"),
        (["ask", "Twitter", "--drafter", "gpt"], None, "unknown drafter"),
    ],
)
def test_bad_input_exits_2(args, stdin, message):
    result = run_cli(*args, input=stdin)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr


def test_schema_is_the_architecture_json_schema():
    schema = json.loads(run_cli("schema").stdout)
    assert schema["title"] == "Architecture" and "components" in schema["properties"]


def test_estimate_prints_the_breakdown():
    out = run_cli("estimate", "Uber for dog walkers with payments", "--team", "4").stdout
    assert "Estimate: high tier" in out and "x 1.3" in out and "x 1.2" in out
    assert "4 engineers:" in out and "Hours per service" in out and "Capacity:" in out and "Assumptions:" in out
    data = json.loads(run_cli("estimate", "a todo app", "--json", "--dau", "5k").stdout)
    assert data["estimate"]["tier"] == "low" and data["estimate"]["hours"] == [50, 150]
    assert {"name": "dau", "value": "5,000", "source": "flag"}.items() <= data["assumptions"][0].items()
    assert all(figure["unit"] and figure["formula"] for figure in data["capacity"])


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--dau", "lots", "not a count"),
        ("--read-write", "most", "read:write"),
        ("--without", "magic", "unknown factor"),
    ],
)
def test_estimate_bad_flags_exit_2(flag, value, message):
    result = run_cli("estimate", "a todo app", flag, value)
    assert result.returncode == 2 and message in result.stderr
