"""`sysdesign trust`: let a project's sysdesign.toml choose where model requests (and API keys) go."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer()


@app.command("trust")
def trust_command(
    file: Annotated[Path, typer.Argument(help="The project's settings file.")] = Path("sysdesign.toml"),
    revoke: Annotated[bool, typer.Option("--revoke", help="Withdraw the trust instead.")] = False,
) -> None:
    """Trust a project's sysdesign.toml as it is now, so that its base_url is honoured.

    A project's file may not send your API keys to a server it names until you trust it; editing the file
    withdraws the trust (like direnv's allow).

    Examples:
      sysdesign trust
      sysdesign trust path/to/sysdesign.toml --revoke
    """
    from agent.trust import revoke as revoke_trust
    from agent.trust import trust

    if revoke:
        done = revoke_trust(file)
        typer.echo(f"{file}: trust withdrawn" if done else f"{file} was not trusted")
        return
    digest = trust(file)
    typer.echo(f"trusted {file} (sha256 {digest[:12]}); editing it withdraws the trust")
