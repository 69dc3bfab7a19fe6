"""Whatever a model server answers, the engine falls back with a label and a reason, within one deadline.

A real HTTP server on 127.0.0.1 plays the misbehaving servers the fuzzing campaign found; the real OpenAI and
Anthropic SDKs talk to it.
"""

from __future__ import annotations

import json
import time

import pytest

from agent.pipeline import Engine
from tests.model_server import OPENAI_HEAD, ReplayHandler, openai_body, serving

DEEP = "[" * 5000 + "]" * 5000


ANTHROPIC_NULL = {"id": "m", "type": "message", "role": "assistant", "model": "m", "content": None,
                  "stop_reason": "end_turn", "usage": {"input_tokens": 1, "output_tokens": 1}}  # fmt: skip
ANSWERS: dict[str, object] = {
    "not-json": b"<html>gateway error</html>",
    "empty-choices": json.dumps({**OPENAI_HEAD, "model": "m", "choices": []}).encode(),
    "content-not-text": openai_body({"nested": ["not", "a", "string"]}),
    "deep-json": openai_body('{"pattern": "social_media", "components": ' + DEEP + "}"),
    "huge-truncated": openai_body('{"pattern": "social_media", "components": ["' + "Redis, " * 700_000),
    "anthropic-null-content": json.dumps(ANTHROPIC_NULL).encode(),
    "drip": "drip",
}


class _Handler(ReplayHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = ANSWERS[self.server.mode]  # type: ignore[attr-defined]
        if body != "drip":
            assert isinstance(body, bytes)
            self.send_body(body)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        try:
            for _ in range(200):  # one byte every half second: 100 s in all, unless cut off
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.5)
        except OSError:
            pass


@pytest.fixture(scope="module")
def server():
    yield from serving(_Handler)


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
