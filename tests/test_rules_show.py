"""`rules show ID` explains a rule like `ruff rule`: every built-in rule has a requirement in words and an example
that really breaks it (run through the checker here), with the knowledge base's own sentences as the why."""

from __future__ import annotations

import json

import pytest

from agent.advisor import Advisor
from agent.rules.checker import load_rules
from agent.rules.explain import explain
from tests.conftest import run_cli

BUILTIN = load_rules([])


@pytest.fixture(scope="module")
def engine():
    return Advisor().engine


@pytest.mark.parametrize("rule", BUILTIN, ids=[r.id for r in BUILTIN])
def test_every_rule_has_an_example_that_breaks_it(rule, engine):
    info = explain(rule, engine)
    assert info["requires"] and info["why"] and info["citation_title"], info
    assert info["example"]["findings"], f"{rule.id}: its example does not break it"
    assert "**" not in info["why"] and "#" not in info["why"]


def test_rules_show_reads_like_ruff_rule():
    result = run_cli("rules", "show", "sd020")
    assert result.returncode == 0, result.stderr
    for heading in ("What it checks", "Why (the knowledge base)", "What it requires", "Example that breaks it",
                    "Fix", "Citation: key-recognition-patterns/if-prompt-mentions"):  # fmt: skip
        assert heading in result.stdout
    assert "-> error: social media platform without Cassandra" in result.stdout
    data = json.loads(run_cli("rules", "show", "SD073", "--json").stdout)
    assert data["example"]["findings"][0]["severity"] in ("error", "warning")
    missing = run_cli("rules", "show", "SD999")
    assert missing.returncode == 2 and "no rule 'SD999'" in missing.stderr
