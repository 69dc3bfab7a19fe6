"""Reading and writing files: YAML and JSONL read with one-line errors; writes whole or not at all.

A file a project hands the tool (a rule pack, waivers, knowledge YAML, settings, a prompt template) is read only
when it is a regular file of bounded size (`read_regular_file`): a FIFO or a link to a device is refused.

A write goes to an unpredictable temporary file in the target's folder (created exclusively, so a planted
symlink is never followed) and is renamed over the target. A target that is not a regular file (a device,
a FIFO, a terminal, a symlink to one) is written through instead of replaced; a symlink to a regular file
keeps its link and the file it points to gets the new content. A read-only file is refused, never replaced
(as ruff does), and every write that fails (a full disk, a read-only file system) is one sentence that says
nothing was written. Rewriting a file the tool has read (`check --fix`) happens only while it still holds
what was read: an edit saved in the meantime is never overwritten.
"""

from __future__ import annotations

import contextlib
import json
import marshal
import os
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from agent.errors import InvalidRequest, first_error
from agent.machine_cache import MachineCache, key_of

Model = TypeVar("Model", bound=BaseModel)


MAX_JSON_DEPTH = 64
"""An architecture document is a few levels deep; far deeper nesting is an attack or an accident."""


def load_json(text: str | bytes, what: str = "the document") -> Any:
    """JSON text parsed, with one-line InvalidRequest errors for bad JSON and for nesting deeper than 64."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidRequest(f"{what} is not valid JSON: {exc}") from None
    except RecursionError:
        raise InvalidRequest(f"{what} is nested too deeply (more than {MAX_JSON_DEPTH} levels)") from None
    except UnicodeDecodeError as exc:
        raise InvalidRequest(f"{what} is not UTF-8 text: {exc.reason}") from None
    except ValueError:  # Python reads no integer longer than this (reading one takes quadratic time)
        raise InvalidRequest(f"{what} has a number of more than {sys.get_int_max_str_digits():,} digits") from None
    if _depth(value) > MAX_JSON_DEPTH:
        raise InvalidRequest(f"{what} is nested too deeply (more than {MAX_JSON_DEPTH} levels)")
    return value


def check_depth(value: Any, what: str = "the document") -> None:
    """Refuse parsed JSON (an MCP argument, a dict from the Python API) nested deeper than `load_json` reads text."""
    if _depth(value) > MAX_JSON_DEPTH:
        raise InvalidRequest(f"{what} is nested too deeply (more than {MAX_JSON_DEPTH} levels)")


def _depth(value: Any) -> int:
    """How deeply lists and objects nest in `value` (iteratively: no recursion to exhaust)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest


_PARSED = MachineCache("yaml")
"""YAML files as parsed before, by their text: the knowledge base's 40-odd files cost a cold start 0.1 s to parse."""


MAX_SETTINGS_BYTES = 4_000_000
"""The largest rule pack, waivers file, knowledge YAML, settings file or prompt template read (the bundled
knowledge's largest file is 125 kB): a bigger one is refused before it is read."""

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def read_regular_file(path: Path, what: str = "file", limit: int = MAX_SETTINGS_BYTES) -> str:
    """The UTF-8 text of `path`, which must be a regular file (after following links) of at most `limit` bytes.

    For the files a project hands the tool (rule packs, waivers, knowledge, settings, prompts): a FIFO would be
    waited on for ever and `/dev/zero` read until memory runs out, so anything else is refused in one sentence,
    before it is opened, and checked again on the opened file (it may have been swapped in between).
    """
    data = read_regular_bytes(path, what, limit)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidRequest(f"{what} {str(path)!r} is not UTF-8 text (byte {exc.start})") from None


