"""Building blocks: recognised from how people phrase a problem, composed without parts of unrelated apps, and
never padded with filler services."""

from __future__ import annotations

import pytest

from agent.knowledge import load_knowledge
from agent.pipeline import Engine

FILLER = {"Billing Service", "Workflow Service", "Permissions Service", "Reporting Service", "File Service",
          "Admin Service", "Payment Service", "Media Service", "Real-time Service",
          "Recommendation Service"}  # fmt: skip
UNRELATED = {"FFmpeg", "WebSocket", "Signal Protocol", "Redis Geo", "Image processing pipeline", "Shipping Service"}


@pytest.fixture(scope="module")
def engine(retriever):
    return Engine(retriever)


CASES = [
    ("Design a URL shortener like bit.ly, 100M new URLs a month", "url_shortener", {"Redirect Service"}),
    ("a service that turns long links into short ones", "url_shortener", {"Shortening Service"}),
    ("a distributed rate limiter for our API, 50k requests per second", "rate_limiter", {"API Gateway"}),
    ("throttle requests per API key", "rate_limiter", {"Rate Limit Rules Service"}),
    ("web crawler, 1 billion pages a month", "web_crawler", {"URL Frontier Service", "Fetcher Service"}),
    ("autocomplete for our search box", "typeahead", {"Suggestion Service"}),
    ("send push notifications, SMS and email to our users", "notification_system", {"Channel Workers"}),
    ("distributed unique id generator", "unique_id_generator", {"ID Service"}),
    ("concert ticket booking site with seat selection", "ticket_booking", {"Booking Service", "Waiting Room Service"}),
    ("a payment system with payouts to sellers", "payment_system", {"Ledger Service", "Reconciliation Service"}),
    ("a leaderboard for our mobile game", "leaderboard", {"Leaderboard Service"}),
    ("design a distributed key-value store", "key_value_store", {"Storage Node", "Coordinator"}),
    ("a job scheduler that runs tasks on a schedule with retries", "job_scheduler", {"Scheduler", "Worker Pool"}),
    ("a metrics monitoring and alerting system", "metrics_monitoring", {"Writer Service", "Alert Service"}),
    ("design a distributed message queue like Kafka", "message_queue", {"Broker", "Group Coordinator"}),
    ("Design Pastebin", "pastebin", {"Paste Service", "Cleanup Worker"}),
    ("design a distributed cache like Memcached", "distributed_cache", {"Cache Client"}),
    ("full-text search over a billion documents", "search_engine", {"Indexing Service", "Query Service"}),
    ("Design Dropbox", "file_sync", {"Metadata Service", "Block Service"}),
    ("several people editing the same document at once", "collaborative_editing", {"Collaboration Service"}),
    ("hotel reservation system like Booking.com", "hotel_reservation", {"Inventory Service", "Reservation Service"}),
    ("design a digital wallet like Venmo", "digital_wallet", {"Transfer Service", "Ledger Service"}),
    ("centralized logging for 2000 servers", "log_aggregation", {"Log Processor", "Indexer"}),
    ("ad click aggregation, 1 billion clicks a day", "ad_click_aggregation", {"Aggregation Job"}),
    ("find restaurants near me within 5 km", "proximity_search", {"Geo Search Service"}),
    ("last-mile delivery dispatch for our couriers", "delivery_dispatch", {"Dispatch Service"}),
    ("Design Zoom", "video_conferencing", {"Signalling Service", "Media Server"}),
    ("a live streaming platform for gamers", "live_streaming", {"Ingest Service", "Live Transcoding Service"}),
    ("Design a stock exchange", "stock_exchange", {"Sequencer", "Matching Engine"}),
    ("Design Gmail", "email_service", {"Inbound SMTP Service", "Mailbox Service"}),
    ("Design S3", "object_storage", {"Metadata Service", "Data Node"}),
    ("a recommendation system for our online store", "recommendation_system", {"Candidate Service"}),
]


@pytest.mark.parametrize(("prompt", "block", "services"), CASES, ids=[c[1] + ":" + c[0][:20] for c in CASES])
def test_a_block_request_gets_the_blocks_parts_and_nothing_else(engine, prompt, block, services):
    design = engine.recommend(prompt)
    assert design.pattern.id == "other" and block in {b.id for b in design.blocks}
    names = {s.name for s in design.services}
    assert services <= names
    own = {s.name for s in load_knowledge().blocks[block].services}
    assert not names & (FILLER - own), names & (FILLER - own)
    own_parts = {c.name for c in load_knowledge().blocks[block].components}
    assert not {c.name for c in design.components} & (UNRELATED - own_parts)
    assert design.flows and design.tradeoffs and design.failure_modes
    # the block's own failure modes, then the usual ones of its other parts, every one cited
    assert all(f.citation for f in design.failure_modes)
    assert {store for s in design.services for store in s.data_stores} <= {c.name for c in design.components}
    assert any(f.citation.startswith(load_knowledge().blocks[block].chapter) for f in design.failure_modes)
    assert not [f for f in design.findings if f.severity == "error"]


