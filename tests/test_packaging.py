"""The built wheel works outside the checkout: data inside the package, the CLI from an empty folder."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A wheel built from this checkout, installed into a fresh venv that reuses the installed dependencies."""
    root = tmp_path_factory.mktemp("wheel")
    pip = [sys.executable, "-m", "pip"]
    built = subprocess.run([*pip, "wheel", "--no-deps", "-q", "-w", str(root), str(PROJECT_ROOT)],
                           capture_output=True, text=True)  # fmt: skip
    assert built.returncode == 0, built.stderr
    wheel = next(root.glob("sysdesign_agent-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for needed in ("agent/_bundled/kb/system-design-knowledge-base.md", "agent/_bundled/index/manifest.json",
                   "agent/_bundled/kb_chunks/chunks.jsonl", "agent/_bundled/prompts/draft.j2",
                   "agent/knowledge/patterns.yaml", "agent/rules/packs/builtin.yaml"):  # fmt: skip
        assert needed in names, needed
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)], check=True)
    # the fresh venv sees this venv's dependencies through a .pth file, but not the editable checkout
    site = Path(sysconfig.get_paths(vars={"base": str(venv), "platbase": str(venv)})["purelib"])
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    target = root / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True)  # fmt: skip
    (site / "sysdesign.pth").write_text(str(target) + "\n")
    return venv


def _run(venv: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYSDESIGN_")}
    env.update(SYSDESIGN_DATA=str(cwd / "data"), PYTHONSAFEPATH="1")
    return subprocess.run([str(venv / "bin" / "python"), "-m", "agent", *args], cwd=cwd, capture_output=True,
                          text=True, env=env, timeout=300)  # fmt: skip


def test_the_installed_wheel_answers_from_an_empty_folder(installed, tmp_path):
    where = _run(installed, tmp_path, "index", "status", "--json")
    assert where.returncode == 0, where.stderr
    status = json.loads(where.stdout)
    assert "_bundled" in status["path"] and str(PROJECT_ROOT) not in status["path"]
    assert status["fresh"], status["problems"]
    design = _run(installed, tmp_path, "ask", "Build a Twitter clone", "--json")
    assert design.returncode == 0, design.stderr
    assert json.loads(design.stdout)["pattern"]["id"] == "social_media"
    checked = _run(installed, tmp_path, "check", "-")
    assert checked.returncode == 2  # empty stdin is bad input, said in one line
    document = tmp_path / "doc.json"
    document.write_text(json.dumps({"request": "Twitter clone", "services": ["API", "Tweets"]}))
    assert _run(installed, tmp_path, "check", str(document)).returncode == 1
    found = _run(installed, tmp_path, "search", "find drivers near a rider", "--json")
    assert found.returncode == 0 and json.loads(found.stdout)[0]["chunk_id"].startswith("ride-hailing")
    assert list(tmp_path.iterdir()) == [document]  # nothing written to the working folder


def test_the_installed_wheel_serves_mcp_over_stdio(installed, tmp_path):
    from mcp import Client, StdioServerParameters

    env = {k: v for k, v in os.environ.items() if not k.startswith("SYSDESIGN_")}
    env["SYSDESIGN_DATA"] = str(tmp_path / "data")
    python = str(installed / "bin" / "python")
    parameters = StdioServerParameters(
        command=python, args=["-m", "agent", "serve", "--mcp"], env=env, cwd=str(tmp_path)
    )

    async def main() -> set[str]:
        async with Client(parameters) as client:
            listed = await client.list_tools()
            return {tool.name for tool in listed.tools}

    assert "recommend_architecture" in asyncio.run(main())


def test_user_index_goes_to_the_data_folder_not_the_package(installed, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "oncall.md").write_text("# On-call\n\n## Paging\n\nWho is paged when the pager fires at night.\n")
    built = _run(installed, tmp_path, "index", "build", "--kb", str(docs))
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "data" / "index" / "manifest.json").is_file()
    found = _run(installed, tmp_path, "search", "who is paged at night", "--json")
    assert json.loads(found.stdout)[0]["chunk_id"].startswith("oncall/")