def read_regular_bytes(path: Path, what: str = "file", limit: int = MAX_SETTINGS_BYTES) -> bytes:
    """The bytes of `path`, a regular file of at most `limit` bytes (see `read_regular_file`)."""
    try:
        _check_regular(os.stat(path).st_mode, path, what)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # never waits for a writer, should a FIFO be swapped in
    except OSError as exc:
        raise InvalidRequest(f"cannot read {what} {str(path)!r}: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as handle:
        _check_regular(os.fstat(fd).st_mode, path, what)
        data = handle.read(limit + 1)  # a file growing while it is read is still read no further than this
    if len(data) > limit:
        raise InvalidRequest(f"{what} {str(path)!r} is larger than {limit:,} bytes; it is not read")
    return data


def _check_regular(mode: int, path: Path, what: str) -> None:
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
        link = f" (a link to {os.path.realpath(path)!r})" if os.path.islink(path) else ""
        raise InvalidRequest(f"{what} {str(path)!r}{link} is {kind}, not a regular file; name a file")


def read_yaml(path: Path, what: str = "file") -> Any:
    """A YAML file (a regular file of at most MAX_SETTINGS_BYTES) parsed with the safe loader; InvalidRequest names
    the file."""
    return parse_yaml(read_regular_file(path, what), path, what)


def parse_yaml(text: str, path: Path, what: str = "file") -> Any:
    """YAML text read from `path`, parsed with the safe loader (the C one when present); InvalidRequest names the
    file."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        key = key_of("yaml", yaml.__version__, loader.__name__, text)
        if (kept := _PARSED.get(key)) is not None:
            return marshal.loads(kept)  # a fresh copy: callers may change what they are given
        parsed = yaml.load(text, Loader=loader)
        with contextlib.suppress(ValueError):  # dates and other values marshal cannot keep: parsed each time
            _PARSED.put(key, marshal.dumps(parsed))
        return parsed
    except (yaml.YAMLError, RecursionError, ValueError) as exc:  # ValueError: a date like 2027-13-01
        detail = f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}" if str(exc) else type(exc).__name__
        raise InvalidRequest(f"{what} {str(path)!r} is not valid YAML ({detail})") from None


def jsonl_records(path: Path, model: type[Model], what: str = "file") -> Iterator[tuple[int, Model | str]]:
    """Each non-empty line of a JSONL file as `model`, or the line's problem in words, with its line number."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidRequest(f"cannot read {what} {str(path)!r}: {exc}") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield number, model.model_validate(load_json(line, "the line"))
        except InvalidRequest as exc:
            yield number, str(exc)
        except ValidationError as exc:
            yield number, first_error(exc)


def check_writable(path: Path) -> None:
    """Refuse, before any work is done, a target that is a folder or a read-only file, or whose folder is missing
    or read-only."""
    path = Path(path)
    mode = _mode_of(path)
    if mode is not None and stat.S_ISDIR(mode):
        raise InvalidRequest(f"{str(path)!r} is a folder; name a file to write")
    folder = Path(os.path.realpath(path)).parent if _is_link(path) else path.parent
    if not stat.S_ISDIR(_mode_of(folder) or 0):
        raise InvalidRequest(f"folder {str(folder)!r} does not exist; create it or choose another path")
    if mode is not None and not stat.S_ISREG(mode):
        return  # a device or a FIFO: written through, its folder is not touched
    if mode is not None and is_read_only(path):
        raise InvalidRequest(f"{str(path)!r} is read-only; make it writable (chmod u+w) or choose another path")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InvalidRequest(f"folder {str(folder)!r} is not writable; choose another path")


def _mode_of(path: Path) -> int | None:
    """The mode of what `path` names (following symlinks), or None when nothing usable is there."""
    try:
        return os.stat(path).st_mode
    except (OSError, ValueError):  # missing, a name too long, a NUL byte: nothing to replace there
        return None


def _is_link(path: Path) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(path).st_mode)
    except (OSError, ValueError):
        return False