def test_the_five_applications_are_not_taken_for_blocks(engine):
    for prompt, pattern in [("Build a Twitter clone", "social_media"), ("Build an Uber clone", "ride_hailing"),
                            ("Build a WhatsApp clone", "messaging")]:  # fmt: skip
        design = engine.recommend(prompt)
        assert design.pattern.id == pattern and design.blocks == []


def test_a_blocks_phrase_hides_its_words_from_the_applications(engine):
    # "message" inside "message queue" is not a chat app; a chat app that uses a queue still is one
    design = engine.recommend("an order processing service that sends its emails through a message queue")
    assert design.pattern.id != "messaging" and "Signal Protocol" not in {c.name for c in design.components}
    assert engine.recommend("a team chat app like Slack with message history").pattern.id == "messaging"


def test_weak_words_alone_choose_no_block(engine):
    assert engine.recommend("an app that shows reminders and notifications for my gym").blocks == [] or all(
        b.id == "notification_system" for b in engine.recommend("an app that shows notifications").blocks
    )
    assert engine.recommend("a todo app").blocks == []


def test_repair_completes_a_block_design_from_its_own_services_only(engine):
    report = engine.check(
        {"request": "a URL shortener", "blocks": [{"id": "url_shortener"}], "components": ["Cassandra"],
         "services": ["Shortening Service"]},
        fix=True,
    )  # fmt: skip
    repaired = report.repaired
    assert "Redis" in {c.name for c in repaired.components}  # SD060: the block's core part
    assert not {s.name for s in repaired.services} & FILLER


def test_every_block_cites_existing_chunks_and_has_a_chapter(retriever):
    knowledge = load_knowledge()
    ids = {chunk.id for chunk in retriever.index.chunks}
    assert len(knowledge.blocks) >= 30
    for block in knowledge.blocks.values():
        assert any(chunk_id.startswith(block.chapter + "/") for chunk_id in ids), block.id
        assert block.tradeoffs and block.failure_modes and block.flows, block.id


def test_a_block_at_the_core_of_an_application_keeps_that_applications_design(engine):
    # a news feed is social media's own design: the pattern stands, the block adds its decisions and failures
    design = engine.recommend("Design a news feed system")
    assert design.pattern.id == "social_media" and "news_feed" in {b.id for b in design.blocks}
    assert "Feed Service" in {s.name for s in design.services}
    assert "when the feed is assembled" in {t.decision for t in design.tradeoffs}
    # asked for as a feature, the chat is the request: the shop around it lends no cart or payments
    chat = engine.recommend("in-app chat between buyers and sellers with read receipts")
    assert chat.pattern.id == "messaging" and "chat" in {b.id for b in chat.blocks}
    assert not {"Cart Service", "Catalog Service"} & {s.name for s in chat.services}
    assert "Stripe" not in {c.name for c in chat.components}


def test_infrastructure_blocks_get_no_user_password_or_token_parts(engine):
    names = {c.name for c in engine.recommend("design a distributed cache like Memcached").components}
    assert "TLS" in names and not {"bcrypt", "JWT"} & names
    assert "bcrypt" in {c.name for c in engine.recommend("Design Pastebin with user accounts").components}


def test_authentication_is_asked_of_what_people_sign_in_to_only(engine):
    limiter = {"request": "a distributed rate limiter", "blocks": [{"id": "rate_limiter"}],
               "components": ["Redis", "Postgres", "TLS", "Prometheus"], "services": ["API Gateway"]}  # fmt: skip
    assert "SD032" not in {f.rule_id for f in engine.check(limiter).findings}
    todo = {"request": "a todo app", "components": ["Postgres", "TLS"], "services": ["Web App"]}
    assert "SD032" in {f.rule_id for f in engine.check(todo).findings}
    anonymous = {**todo, "request": "a todo app used anonymously, no accounts"}
    assert "SD032" not in {f.rule_id for f in engine.check(anonymous).findings}


def test_an_application_joined_with_a_block_gets_the_blocks_parts_in_place_of_its_own(engine):
    # food delivery = a shop (menus, cart, payments) + courier dispatch: no parcel shipping, no guessing
    design = engine.recommend("Design DoorDash")
    names = {s.name for s in design.services}
    assert design.pattern.id == "ecommerce" and "delivery_dispatch" in {b.id for b in design.blocks}
    assert {"Dispatch Service", "Courier Location Service", "Cart Service", "Payment Service"} <= names
    assert "Shipping Service" not in names and "Platform Service" not in names
    assert "Dispatch an order to a courier" in {f.name for f in design.flows}
    assert not [f for f in design.findings if f.rule_id == "SD011"]  # the band makes room for the block
    # ride hailing already finds nearby drivers: no places or reviews are added to it
    uber = engine.recommend("Build an Uber clone that finds drivers near me")
    assert uber.pattern.id == "ride_hailing" and "Place Service" not in {s.name for s in uber.services}


