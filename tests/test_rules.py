"""Every rule fires on a document that breaks it and stays quiet on one that does not."""

from __future__ import annotations

import pytest

from agent.document import parse_document
from agent.knowledge import load_knowledge
from agent.rules.checker import all_rules, run_rules
from agent.rules.context import build_context
from agent.rules.docs import RULES_DOC, render_rules_markdown

TWITTER = {
    "request": "Build a Twitter clone",
    "components": ["Postgres", "Cassandra", "Redis", "Kafka", "CDN", "WebSocket", "S3", "Elasticsearch", "Nginx",
                   "Kubernetes", "Prometheus", "Grafana", "JWT", "TLS", "Image processing pipeline", "Redis Pub/Sub"],
    "services": ["API Gateway", "User Service", "Auth Service", "Post Service", "Feed Service", "Follow Service",
                 "Notification Service", "Media Service", "Search Service", "Analytics Service"],
}  # fmt: skip
SHOP = {
    "request": "online store with card payments",
    "components": ["Postgres", "Redis", "Elasticsearch", "Stripe", "Kafka", "Nginx", "Kubernetes", "Prometheus",
                   "Audit log", "TLS", "JWT"],
    "services": ["API Gateway", "User Service", "Auth Service", "Catalog Service", "Search Service", "Cart Service",
                 "Order Service", "Inventory Service", "Payment Service", "Shipping Service", "Notification Service",
                 "Review Service"],
}  # fmt: skip
AUCTION = {
    "request": "a live auction site with real-time bidding",
    "components": ["Postgres", "Redis", "Nginx", "Kubernetes", "Kafka", "Prometheus", "JWT", "TLS"],
    "services": ["API Gateway", "Auth Service", "User Service", "Auction Service", "Bid Service"],
}
TODO = {"request": "a simple todo app", "components": ["React", "Node.js", "Postgres", "Sentry", "TLS"],
        "services": ["Web App"]}  # fmt: skip


CATALOGUE_DUMP = ["MongoDB", "MySQL", "Neo4j", "ClickHouse", "Memcached"]
LIMITER = {"request": "a distributed rate limiter for our API", "blocks": [{"id": "rate_limiter"}],
           "components": ["Nginx", "Postgres", "Prometheus", "Grafana", "Kubernetes", "JWT", "TLS"],
           "services": [{"name": "API Gateway", "data_stores": ["Postgres"]}, "Rate Limit Rules Service"]}  # fmt: skip
ESTIMATE = {"tier": "high", "services_band": [10, 12], "base_hours": [500, 2000], "multipliers": [], "factor": 1.0,
            "combination": "diminishing", "hours": [500, 2000], "low": 820, "likely": 2330, "high": 3300}  # fmt: skip


def _team_and_deadline(team: str, deadline: str) -> dict:
    return {"constraints": [{"name": "team", "value": team}, {"name": "deadline", "value": deadline}]}


def without(document: dict, *names: str) -> dict:
    return {**document, "components": [c for c in document["components"] if c not in names]}


def with_(document: dict, **fields) -> dict:
    return {**document, **fields}


