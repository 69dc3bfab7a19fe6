"""Whatever a model server answers, the engine falls back with a label and a reason, within one deadline.

A real HTTP server on 127.0.0.1 plays the misbehaving servers the fuzzing campaign found; the real OpenAI and
Anthropic SDKs talk to it.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from agent.pipeline import Engine

OPENAI_OK_HEAD = {"id": "x", "object": "chat.completion", "created": 0, "model": "m"}
DEEP = "[" * 5000 + "]" * 5000


def _openai_body(content: object) -> bytes:
    message = {"role": "assistant", "content": content}
    return json.dumps(
        {**OPENAI_OK_HEAD, "choices": [{"index": 0, "message": message, "finish_reason": "stop"}]}
    ).encode()


ANTHROPIC_NULL = {"id": "m", "type": "message", "role": "assistant", "model": "m", "content": None,
                  "stop_reason": "end_turn", "usage": {"input_tokens": 1, "output_tokens": 1}}  # fmt: skip
ANSWERS: dict[str, object] = {
    "not-json": b"<html>gateway error</html>",
    "empty-choices": json.dumps({**OPENAI_OK_HEAD, "choices": []}).encode(),
    "content-not-text": _openai_body({"nested": ["not", "a", "string"]}),
    "deep-json": _openai_body('{"pattern": "social_media", "components": ' + DEEP + "}"),
    "huge-truncated": _openai_body('{"pattern": "social_media", "components": ["' + "Redis, " * 700_000),
    "anthropic-null-content": json.dumps(ANTHROPIC_NULL).encode(),
    "drip": "drip",
}


class _Handler(BaseHTTPRequestHandler):
    mode = "not-json"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = ANSWERS[self.server.mode]  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if body == "drip":
            self.send_header("Content-Length", "100000")
            self.end_headers()
            try:
                for _ in range(200):  # one byte every half second: 100 s in all, unless cut off
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.5)
            except OSError:
                pass
            return
        assert isinstance(body, bytes)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):  # the client may hang up first
            self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def engine(retriever):
    return Engine(retriever)


@pytest.mark.parametrize(
    ("drafter", "mode"),
    [("openai", "not-json"), ("openai", "empty-choices"), ("openai", "content-not-text"), ("openai", "deep-json"),
     ("openai", "huge-truncated"), ("openai", "drip"), ("anthropic", "anthropic-null-content"),
     ("anthropic", "not-json"), ("anthropic", "drip")],
)  # fmt: skip
def test_a_bad_answer_becomes_a_labelled_fallback_within_the_deadline(engine, server, drafter, mode, monkeypatch):
    monkeypatch.setenv("SYSDESIGN_API_KEY", "sk-test")
    server.mode = mode
    base_url = f"http://127.0.0.1:{server.server_address[1]}" + ("/v1" if drafter == "openai" else "")
    started = time.monotonic()
    architecture = engine.recommend("Build a Twitter clone", drafter, rounds=1, base_url=base_url, model="m",
                                    timeout=3)  # fmt: skip
    elapsed = time.monotonic() - started
    assert architecture.pattern.id == "social_media" and architecture.services
    if architecture.audit.fallback:  # a salvaged truncated answer may also be usable: then the model drafted it
        assert architecture.drafter == "kb" and architecture.audit.error
    assert elapsed < 20, f"{mode} took {elapsed:.1f} s with a 3 s deadline"
    if mode in {"not-json", "empty-choices", "content-not-text", "drip", "anthropic-null-content"}:
        assert architecture.audit.fallback, mode


def test_without_fallback_a_bad_answer_is_a_model_error_not_a_traceback(engine, server, monkeypatch):
    from agent.errors import ModelError

    monkeypatch.setenv("SYSDESIGN_API_KEY", "sk-test")
    server.mode = "empty-choices"
    with pytest.raises(ModelError, match="without choices"):
        engine.recommend("Build a Twitter clone", "openai", rounds=0, fallback=None, model="m", timeout=3,
                         base_url=f"http://127.0.0.1:{server.server_address[1]}/v1")  # fmt: skip
