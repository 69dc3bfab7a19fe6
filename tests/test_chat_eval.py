"""The chat suite is part of the regression gate: `sysdesign eval chat` scores it, and it can fail."""

from __future__ import annotations

import json

from agent.advisor import Advisor
from agent.evaluation.chat_bench import CHAT_CASES, Expect, judge, load_conversations, score
from agent.paths import bundled
from agent.schema import Architecture, Component
from tests.conftest import run_cli

BASELINE = json.loads(bundled("evals", "baseline.json").read_text())


def test_the_suite_is_large_enough_and_holds_the_gate():
    conversations = load_conversations(CHAT_CASES)
    assert len(conversations) >= 12 and sum(len(c.turns) for c in conversations) >= 60
    result = score(Advisor())
    assert result.share_right >= BASELINE["chat"]["share_right"], [t.model_dump() for t in result.wrong]


def test_a_turn_that_does_the_wrong_thing_is_scored_wrong():
    before = Architecture(components=[Component(name="Kafka")])
    after = Architecture(components=[Component(name="Kafka"), Component(name="Redis")])
    assert judge(Expect(removed=["Kafka"]), before, after, "") == ["not removed: Kafka"]
    assert judge(Expect(unchanged=True), before, after, "")[0].startswith("changed")
    assert judge(Expect(contains=["Sources:"]), before, before, "no sources") == ["reply lacks 'Sources:'"]
    assert judge(Expect(added=["Redis"], contains=["redis"]), before, after, "+ Redis") == []


def test_eval_chat_from_the_command_line(tmp_path):
    cases = tmp_path / "one.jsonl"
    cases.write_text(json.dumps({"id": "x", "turns": [{"say": "a pastebin"}, {"say": "add Kafka",
                                 "expect": {"removed": ["Kafka"]}}]}) + "\n")  # fmt: skip
    result = run_cli("eval", "chat", "--cases", str(cases), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["turns"] == 2 and data["right"] == 1 and data["wrong"][0]["misses"] == ["not removed: Kafka"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "turns": []}\n')
    failed = run_cli("eval", "chat", "--cases", str(bad))
    assert failed.returncode == 2 and "line 1" in failed.stderr and "Traceback" not in failed.stderr
