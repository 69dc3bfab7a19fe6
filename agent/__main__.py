"""`python -m agent` runs the CLI."""

from agent.interfaces.cli import main

main()
