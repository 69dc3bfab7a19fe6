"""Drafters: prompts, parsing, the revise loop, plugins, and real models (local GGUF, OpenAI and Anthropic SDKs
against llama.cpp's own HTTP server on 127.0.0.1)."""

from __future__ import annotations

import importlib.metadata
import json

import pytest

from agent.drafting import ENTRY_POINT_GROUP, DraftRequest, get_drafter
from agent.drafting.llm.chat_drafter import ChatDrafter, Completion, extract_json, parse_draft
from agent.drafting.prompts import TEMPLATES, render_prompt
from agent.errors import InvalidRequest, ModelError
from agent.knowledge import load_knowledge
from agent.pipeline import Engine
from agent.recognition import read_request
from tests.conftest import run_cli
from tests.fakes import FakeDrafter

TWITTER_GOOD = json.dumps({
    "pattern": "social_media",
    "components": ["PostgreSQL", "Cassandra", "Redis", "Kafka", "CDN", "WebSocket", "S3", "Elasticsearch", "Nginx",
                   "Kubernetes", "Prometheus", "Grafana", "JWT", "Image processing pipeline"],
    "services": [{"name": n} for n in ["API Gateway", "User Service", "Auth Service", "Post Service", "Feed Service",
                                       "Follow Service", "Notification Service", "Media Service", "Search Service",
                                       "Analytics Service"]],
})  # fmt: skip


class ScriptedClient:
    """Answers with the scripted texts in turn: a deterministic stand-in for a model."""

    model = "scripted"

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.calls: list[list[dict[str, str]]] = []

    def complete(self, messages, schema):
        self.calls.append(messages)
        return Completion(text=self.answers.pop(0), tokens=10)


class ScriptedDrafter(ChatDrafter):
    name = "scripted"

    def __init__(self, answers=(TWITTER_GOOD,), **_):
        super().__init__(ScriptedClient(*answers))


@pytest.fixture(scope="module")
def engine(retriever):
    return Engine(retriever)


def test_every_template_renders_with_real_data(retriever):
    prompt = "Build a Twitter clone"
    hits = retriever.search(prompt)
    assert set(TEMPLATES) == {"system.j2", "draft.j2", "repair.j2", "draft_full.j2", "repair_full.j2"}
    assert "JSON" in render_prompt("system.j2")
    sections = [(h.chunk_id, h.text) for h in hits]
    draft = render_prompt("draft.j2", request=prompt, sections=sections, snippet_chars=100,
                          pattern_ids=["social_media"], technologies=["Redis"], services=["Feed Service"],
                          pattern_hint="pattern 'social_media'")  # fmt: skip
    assert hits[0].chunk_id in draft and prompt in draft and "Feed Service" in draft
    assert "<" not in draft.split("Choose, do not invent", 1)[1]  # no template placeholders for a model to copy
    full = render_prompt("draft_full.j2", request=prompt, sections=sections, snippet_chars=100,
                         pattern_ids=["social_media"], blocks=["news_feed"], pattern_hint="")  # fmt: skip
    assert "tradeoffs" in full and "failure_modes" in full
    kept = render_prompt("repair_full.j2", request=prompt, draft="{}",
                         findings=[{"rule_id": "SD011", "severity": "error", "message": "m", "fix": "f"}])  # fmt: skip
    assert "SD011" in kept and '"kept"' in kept
    repair = render_prompt(
        "repair.j2", request=prompt, draft="{}", findings=[{"rule_id": "SD010", "message": "m", "fix": "f"}]
    )
    assert "SD010" in repair


def test_a_missing_template_variable_is_an_error():
    with pytest.raises(InvalidRequest, match=r"draft\.j2"):
        render_prompt("draft.j2", request="x")


@pytest.mark.parametrize(
    ("text", "pattern", "services"),
    [
        ('```json\n{"pattern": "messaging", "services": ["Chat"]}\n```', "messaging", 1),
        ('Sure! {"pattern": "rocket_ship", "components": ["Redis"]}', "other", 0),
        ('{"pattern": "ecommerce", "services": [{"name": "Cart"}, {"name": "Orders"', "ecommerce", 2),
    ],
)
def test_model_output_is_parsed_leniently(text, pattern, services):
    draft = parse_draft(text, load_knowledge().all_pattern_ids)
    assert draft.pattern == pattern and len(draft.services) == services


@pytest.mark.parametrize("text", ["no json at all", "[1, 2]", '{"pattern": "social_media", "services": 5}'])
def test_unusable_model_output_is_a_model_error(text):
    with pytest.raises(ModelError):
        parse_draft(text, load_knowledge().all_pattern_ids) if text.startswith("{") else extract_json(text)


