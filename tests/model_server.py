"""A small HTTP server on 127.0.0.1 that answers as a model server would: the tests' stand-in for OpenAI- and
Anthropic-compatible servers, talked to by the real SDKs (a fixture, not a mock of them)."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

OPENAI_HEAD = {"id": "x", "object": "chat.completion", "created": 0}


def openai_body(content: object, model: str = "m", tokens: int | None = None) -> bytes:
    """An OpenAI chat completion whose one choice says `content`."""
    message = {"role": "assistant", "content": content}
    body = {**OPENAI_HEAD, "model": model, "choices": [{"index": 0, "message": message, "finish_reason": "stop"}]}
    if tokens is not None:
        body["usage"] = {"total_tokens": tokens}
    return json.dumps(body).encode()


class ReplayHandler(BaseHTTPRequestHandler):
    """Answers every POST with the bytes `answer()` gives (by default the server's `answer` attribute)."""

    def answer(self) -> bytes:
        return self.server.answer  # type: ignore[attr-defined]

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_body(self.answer())

    def send_body(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):  # the client may hang up first
            self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[ThreadingHTTPServer]:
    """A running server on a free port for a module's tests (use it with `yield from` in a fixture)."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
