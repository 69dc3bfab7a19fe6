"""Which project settings files the user has trusted (`sysdesign trust`), by the hash of their content.

Like direnv's `allow`: trusting records the file's path and SHA-256 in the user's data folder, and any edit
to the file withdraws the trust until it is trusted again.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from agent.errors import InvalidRequest
from agent.files import read_regular_bytes, write_atomic
from agent.paths import data_folder, user_data_dir


def _store() -> Path:
    return user_data_dir() / "trusted-settings.json"


def _digest(path: Path) -> str:
    return hashlib.sha256(read_regular_bytes(path, "settings file")).hexdigest()


@contextmanager
def _locked() -> Iterator[None]:
    """Hold the store's lock while it is read, changed and written: two `trust` at once would each write back
    what it read and lose the other's record."""
    import fcntl

    data_folder()  # created when missing; a data folder that is a file or read-only is one sentence, not a crash
    try:
        fd = os.open(_store().with_name(".trusted-settings.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise InvalidRequest(f"cannot lock the trusted settings in {str(_store().parent)!r}: {exc.strerror}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _load() -> dict[str, str]:
    try:
        if not stat.S_ISREG(os.stat(_store()).st_mode):
            return {}  # a FIFO or a device put there would be waited on: nothing is trusted
        data = json.loads(_store().read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}  # no store yet, or a damaged one: nothing is trusted
    if not isinstance(data, dict):
        return {}
    return {str(k): str(v) for k, v in data.items()}


def is_trusted(path: Path) -> bool:
    """True when `path`, as it is now, was trusted by the user."""
    try:
        return _load().get(str(path.resolve())) == _digest(path)
    except (OSError, InvalidRequest):  # gone, or not a regular file (a FIFO is never waited on): not trusted
        return False


def trust(path: Path) -> str:
    """Trust the settings file at `path` as it is now; returns its hash."""
    if not path.exists():
        raise InvalidRequest(f"no settings file at {str(path)!r}")
    digest = _digest(path)  # a FIFO, a device or a huge file: one sentence
    with _locked():
        trusted = _load()
        trusted[str(path.resolve())] = digest
        write_atomic(_store(), json.dumps(trusted, indent=1, sort_keys=True) + "\n")
    return digest


def revoke(path: Path) -> bool:
    """Withdraw trust from `path`; False when it was not trusted."""
    with _locked():
        trusted = _load()
        if trusted.pop(str(path.resolve()), None) is None:
            return False
        write_atomic(_store(), json.dumps(trusted, indent=1, sort_keys=True) + "\n")
    return True
