"""Chat: follow-ups change the design, questions are answered, slash commands work, sessions persist."""

from __future__ import annotations

import json
import os
import sys

import pexpect
import pytest

from agent.advisor import Advisor
from agent.interfaces.chat import ChatSession
from tests.conftest import run_cli


@pytest.fixture(scope="module")
def advisor():
    return Advisor()


@pytest.fixture
def session(advisor, tmp_path):
    return ChatSession(advisor, path=tmp_path / "session.json")


def test_follow_ups_change_the_design_and_show_a_diff(session):
    first = session.handle("Build a Twitter clone")
    assert "Pattern: social_media" in first
    paid = session.handle("add payments")
    assert "+ Stripe" in paid and "hours:" in paid and "0 error(s)" in paid
    simple = session.handle("we are 3 engineers, keep it simple")
    assert "- Kafka" in simple and "low tier" in simple
    swapped = session.handle("/undo")
    assert "Undone" in swapped and "Kafka" in {c.name for c in session.design.components}
    scylla = session.handle("swap Cassandra for ScyllaDB")
    assert "+ ScyllaDB" in scylla and "- Cassandra" in scylla
    again = session.handle("add machine learning recommendations")
    assert "ScyllaDB" in {c.name for c in session.design.components}  # swaps survive a redesign
    assert "Cassandra" not in {c.name for c in session.design.components}, again


def test_questions_are_answered_from_the_knowledge_base(session):
    session.handle("Build a Twitter clone")
    why = session.handle("why Cassandra?")
    assert "Cassandra:" in why and "[social-media-platforms/essential-technologies/databases]" in why
    feed = session.handle("how does the feed work?")
    assert "feed-generation-strategies" in feed
    scale = session.handle("what would break at 10x users?")
    assert "At 10x the users" in scale and "requests/s" in scale


def test_slash_commands_and_bad_input(session, tmp_path):
    assert "no design yet" in session.handle("/json")
    assert "Say what to build" in session.handle("   ")
    assert "limit is 20,000" in session.handle("x" * 20_001)
    session.handle("a todo app")
    assert json.loads(session.handle("/json"))["pattern"]["id"] == "other"
    assert session.handle("/diagram").startswith("flowchart LR")
    assert "Unknown command" in session.handle("/frobnicate")
    assert "does not exist" in session.handle(f"/save {tmp_path / 'no' / 'x.json'}")
    target = tmp_path / "design.json"
    assert "Saved" in session.handle(f"/save {target}")
    assert "No file" in session.handle("/load /no/such.json")
    (tmp_path / "bad.json").write_text("{nope")
    assert "error:" in session.handle(f"/load {tmp_path / 'bad.json'}")
    assert "Loaded design.json" in session.handle(f"/load {target}")
    assert "Unknown drafter" in session.handle("/model gpt-9")
    assert "/save FILE" in session.handle("/help") and str(session.path) in session.handle("/help")
    session.handle("/quit")
    assert session.finished


def test_the_session_is_saved_every_turn_and_resumes(advisor, tmp_path):
    path = tmp_path / "session.json"
    first = ChatSession(advisor, path=path)
    first.handle("Build an Uber clone")
    first.handle("add payments")
    resumed = ChatSession.resume(advisor, path=path)
    assert resumed.request == first.request and resumed.design.pattern.id == "ride_hailing"
    assert len(resumed.history) == 2


def test_scripted_chat_reads_one_turn_a_line(tmp_path):
    result = run_cli("chat", input="Build a Twitter clone\nadd payments\n/json\n",
                     env={"SYSDESIGN_DATA": str(tmp_path)})  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "sysdesign> add payments" in result.stdout and "+ Stripe" in result.stdout
    assert '"pattern"' in result.stdout
    assert (tmp_path / "chat-session.json").is_file()


def test_chat_in_a_terminal(tmp_path):
    """Driven as a person would: a pseudo-terminal, a request, two follow-ups and a slash command."""
    env = {**os.environ, "SYSDESIGN_DATA": str(tmp_path), "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm"}
    child = pexpect.spawn(sys.executable, ["-m", "agent", "chat"], env=env, encoding="utf-8", timeout=60,
                          dimensions=(50, 200))  # fmt: skip
    try:
        child.expect("sysdesign>")
        child.sendline("Build a Twitter clone")
        child.expect("Pattern: social_media")
        child.expect("sysdesign>")
        child.sendline("add payments")
        child.expect(r"\+ Stripe")
        child.expect("sysdesign>")
        child.sendline("we are 3 engineers, keep it simple")
        child.expect("low tier")
        child.expect("sysdesign>")
        child.sendline("/diagram")
        child.expect("flowchart LR")
        child.expect("sysdesign>")
        child.sendeof()
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    saved = json.loads((tmp_path / "chat-session.json").read_text())
    assert saved["design"]["estimate"]["tier"] == "low" and len(saved["history"]) == 4


def test_follow_ups_are_edits_of_the_design_not_longer_requests(session):
    session.handle("Build a Twitter clone")
    hours = session.design.estimate.hours
    removed = session.handle("remove the recommendation service")
    assert "- service Recommendation Service" in removed
    assert session.design.estimate.hours <= hours  # a removal never raises the estimate by its keyword
    paid = session.handle("add payments")
    assert "+ Stripe" in paid and "+ service Payment Service" in paid
    assert "Real-time Service" in {s.name for s in session.design.services}  # nothing else is dropped
    no_search = session.handle("we don't need search")
    assert "- Elasticsearch" in no_search and "kept as you asked" in no_search  # what the checker asks is said
    assert "Nothing in the design is 'shipping'" in session.handle("tickets are digital, remove shipping and reviews")
    assert "+ service Waiting Room Service" in session.handle("add a virtual waiting room")
    assert "Undone" in session.handle("undo that")
    assert "Waiting Room Service" not in {s.name for s in session.design.services}


def test_several_removals_in_one_sentence(session):
    session.handle("Build an online shop like Amazon")
    both = session.handle("tickets are digital, remove shipping and reviews")
    assert "- service Shipping Service" in both and "- service Review Service" in both
