"""Stated numbers, scope and team reach the design, its capacity and its estimate (through `ask --json`).

The arithmetic of each expected figure is written next to it.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli

pytestmark = pytest.mark.slow


def ask(*args: str) -> dict:
    result = run_cli("ask", *args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def figures(design: dict) -> dict[str, float]:
    return {f["name"]: f["value"] for f in design["capacity"]}


def test_a_url_shortener_is_sized_in_links_per_month():
    design = ask("Design a URL shortener like bit.ly, 100M new URLs a month")
    got = figures(design)
    assert got["new links per second (average)"] == pytest.approx(38.58, abs=0.01)  # 100,000,000 / (30 x 86,400 s)
    assert got["new links per second (peak)"] == pytest.approx(115.74, abs=0.01)  # x peak factor 3
    assert got["storage for new links per month"] == pytest.approx(50.0)  # 100,000,000 x 0.5 KB = 50 GB
    assert "requests per second (average)" not in got  # no made-up 10,000 users x 20 requests
    scale = design["requirements"]["scale"][0]
    assert scale["value"] == 100e6 and scale["unit"] == "new links per month" and scale["source"] == "request"


def test_a_crawler_is_sized_in_pages():
    got = figures(ask("web crawler, 1 billion pages a month"))
    assert got["pages per second (average)"] == pytest.approx(385.8, abs=0.1)  # 1e9 / 2,592,000 s
    assert got["storage for pages per month"] == pytest.approx(100_000)  # 1e9 pages x 100 KB = 100,000 GB
    assert got["download bandwidth for pages"] == pytest.approx(0.31, abs=0.01)  # 385.8 x 100 KB x 8 / 1e6 Gbit


def test_a_stated_request_rate_is_the_request_rate():
    got = figures(ask("a distributed rate limiter for our API, 50k requests per second"))
    assert got["requests per second (average)"] == 50_000
    assert got["requests per second (peak)"] == 150_000  # x peak factor 3


def test_scope_beats_brand_scale():
    design = ask("Instagram-style MVP")
    assert design["estimate"]["tier"] == "low"
    assumed = {a["name"]: a for a in design["assumptions"]}
    assert assumed["dau"]["value"] == "10,000"  # the default, not Instagram's 500,000,000
    assert "sized for scope: MVP" in assumed["scale"]["value"]
    uber = ask("Uber-like, one city, MVP")
    assert {a["name"]: a["value"] for a in uber["assumptions"]}["dau"] == "10,000"  # not 20M daily riders
    assert {"name": "region", "value": "one city", "source": "request"} in uber["requirements"]["constraints"]


def test_a_team_of_four_gets_a_modular_monolith():
    design = ask("Build a Twitter clone, we are a team of 4 engineers")
    assert design["estimate"]["tier"] == "low" and len(design["services"]) == 1
    assert any(t["chosen"] == "a modular monolith" for t in design["tradeoffs"])
    insisted = ask("Build a Twitter clone with microservices, team of 4 engineers")
    assert insisted["estimate"]["tier"] == "high"  # the user insists


def test_stated_users_beat_the_brand_default():
    design = ask("a Twitter clone for 50k daily active users")
    got = figures(design)
    assert got["requests per second (average)"] == pytest.approx(57.87, abs=0.01)  # 50,000 x 100 requests / 86,400 s


def test_targets_shape_the_design_with_reasons():
    design = ask("a booking app, p99 under 100 ms, 99.99% uptime, traffic spikes on Fridays")
    decisions = {t["decision"]: t for t in design["tradeoffs"]}
    assert decisions["meeting p99 under 100 ms"]["citation"] == "caching-strategies/cache-aside"
    assert "availability zones" in decisions["reaching 99.99% availability"]["chosen"]
    assert "absorbing traffic spikes" in decisions
    names = {c["name"] for c in design["components"]}
    assert "Redis" in names
    assert {n["name"] for n in design["requirements"]["non_functional"]} >= {
        "latency",
        "availability",
        "traffic spikes",
    }


def test_a_deadline_the_team_cannot_meet_is_a_finding_with_the_numbers():
    design = ask("Build an Uber clone with payments, team of 2, launch in 1 week")
    sd042 = [f for f in design["findings"] if f["rule_id"] == "SD042"]
    likely = design["estimate"]["likely"]
    assert likely > 60  # 2 engineers x 1 week x 30 focused hours = 60 hours available
    assert sd042 and f"about {likely:,} hours" in sd042[0]["message"] and "= 60 hours" in sd042[0]["message"]
    relaxed = ask("Build an Uber clone with payments, team of 2, launch in 6 months")
    assert not [f for f in relaxed["findings"] if f["rule_id"] == "SD042"]  # 2 x 25.7 x 30 = 1,543 hours


def test_a_vague_request_asks_the_questions_that_matter_and_answers_apply():
    vague = ask("an app for my gym")
    keys = [q["key"] for q in vague["questions"]]
    assert 2 <= len(keys) <= 4 and keys[0] == "users" and "team" in keys
    assert all(q["default"] for q in vague["questions"])
    answered = ask("an app for my gym", "--set", "users=50k", "--set", "team=2")
    assert [q["key"] for q in answered["questions"]][:1] != ["users"]
    scale = answered["requirements"]["scale"][0]
    assert scale["value"] == 50_000 and scale["source"] == "answer"
    assert {"name": "team", "value": "2 engineers", "source": "answer"} in answered["requirements"]["constraints"]


@pytest.mark.parametrize("bad", ["users", "users=", "nonsense=3", "users=lots"])
def test_unreadable_answers_are_usage_errors(bad):
    result = run_cli("ask", "an app for my gym", "--set", bad)
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_estimate_and_ask_agree_on_every_number():
    prompt = "a chat app for 2 million daily active users, team of 6, in 9 months"
    asked = ask(prompt)
    estimated = json.loads(run_cli("estimate", prompt, "--json").stdout)
    assert estimated["estimate"] == asked["estimate"]
    assert estimated["capacity"] == asked["capacity"] and estimated["assumptions"] == asked["assumptions"]


def test_absurd_numbers_are_noted_and_the_json_stays_valid():
    design = ask("a social app for 10^400 users")
    assert any("not a plausible figure" in a["value"] for a in design["assumptions"])
    json.dumps(design, allow_nan=False)
