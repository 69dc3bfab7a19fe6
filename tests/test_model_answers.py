"""Whatever a model server answers, the engine falls back with a label and a reason, within one deadline.

A real HTTP server on 127.0.0.1 plays the misbehaving servers the fuzzing campaign found; the real OpenAI and
Anthropic SDKs talk to it.
"""

from __future__ import annotations

import gzip
import json
import time
import zlib

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
    "gzip-bomb": gzip.compress(openai_body(" " * 20_000_000), compresslevel=9),  # 20 MB from about 20 KB
}


class _Handler(ReplayHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = ANSWERS[self.server.mode]  # type: ignore[attr-defined]
        if self.server.mode.startswith("gzip"):  # type: ignore[attr-defined]
            assert isinstance(body, bytes)
            self.send_coded(body, "gzip")
            return
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

    def send_coded(self, body: bytes, coding: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Encoding", coding)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # for the transport's own test: /<coding>/<size> answers that many bytes so coded
        _, coding, size = self.path.split("/")
        plain = json.dumps({"text": "x" * int(size)}).encode()
        coded = {"gzip": gzip.compress, "deflate": zlib.compress, "br": lambda b: b}[coding](plain)
        self.send_coded(coded, coding)


@pytest.fixture(scope="module")
def server():
    yield from serving(_Handler)


@pytest.fixture(scope="module")
def engine(retriever):
    return Engine(retriever)


@pytest.mark.parametrize(
    ("drafter", "mode"),
    [("openai", "not-json"), ("openai", "empty-choices"), ("openai", "content-not-text"), ("openai", "deep-json"),
     ("openai", "huge-truncated"), ("openai", "drip"), ("openai", "gzip-bomb"),
     ("anthropic", "anthropic-null-content"), ("anthropic", "not-json"), ("anthropic", "drip"),
     ("anthropic", "gzip-bomb")],
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
    if mode in {"not-json", "empty-choices", "content-not-text", "drip", "anthropic-null-content", "gzip-bomb"}:
        assert architecture.audit.fallback, mode


def test_without_fallback_a_bad_answer_is_a_model_error_not_a_traceback(engine, server, monkeypatch):
    from agent.errors import ModelError

    monkeypatch.setenv("SYSDESIGN_API_KEY", "sk-test")
    server.mode = "empty-choices"
    with pytest.raises(ModelError, match="without choices"):
        engine.recommend("Build a Twitter clone", "openai", rounds=0, fallback=None, model="m", timeout=3,
                         base_url=f"http://127.0.0.1:{server.server_address[1]}/v1")  # fmt: skip


@pytest.mark.parametrize("coding", ["gzip", "deflate"])
def test_a_compressed_answer_is_bounded_as_decoded(server, coding):
    import httpx2

    from agent.drafting.llm.http import bounded_client

    client, start = bounded_client(timeout=5, max_bytes=100_000)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    start()
    assert client.get(f"{base}/{coding}/50000").json()["text"] == "x" * 50_000  # under the bound: decoded whole
    start()
    with pytest.raises(httpx2.ReadError, match="exceeds 100,000 bytes"):  # 5 MB decoded from a few KB
        client.get(f"{base}/{coding}/5000000").read()
    start()
    with pytest.raises(httpx2.DecodingError, match="'br'"):  # a coding it cannot bound is refused
        client.get(f"{base}/br/10")
