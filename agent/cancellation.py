"""Cooperative cancellation: a caller (the MCP server on a deadline, Ctrl-C in the CLI) asks work to stop.

Work runs with a `threading.Event` in a context variable; long loops (a model's token stream, the revise
rounds) call `raise_if_cancelled()` between steps. A local model's generation stops when its stream is closed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from agent.errors import ModelError

T = TypeVar("T")
_CURRENT: ContextVar[threading.Event | None] = ContextVar("sysdesign_cancel", default=None)


class Cancelled(ModelError):
    """The caller stopped waiting for this work."""


@contextmanager
def cancellable(event: threading.Event) -> Iterator[threading.Event]:
    """Run the block with `event` as the current cancellation signal."""
    token = _CURRENT.set(event)
    try:
        yield event
    finally:
        _CURRENT.reset(token)


def run_cancellable(event: threading.Event, function: Callable[[], T]) -> T:
    """`function()` with `event` as its cancellation signal (for worker threads)."""
    with cancellable(event):
        return function()


def raise_if_cancelled() -> None:
    """Stop here when the current work was cancelled."""
    event = _CURRENT.get()
    if event is not None and event.is_set():
        raise Cancelled("cancelled: the caller stopped waiting")