def _block_document(block, complete=False, **extra):
    # plain names only: a block's own names ("Reconciliation Service", "Redis") can state the remedy themselves
    spec = load_knowledge().blocks[block]
    parts = [group.any_of[0] for group in spec.required] if complete else []
    return {"request": "the system", "blocks": [{"id": block}], "components": [*parts, "TLS", "Prometheus"],
            "services": ["App Service"], **extra}  # fmt: skip


MISTAKES = [(b.id, m) for b in load_knowledge().blocks.values() for m in b.mistakes]


@pytest.mark.parametrize(("block", "mistake"), MISTAKES, ids=[f"{b}:{m.mistake[:30]}" for b, m in MISTAKES])
def test_each_blocks_common_mistake_is_found_cited_and_fixed_or_left_to_a_person(engine, block, mistake):
    # breaking: the mechanism is absent (lacks) or the document says the mistake (its example)
    breaking = _block_document(block, scaling=[mistake.example] if mistake.says else [])
    ours = [f for f in engine.check(breaking).findings if f.rule_id == "SD061" and f.message.endswith(mistake.mistake)]
    assert ours and ours[0].citation == mistake.cite and ours[0].fix == mistake.fix
    # passing: the remedy stated (and the mistake not made)
    passing = _block_document(block, complete=True, scaling=[mistake.fix])
    assert not [f for f in engine.check(passing).findings if f.message.endswith(mistake.mistake)]
    if mistake.lacks:  # repair states the remedy as a design note
        repaired = engine.check(breaking, fix=True).repaired
        assert mistake.fix in repaired.scaling


def test_the_drafted_design_of_every_block_makes_none_of_its_mistakes(engine):
    for prompt, block, _ in CASES:
        findings = [f for f in engine.recommend(prompt).findings if f.rule_id == "SD061"]
        assert not findings, (block, findings)


def test_every_design_has_cited_failure_modes_and_scaling_notes(engine, retriever):
    ids = {chunk.id for chunk in retriever.index.chunks}
    for prompt in ("Build a Twitter clone", "a todo app for my family", "an inventory app for a bakery"):
        design = engine.recommend(prompt)
        assert design.failure_modes and design.scaling and design.cap.why, prompt
        assert {f.citation for f in design.failure_modes} <= ids
        # one failure mode per kind of part: a single-leader database fails differently from a cache
        assert len({f.component for f in design.failure_modes}) == len(design.failure_modes)


def test_a_small_stated_load_gets_a_monolith_on_one_database(engine):
    # 10k links a month is a request every few minutes: no Cassandra, no ZooKeeper, one deployable
    design = engine.recommend("a URL shortener for our marketing team, 10k links a month")
    assert design.estimate.tier == "low" and [s.name for s in design.services] == ["Web App"]
    names = {c.name for c in design.components}
    assert "Postgres" in names and not names & {"Cassandra", "ZooKeeper", "Kafka", "Kubernetes"}
    assert "Key generation" in {f.name for f in design.flows}  # the block's mechanism stays
    assert set(design.services[0].data_stores) <= names  # no store the monolith does not have
    big = engine.recommend("a URL shortener, 100M new URLs a month")
    assert big.estimate.tier != "low" and "Cassandra" in {c.name for c in big.components}


def test_a_feature_the_request_does_not_ask_for_is_not_drafted(engine):
    # a small team chat needs no end-to-end encryption; a WhatsApp clone, or a request for privacy, does
    slack = {c.name for c in engine.recommend("a Slack-like team chat for 500 employees").components}
    assert "WebSocket" in slack and "Signal Protocol" not in slack
    private = {c.name for c in engine.recommend("a WhatsApp clone MVP for a team of 2").components}
    assert "Signal Protocol" in private
    counter = engine.recommend("a system to count unique visitors per page in real time")
    assert "ad_click_aggregation" in {b.id for b in counter.blocks}


def test_a_part_needed_only_at_scale_gives_way_below_the_stated_load(engine):
    knowledge = load_knowledge()
    for block in knowledge.blocks.values():  # what takes a part's place is a part the catalogue knows
        assert all(knowledge.technology(c.otherwise) for c in block.components if c.otherwise), block.id
    modest = engine.recommend("a tinyurl clone for a startup, 1M links a day")  # ~35 links/s at peak
    names = {c.name for c in modest.components}
    assert "Postgres" in names and "Cassandra" not in names
    assert all("Cassandra" not in s.data_stores for s in modest.services)
    assert "Cassandra" in {c.name for c in engine.recommend("a URL shortener, 300M new links a month").components}
