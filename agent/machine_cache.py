"""Values worth keeping between processes on this machine: what a start-up would otherwise recompute from inputs
that do not change between runs (compiled expressions, parsed knowledge files, the place-name table).

A store is one file of plain values (`marshal`: numbers, strings, lists, tuples, dicts; it never runs code) in
the cache folder. Values are looked up by a key the caller makes from everything the value depends on, so a stale
entry is never found, only left unused. What a process adds is written when it exits, merged with what other
processes wrote meanwhile, through a temporary file and a rename: a reader sees the old file or the new, never a
half-written one. Anything unexpected (no cache folder, a damaged file, a read-only disk) means recomputing: the
cache only ever saves time.
"""

from __future__ import annotations

import atexit
import hashlib
import marshal
import os
from pathlib import Path
from typing import Any

MAX_ENTRIES = 4096


def key_of(*parts: str) -> bytes:
    """A short key for everything a value depends on."""
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.digest()


class MachineCache:
    """One named store of values, loaded on first use."""

    def __init__(self, name: str, max_entries: int = MAX_ENTRIES) -> None:
        self.name = name
        self.max_entries = max_entries
        self._values: dict[bytes, Any] | None = None
        self._used: set[bytes] = set()
        self._changed = False

    def get(self, key: bytes) -> Any | None:
        if disabled():
            return None
        value = self._load().get(key)
        if value is not None:
            self._used.add(key)
        return value

    def put(self, key: bytes, value: Any) -> None:
        """Keep `value` (plain values only: one marshal cannot store is not kept)."""
        if disabled():
            return
        try:
            marshal.dumps(value)
        except ValueError:
            return
        self._load()[key] = value
        self._used.add(key)
        if not self._changed:
            self._changed = True
            atexit.register(self.save)

    def forget(self, key: bytes) -> None:
        self._load().pop(key, None)

    def save(self) -> None:
        """Write what this process added, beside what is on disk now."""
        if not self._changed or not self._values:
            return
        try:
            target = self._file()
            target.parent.mkdir(parents=True, exist_ok=True)
            merged = _read(target) | self._values
            if len(merged) > self.max_entries:
                merged = self._pruned(merged)
            tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            tmp.write_bytes(marshal.dumps(merged))
            tmp.replace(target)
            self._changed = False
        except Exception:  # a read-only or unusable cache folder: the next process recomputes
            pass

    def _pruned(self, merged: dict[bytes, Any]) -> dict[bytes, Any]:
        """Entries for inputs since edited (or for a test's temporary files) pile up, and every start reads the
        whole file: keep what this process used, then the newest others, up to half the limit."""
        kept = {key: merged[key] for key in self._used if key in merged}
        room = max(self.max_entries // 2 - len(kept), 0)
        others = [key for key in merged if key not in kept]
        kept |= {key: merged[key] for key in others[len(others) - room :]} if room else {}
        return kept

    def _file(self) -> Path:
        from agent.paths import cache_dir

        return cache_dir() / "startup" / f"{self.name}.marshal"

    def _load(self) -> dict[bytes, Any]:
        if self._values is None:
            try:
                self._values = _read(self._file())
            except Exception:
                self._values = {}
            if len(self._values) > self.max_entries and not self._changed:  # written before a limit was set
                self._changed = True
                atexit.register(self.save)
        return self._values


def _read(path: Path) -> dict[bytes, Any]:
    try:
        loaded = marshal.loads(path.read_bytes())
    except Exception:  # missing, unreadable or damaged: nothing kept
        return {}
    return loaded if isinstance(loaded, dict) else {}


def disabled() -> bool:
    """`SYSDESIGN_NO_STARTUP_CACHE=1` turns every store off (to measure what the caches save)."""
    return bool(os.environ.get("SYSDESIGN_NO_STARTUP_CACHE"))
