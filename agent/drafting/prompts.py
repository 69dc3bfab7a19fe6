"""Prompts are data: jinja2 templates in `prompts/`, rendered sandboxed with StrictUndefined."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from agent.errors import InvalidRequest
from agent.paths import bundled

PROMPTS_DIR = bundled("prompts")
TEMPLATES = ("system.j2", "draft.j2", "repair.j2", "draft_full.j2", "repair_full.j2")


@cache
def _environment(directory: Path):  # -> jinja2.sandbox.SandboxedEnvironment
    from jinja2 import FileSystemLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(
        loader=FileSystemLoader(str(directory)), undefined=StrictUndefined, autoescape=False, trim_blocks=True
    )


def render_prompt(template: str, directory: Path | None = None, **variables: Any) -> str:
    """Render `template` from `directory` (default: the bundled prompts); a missing variable is an error."""
    import jinja2

    directory = Path(directory or PROMPTS_DIR)
    if not (directory / template).is_file():
        raise InvalidRequest(f"prompt template {template!r} is missing from {str(directory)!r}")
    try:
        return _environment(directory.resolve()).get_template(template).render(**variables).strip() + "\n"
    except jinja2.TemplateError as exc:
        raise InvalidRequest(f"prompt template {template!r} in {str(directory)!r} failed: {exc}") from None
