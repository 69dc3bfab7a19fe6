"""The exception tree of sysdesign-agent.

    SysdesignError                  anything this library raises on purpose
    ├── InvalidRequest              bad input from the caller: empty query, missing directory, bad JSON
    ├── IndexProblem                the on-disk index cannot be used as it is
    │   ├── IndexMissing            no index at the path
    │   └── IndexOutOfDate          stale, mismatched or corrupted (the message says which)
    └── ModelError                  an embedding or drafting model failed or is not installed

Messages are one sentence that names the bad value with ``!r`` and says the fix. The CLI turns every
``SysdesignError`` into that sentence on stderr and an exit code, and so every ``OSError`` (`os_problem`: a full
disk or a name too long is the machine's answer, not a bug); anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import ValidationError


def first_error(exc: ValidationError) -> str:
    """The first problem of a pydantic validation error as 'where: what (got value)', for one-line messages."""
    problem = exc.errors()[0]
    where = ".".join(str(part) for part in problem["loc"]) or "value"
    value = problem.get("input")
    got = ""
    if value is not None and not isinstance(value, dict | list):
        shown = repr(value)
        got = f" (got {shown if len(shown) <= 80 else shown[:77] + '...'})"  # a 5 MB text is not a message
    return f"{where}: {problem['msg']}{got}"


class SysdesignError(Exception):
    """Base class of every error this library raises on purpose."""

    exit_code = 1


class InvalidRequest(SysdesignError, ValueError):
    """The caller's input cannot be used (a usage error: exit code 2)."""

    exit_code = 2


class IndexProblem(SysdesignError):
    """The on-disk index cannot be used as it is."""


class IndexMissing(IndexProblem):
    """There is no index at the given path."""


class IndexOutOfDate(IndexProblem):
    """The index is stale, built with another model, or corrupted."""


class ModelError(SysdesignError):
    """An embedding or drafting model failed, or its package is not installed."""


def os_problem(exc: OSError, path: object = None, action: str = "use") -> InvalidRequest:
    """An operating-system error (a full disk, a name too long, a read-only file system, a folder where a file was
    wanted) as one sentence that names the path: the error's own, else `path` (what the caller was writing)."""
    why = exc.strerror or str(exc) or type(exc).__name__
    if exc.filename is not None and exc.filename2 is not None:
        return InvalidRequest(f"cannot move {_shown(exc.filename)} to {_shown(exc.filename2)}: {why}")
    where = exc.filename if exc.filename is not None else path
    if where is None:
        return InvalidRequest(f"the operating system refused: {why}")
    return InvalidRequest(f"cannot {action} {_shown(where)}: {why}")


def _shown(path: object) -> str:
    """A path as the user typed it, quoted (bytes decoded as the file system encodes names)."""
    return repr(os.fsdecode(path) if isinstance(path, bytes) else str(path))


ML_EXTRA = "pip install 'sysdesign-agent[ml]'"
"""The fix every message names when a library of the `[ml]` extra (pyarrow, datasets, TRL, Ray, lm-eval,
inspect-ai) is missing."""
