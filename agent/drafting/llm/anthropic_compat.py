"""Anthropic's Messages API (or a compatible server), with structured output through one forced tool."""

from __future__ import annotations

import json
from typing import Any

from agent.drafting.llm.chat_drafter import ChatDrafter, Completion, extract_json
from agent.drafting.llm.http import bounded_client, model_errors
from agent.drafting.llm.openai_compat import MAX_TOKENS, api_key
from agent.errors import InvalidRequest, ModelError
from agent.redaction import redact_url

DEFAULT_MODEL = "claude-3-5-haiku-latest"
TOOL = "submit_architecture"


class AnthropicClient:
    def __init__(self, base_url: str | None, model: str | None, timeout: float = 60.0, retries: int = 2) -> None:
        try:
            import anthropic
        except ImportError:
            raise ModelError(
                "the anthropic drafter needs 'anthropic'; run 'pip install sysdesign-agent[hosted]'"
            ) from None
        key = api_key("SYSDESIGN_API_KEY", "ANTHROPIC_API_KEY")
        if key is None and base_url is None:
            raise InvalidRequest(
                "the anthropic drafter needs SYSDESIGN_API_KEY or ANTHROPIC_API_KEY in the environment"
            )
        self._anthropic = anthropic
        http, self._start_deadline = bounded_client(timeout)
        self._client = anthropic.Anthropic(base_url=base_url, api_key=key or "not-needed", timeout=timeout,
                                           max_retries=retries, http_client=http)  # fmt: skip
        self.model = model or DEFAULT_MODEL
        self.base_url = base_url or "https://api.anthropic.com"
        self.max_tokens = MAX_TOKENS["small"]

    @property
    def where(self) -> str:
        """The server's address as it may be shown: without credentials."""
        return redact_url(str(self.base_url))

    def complete(self, messages: list[dict[str, str]], schema: dict) -> Completion:
        system = "\n".join(m["content"] for m in messages if m["role"] == "system")
        turns = [m for m in messages if m["role"] != "system"]
        tool = {"name": TOOL, "description": "Submit the architecture design.", "input_schema": schema}
        self._start_deadline()  # one deadline for the call and its prefill retry
        completion = self._create(
            system=system, messages=turns, tools=[tool], tool_choice={"type": "tool", "name": TOOL}
        )
        if "{" in completion.text:
            return completion
        # a server that ignores the forced tool (some compatible servers do): prefill the start of the JSON;
        # servers differ in whether they echo the prefill, so add it only when it is missing
        prefill = '{"pattern": "'
        retry = self._create(system=system, messages=[*turns, {"role": "assistant", "content": prefill}])
        for text in (retry.text, prefill + retry.text):
            try:
                extract_json(text)
            except ModelError:
                continue
            return Completion(text=text, tokens=completion.tokens + retry.tokens)
        return Completion(text=prefill + retry.text, tokens=completion.tokens + retry.tokens)

    def _create(self, **request: Any) -> Completion:
        arguments: dict[str, Any] = {
            "model": self.model,
            "max_tokens": self.max_tokens,
            "extra_body": {"temperature": 0},
            **request,
        }
        with model_errors(self._anthropic, self.where):
            response = self._client.messages.create(**arguments)
        return _completion(response, self.where)


def _completion(response: Any, where: str) -> Completion:
    """The tool input (or text) of an Anthropic-style answer; ModelError for anything that is not one."""
    usage = getattr(response, "usage", None)
    counts = [getattr(usage, name, 0) for name in ("input_tokens", "output_tokens")]
    tokens = sum(n for n in counts if isinstance(n, int))
    content = getattr(response, "content", None)
    if not isinstance(content, list):
        raise ModelError(f"{where!r} answered without content")
    for block in content:
        if getattr(block, "type", None) == "tool_use":
            try:
                return Completion(text=json.dumps(getattr(block, "input", None)), tokens=tokens)
            except (TypeError, ValueError, RecursionError):
                raise ModelError(f"{where!r} answered a tool input that is not JSON") from None
    texts = [getattr(block, "text", "") for block in content]
    return Completion(text="".join(t for t in texts if isinstance(t, str)), tokens=tokens)


class AnthropicDrafter(ChatDrafter):
    """Drafts with Claude (or an Anthropic-compatible server)."""

    name = "anthropic"
    capability = "full"

    def __init__(self, base_url: str | None = None, model: str | None = None, timeout: float = 60.0,
                 prompts_dir=None, schema: str | None = None, **_: object) -> None:  # fmt: skip
        client = AnthropicClient(base_url, model, timeout)
        super().__init__(client, prompts_dir, schema)
        client.max_tokens = MAX_TOKENS[self.schema]