def test_the_model_is_asked_to_fix_errors_and_the_audit_says_who_fixed_what(engine):
    bad = json.dumps({"pattern": "social_media", "components": ["Postgres"], "services": ["API", "Tweets"]})
    hits = engine.retriever.search("Build a Twitter clone")
    request = DraftRequest("Build a Twitter clone", hits, read_request("Build a Twitter clone", hits), engine.knowledge)
    first = ScriptedDrafter(answers=(bad,)).draft(request)
    assert {c.name for c in first.components} == {"Postgres"}
    drafter = ScriptedDrafter(answers=(bad, TWITTER_GOOD))
    architecture = _recommend_with(engine, drafter, "Build a Twitter clone")
    assert architecture.audit.rounds == 1
    by = {r.by for r in architecture.audit.repairs}
    assert "model" in by
    assert not [f for f in architecture.findings if f.severity == "error"]
    assert "SD010" in drafter.client.calls[-1][-1]["content"]  # the repair prompt listed the findings


def _recommend_with(engine, drafter, prompt, **kwargs):
    return engine.recommend(prompt, drafter, **kwargs)


def test_a_wrong_pattern_from_the_model_is_corrected(engine):
    wrong = TWITTER_GOOD.replace('"social_media"', '"messaging"')
    architecture = _recommend_with(engine, ScriptedDrafter(answers=(wrong,)), "Build a Twitter clone")
    assert architecture.pattern.id == "social_media"
    assert architecture.audit.raw_pattern == "messaging" and architecture.audit.pattern_corrected


def test_garbage_from_the_model_falls_back_to_the_offline_drafter(engine):
    architecture = _recommend_with(engine, ScriptedDrafter(answers=("I cannot do that",)), "Build a Twitter clone")
    assert architecture.audit.fallback and "without JSON" in architecture.audit.error
    assert architecture.drafter == "kb" and architecture.pattern.id == "social_media"


def test_without_fallback_a_model_failure_raises(engine):
    with pytest.raises(ModelError):
        _recommend_with(engine, ScriptedDrafter(answers=("nope",)), "Build a Twitter clone", fallback=None)


def test_a_plugin_registers_through_the_entry_point_group(monkeypatch):
    plugin = importlib.metadata.EntryPoint(
        name="scripted-plugin", value="tests.test_drafting:ScriptedDrafter", group=ENTRY_POINT_GROUP
    )
    real = importlib.metadata.entry_points
    monkeypatch.setattr(
        importlib.metadata, "entry_points",
        lambda **kw: [plugin] if kw.get("group") == ENTRY_POINT_GROUP else real(**kw),
    )  # fmt: skip
    drafter = get_drafter("scripted-plugin")  # loaded from its entry point (a second copy of this module)
    assert type(drafter).__name__ == "ScriptedDrafter" and drafter.name == "scripted"
    with pytest.raises(InvalidRequest, match="scripted-plugin"):
        get_drafter("nonexistent")


# ---- real models --------------------------------------------------------------------------------------------

FIVE = [
    ("Build a Twitter clone", "social_media"),
    ("Build a YouTube clone", "video_streaming"),
    ("Build a WhatsApp clone", "messaging"),
    ("Build an Uber clone", "ride_hailing"),
    ("Build an online store with a shopping cart", "ecommerce"),
]


@pytest.fixture(scope="module")
def local_server():
    """SmolLM2 loaded by llama.cpp in process; it also serves OpenAI and Anthropic HTTP APIs on 127.0.0.1."""
    from agent.drafting.llm.llama_cpp import shared_client

    return shared_client()


@pytest.mark.slow
@pytest.mark.parametrize(("prompt", "pattern"), FIVE, ids=[p for _, p in FIVE])
def test_local_gguf_model_yields_checked_architectures(engine, local_server, prompt, pattern):
    architecture = engine.recommend(prompt, "llama-cpp", rounds=1, fallback=None)
    assert architecture.pattern.id == pattern
    assert not [f for f in architecture.findings if f.severity == "error"]
    assert (
        architecture.audit.model.endswith(".gguf") and architecture.audit.tokens > 0 and not architecture.audit.fallback
    )


@pytest.mark.slow
def test_openai_sdk_against_a_real_server(engine, local_server):
    # a 135M model gets the small schema (choices), as `--schema small` would give it: with the full schema it may
    # loop to its token limit on some orderings of the retrieved sections (the order moves as the knowledge grows)
    architecture = engine.recommend("Build a Twitter clone", "openai", rounds=0, fallback=None, schema="small",
                                    base_url=local_server.base_url, model="smollm2", timeout=300)  # fmt: skip
    assert architecture.pattern.id == "social_media" and architecture.audit.drafter == "openai"
    assert architecture.audit.tokens > 0
    assert not [f for f in architecture.findings if f.severity == "error"]


