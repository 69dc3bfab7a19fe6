"""A capable model's design is kept: a local OpenAI-compatible HTTP server (a fixture, not a mock of the SDK; the
real OpenAI SDK talks to it) replays full-schema answers of the kind a capable model writes, and the final document
keeps the model's services, flows, trade-offs and failure modes, marked `by: model`, with no filler added."""

from __future__ import annotations

import json

import pytest

from agent.drafting.llm.full_schema import is_name
from agent.pipeline import Engine
from tests.model_server import ReplayHandler, openai_body, serving

RATE_LIMITER = {
    "pattern": "other", "blocks": ["rate_limiter"], "tier": "medium",
    "tier_reason": "one shared limiter in front of many API servers; modest state, high request rate",
    "functional": ["limit requests per API key and per IP", "return 429 with Retry-After", "change rules live"],
    "components": [
        {"name": "Redis", "category": "cache", "purpose": "token buckets per client key, refilled and taken "
                                                          "atomically in one Lua script"},
        {"name": "Envoy", "category": "load_balancer", "purpose": "edge proxy that asks the limiter first"},
        {"name": "Postgres", "category": "database", "purpose": "rate-limit rules per plan and endpoint"},
        {"name": "Prometheus", "category": "monitoring", "purpose": "allowed and rejected counts, Redis latency"},
    ],
    "services": [
        {"name": "Rate Limit Service", "responsibility": "decide allow or reject per request with a token bucket",
         "data_stores": ["Redis"]},
        {"name": "Rules Service", "responsibility": "store and publish limit rules", "data_stores": ["Postgres"]},
    ],
    "flows": [{"name": "Token bucket check", "steps": [
        "Envoy calls the Rate Limit Service with the API key and route",
        "A Lua script in Redis refills the bucket by elapsed time and takes one token atomically",
        "No token left: 429 with Retry-After; otherwise the request is forwarded"]}],
    "tradeoffs": [{"decision": "token bucket or sliding window log", "chosen": "token bucket",
                   "alternatives": ["sliding window log", "fixed window counter"],
                   "why": "allows short bursts, two numbers per key, O(1) per request"}],
    "failure_modes": [{"component": "Redis", "failure": "the limiter's Redis is unreachable",
                       "impact": "every request would wait on the limiter",
                       "mitigation": "fail open with a local per-instance bucket and alert"}],
    "cap": {"choice": "AP", "why": "an approximate limit during a partition beats rejecting all traffic"},
    "scaling": ["shard buckets by key hash across Redis Cluster nodes"],
}  # fmt: skip
CRAWLER = {
    "pattern": "other", "blocks": ["web_crawler"], "tier": "high",
    "tier_reason": "a billion pages a month across many hosts",
    "components": [
        {"name": "Kafka", "category": "queue", "purpose": "the URL frontier: one partition per host group"},
        {"name": "Redis", "category": "cache", "purpose": "per-host politeness timers and robots.txt cache"},
        {"name": "S3", "category": "storage", "purpose": "fetched pages"},
        {"name": "Cassandra", "category": "database", "purpose": "URL seen-set and crawl metadata"},
    ],
    "services": [
        {"name": "URL Frontier Service", "responsibility": "prioritise URLs and hand out one host queue per worker",
         "data_stores": ["Kafka", "Redis"]},
        {"name": "Fetcher Service", "responsibility": "fetch pages, obeying robots.txt and the host's delay",
         "data_stores": ["Redis", "S3"]},
        {"name": "Parser Service", "responsibility": "extract links and text", "data_stores": ["S3"]},
        {"name": "Dedup Service", "responsibility": "drop seen URLs and near-duplicate pages",
         "data_stores": ["Cassandra"]},
    ],
    "flows": [{"name": "Politeness", "steps": ["The frontier gives each worker one host at a time",
                                               "The fetcher reads robots.txt (cached) and waits the host's delay",
                                               "Fetched pages go to S3; their links go back to the frontier"]}],
    "tradeoffs": [{"decision": "BFS or prioritised frontier", "chosen": "prioritised per-host queues",
                   "alternatives": ["plain BFS queue"], "why": "politeness and freshness need per-host control"}],
    "failure_modes": [{"component": "Fetcher Service", "failure": "a host hangs connections",
                       "impact": "workers stall", "mitigation": "per-request timeouts and a host back-off"}],
    "kept": [{"rule_id": "SD035", "reason": "an internal batch system with no public API: nothing to rate limit"}],
}  # fmt: skip


