"""The `sysdesign` command line: a typer app whose commands live in one module per area.

Library errors (`SysdesignError`) become one line on stderr and their exit code (2 for usage errors);
anything else is a bug and keeps its traceback.
"""

from agent.interfaces.cli.app import app, main

__all__ = ["app", "main"]
