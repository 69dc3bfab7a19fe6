"""Settings precedence: argument > SYSDESIGN_* environment > sysdesign.toml > default."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.config import load_settings
from agent.errors import InvalidRequest


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("SYSDESIGN_INDEX", "SYSDESIGN_EMBEDDING_MODEL", "SYSDESIGN_CONFIG"):
        monkeypatch.delenv(name, raising=False)


def test_defaults():
    assert load_settings().index is None


def test_precedence(tmp_path, monkeypatch):
    (tmp_path / "sysdesign.toml").write_text('index = "from-file"\n')
    assert load_settings().index == Path("from-file")
    monkeypatch.setenv("SYSDESIGN_INDEX", "from-env")
    assert load_settings().index == Path("from-env")
    assert load_settings(index=Path("from-flag")).index == Path("from-flag")
    assert load_settings(index=None).index == Path("from-env")


@pytest.mark.parametrize(("content", "message"), [("index = [", "cannot read"), ("colour = 'blue'", "colour")])
def test_bad_settings_file(tmp_path, content, message):
    (tmp_path / "sysdesign.toml").write_text(content)
    with pytest.raises(InvalidRequest, match=message):
        load_settings()


def test_missing_named_settings_file(monkeypatch):
    monkeypatch.setenv("SYSDESIGN_CONFIG", "/no/such.toml")
    with pytest.raises(InvalidRequest, match="does not exist"):
        load_settings()


# ---- every setting group applies to every command, through the real CLI ----------------------------------


def _cli(tmp_path, *args, env=None):
    from tests.conftest import run_cli

    clean = {"SYSDESIGN_DATA": str(tmp_path / "data"), **(env or {})}
    return run_cli(*args, env=clean, cwd=tmp_path)


def test_estimation_settings_apply_to_ask_estimate_and_check(tmp_path):
    (tmp_path / "sysdesign.toml").write_text('[estimation]\ncap = 1.0\ncombination = "product"\n')
    import json

    asked = json.loads(_cli(tmp_path, "ask", "Build a Twitter clone", "--json").stdout)["estimate"]
    estimated = json.loads(_cli(tmp_path, "estimate", "Build a Twitter clone", "--json").stdout)["estimate"]
    # Twitter carries 1.3 and 1.5 multipliers: 1.95 as a product, capped at 1.0 by the settings
    assert asked["factor"] == estimated["factor"] == 1.0
    assert asked["combination"] == estimated["combination"] == "product"
    document = tmp_path / "doc.json"
    document.write_text(json.dumps({"request": "Build a Twitter clone", "services": ["Feed Service"]}))
    fixed = json.loads(_cli(tmp_path, "check", str(document), "--fix", "--json").stdout)["files"][0]
    assert fixed["repaired"]["estimate"]["factor"] == 1.0


@pytest.mark.parametrize("where", ["file", "env"])
def test_the_drafter_setting_applies_to_ask_and_estimate(tmp_path, where):
    env = {}
    if where == "file":
        (tmp_path / "sysdesign.toml").write_text('drafter = "no-such-drafter"\n')
    else:
        env = {"SYSDESIGN_DRAFTER": "no-such-drafter"}
    for command in (["ask", "a todo app"], ["estimate", "a todo app"]):
        result = _cli(tmp_path, *command, env=env)
        assert result.returncode == 2 and "unknown drafter 'no-such-drafter'" in result.stderr, result.stderr


def test_the_index_setting_applies_to_search_ask_and_eval(tmp_path):
    foreign = tmp_path / "notes"
    foreign.mkdir()
    (foreign / "thesis.md").write_text("mine\n")
    (tmp_path / "sysdesign.toml").write_text('index = "notes"\n')
    for command in (["search", "caching"], ["ask", "a todo app"], ["eval", "retrieval"]):
        result = _cli(tmp_path, *command)
        assert result.returncode == 2 and "not a sysdesign index" in result.stderr, (command, result.stderr)
    assert (foreign / "thesis.md").read_text() == "mine\n"


def test_the_embedding_model_setting_applies_to_search(tmp_path):
    result = _cli(tmp_path, "search", "caching", env={"SYSDESIGN_EMBEDDING_MODEL": str(tmp_path / "no-model")})
    assert result.returncode != 0 and "no-model" in result.stderr and "Traceback" not in result.stderr
