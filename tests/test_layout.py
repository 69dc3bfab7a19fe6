"""The package's shape: no import cycles (counting lazy imports too), no private attribute reached from outside."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "agent"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            for target in targets:
                if target in modules and target != name:
                    graph[name].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles():
    graph = _imports()
    # a package's __init__ re-exporting its own submodules is not a cycle between modules
    for name in graph:
        graph[name] = {t for t in graph[name] if not (name.startswith(t + ".") and t in graph)}
    assert _cycles(graph) == []


OUTSIDE_BOUNDARIES = {("compiled_patterns.py", "_compiler._code")}
"""Private names of the standard library reached on purpose, each the only way to do its job: `re` has no public
way to hand back the code it compiled an expression into, which is what a cold start keeps between processes."""


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_private_attribute_is_reached_from_outside_its_class(path):
    """`other._name` (not `self._name`, `cls._name` or a module's own private function) is a broken boundary."""
    offenders = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            owner = node.value
            if isinstance(owner, ast.Name) and owner.id in {"self", "cls"}:
                continue
            if (str(path.relative_to(PACKAGE)), ast.unparse(node)) in OUTSIDE_BOUNDARIES:
                continue
            offenders.append(f"{ast.unparse(node)} (line {node.lineno})")
    assert offenders == []


def test_only_the_evidence_module_writes_or_reads_where_a_cue_came_from():
    """A cue's lender ("pattern: social_media") is one module's encoding; everyone else asks agent.evidence."""
    import re

    encoded = re.compile(r"""(?:startswith|removeprefix)\(\(?["'](?:pattern|product|block|meaning):|"""
                         r"""f["'](?:pattern|product|block|meaning): \{""")  # fmt: skip
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{n}"
        for path in PACKAGE.rglob("*.py")
        if path.name != "evidence.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if encoded.search(line) and "->" not in line  # the chat's diff prints "pattern: a -> b" for people
    ]
    assert not offenders, offenders
