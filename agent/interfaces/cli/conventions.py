"""One set of conventions for every command, applied to the whole command tree in one place: `-h` as well as
`--help`, examples laid out as written, and what an option takes shown the way people read it (TEXT, PATH,
INTEGER, its choices `[text|json]`; an argument by its name, PROMPT) instead of Python types (`<list[str]>`).

Typer draws help from its own parameter classes; the public methods replaced here per parameter are the ones it
uses for the usage line and the type column (`tests/test_cli_conventions.py` walks every command's help).
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

HELP_OPTIONS = ["-h", "--help"]
NO_REWRAP = "\b"
"""Click keeps a paragraph that starts with this line as written (examples are not re-wrapped into one line)."""


def polish(command: Any) -> Any:
    """`command` (a Typer-built click command) and every command under it, with the conventions applied."""
    command.context_settings.setdefault("help_option_names", HELP_OPTIONS)
    if command.help and "Examples:" in command.help and f"{NO_REWRAP}\nExamples:" not in command.help:
        command.help = command.help.replace("Examples:", f"{NO_REWRAP}\nExamples:", 1)
    for param in command.params:
        _polish_param(param)
    for sub in getattr(command, "commands", {}).values():
        polish(sub)
    return command


def _polish_param(param: Any) -> None:
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is None:
        return
    if param.param_type_name == "argument":
        name = (param.name or "value").upper()
        param.metavar = name
        shown = name if param.required else f"[{name}]"
        shown += "..." if param.nargs != 1 else ""
        param.get_usage_pieces = lambda ctx=None, shown=shown: [shown]
        param.display_type_rich = lambda ctx=None: ""
        return
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        return
    label = describe(descriptor)
    param.display_type_rich = lambda ctx=None, label=label: label


def describe(descriptor: Any) -> str:
    """TEXT, PATH, INTEGER, NUMBER, or the choices as [a|b|c]."""
    if descriptor.is_choice:
        return "[" + "|".join(str(getattr(c, "value", c)) for c in descriptor.choices or ()) + "]"
    annotation = descriptor.annotation
    if get_origin(annotation) is list:
        annotation = get_args(annotation)[0]
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return "[" + "|".join(str(member.value) for member in annotation) + "]"
    if descriptor.is_path or annotation is Path:
        return "PATH"
    if annotation is int:
        return "INTEGER"
    if annotation is float:
        return "NUMBER"
    return "TEXT"
