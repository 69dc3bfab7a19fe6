"""One Settings model. Precedence: explicit argument (CLI flag) > SYSDESIGN_* environment > sysdesign.toml > default.

``sysdesign.toml`` is read from the current directory, or from the file named by ``SYSDESIGN_CONFIG``:

    index = "index"
    embedding_model = "all-MiniLM-L6-v2"
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from agent.corpus import DEFAULT_INDEX
from agent.embedding import DEFAULT_MODEL
from agent.errors import InvalidRequest

CONFIG_FILE = "sysdesign.toml"


class Settings(BaseModel):
    """Every setting the tool reads, with its default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    index: Path = DEFAULT_INDEX
    embedding_model: str = DEFAULT_MODEL


def _config_file() -> Path | None:
    named = os.environ.get("SYSDESIGN_CONFIG")
    if named:
        path = Path(named).expanduser()
        if not path.is_file():
            raise InvalidRequest(f"SYSDESIGN_CONFIG names {named!r}, which does not exist")
        return path
    local = Path.cwd() / CONFIG_FILE
    return local if local.is_file() else None


def _from_file() -> dict[str, Any]:
    path = _config_file()
    if path is None:
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InvalidRequest(f"cannot read settings file {str(path)!r}: {exc}") from exc


def load_settings(**overrides: Any) -> Settings:
    """Settings from overrides (None means 'not given'), the environment, the settings file and defaults."""
    values = _from_file()
    for name in Settings.model_fields:
        env = os.environ.get(f"SYSDESIGN_{name.upper()}")
        if env:
            values[name] = env
    values.update({name: value for name, value in overrides.items() if value is not None})
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(part) for part in problem["loc"]) or "settings"
        raise InvalidRequest(f"setting {where!r}: {problem['msg']} (got {problem.get('input')!r})") from None
