"""Any OpenAI-compatible chat server: OpenAI, Ollama, vLLM, llama.cpp's server, LM Studio.

The key comes from SYSDESIGN_API_KEY or OPENAI_API_KEY and never reaches a log, a file or an error message.
Structured output: `response_format` with the JSON schema; servers that reject it get JSON mode, and the
answer is extracted either way.
"""

from __future__ import annotations

import os
from typing import Any

from agent.drafting.llm.chat_drafter import ChatDrafter, Completion
from agent.drafting.llm.http import bounded_client, model_errors
from agent.errors import InvalidRequest, ModelError
from agent.redaction import redact_url

DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_MODEL = "gpt-4o-mini"
FREQUENCY_PENALTY = 0.3
MAX_TOKENS = {"small": 1024, "full": 4096}


def api_key(*names: str) -> str | None:
    """The first key set among the environment variables `names`."""
    return next((os.environ[name] for name in names if os.environ.get(name)), None)


class OpenAIClient:
    def __init__(self, base_url: str | None, model: str | None, timeout: float = 60.0, retries: int = 2) -> None:
        try:
            import openai
        except ImportError:
            raise ModelError("the openai drafter needs 'openai'; run 'pip install sysdesign-agent[hosted]'") from None
        base_url = base_url or DEFAULT_BASE_URL
        if not base_url.startswith(("http://", "https://")):
            raise InvalidRequest(f"base URL {base_url!r} must start with http:// or https://")
        key = api_key("SYSDESIGN_API_KEY", "OPENAI_API_KEY")
        if key is None and base_url == DEFAULT_BASE_URL:
            raise InvalidRequest("the openai drafter needs SYSDESIGN_API_KEY or OPENAI_API_KEY in the environment")
        self._openai = openai
        http, self._start_deadline = bounded_client(timeout)
        # the SDK retries connection errors, 429 and 5xx with exponential backoff, within the one deadline
        self._client = openai.OpenAI(base_url=base_url, api_key=key or "not-needed", timeout=timeout,
                                     max_retries=retries, http_client=http)  # fmt: skip
        self.model = model or DEFAULT_MODEL
        self.base_url = base_url
        self.max_tokens = MAX_TOKENS["small"]

    @property
    def where(self) -> str:
        """The server's address as it may be shown: without credentials."""
        return redact_url(str(self.base_url))

    def complete(self, messages: list[dict[str, str]], schema: dict) -> Completion:
        openai = self._openai
        formats = [
            {"type": "json_schema", "json_schema": {"name": "architecture", "schema": schema}},
            {"type": "json_object"},
        ]
        last_error: Exception | None = None
        self._start_deadline()
        for response_format in formats:
            # the SDK's TypedDicts describe what our plain dicts already are
            # bounded output and a repetition penalty: small models served this way loop without them
            request: dict[str, Any] = {"model": self.model, "messages": messages, "temperature": 0,
                                       "max_tokens": self.max_tokens, "frequency_penalty": FREQUENCY_PENALTY,
                                       "response_format": response_format}  # fmt: skip
            with model_errors(openai, self.where):
                try:
                    response = self._client.chat.completions.create(**request)
                except openai.BadRequestError as exc:  # the server does not support this response_format
                    last_error = exc
                    continue
            return Completion(text=_answer_text(response, self.where), tokens=_total_tokens(response))
        raise ModelError(f"{self.where!r} rejected structured output: {type(last_error).__name__}")


def _answer_text(response: Any, where: str) -> str:
    """The text of an OpenAI-style answer; ModelError for anything that is not one (servers vary, some badly)."""
    choices = getattr(response, "choices", None)
    if not isinstance(choices, list) or not choices:
        raise ModelError(f"{where!r} answered without choices")
    content = getattr(getattr(choices[0], "message", None), "content", None)
    if content is None:
        return ""
    if not isinstance(content, str):
        raise ModelError(f"{where!r} answered content that is not text ({type(content).__name__})")
    return content


def _total_tokens(response: Any) -> int:
    tokens = getattr(getattr(response, "usage", None), "total_tokens", 0)
    return tokens if isinstance(tokens, int) else 0


class OpenAIDrafter(ChatDrafter):
    """Drafts with an OpenAI-compatible chat server."""

    name = "openai"
    capability = "full"

    def __init__(self, base_url: str | None = None, model: str | None = None, timeout: float = 60.0,
                 prompts_dir=None, schema: str | None = None, **_: object) -> None:  # fmt: skip
        client = OpenAIClient(base_url, model, timeout)
        super().__init__(client, prompts_dir, schema)
        client.max_tokens = MAX_TOKENS[self.schema]
