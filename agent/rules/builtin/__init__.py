"""The built-in rules' checks and fixes, one module per group of the knowledge base's rules.

Importing this package registers them all (`agent.rules.registry.CHECKS` and `FIXES`).
"""

from agent.rules.builtin import consistency, expert, inference, mistakes, patterns, services

__all__ = ["consistency", "expert", "inference", "mistakes", "patterns", "services"]
