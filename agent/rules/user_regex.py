"""Regular expressions from files the user supplies (teams' rule packs, a knowledge folder's own YAML), run on RE2.

Python's `re` backtracks, so a pack's `'^(a+)+$'` could hang `check` on a long document. RE2 (`google-re2`)
never backtracks: its cost is the document's length times the size of the compiled expression, so the size is
bounded too (length, group nesting, compiled program). What RE2 cannot express (look-arounds, back-references)
is refused when the file is loaded, with the reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

MAX_PATTERN_CHARS = 1_000
"""The longest expression accepted; the bundled knowledge's longest is about 200 characters."""
MAX_NESTING = 32
"""How deeply groups may nest; the bundled knowledge nests 3 deep."""
MAX_PROGRAM_SIZE = 2_500
"""RE2 instructions the expression may compile to (`x{1000}` is short but compiles to 1,000 copies of `x`):
with the document's length, this bounds the worst case of a search. The bundled knowledge's largest is ~1,100."""
MAX_MEMORY = 32 << 20
"""Bytes RE2 may use for one expression; more than its default 8 MB, so that its fast matcher (a lazily built
DFA) copes with long expressions instead of falling back to the slower one on a long document."""


class UserRegex:
    """An expression compiled on RE2, searched like `re`'s (`search`, `finditer`) in any text."""

    def __init__(self, compiled: Any) -> None:
        self._compiled = compiled  # re2._Regexp
        self.pattern: str = compiled.pattern

    def search(self, text: str) -> Any:  # -> re2._Match | None
        return self._compiled.search(_encodable(text))

    def finditer(self, text: str) -> Iterator[Any]:
        return self._compiled.finditer(_encodable(text))


def _encodable(text: str) -> str:
    """`text` as RE2 can take it: a lone surrogate (JSON's '\\ud800', an undecodable byte of a command line) becomes
    '?', one character for one, so the offsets of matches stay those of `text`."""
    if text.isascii():  # constant time in CPython: the common case costs nothing
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text


@lru_cache(maxsize=512)
def compile_user_regex(pattern: str) -> UserRegex:
    """`pattern` compiled case-insensitively on RE2; ValueError, one sentence, when it is too large or not valid."""
    import re2

    _check_size(pattern)
    options = re2.Options()
    options.case_sensitive = False
    options.never_capture = True  # matches are tested or located, never taken apart: groups only cost time
    options.max_mem = MAX_MEMORY
    options.log_errors = False  # the reason goes into our message, not to stderr
    try:
        compiled = re2.compile(pattern, options)
    except UnicodeEncodeError:
        raise ValueError("the regular expression holds a lone surrogate, which is not text") from None
    except re2.error as exc:
        reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise ValueError(
            f"not a valid regular expression for RE2 ({reason}; look-arounds and back-references are not supported)"
        ) from None
    if compiled.programsize > MAX_PROGRAM_SIZE:
        raise ValueError(
            f"the regular expression compiles to {compiled.programsize:,} steps, more than the "
            f"{MAX_PROGRAM_SIZE:,} allowed; shorten it or lower its repeat counts"
        )
    return UserRegex(compiled)


def _check_size(pattern: str) -> None:
    """Refuse an expression too long or too deeply nested before RE2 spends any work on it."""
    if len(pattern) > MAX_PATTERN_CHARS:
        raise ValueError(
            f"the regular expression has {len(pattern):,} characters, more than the {MAX_PATTERN_CHARS:,} allowed"
        )
    if (depth := group_depth(pattern)) > MAX_NESTING:
        raise ValueError(f"the regular expression nests groups {depth:,} deep, more than the {MAX_NESTING} allowed")


def group_depth(pattern: str) -> int:
    """How deeply parentheses nest in `pattern`, not counting escaped ones or those inside a `[...]` class."""
    depth = deepest = 0
    position, end = 0, len(pattern)
    while position < end:
        char = pattern[position]
        if char == "\\":
            position += 1  # the escaped character is a literal
        elif char == "[":
            position = _class_end(pattern, position)
        elif char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")":
            depth = max(0, depth - 1)
        position += 1
    return deepest


def _class_end(pattern: str, start: int) -> int:
    """The index of the `]` that closes the class opened at `start` (a `]` first in the class is a literal)."""
    position = start + 1
    if position < len(pattern) and pattern[position] == "^":
        position += 1
    if position < len(pattern) and pattern[position] == "]":
        position += 1
    while position < len(pattern) and pattern[position] != "]":
        if pattern[position] == "\\":
            position += 1
        elif pattern.startswith("[:", position):  # a POSIX class such as [:alpha:] inside the brackets
            closing = pattern.find(":]", position + 2)
            position = closing + 1 if closing != -1 else position
        position += 1
    return position


def user_regex_search(pattern: str, text: str) -> bool:
    """Whether `pattern` (from a user's file) matches anywhere in `text`, in time linear in the text."""
    return compile_user_regex(pattern).search(text) is not None
