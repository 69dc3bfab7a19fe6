"""Regular expressions from teams' rule packs, run on RE2: linear time whatever the pattern.

Python's `re` backtracks, so a pack's `'^(a+)+$'` could hang `check` on a long document. RE2 (`google-re2`)
never backtracks; what it cannot express (look-arounds, back-references) is refused when the pack is loaded,
with the reason.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any


@lru_cache(maxsize=512)
def compile_user_regex(pattern: str) -> Any:  # -> re2._Regexp
    """`pattern` compiled case-insensitively on RE2; ValueError with RE2's reason when it is not valid there."""
    import re2

    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False  # the reason goes into our message, not to stderr
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise ValueError(f"not a valid regular expression for RE2 ({reason}; look-arounds and back-references "
                         "are not supported)") from None  # fmt: skip


def user_regex_search(pattern: str, text: str) -> bool:
    """Whether `pattern` (a pack's regex) matches anywhere in `text`, in linear time."""
    return compile_user_regex(pattern).search(text) is not None
