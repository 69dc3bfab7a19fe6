"""Text from documents, chats and chapters made inert before it reaches a terminal.

A part named with an escape sequence (OSC 52 writes the clipboard on terminals that honour it, CSI moves the
cursor or recolours the screen) is the document's data, not an instruction to the terminal: every control
character other than a newline or a tab is shown as its escape (`\\x1b`), so nothing is lost and nothing runs.
JSON output needs none of this (json.dumps escapes control characters itself).
"""

from __future__ import annotations

import re
from typing import Any

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""C0 and C1 controls (ESC, BEL, CR, backspace...), DEL, and the line separators and bidirectional overrides that
can make text read differently on screen than it is."""


def inert(text: str) -> str:
    """`text` with every control character but newline and tab written out as its escape."""
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group(0)):02x}" if ord(match.group(0)) < 0x100
                        else f"\\u{ord(match.group(0)):04x}", text)  # fmt: skip


def inert_strings(value: Any) -> Any:
    """`value` (a document as plain data) with `inert` applied to every string in it."""
    if isinstance(value, str):
        return inert(value)
    if isinstance(value, dict):
        return {inert_strings(key): inert_strings(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [inert_strings(item) for item in value]
    return value
