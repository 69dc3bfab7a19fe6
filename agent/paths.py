"""Where things live: the bundled knowledge (package data) and the user's own data and cache folders.

The repository's top-level ``kb/``, ``kb_chunks/``, ``index/``, ``prompts/`` and ``evals/`` are where people read
and edit them; the wheel build maps them into ``agent/_bundled/``. In a source checkout (or an editable
install) there is no ``_bundled`` folder and the repository's own folders are used.

What the tool creates for a user (indexes of their own documents, the ONNX export of the embedding model,
chat sessions) goes to the platform's data and cache folders (``platformdirs``), never into the package.
"""

from __future__ import annotations

import os
from functools import cache
from importlib.resources import files
from pathlib import Path

APP_NAME = "sysdesign-agent"


@cache
def data_root() -> Path:
    """The folder that holds the bundled ``kb/``, ``kb_chunks/``, ``index/``, ``prompts/`` and ``evals/``."""
    packaged = Path(str(files("agent"))) / "_bundled"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent


def bundled(*parts: str) -> Path:
    """A path inside the bundled data, e.g. ``bundled("kb")``."""
    return data_root().joinpath(*parts)


def in_source_checkout() -> bool:
    """True when running from a git checkout (or an editable install of one), where bundled data is editable."""
    return not (Path(str(files("agent"))) / "_bundled").is_dir()


def user_data_dir() -> Path:
    """The user's data folder for this tool: ``$SYSDESIGN_DATA``, else the platform's (platformdirs)."""
    import platformdirs

    named = os.environ.get("SYSDESIGN_DATA")
    return Path(named).expanduser() if named else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def data_folder(create: bool = True) -> Path:
    """The user's data folder, checked for use: created when missing (with `create`), refused (one sentence) when
    it is a file, a FIFO, a dangling symlink or a folder this user cannot write."""
    import stat

    from agent.errors import InvalidRequest

    folder = user_data_dir()
    named = f"{'SYSDESIGN_DATA' if os.environ.get('SYSDESIGN_DATA') else 'the data folder'} {str(folder)!r}"
    try:
        mode: int | None = os.stat(folder).st_mode
    except FileNotFoundError:
        mode = None
        if os.path.lexists(folder):
            raise InvalidRequest(f"{named} is a symlink to nothing; point it at a folder") from None
    except OSError as exc:
        raise InvalidRequest(f"{named} cannot be used ({exc.strerror}); point it at a folder") from None
    if mode is not None and not stat.S_ISDIR(mode):
        raise InvalidRequest(f"{named} is not a folder; point it at a folder (or unset it)")
    if mode is None and create:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InvalidRequest(f"cannot create {named}: {exc.strerror or exc}; point it at a folder") from None
    if create and not os.access(folder, os.W_OK | os.X_OK):
        raise InvalidRequest(f"{named} is not writable; make it writable or point SYSDESIGN_DATA at another folder")
    return folder


def cache_dir() -> Path:
    """Where files derived from model weights go: ``$SYSDESIGN_CACHE``, else the platform's cache folder."""
    import platformdirs

    named = os.environ.get("SYSDESIGN_CACHE")
    return Path(named).expanduser() if named else Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def bundled_index() -> Path:
    return bundled("index")


def user_index() -> Path:
    """Where `sysdesign index build` writes when no `--index` is given."""
    return user_data_dir() / "index"


def default_index() -> Path:
    """The index used when none is named: the user's own when they built one, else the bundled one."""
    mine = user_index()
    return mine if (mine / "manifest.json").is_file() else bundled_index()
