"""With a model drafter configured, the model reads follow-ups into the same edits the rules make; the rules are
the fallback, and the turn says (and the store records) which one acted.

A small HTTP server on 127.0.0.1 answers as an OpenAI-compatible server would, through the real OpenAI SDK; the
last test uses the real llama.cpp server with SmolLM2.
"""

from __future__ import annotations

import json

import pytest

from agent.advisor import Advisor
from agent.chat import ChatSession, SessionStore
from agent.config import Settings
from tests.model_server import ReplayHandler, openai_body, serving


class _Handler(ReplayHandler):
    def answer(self) -> bytes:
        return openai_body(self.server.answer)  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def server():
    yield from serving(_Handler)


def _session(server, tmp_path):
    settings = Settings(base_url=f"http://127.0.0.1:{server.server_address[1]}/v1", model="m")
    session = ChatSession.open(Advisor(settings=settings), SessionStore(tmp_path / "chats.db"))
    session.handle("Build a Twitter clone")  # drafted offline; the model only reads what follows
    session.handle("/model openai")
    return session


def test_the_models_reading_is_applied_and_audited(server, tmp_path):
    session = _session(server, tmp_path)
    server.answer = json.dumps({"kind": "edit", "edits": [{"action": "remove", "target": "Kafka"}]})
    reply = session.handle("drop the event stream")  # the rules alone cannot tell this is Kafka
    assert "- Kafka" in reply and "(read by the model m)" in reply
    assert session.store.turns(session.conversation)[-1]["read_by"] == "model m"


def test_a_placeholder_from_the_model_hands_the_turn_to_the_rules(server, tmp_path):
    session = _session(server, tmp_path)
    server.answer = json.dumps({"kind": "edit", "edits": [{"action": "add", "target": "<Name> Service"}]})
    reply = session.handle("add payments")
    assert "+ Stripe" in reply and "+ service <Name>" not in reply
    assert "read by the rules (the model's reading failed" in reply
    server.answer = "I think you should add a cache."
    assert "+ Redis" not in session.handle("remove search") and "read by the rules" in session.handle("why Redis?")


@pytest.mark.slow
def test_the_real_local_server_reads_a_follow_up_or_the_rules_do(tmp_path):
    from agent.drafting.llm.llama_cpp import shared_client

    local = shared_client()
    settings = Settings(base_url=local.base_url, model="smollm2", timeout=300)
    session = ChatSession.open(Advisor(settings=settings), SessionStore(tmp_path / "chats.db"))
    session.handle("Build a Twitter clone")
    session.handle("/model openai")
    reply = session.handle("remove the search service")
    read_by = session.store.turns(session.conversation)[-1]["read_by"]
    assert read_by.startswith(("model smollm2", "rules")) and "Traceback" not in reply
    names = {s.name for s in session.design.services}
    assert all("<" not in n and "/" not in n for n in names)  # whatever the small model said, no junk names
