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
