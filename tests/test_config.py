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
