"""Requirement extraction on many phrasings: scale with units and periods, qualities, team, deadline, budget,
region, compliance, scope; and phrasings that must yield nothing."""

from __future__ import annotations

import pytest

from agent.requirements.extract import extract
from agent.requirements.numbers import parse_number


def _scale(text: str) -> dict[str, float]:
    return {figure.unit: figure.value for figure in extract(text).scale}


SCALE_CASES = [
    ("URL shortener, 100M new URLs a month", "new links per month", 100e6),
    ("web crawler, 1 billion pages a month", "pages per month", 1e9),
    ("a distributed rate limiter for our API, 50k requests per second", "requests per second", 50e3),
    ("rate limiter handling 50,000 QPS", "requests per second", 50e3),
    ("an API gateway doing 20k RPS at peak", "requests per second", 20e3),
    ("throughput of 3k/s", "requests per second", 3e3),
    ("5M daily active users", "daily active users", 5e6),
    ("500 million DAU", "daily active users", 500e6),
    ("~5k DAU", "daily active users", 5e3),
    ("10k daily users", "daily active users", 10e3),
    ("2 billion monthly active users", "monthly active users", 2e9),
    ("300M MAU", "monthly active users", 300e6),
    ("an app for 5,000 users", "users", 5e3),
    ("two million users", "users", 2e6),
    ("1-2M users", "users", 2e6),
    ("5 to 10 thousand customers", "users", 10e3),
    ("about 200 employees", "users", 200),
    ("a clinic system for 5k patients", "users", 5e3),
    ("a school portal for 30,000 students", "users", 30e3),
    ("2.5 billion users", "users", 2.5e9),
    ("500k concurrent connections", "concurrent connections", 500e3),
    ("1M concurrent users", "concurrent connections", 1e6),
    ("10 million concurrent viewers", "concurrent connections", 10e6),
    ("50k websocket connections", "concurrent connections", 50e3),
    ("10 billion clicks per day", "events per day", 10e9),
    ("ingest 1M events per second", "events per second", 1e6),
    ("2 million page views a day", "events per day", 2e6),
    ("100 billion messages a day", "messages per day", 100e9),
    ("send 5M push notifications daily", "messages per day", 5e6),
    ("1 million emails per hour", "messages per hour", 1e6),
    ("log pipeline with 500k log lines per second", "events per second", 500e3),
    ("metrics: 10M data points per minute", "events per minute", 10e6),
    ("20k orders a day", "writes per day", 20e3),
    ("1,000 transactions per second", "writes per second", 1e3),
    ("a payment system doing 500 TPS", "writes per second", 500),
    ("30k bookings per month", "writes per month", 30e3),
    ("1M pastes a day", "new links per day", 1e6),
    ("10k uploads a day", "uploads per day", 10e3),
    ("500 hours of video... 1M new videos per week", "uploads per week", 1e6),
    ("6,000 tweets per second", "uploads per second", 6e3),
    ("2M photos uploaded daily", "uploads per day", 2e6),
    ("23M trips a day", "jobs per day", 23e6),
    ("1 billion searches per month", "jobs per month", 1e9),
    ("a job scheduler running 10M jobs a day", "jobs per day", 10e6),
    ("a KV store serving 1M reads per second", "requests per second", 1e6),
    ("100k lookups per second", "requests per second", 100e3),
    ("store 5 PB of video", "GB", 5e6),
    ("about 2 TB of data", "GB", 2e3),
    ("500 GB a day of logs", "GB per day", 500),
    ("files up to 2 GB", "GB per item", 2),
    ("videos of 500 MB each", "GB per item", 0.5),
    ("pastes up to 10 MB", "GB per item", 0.01),
    ("~1.5M riders", "users", 1.5e6),
    ("hundreds of users", "users", 300),
    ("a few thousand users", "users", 3e3),
]


@pytest.mark.parametrize(("text", "unit", "value"), SCALE_CASES, ids=[c[0][:40] for c in SCALE_CASES])
def test_scale_is_read_with_its_unit_and_period(text, unit, value):
    assert _scale(text).get(unit) == pytest.approx(value), _scale(text)


TEAM_CASES = [
    ("team of 4", 4), ("4 engineers", 4), ("two devs", 2), ("we are 3 engineers, keep it simple", 3),
    ("a team of five", 5), ("solo founder", 1), ("just me, on weekends", 1), ("a 3-person team", 3),
    ("2 developers", 2), ("six backend engineers", 6), ("a small team", 3), ("one developer", 1),
    ("team of 12", 12), ("we have 40 engineers", 40), ("three programmers", 3), ("indie hacker", 1),
    ("two-person team", 2), ("8 devs", 8), ("a tiny team", 3), ("one engineer", 1),
]  # fmt: skip


@pytest.mark.parametrize(("text", "team"), TEAM_CASES, ids=[c[0] for c in TEAM_CASES])
def test_team_size_in_every_common_phrasing(text, team):
    assert extract(text).team == team


DEADLINE_CASES = [
    ("in 6 months", 25.7), ("within 3 weeks", 3), ("in two weeks", 2), ("over the next 2 months", 8.6),
    ("in 10 days", 1.4), ("by Q3", 13), ("by the end of the year", 13), ("launch next month", 4),
    ("in a year", 52), ("by March", 13),
]  # fmt: skip


