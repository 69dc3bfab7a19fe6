"""The MCP server: the advisor's capabilities as tools, the knowledge base's chunks and the rules as resources.

Built on the official `mcp` SDK (2.x: `MCPServer`, transport given to `run`). Nothing but the protocol goes
to stdout; notices go to stderr. Errors a caller can fix come back as tool errors with one-sentence
messages, and the server keeps serving.

Limits (`ServerLimits`): clients may choose only the drafters the operator allowed (the offline `kb` by default;
`serve --allow-drafter llama-cpp` adds the local model); each model drafter runs one call at a time with at
most `model_queue` more waiting, in threads of its own, so offline calls are never starved; checks and estimates
of documents (up to 2 MB each, however they are sent) run `heavy_calls` at a time in threads of their own and the
rest wait their turn, so a flood of them never holds up a search; every call has a deadline, after which it is
cancelled (a call still waiting never starts, a running check stops at its next step, a local model's generation
stops) and the client gets a tool error.
"""

from __future__ import annotations

import asyncio
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal

import anyio

from agent.advisor import Advisor
from agent.cancellation import run_cancellable
from agent.document import check_document_size
from agent.errors import SysdesignError
from agent.redaction import redact_text
from agent.schema import Architecture, CheckReport, Estimate, Hit

DrafterName = Literal["kb", "llama-cpp", "openai", "anthropic"]
CHUNK_URI = "kb://chunks/{chunk_ref}"
"""Chunk ids contain '/', which a URI template parameter cannot: in the URI they are written with '.'."""


RECOMMEND = """Design a checked architecture for an app idea ("Build a Twitter clone", "an app where drivers
pick up passengers"). Returns the pattern with its confidence, traits, CAP choice, the technology stack with
reasons and knowledge-base citations, microservices, key flows, scaling notes, the complexity estimate and any
remaining findings. The 'kb' drafter is offline and answers in milliseconds."""
CHECK = """Check an architecture written by anyone against the knowledge base's rules. `document` needs at least
`components` (names, or objects with name and category) or `services` (names); `request` and `pattern` help.
Returns findings (rule id, severity, message, fix, citation); `passed` is false when a finding is an error.
With fix=true, also returns the repaired document and the list of changes."""
SEARCH = """Find the knowledge-base sections that answer a question, best first, with chunk ids, heading paths,
text and scores. `pattern` keeps one application pattern's sections (social_media, video_streaming, messaging,
ride_hailing, ecommerce)."""
ESTIMATE = """Estimate the effort of an app idea (`prompt`) or of an architecture (`document`): tier, service
band, base hours, the multipliers applied with the words that triggered them, and the resulting hours."""


def _describe(text: str) -> str:
    return " ".join(text.split())


def _estimate_of_prompt(advisor: Advisor, prompt: str) -> Estimate:
    estimated = advisor.recommend(prompt).estimate
    assert estimated is not None  # recommend always sizes its design
    return estimated


def chunk_uri(chunk_id: str) -> str:
    return CHUNK_URI.format(chunk_ref=chunk_id.replace("/", "."))


@dataclass(frozen=True)
class ServerLimits:
    """What MCP clients may ask of this server."""

    drafters: frozenset[str] = frozenset({"kb"})
    deadline: float = 120.0
    """Seconds a call may take before it is cancelled."""
    model_queue: int = 1
    """Calls to a model drafter that may wait while one runs; more are refused at once."""
    heavy_calls: int = 2
    """Checks and document estimates that run at once (each takes seconds on a large document); more wait."""


class _ModelGate:
    """One running call per model drafter, a short queue, and threads of its own."""

    def __init__(self, queue: int) -> None:
        self.limiter = anyio.CapacityLimiter(1)
        self.queue = queue
        self.pending = 0
        """Calls running or waiting."""


class _Calls:
    """Runs the tools' work in threads, within the server's limits."""

    def __init__(self, limits: ServerLimits) -> None:
        self.limits = limits
        self.gates: dict[str, _ModelGate] = {}
        self._heavy: ThreadPoolExecutor | None = None

    def heavy_threads(self) -> ThreadPoolExecutor:
        """The heavy work's own threads: a slot stays taken until its work has really stopped, even after the
        client stopped waiting, and calls beyond them wait in a queue that costs no thread."""
        if self._heavy is None:
            self._heavy = ThreadPoolExecutor(self.limits.heavy_calls, thread_name_prefix="sysdesign-heavy")
        return self._heavy

    async def run(self, function: Any, *args: Any, gate: _ModelGate | None = None, heavy: bool = False) -> Any:
        from mcp.server.mcpserver.exceptions import ToolError

        cancel = threading.Event()
        work = partial(run_cancellable, cancel, partial(function, *args))
        try:
            with anyio.fail_after(self.limits.deadline):
                if heavy:  # cancelled while queued, it never starts
                    return await asyncio.wrap_future(self.heavy_threads().submit(work))
                # model calls take their own thread (limiter of one): offline calls keep the shared pool
                return await anyio.to_thread.run_sync(work, limiter=gate.limiter if gate else None,
                                                      abandon_on_cancel=True)  # fmt: skip
        except TimeoutError:
            raise ToolError(f"the call took longer than {self.limits.deadline:g} s and was cancelled") from None
        except SysdesignError as exc:
            raise ToolError(redact_text(str(exc))) from None
        finally:
            cancel.set()  # a call abandoned by its client, or past its deadline, stops working

    async def heavy(self, function: Any, document: Any, *args: Any) -> Any:
        """A check or an estimate of `document`: refused at once when it is too large, else run in the heavy lane."""
        from mcp.server.mcpserver.exceptions import ToolError

        try:
            check_document_size(document)  # the client's JSON is parsed already: its size is bounded here
        except SysdesignError as exc:
            raise ToolError(str(exc)) from None
        return await self.run(function, document, *args, heavy=True)

    async def recommend(self, advisor: Advisor, prompt: str, drafter: str) -> Architecture:
        from mcp.server.mcpserver.exceptions import ToolError

        if drafter not in self.limits.drafters:
            allowed = ", ".join(sorted(self.limits.drafters))
            raise ToolError(f"this server does not offer the {drafter!r} drafter; use one of: {allowed}")
        if drafter == "kb":
            return await self.run(advisor.recommend, prompt, drafter)
        gate = self.gates.setdefault(drafter, _ModelGate(self.limits.model_queue))
        if gate.pending >= 1 + gate.queue:
            raise ToolError(f"the {drafter!r} drafter is busy; try again shortly, or use drafter 'kb'")
        gate.pending += 1  # the event loop is one thread: no lock needed
        try:
            return await self.run(advisor.recommend, prompt, drafter, gate=gate)
        finally:
            gate.pending -= 1