class _Replay(ReplayHandler):
    def answer(self) -> bytes:
        return openai_body(json.dumps(self.server.answer), model="capable", tokens=900)  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def server():
    yield from serving(_Replay)


@pytest.fixture(scope="module")
def engine(retriever):
    return Engine(retriever)


def _design(engine, server, answer, request):
    server.answer = answer
    return engine.recommend(request, "openai", base_url=f"http://127.0.0.1:{server.server_address[1]}/v1",
                            model="capable", fallback=None)  # fmt: skip


@pytest.mark.parametrize(("answer", "request_text"), [(RATE_LIMITER, "design a distributed rate limiter for our "
                                                       "public API"), (CRAWLER, "design a web crawler for a billion "
                                                                                "pages a month")])  # fmt: skip
def test_a_capable_models_design_is_kept(engine, server, answer, request_text):
    design = _design(engine, server, answer, request_text)
    assert design.audit.schema_used == "full" and not design.audit.fallback
    services = {s.name: s for s in design.services}
    assert set(services) == {s["name"] for s in answer["services"]}  # kept, no filler, nothing merged
    assert all(s.by == "model" for s in services.values())
    flow = next(f for f in design.flows if f.name == answer["flows"][0]["name"])
    assert flow.by == "model" and flow.steps == answer["flows"][0]["steps"]
    assert any(t.by == "model" and t.chosen == answer["tradeoffs"][0]["chosen"] for t in design.tradeoffs)
    assert any(f.by == "model" and f.failure == answer["failure_modes"][0]["failure"] for f in design.failure_modes)
    assert all(c.by in ("model", "repair") for c in design.components)
    added = [c.name for c in design.components if c.by == "repair"]
    assert all(any(added_name in change.detail for change in design.changes) for added_name in added)
    assert not [f for f in design.findings if f.severity == "error"]
    tier = next(a for a in design.assumptions if a.name == "tier")
    assert tier.source == "model" and answer["tier_reason"] in tier.value and design.estimate.tier == answer["tier"]
    if answer.get("functional"):
        assert design.requirements.functional == answer["functional"]


def test_the_models_reason_to_keep_a_choice_is_recorded_and_respected(engine, server):
    design = _design(engine, server, CRAWLER, "design a web crawler for a billion pages a month")
    assert [(k.rule_id, k.reason[:20]) for k in design.audit.kept] == [("SD035", "an internal batch sy")]
    assert "API Gateway" not in {s.name for s in design.services}  # not overruled by repair


def test_junk_names_never_reach_a_final_document(engine, server):
    junk = {**RATE_LIMITER, "services": [*RATE_LIMITER["services"],
                                         {"name": "<Name> Service", "responsibility": "x"},
                                         {"name": "3 service(s) for a medium-tier other design; the guideline is 4-8",
                                          "responsibility": "x"},
                                         {"name": "agent/drafting/kb.py", "responsibility": "x"}],
            "components": [*RATE_LIMITER["components"], {"name": "GET, POST, PUT, DELETE"},
                           {"name": "https://example.com/redis"}]}  # fmt: skip
    design = _design(engine, server, junk, "design a distributed rate limiter")
    names = [s.name for s in design.services] + [c.name for c in design.components]
    assert all(is_name(n) for n in names), names
    assert "<Name> Service" in design.audit.dropped and "agent/drafting/kb.py" in design.audit.dropped
