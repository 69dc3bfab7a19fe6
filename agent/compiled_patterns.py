"""Regular expressions compiled once per machine instead of once per process.

The requirement readers embed the expression for a number people write ("35 000", "half a million", "between
5 and 10 thousand") in dozens of their own; `re` spends about 0.4 s compiling them in every process, most of a
cold `sysdesign ask`. What `re` compiles an expression into (its parse turned into the matcher's code) depends
only on the expression, its flags and the interpreter, so it is kept in a machine cache under a key made of all
three, and handed straight to the matcher on later starts.

Anything unexpected (another Python implementation, a damaged entry, a matcher that refuses the code) falls back
to `re.compile`. The matcher checks the code it is given before using it, so a damaged file cannot crash the
process.
"""

from __future__ import annotations

import re
import sys
from array import array
from functools import lru_cache
from typing import Any

from agent.machine_cache import MachineCache, disabled, key_of

_sre: Any = None
try:
    import _sre  # type: ignore[no-redef]
    from re import _compiler, _parser  # type: ignore[attr-defined]
except ImportError:  # another Python implementation: plain re.compile
    pass

_INTERPRETER = f"{sys.implementation.cache_tag}-{sys.hexversion:x}-{getattr(_sre, 'MAGIC', 0)}"
_STORE = MachineCache(f"patterns-{_INTERPRETER}", max_entries=1024)
_CODE_TYPE = next((t for t in "IL" if array(t).itemsize == getattr(_sre, "CODESIZE", 4)), "I")


@lru_cache(maxsize=4096)
def compile_pattern(pattern: str, flags: int | re.RegexFlag = 0) -> re.Pattern[str]:
    """`re.compile(pattern, flags)`, from the machine's cache when it holds it (and from this process's after)."""
    if _sre is None or disabled():
        return re.compile(pattern, flags)
    key = key_of("packed", str(int(flags)), str(getattr(_sre, "CODESIZE", 0)), pattern)
    if (entry := _STORE.get(key)) is not None:
        try:
            flags_seen, code_bytes, *rest = entry
            return _sre.compile(pattern, flags_seen, array(_CODE_TYPE, code_bytes).tolist(), *rest)
        except Exception:  # not what this interpreter wrote: compile as usual
            _STORE.forget(key)
    parsed = _parser.parse(pattern, int(flags))
    code = _compiler._code(parsed, int(flags))
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, number in groupindex.items():
        indexgroup[number] = name
    # plain ints (the compiler's opcodes are an int subclass marshal cannot store), kept as packed bytes: a list
    # of ints is five times larger in the file and slower to read back
    entry = (int(flags) | int(parsed.state.flags), [int(op) for op in code], parsed.state.groups - 1, groupindex,
             tuple(indexgroup))  # fmt: skip
    compiled = _sre.compile(pattern, *entry)
    _STORE.put(key, (entry[0], array(_CODE_TYPE, entry[1]).tobytes(), *entry[2:]))
    return compiled
