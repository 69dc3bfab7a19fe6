"""A project's sysdesign.toml may not send API keys to a host it names until the user trusts it."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from agent.config import load_settings
from agent.redaction import redact_text, redact_url
from agent.trust import revoke, trust
from tests.conftest import run_cli


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SYSDESIGN_DATA", str(tmp_path / "data"))
    monkeypatch.delenv("SYSDESIGN_CONFIG", raising=False)
    monkeypatch.delenv("SYSDESIGN_BASE_URL", raising=False)
    return tmp_path


def test_an_untrusted_project_file_cannot_choose_the_host(project, caplog):
    (project / "sysdesign.toml").write_text('drafter = "openai"\nbase_url = "http://user:pw@evil.example/v1"\n')
    settings = load_settings()
    assert settings.drafter == "openai" and settings.base_url is None
    assert "sysdesign trust" in caplog.text and "pw" not in caplog.text


def test_trusting_the_file_lets_it_choose_and_an_edit_withdraws_the_trust(project):
    config = project / "sysdesign.toml"
    config.write_text('base_url = "http://127.0.0.1:9/v1"\n')
    trust(config)
    assert load_settings().base_url == "http://127.0.0.1:9/v1"
    config.write_text('base_url = "http://127.0.0.1:10/v1"\n')
    assert load_settings().base_url is None
    trust(config)
    assert revoke(config) and load_settings().base_url is None


def test_the_users_own_file_and_environment_are_trusted(project, monkeypatch):
    mine = project / "mine.toml"
    mine.write_text('base_url = "http://127.0.0.1:11/v1"\n')
    monkeypatch.setenv("SYSDESIGN_CONFIG", str(mine))
    assert load_settings().base_url == "http://127.0.0.1:11/v1"
    monkeypatch.setenv("SYSDESIGN_BASE_URL", "http://127.0.0.1:12/v1")
    assert load_settings().base_url == "http://127.0.0.1:12/v1"


def _recording_server() -> tuple[ThreadingHTTPServer, list[str]]:
    """A server on 127.0.0.1 that records the Authorization header of every request and answers 500."""
    seen: list[str] = []

    class Recorder(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            seen.append(self.headers.get("Authorization", ""))
            self.send_response(500)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, seen


def test_a_plain_ask_in_a_cloned_repository_sends_no_key_to_its_server(tmp_path):
    theirs, their_requests = _recording_server()
    mine, my_requests = _recording_server()  # where the user's own settings file sends requests
    try:
        url = f"http://127.0.0.1:{theirs.server_address[1]}/v1"
        (tmp_path / "sysdesign.toml").write_text(f'drafter = "openai"\nbase_url = "{url}"\ntimeout = 5\n')
        (tmp_path / "mine.toml").write_text(f'base_url = "http://127.0.0.1:{mine.server_address[1]}/v1"\n')
        env = {"OPENAI_API_KEY": "sk-secret", "SYSDESIGN_DATA": str(tmp_path / "data"),
               "SYSDESIGN_CONFIG": str(tmp_path / "mine.toml")}  # fmt: skip
        result = run_cli("ask", "a todo app", "--json", env=env, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert "ignored until you trust" in result.stderr
        assert their_requests == []
        assert my_requests and my_requests[0] == "Bearer sk-secret"
        assert run_cli("trust", env=env, cwd=tmp_path).returncode == 0
        assert run_cli("ask", "a todo app", "--json", env=env, cwd=tmp_path).returncode == 0
        assert their_requests and their_requests[0] == "Bearer sk-secret"  # trusted: now it may
    finally:
        for server in (theirs, mine):
            server.shutdown()
            server.server_close()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("http://user:secret@host/v1", "http://***@host/v1"),
        ("https://secret@host:8443/v1", "https://***@host:8443/v1"),
        ("http://host/v1", "http://host/v1"),
    ],
)
def test_credentials_in_urls_are_redacted(text, expected):
    assert redact_url(text) == expected
    assert "secret" not in redact_text(f"cannot reach {text}: failed")


def test_trusting_many_files_at_once_keeps_every_record(tmp_path, monkeypatch):
    import os
    import subprocess
    import sys

    monkeypatch.setenv("SYSDESIGN_DATA", str(tmp_path / "data"))
    files = []
    for n in range(8):
        (tmp_path / f"p{n}").mkdir()
        files.append(tmp_path / f"p{n}" / "sysdesign.toml")
        files[-1].write_text(f'base_url = "http://127.0.0.1:{n + 10}/v1"\n')
    code = "import sys; from pathlib import Path; from agent.trust import trust; trust(Path(sys.argv[1]))"
    runs = [subprocess.Popen([sys.executable, "-c", code, str(f)], env=os.environ.copy()) for f in files]  # at once
    assert [run.wait(timeout=60) for run in runs] == [0] * 8
    from agent.trust import is_trusted

    assert all(is_trusted(f) for f in files)  # read-modify-write under a lock: none lost


def test_a_store_that_is_a_fifo_trusts_nothing_and_never_waits(tmp_path, monkeypatch):
    import os

    monkeypatch.setenv("SYSDESIGN_DATA", str(tmp_path / "data"))
    (tmp_path / "data").mkdir()
    os.mkfifo(tmp_path / "data" / "trusted-settings.json")
    settings = tmp_path / "sysdesign.toml"
    settings.write_text('base_url = "http://127.0.0.1:10/v1"\n')
    from agent.trust import is_trusted

    assert is_trusted(settings) is False  # answered at once, not waiting for a writer
