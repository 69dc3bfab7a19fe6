"""`python -m agent.interfaces.cli` runs the `sysdesign` command."""

from agent.interfaces.cli import main

main()