@pytest.mark.parametrize(("text", "weeks"), DEADLINE_CASES, ids=[c[0] for c in DEADLINE_CASES])
def test_deadlines(text, weeks):
    assert extract(text).deadline_weeks == pytest.approx(weeks, abs=0.1)


QUALITY_CASES = [
    ("p99 under 100 ms", "latency_ms", 100), ("latency below 50ms", "latency_ms", 50),
    ("responses within 2 seconds", "latency_ms", 2000), ("p95 less than 300 ms", "latency_ms", 300),
    ("sub-second search", "latency_ms", 1000), ("99.99% uptime", "availability", 99.99),
    ("four nines of availability", "availability", 99.99), ("99.9% availability", "availability", 99.9),
    ("five nines", "availability", 99.999), ("must handle traffic spikes", "spikes", True),
    ("flash sales on Black Friday", "spikes", True), ("bursty traffic", "spikes", True),
    ("ticket on-sales with sudden surges", "spikes", True),
]  # fmt: skip


@pytest.mark.parametrize(("text", "attribute", "value"), QUALITY_CASES, ids=[c[0] for c in QUALITY_CASES])
def test_qualities(text, attribute, value):
    assert getattr(extract(text), attribute) == value


LABEL_CASES = [
    ("Uber-like, one city", "region", "one city"), ("EU only", "region", "EU"),
    ("for users in the EU", "region", "EU"), ("global scale", "region", "global"),
    ("worldwide audience", "region", "global"), ("US-only launch", "region", "US"),
    ("running in 40 countries", "region", "global"), ("a single region", "region", "one region"),
    ("Instagram-style MVP", "scope", "MVP"), ("a prototype", "scope", "prototype"),
    ("a quick PoC", "scope", "prototype"),
    ("an internal tool for our team", "scope", "internal tool"), ("enterprise-grade", "scope", "enterprise"),
    ("hackathon project", "scope", "prototype"), ("minimum viable product", "scope", "MVP"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "attribute", "value"), LABEL_CASES, ids=[c[0] for c in LABEL_CASES])
def test_regions_and_scope(text, attribute, value):
    assert getattr(extract(text), attribute) == value


CONSTRAINT_CASES = [
    ("HIPAA compliant", "compliance", "HIPAA"), ("must comply with GDPR", "compliance", "GDPR"),
    ("PCI-DSS for card data", "compliance", "PCI DSS"), ("SOC 2 audit next year", "compliance", "SOC 2"),
    ("on a budget", "budget", "low"), ("bootstrapped startup", "budget", "low"), ("keep costs low", "budget", "low"),
    ("$500/month for hosting", "budget", "$500 a month"), ("cheap to run", "budget", "low"),
    ("data residency in Germany", "compliance", "data residency"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "name", "value"), CONSTRAINT_CASES, ids=[c[0] for c in CONSTRAINT_CASES])
def test_constraints(text, name, value):
    assert (name, value) in {(c.name, c.value) for c in extract(text).constraints}


NOTHING = [
    "a todo app", "Build a Twitter clone", "an app where drivers pick up passengers", "design a chat system",
    "Build a YouTube clone with comments", "an online store for handmade jewelry", "99:1 read to write ratio",
    "version 2 of our API", "a web 3.0 wallet", "the iPhone 15 app", "HTTP/2 support", "a 3D modelling tool",
    "use S3 and Redis", "Design Twitter's timeline", "a system with 2FA", "port 8080", "IPv6 ready",
]  # fmt: skip


@pytest.mark.parametrize("text", NOTHING)
def test_phrasings_that_state_no_figure_yield_none(text):
    found = extract(text)
    assert found.scale == [] and found.team is None and found.deadline_weeks is None, found


@pytest.mark.parametrize("text", ["10^400 users", "1e500 requests per second", "9" * 400 + " users", "inf users"])
def test_absurd_numbers_become_notes_never_figures(text):
    found = extract(text)
    assert all(f.value <= 1e15 for f in found.scale)
    assert found.notes or not found.scale


def test_contradictory_team_sizes_are_reported():
    found = extract("a team of 3 engineers, well, 5 developers next month")
    assert found.team == 5 and any("team sizes" in note for note in found.notes)


@pytest.mark.parametrize(
    ("text", "value"),
    [("100M", 1e8), ("2.5 billion", 2.5e9), ("two million", 2e6), ("~5k", 5e3), ("1-2M", 2e6), ("10,000", 1e4),
     ("a dozen", 12), ("1.5M", 1.5e6), ("300 thousand", 3e5), ("up to 40", 40)],
)  # fmt: skip
def test_numbers_as_people_write_them(text, value):
    assert parse_number(text).value == value


def test_every_figure_keeps_the_words_it_came_from():
    figure = (
        extract("we expect 100M new URLs a month")[0] if False else extract("we expect 100M new URLs a month").scale[0]
    )
    assert figure.text == "100M new URLs a month" and figure.source == "request"


@pytest.mark.parametrize(
    "text", ["internal dashboard for our sales team of 40 people", "a team of 12 nurses uses it every day",
             "our support team of 8 agents answers tickets"],
)  # fmt: skip
def test_a_team_that_uses_the_system_is_not_the_team_that_builds_it(text):
    assert extract(text).team is None


def test_an_article_is_not_a_number():
    assert [f.unit for f in extract("A metrics system ingesting 5M data points per second").scale] == [
        "events per second"
    ]
