"""HTTP for the hosted-model clients: one total deadline per request and a bounded answer size.

The SDKs' own timeouts apply to each read, so a server that drips a byte every half second is never cut off,
and nothing bounds how much a server may send. `BoundedTransport` wraps httpx's transport: a request started
after its deadline fails at once, and reading the answer fails as soon as the deadline passes or the answer
grows past `max_bytes`. The SDKs turn both into their timeout or connection errors, which the clients report
as `ModelError` (and the engine then falls back, labelled). The bound is on the answer as decoded: a gzip or
deflate answer is decompressed here, at most `max_bytes` of it (300 MB can come from 300 KB on the wire), and
any other content coding is refused.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from agent.errors import ModelError

MAX_ANSWER_BYTES = 2_000_000
"""A design is a few kilobytes; anything far beyond that is a runaway answer."""
DECODERS: dict[str, Callable[[], Any]] = {
    "": lambda: None,
    "identity": lambda: None,
    "gzip": lambda: zlib.decompressobj(16 + zlib.MAX_WBITS),
    "x-gzip": lambda: zlib.decompressobj(16 + zlib.MAX_WBITS),
    "deflate": lambda: zlib.decompressobj(),
}
"""The content codings an answer may come in, each with a fresh streaming decoder (None: as it is)."""


def bounded_client(timeout: float, max_bytes: int = MAX_ANSWER_BYTES) -> tuple[Any, Callable[[], None]]:
    """(an httpx client for an SDK, a function that starts a request's deadline: `timeout` seconds from now).

    Call the second before each model request: retries inside the SDK then share what is left of it.
    """
    import httpx2

    class BoundedStream(httpx2.SyncByteStream):
        def __init__(self, inner: Any, transport: BoundedTransport, decoder: Any = None) -> None:
            self.inner, self.transport, self.decoder = inner, transport, decoder

        def __iter__(self) -> Iterator[bytes]:
            received, limit = 0, self.transport.max_bytes
            for chunk in self.inner:
                if time.monotonic() > self.transport.deadline:
                    raise httpx2.ReadTimeout(f"no complete answer within {self.transport.timeout:g} s")
                if self.decoder is not None:
                    try:
                        chunk = self.decoder.decompress(chunk, limit - received + 1)  # never more than the rest
                    except zlib.error:
                        raise httpx2.DecodingError("the compressed answer is damaged") from None
                    if self.decoder.unconsumed_tail:
                        received = limit + 1  # more was coming than the bound allows
                received += len(chunk)
                if received > limit:
                    raise httpx2.ReadError(f"the answer exceeds {limit:,} bytes")
                yield chunk

        def close(self) -> None:
            self.inner.close()

    class BoundedTransport(httpx2.HTTPTransport):
        def __init__(self) -> None:
            # no idle connections kept: a client per drafter would otherwise leave sockets open behind it
            super().__init__(limits=httpx2.Limits(max_keepalive_connections=0))
            self.timeout, self.max_bytes = timeout, max_bytes
            self.deadline = time.monotonic() + timeout

        def handle_request(self, request: Any) -> Any:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                raise httpx2.ConnectTimeout(f"no answer within {self.timeout:g} s")
            # no single read may outlast what is left of the deadline
            request.extensions["timeout"] = {key: remaining for key in ("connect", "read", "write", "pool")}
            request.headers["Accept-Encoding"] = "identity"  # asked for plain; a compressed answer is decoded here
            response = super().handle_request(request)
            coding = response.headers.get("Content-Encoding", "").strip().lower()
            if coding not in DECODERS:
                response.close()
                raise httpx2.DecodingError(f"an answer in the {coding!r} content coding is not accepted")
            decoded = coding not in ("", "identity")  # the lengths the server gave are of the compressed bytes
            headers = [
                (k, v)
                for k, v in response.headers.items()
                if k.lower() != "content-encoding" and not (decoded and k.lower() == "content-length")
            ]
            stream = BoundedStream(response.stream, self, DECODERS[coding]())
            return httpx2.Response(response.status_code, headers=headers, stream=stream, extensions=response.extensions)

    transport = BoundedTransport()

    def start() -> None:
        transport.deadline = time.monotonic() + timeout

    return httpx2.Client(transport=transport, timeout=timeout), start


@contextmanager
def model_errors(sdk: Any, where: str) -> Iterator[None]:
    """Turn an SDK's errors (OpenAI's or Anthropic's: both name them alike) into one-sentence ModelErrors."""
    try:
        yield
    except sdk.APIConnectionError as exc:
        raise ModelError(f"cannot reach {where!r}: {type(exc).__name__}") from None
    except sdk.APIStatusError as exc:
        raise ModelError(f"{where!r} answered HTTP {exc.status_code} after retries") from None
    except sdk.APIError as exc:
        raise ModelError(f"{where!r} failed: {type(exc).__name__}") from None
    except (ValueError, RecursionError) as exc:  # the SDK parses the body itself: not JSON, or nested too deep
        raise ModelError(f"{where!r} answered something that is not a model response ({type(exc).__name__})") from None