def build_server(advisor: Advisor, limits: ServerLimits | None = None):  # -> mcp.server.MCPServer
    """An MCP server exposing `advisor` within `limits`."""
    from mcp.server import MCPServer
    from mcp.server.mcpserver.exceptions import ToolError

    from agent import __version__

    server = MCPServer(
        name="sysdesign-agent",
        version=__version__,
        instructions=(
            "Design and check software architectures against a system-design knowledge base. "
            "Call recommend_architecture for an app idea, check_architecture to review a design (with fix=true "
            "to repair it), search_knowledge_base to read the sources, estimate_complexity for hours. "
            "Citations are chunk ids; read one as the resource kb://chunks/<id with '/' written as '.'>."
        ),
    )

    calls = _Calls(limits or ServerLimits())
    run = calls.run

    @server.tool(description=_describe(RECOMMEND))
    async def recommend_architecture(prompt: str, drafter: DrafterName = "kb") -> Architecture:
        return await calls.recommend(advisor, prompt, drafter)

    @server.tool(description=_describe(CHECK))
    async def check_architecture(document: dict[str, Any], fix: bool = False) -> CheckReport:
        return await calls.heavy(advisor.check, document, fix)

    @server.tool(description=_describe(SEARCH))
    async def search_knowledge_base(query: str, k: int = 5, pattern: str | None = None) -> list[Hit]:
        return await run(advisor.search, query, k, pattern)

    @server.tool(description=_describe(ESTIMATE))
    # `prompt: str` (not `str | None`): the SDK leaves plain-str arguments as they are, where it would read a
    # prompt such as "null" or "[1,2]" as JSON
    async def estimate_complexity(prompt: str = "", document: dict[str, Any] | None = None) -> Estimate:
        if bool(prompt) == (document is not None):
            raise ToolError("give exactly one of 'prompt' (an app idea) or 'document' (an architecture)")
        if prompt:  # a prompt is always an app idea, even one that looks like JSON
            return await run(_estimate_of_prompt, advisor, prompt)
        return await calls.heavy(advisor.estimate, document)

    @server.resource(CHUNK_URI, name="knowledge-base chunk", mime_type="text/markdown")
    def read_chunk(chunk_ref: str) -> str:
        """One knowledge-base section by chunk id ('/' written as '.'), with its heading path."""
        wanted = chunk_ref.replace(".", "/")
        for chunk in advisor.retriever.index.chunks:
            if chunk.id == wanted:
                return f"# {' > '.join(chunk.heading_path)}\n\n{chunk.text}\n"
        raise ToolError(f"no chunk {wanted!r}; search_knowledge_base lists ids")

    @server.resource("kb://chunks", name="knowledge-base chunk ids", mime_type="application/json")
    def list_chunks() -> str:
        """Every chunk id with its heading path and resource URI."""
        chunks = advisor.retriever.index.chunks
        return json.dumps([{"id": c.id, "uri": chunk_uri(c.id), "heading_path": c.heading_path} for c in chunks])

    @server.resource("kb://rules", name="rules", mime_type="application/json")
    def list_rules() -> str:
        """Every rule the checker applies: id, title, severity, pillar, citation, fix."""
        from agent.rules.checker import all_rules

        fields = ("id", "title", "severity", "pillar", "citation", "fix", "autofix")
        return json.dumps([{name: getattr(r, name) for name in fields} for r in all_rules()])

    return server


def tool_definitions(advisor: Advisor, style: Literal["openai", "anthropic", "mcp"]) -> list[dict[str, Any]]:
    """The MCP tools as function-calling definitions for agents that do not speak MCP."""
    server = build_server(advisor)
    tools = anyio.run(server.list_tools)
    result = []
    for tool in tools:
        schema = tool.input_schema
        if style == "openai":
            function = {"name": tool.name, "description": tool.description, "parameters": schema}
            result.append({"type": "function", "function": function})
        elif style == "anthropic":
            result.append({"name": tool.name, "description": tool.description, "input_schema": schema})
        else:
            result.append(tool.model_dump(mode="json", by_alias=True, exclude_none=True))
    return result
