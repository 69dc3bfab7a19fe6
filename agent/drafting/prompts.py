"""Prompts are data: jinja2 templates in `prompts/`, rendered sandboxed with StrictUndefined.

A folder of your own templates (`prompts_dir`, `--prompts-dir`) is read only inside itself: a template, or one it
includes, that is a link resolving outside the folder is refused, as is anything but a regular file of bounded
size. Rendering is bounded too (`agent.drafting.template_sandbox`), and every failure is one sentence.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from agent.errors import InvalidRequest
from agent.files import read_regular_file
from agent.paths import bundled

PROMPTS_DIR = bundled("prompts")
TEMPLATES = ("system.j2", "draft.j2", "repair.j2", "draft_full.j2", "repair_full.j2")
MAX_TEMPLATE_BYTES = 200_000
"""The largest template read; the bundled ones are about 1 kB."""


@cache
def _environment(directory: Path):  # -> agent.drafting.template_sandbox.BoundedSandbox
    from jinja2 import BaseLoader, StrictUndefined, TemplateNotFound
    from jinja2.loaders import split_template_path

    from agent.drafting.template_sandbox import BoundedSandbox

    class FolderLoader(BaseLoader):
        """Templates from `directory` only: no `..`, no link that resolves outside it."""

        def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable[[], bool]]:
            path = directory.joinpath(*split_template_path(template))  # TemplateNotFound for '..'
            if not os.path.lexists(path):
                raise TemplateNotFound(template)
            if not Path(os.path.realpath(path)).is_relative_to(directory):
                raise InvalidRequest(
                    f"prompt template {template!r} in {str(directory)!r} is a link to "
                    f"{os.path.realpath(path)!r}, outside the prompts folder; it is not read"
                )
            source = read_regular_file(path, "prompt template", MAX_TEMPLATE_BYTES)
            modified = os.path.getmtime(path)
            return source, str(path), lambda: os.path.lexists(path) and os.path.getmtime(path) == modified

    return BoundedSandbox(loader=FolderLoader(), undefined=StrictUndefined, autoescape=False, trim_blocks=True)


def render_prompt(template: str, directory: Path | None = None, **variables: Any) -> str:
    """Render `template` from `directory` (default: the bundled prompts); a missing variable is an error."""
    import jinja2

    from agent.drafting.template_sandbox import render_bounded

    directory = Path(directory or PROMPTS_DIR)
    where = f"prompt template {template!r} in {str(directory)!r}"
    if not os.path.lexists(directory / template):
        raise InvalidRequest(f"prompt template {template!r} is missing from {str(directory)!r}")
    try:
        loaded = _environment(Path(os.path.realpath(directory))).get_template(template)
        return render_bounded(loaded, variables).strip() + "\n"
    except InvalidRequest:
        raise  # a template that is a link outside the folder, a FIFO, too large: already one sentence
    except RecursionError:
        raise InvalidRequest(f"{where} calls itself too deeply (a macro or include without an end)") from None
    except MemoryError:
        raise InvalidRequest(f"{where} needs more memory than this machine has; nothing was sent") from None
    except (jinja2.TemplateError, ArithmeticError, LookupError, TypeError, ValueError) as exc:
        # the template's own mistakes ({{ 1 + 'a' }}, a 5,000-digit literal): its author's to fix, not our bug
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InvalidRequest(f"{where} failed: {detail}") from None