@pytest.mark.slow
def test_anthropic_sdk_against_a_real_server(engine, local_server):
    base = local_server.base_url.removesuffix("/v1")
    # a 135M model gets the small schema (choices), as `--schema small` would give it; it may loop to its token
    # limit twice (forced tool, then prefill): give it time on a busy machine
    architecture = engine.recommend("Build a WhatsApp clone", "anthropic", rounds=0, base_url=base, model="smollm2",
                                    timeout=300, schema="small")  # fmt: skip
    assert architecture.pattern.id == "messaging" and architecture.audit.drafter == "anthropic"
    assert not [f for f in architecture.findings if f.severity == "error"]
    # llama.cpp's Messages endpoint does not enforce the forced tool, so SmolLM2 may write broken JSON: then the
    # server was reached and answered, and the offline drafter stood in (the audit says so)
    audit = architecture.audit
    assert not audit.fallback or "JSON" in audit.error, audit.error


def test_closed_port_falls_back_with_a_message_and_never_shows_the_key():
    secret = "sk-test-secret-4242"
    result = run_cli("ask", "Build a Twitter clone", "--drafter", "openai", "--base-url", "http://127.0.0.1:9/v1",
                     "--model", "x", "--timeout", "2", env={"SYSDESIGN_API_KEY": secret})  # fmt: skip
    assert result.returncode == 0
    assert "cannot reach 'http://127.0.0.1:9/v1'" in result.stderr and "fallback 'kb' drafter" in result.stderr
    assert "Pattern: social_media" in result.stdout
    assert secret not in result.stdout + result.stderr


def test_closed_port_without_fallback_exits_with_the_reason():
    result = run_cli("ask", "Build a Twitter clone", "--drafter", "openai", "--base-url", "http://127.0.0.1:9/v1",
                     "--fallback", "none", "--timeout", "2")  # fmt: skip
    assert result.returncode == 1 and "cannot reach" in result.stderr and "Traceback" not in result.stderr


def _document(pattern: str, components: list[str], services: list[str]) -> dict:
    return {"pattern": {"id": pattern}, "components": [{"name": c} for c in components],
            "services": [{"name": s} for s in services]}  # fmt: skip


def test_a_fake_drafter_drives_the_revise_loop_without_a_model(engine):
    good = json.loads(TWITTER_GOOD)
    fixed = _document("social_media", good["components"], [s["name"] for s in good["services"]])
    fake = FakeDrafter(_document("social_media", ["Postgres"], ["API"]), fixed)
    architecture = engine.recommend("Build a Twitter clone", fake, rounds=2)
    assert len(fake.revisions) == 1 and any(f.rule_id == "SD010" for f in fake.revisions[0])
    assert architecture.audit.drafter == "fake" and architecture.audit.rounds == 1
    assert architecture.audit.model == "fake-model" and not architecture.audit.fallback
    assert "model" in {r.by for r in architecture.audit.repairs}


def test_a_fake_drafter_that_fails_falls_back_and_the_audit_says_so(engine):
    fake = FakeDrafter(ModelError("the server at http://user:secret@host/v1 is down"))
    architecture = engine.recommend("Build a Twitter clone", fake, fallback="kb")
    assert architecture.drafter == "kb" and architecture.audit.fallback and architecture.audit.drafter == "fake"
    assert "secret" not in architecture.audit.error and "***@host" in architecture.audit.error
    with pytest.raises(ModelError):
        engine.recommend("Build a Twitter clone", FakeDrafter(ModelError("down")), fallback=None)


def test_a_drafter_without_revise_is_not_asked_to_revise(engine):
    class OneShot(FakeDrafter):
        can_revise = False

    once = OneShot(_document("social_media", ["Postgres"], ["API"]))
    architecture = engine.recommend("Build a Twitter clone", once, rounds=3)
    assert once.revisions == [] and architecture.audit.rounds == 0


@pytest.mark.parametrize("rounds", [-1, 11, 10**100, 1.5, True, "2"])
def test_rounds_are_validated_in_the_api(engine, rounds):
    with pytest.raises(InvalidRequest, match="rounds"):
        engine.recommend("Build a Twitter clone", rounds=rounds)


def test_a_drafter_named_by_something_else_than_a_string_is_a_usage_error(engine):
    with pytest.raises(InvalidRequest, match="drafter"):
        engine.recommend("Build a Twitter clone", drafter=5)


def test_a_model_is_offered_the_designs_technologies_and_those_the_request_names():
    from agent.drafting.base import DraftRequest
    from agent.drafting.llm.chat_drafter import NAMED_ONLY, offered_technologies
    from agent.knowledge import load_knowledge

    knowledge = load_knowledge()
    plain = offered_technologies(DraftRequest(prompt="Build a Twitter clone", hits=[], reading=None,
                                              knowledge=knowledge))  # fmt: skip
    named = offered_technologies(DraftRequest(prompt="Build a Twitter clone on Google Firestore and Cloud Run",
                                              hits=[], reading=None, knowledge=knowledge))  # fmt: skip
    catalogue_only = {t.name for t in knowledge.technologies if t.cite.startswith(NAMED_ONLY)}
    assert "Postgres" in plain and not catalogue_only & set(plain)
    assert {"Google Firestore", "Google Cloud Run"} <= set(named) - set(plain), set(named) - set(plain)