def is_read_only(path: Path) -> bool:
    """True for a file nobody may write (0444), even for root, who could: a read-only file is a request to keep it."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not mode & 0o222 or not os.access(path, os.W_OK)


def _is_special(path: Path) -> bool:
    """True for an existing target that is not a regular file (after following symlinks)."""
    mode = _mode_of(path)
    return mode is not None and not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def same_file(a: Path, b: Path) -> bool:
    """True when `a` and `b` name one file (through symlinks, hard links or different spellings)."""
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return os.path.realpath(a) == os.path.realpath(b)


def check_not_input(output: Path, inputs: Iterable[Path | str]) -> None:
    """Refuse to write `output` when it is one of the files being read: the output would replace its own input."""
    for source in inputs:
        if same_file(Path(output), Path(source)):
            raise InvalidRequest(f"{str(output)!r} is also an input of this command; write the output to another path")


UNENCODABLE = "backslashreplace"
"""How written text spells what UTF-8 cannot hold: a lone surrogate (a document read with one) as its escape,
"\\ud800", which is how JSON spells it and reads as text anywhere else."""


def write_atomic(path: Path, text: str) -> None:
    """Write `text` so that a reader sees the old content or the new, never half of it."""
    path = Path(path)
    check_writable(path)
    if _is_special(path):
        _write_through(path, text)
        return
    target = Path(os.path.realpath(path)) if _is_link(path) else path
    mode = _mode_for(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name[:100]}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise _not_written(path, exc) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors=UNENCODABLE) as handle:
            handle.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise _not_written(path, exc) from None
        raise


def replace_if_unchanged(path: Path, text: str, read: str) -> None:
    """Write `text` over `path` only if the file still holds `read`, what was read from it before the work.

    The comparison and the replacement happen under an exclusive lock on the file, so two runs of the tool never
    both write; an editor's save that lands while the work ran makes this refuse (FileChanged), never overwrite.
    """
    import fcntl

    path = Path(path)
    check_writable(path)
    changed = FileChanged(f"{str(path)!r} changed while it was being checked; nothing written")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        raise changed from None  # gone, or replaced by something that cannot be opened
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # another sysdesign rewriting the same file waits here for us, and we for it
        if _current_text(path) != read:
            raise changed
        write_atomic(path, text)
    finally:
        os.close(fd)


def _current_text(path: Path) -> str | None:
    """What `path` holds now, read as `read_text_file` reads it; None when it is no longer a readable text file."""
    if not stat.S_ISREG(_mode_of(path) or 0):
        return None  # a FIFO put there since: reading it would wait for a writer
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


class FileChanged(InvalidRequest):
    """The file was edited between reading it and writing the result back; nothing was written."""


def _not_written(path: Path, exc: OSError) -> InvalidRequest:
    """A failed write (a full disk, a read-only file system, a name too long) as one sentence."""
    return InvalidRequest(f"cannot write {str(path)!r}: {exc.strerror or exc}; nothing was written")


def _write_through(path: Path, text: str) -> None:
    """Write to a device or FIFO as it is (never replace it); a FIFO nobody reads is refused, not waited on."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise InvalidRequest(f"cannot write to {str(path)!r}: {exc.strerror} (is anything reading it?)") from None
    os.set_blocking(fd, True)  # a reader is there: write everything, waiting for it as a pipe does
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors=UNENCODABLE) as handle:
            handle.write(text)
    except OSError as exc:  # /dev/full, a reader that went away
        raise _not_written(path, exc) from None


def read_text_file(path: Path, what: str = "file") -> str:
    """A text file's content; InvalidRequest (one line) when it is missing, unreadable or not UTF-8."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidRequest(f"{what} {str(path)!r} is not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise InvalidRequest(f"cannot read {what} {str(path)!r}: {exc.strerror or exc}") from None


def read_stdin(what: str = "standard input") -> str:
    """Standard input as text; InvalidRequest when it is not UTF-8 (read as bytes: however stdin is set up)."""
    import sys

    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:
        return sys.stdin.read()
    data = buffer.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidRequest(f"{what} is not UTF-8 text (byte {exc.start})") from None


def _mode_for(target: Path) -> int:
    """Keep an existing file's permissions; a new file gets the usual 0666 less the umask."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_lines(path: Path, rows: list[str] | tuple[str, ...]) -> None:
    """Write one row a line, atomically, creating the folder (for files this tool owns, such as chunks)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, "".join(row + "\n" for row in rows))
