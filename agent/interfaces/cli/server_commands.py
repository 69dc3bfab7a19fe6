"""Commands for other agents: serve (MCP over stdio or HTTP) and tools (function-calling definitions)."""

from __future__ import annotations

import logging
from typing import Annotated, Literal

import typer

from agent.errors import InvalidRequest
from agent.interfaces.cli.common import IndexOption, advisor_for, print_json

app = typer.Typer()


@app.command()
def serve(
    mcp: Annotated[
        bool, typer.Option("--mcp", help="Serve the Model Context Protocol (the only protocol so far).")
    ] = False,
    http: Annotated[bool, typer.Option("--http", help="Streamable HTTP instead of stdio.")] = False,
    host: Annotated[
        str, typer.Option(help="Address to bind with --http (loopback unless you say otherwise).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port for --http.")] = 8765,
    allow_drafter: Annotated[
        list[str] | None,
        typer.Option("--allow-drafter", help="Let clients use this drafter besides 'kb', e.g. llama-cpp (repeatable)."),
    ] = None,
    deadline: Annotated[
        float, typer.Option(min=1, max=3600, help="Seconds a call may take before it is cancelled.")
    ] = 120,
    index: IndexOption = None,
) -> None:
    """Serve the advisor to other agents over MCP.

    Clients may use only the offline 'kb' drafter unless you allow others: the local model is expensive and runs
    one call at a time (one more may wait; further calls are refused), and every call is cancelled after
    --deadline seconds.

    Examples:
      sysdesign serve --mcp                        (stdio: for Claude Desktop, IDEs, agent frameworks)
      sysdesign serve --mcp --http --port 8765     (http://127.0.0.1:8765/mcp)
      sysdesign serve --mcp --allow-drafter llama-cpp --deadline 60
    """
    if not mcp:
        raise InvalidRequest("say which protocol to serve: 'sysdesign serve --mcp'")
    from agent.drafting.registry import available_drafters
    from agent.interfaces.mcp_server import ServerLimits, build_server

    known = available_drafters()
    for name in allow_drafter or []:
        if name not in known:
            raise InvalidRequest(f"unknown drafter {name!r} for --allow-drafter; known: {', '.join(sorted(known))}")
    advisor = advisor_for(index=index)
    advisor.retriever  # noqa: B018 -- load the index before the first request, not during it
    limits = ServerLimits(drafters=frozenset({"kb", *(allow_drafter or [])}), deadline=deadline)
    server = build_server(advisor, limits)
    logging.getLogger("sysdesign").info("MCP server ready (%s)", f"http://{host}:{port}/mcp" if http else "stdio")
    try:
        if http:
            server.run("streamable-http", host=host, port=port)
        else:
            server.run("stdio")
    except KeyboardInterrupt:
        pass


@app.command()
def tools(
    format: Annotated[
        Literal["openai", "anthropic", "mcp"], typer.Option("--format", help="Definition style.")
    ] = "openai",
) -> None:
    """Print the MCP tools as function-calling definitions (for agents that do not speak MCP)."""
    from agent.interfaces.mcp_server import tool_definitions

    print_json(tool_definitions(advisor_for(), format))