CASES = {
    "SD001": (without(TWITTER, "Nginx"), TWITTER),
    "SD002": (without(TWITTER, "Image processing pipeline"), TWITTER),
    "SD003": (without(TWITTER, "Elasticsearch"), TWITTER),
    "SD004": (AUCTION, with_(AUCTION, components=[*AUCTION["components"], "WebSocket"])),
    "SD005": (without(SHOP, "Stripe"), SHOP),
    "SD010": (with_(TWITTER, services=["API", "Tweets"]), TWITTER),
    "SD011": (with_(TODO, services=[f"Service {i}" for i in range(12)]), TODO),
    "SD020": (without(TWITTER, "Redis"), TWITTER),
    "SD030": (with_(without(SHOP, "Postgres"), components=[*without(SHOP, "Postgres")["components"], "MongoDB"]), SHOP),
    "SD031": (with_(TODO, request="a booking system with payments", components=["Postgres", "Stripe"],
                    services=["API Gateway", "Auth Service", "Booking Service", "Payment Service"]),
              with_(TODO, request="a booking system with payments",
                    components=[{"name": "Postgres", "purpose": "primary with read replicas"}, "Stripe"],
                    services=["API Gateway", "Auth Service", "Booking Service", "Payment Service"])),
    "SD032": (with_(without(TODO, "JWT"), services=["Web App"]), with_(TODO, services=["Web App", "Auth Service"])),
    "SD033": (with_(TODO, scaling=["passwords stored in plain text"]), TODO),
    "SD034": (without(TODO, "TLS"), TODO),
    "SD035": (with_(SHOP, services=[s for s in SHOP["services"] if s != "API Gateway"]), SHOP),
    "SD036": (without(TWITTER, "Prometheus", "Grafana"), TWITTER),
    "SD037": (with_(SHOP, scaling=["we store credit card numbers for one-click reorders"]),
              with_(SHOP, scaling=["we never store credit card numbers"])),
    "SD040": (with_(TODO, estimate={"tier": "low", "services_band": [1, 3], "base_hours": [50, 150],
                                    "hours": [500, 900]}),
              with_(TODO, estimate={"tier": "low", "services_band": [1, 3], "base_hours": [50, 150],
                                    "hours": [50, 150]})),
    # users the request states, and no cache in front of the database; the same design with Redis
    "SD041": (with_(without(TWITTER, "Redis"), request="Build a Twitter clone for 5 million daily users"),
              with_(TWITTER, request="Build a Twitter clone for 5 million daily users")),
    # 2 engineers x 2 weeks x 30 h = 120 h, but the estimate says 2,330 likely hours (and 8 weeks x 20 would do)
    "SD042": (with_(TWITTER, estimate=ESTIMATE, requirements=_team_and_deadline("2 engineers", "2 weeks")),
              with_(TWITTER, estimate=ESTIMATE, requirements=_team_and_deadline("20 engineers", "8 weeks"))),
    "SD052": (with_(TODO, services=[], components=["React", "Sentry", "TLS"]), TODO),
    "SD053": (with_(TWITTER, components=[*TWITTER["components"], *CATALOGUE_DUMP]),
              with_(TWITTER, services=[{"name": "Feed Service", "data_stores": ["Redis", "Cassandra", "Postgres",
                                        "Kafka", "S3", "Elasticsearch"]}, *TWITTER["services"][1:]])),
    "SD060": (LIMITER, with_(LIMITER, components=[*LIMITER["components"], "Redis"])),
    # a rate limiter that keeps its counters in each server's memory; one that answers 429 from a shared Redis
    "SD061": (with_(LIMITER, scaling=["each API server keeps in-memory counters per client"]),
              with_(LIMITER, components=[*LIMITER["components"], "Redis"],
                    scaling=["reject with HTTP 429 and a Retry-After header"])),
    "SD050": (with_(TODO, components=[*TODO["components"], "FooDB"]), TODO),
    "SD051": (with_(TWITTER, pattern="ride_hailing"), with_(TWITTER, pattern="social_media")),
    # the load the request states against one relational primary; the same load on sharded databases
    "SD070": (with_(TODO, request="a ticket log taking 48,000 writes per second at peak"),
              with_(TODO, request="a ticket log taking 48,000 writes per second at peak",
                    scaling=["Postgres sharded by customer id"])),
    # an aggregator that must log in to banks with the user's password cannot keep only its hash
    "SD071": (with_(TODO, scaling=["bank login credentials are stored as bcrypt hashes"]),
              with_(TODO, scaling=["bank login credentials are encrypted with a KMS key; user passwords are hashed"])),
    "SD072": (with_(AUCTION, scaling=["every bid takes a global lock on the auction table"]),
              with_(AUCTION, scaling=["bids on one auction are serialised by a lock per auction id"])),
    "SD073": (with_(TODO, scaling=["product images are served from Redis"]),
              with_(TODO, scaling=["product images are served from S3 behind the CDN; Redis keeps their URLs"])),
    # regulated records: "skip disk encryption" is a finding, volumes encrypted with KMS keys are not
    "SD074": (with_(TODO, request="a GDPR-compliant todo app for a law firm",
                    scaling=["we skip disk encryption on the Postgres volume to keep latency low"]),
              with_(TODO, request="a GDPR-compliant todo app for a law firm",
                    scaling=["the Postgres volume and its backups are encrypted with KMS keys"])),
    "SD075": (with_(TODO, scaling=["sessions are cached in Redis and never expire"]),
              with_(TODO, scaling=["sessions are cached in Redis with a 30-minute TTL and allkeys-lru"])),
    "SD076": (with_(TODO, request="a todo app for teams with 99.95% availability",
                    scaling=["one Postgres primary takes every write; if it dies we restore the nightly backup"]),
              with_(TODO, request="a todo app for teams with 99.95% availability",
                    scaling=["one Postgres primary takes every write, with a hot standby and automated failover"])),
    "SD080": ({"request": "a system that schedules choir rehearsals and robe fittings for our church",
               "components": ["Postgres"], "services": ["Rehearsal Service"]},
              {"request": "a URL shortener for our marketing links", "components": ["Postgres", "Redis"],
               "services": ["Shortener Service", "Redirect Service"]}),
    "SD077": (with_(TODO, request="a todo app with team chat",
                    scaling=["the app asks the server for new chat messages every 10 seconds"]),
              with_(TODO, request="a todo app with team chat",
                    scaling=["chat messages are pushed to each open app over a WebSocket"])),
}  # fmt: skip


def fired(document: dict) -> set[str]:
    context = build_context(parse_document(document), load_knowledge())
    return {finding.rule_id for finding in run_rules(context)}


def test_every_rule_has_a_case():
    assert set(CASES) == {r.id for r in all_rules()}


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_fires_on_the_bad_document(rule_id):
    assert rule_id in fired(CASES[rule_id][0])


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_is_quiet_on_the_good_document(rule_id):
    assert rule_id not in fired(CASES[rule_id][1])


def test_rules_doc_is_in_sync():
    assert RULES_DOC.read_text(encoding="utf-8") == render_rules_markdown(), (
        "run 'python -m agent.rules.docs > docs/rules.md'"
    )


def test_sentences_with_finds_exactly_the_sentences_each_pattern_matches_alone():
    import random
    import re

    from agent.rules.builtin import expert
    from agent.rules.builtin.common import on_lowered, sentences, sentences_with

    patterns = [expert.MESSAGING, expert.POLLS, expert.WRITE_VERBS, expert.ONE_STORE, re.compile(r"a\s+b")]
    words = ["chat", "messages", "poll", "every 5 seconds", "write", "one", "database", "a", "b", ".", ";", "\n", " "]
    rng = random.Random(7)
    for _ in range(2000):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(0, 25)))
        chosen = tuple(rng.sample(patterns, rng.randint(1, 3)))
        alone = tuple(s for s in sentences(text) if all(p.search(s) for p in chosen))
        assert sentences_with(text, *chosen) == alone, (text, chosen)
    spelled = re.compile(r"no HTTPS", re.IGNORECASE)
    assert on_lowered(spelled) is spelled  # a capital letter in the pattern keeps its case folding
    assert not on_lowered(re.compile(r"no https", re.IGNORECASE)).flags & re.IGNORECASE
