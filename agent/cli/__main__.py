"""`python -m agent.cli` runs the `sysdesign` command."""

from agent.cli import main

main()
