"""The README's library example runs, and the values its comments show are the values it gives."""

from __future__ import annotations

import re

import pytest

from tests.conftest import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README, flags=re.S)


@pytest.mark.slow
def test_library_example_runs_and_its_comments_are_true():
    (block,) = python_blocks()
    namespace: dict[str, object] = {}
    lines = block.splitlines()
    for number, line in enumerate(lines):
        code, _, comment = line.partition("  # ")
        expected = comment.strip() if comment.strip()[:1] in ("(", "'") else None
        if expected is None and line.startswith("# '"):  # a value shown on its own line under the expression
            continue
        if number + 1 < len(lines) and lines[number + 1].startswith("# '"):
            expected = lines[number + 1][2:].strip()
        if expected is not None:
            assert repr(eval(code, namespace)) == expected, line
        else:
            exec(code, namespace)
