"""Estimates: combination, cap, three points, per service, calendar, capacity and assumptions."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent.knowledge import load_knowledge
from agent.pipeline import Engine, Sizing
from agent.schema import Service
from agent.sizing.capacity import capacity, parse_count, parse_ratio
from agent.sizing.estimation import EstimationConfig, combine, estimate, three_point

KNOWLEDGE = load_knowledge()
TRAITS = sorted({m.trait for m in KNOWLEDGE.estimation.multipliers.values()})
FACTORS = st.lists(st.floats(min_value=1.0, max_value=3.0), max_size=8)


@given(FACTORS)
def test_the_cap_holds_and_combination_never_exceeds_the_product(values):
    config = EstimationConfig()
    combined = combine(values, config)
    assert 1.0 <= combined <= config.cap
    product = 1.0
    for value in values:
        product *= value
    assert combined <= product + 1e-9


@given(FACTORS, st.floats(min_value=1.0, max_value=3.0))
def test_adding_a_multiplier_never_lowers_the_estimate(values, extra):
    assert combine([*values, extra]) >= combine(values) - 1e-9


@given(st.sets(st.sampled_from(TRAITS)), st.sampled_from(TRAITS), st.sampled_from(["low", "medium", "high"]),
       st.integers(min_value=0, max_value=20))  # fmt: skip
def test_monotone_in_traits_and_ordered_points(traits, extra, tier, service_count):
    before = estimate(tier, "other", {t: ["x"] for t in traits})
    after = estimate(tier, "other", {t: ["x"] for t in traits | {extra}})
    assert after.hours[0] >= before.hours[0] and after.hours[1] >= before.hours[1]
    services = [Service(name=f"S{i}") for i in range(service_count)]
    plan = three_point(after, services)
    assert plan.low <= plan.likely <= plan.high
    assert plan.low <= plan.pert <= plan.high


def test_the_documented_example():
    assert combine([1.3, 1.2, 2.0]) == pytest.approx(2.2)
    assert combine([1.3, 1.2, 2.0], EstimationConfig(combination="product")) == pytest.approx(3.0)  # capped 3.12


def test_without_switches_a_factor_off_and_recomputes(retriever):
    engine = Engine(retriever)
    prompt = "Instagram competitor with machine learning recommendations"
    full = engine.estimate(prompt)
    lean = engine.estimate(prompt, Sizing(without=("ml",)))
    assert "ml" in {m.factor for m in full.multipliers} and "ml" not in {m.factor for m in lean.multipliers}
    assert lean.hours[1] < full.hours[1]


def test_per_service_hours_and_weeks(retriever):
    architecture = Engine(retriever).recommend("Build a Twitter clone with payments", sizing=Sizing(team=4))
    plan = architecture.estimate
    assert {e.service for e in plan.per_service} == {s.name for s in architecture.services}
    assert abs(sum(e.pert for e in plan.per_service) - plan.pert) <= 10 * len(plan.per_service)
    assert plan.weeks == (round(plan.low / 120, 1), round(plan.high / 120, 1))
    payment = next(e for e in plan.per_service if e.service == "Payment Service")
    follow = next(e for e in plan.per_service if e.service == "Follow Service")
    assert payment.pert > follow.pert


def test_capacity_formulas_units_and_sources():
    figures, assumptions = capacity("other", "a booking app for 5M daily users with 99:1 reads")
    by_name = {f.name: f for f in figures}
    assert by_name["requests per second (average)"].value == pytest.approx(5e6 * 20 / 86400, rel=1e-3)
    assert by_name["requests per second (average)"].unit == "req/s"
    assert "5,000,000 users" in by_name["requests per second (average)"].formula
    sources = {a.name: a.source for a in assumptions}
    assert sources["dau"] == "request" and sources["write share"] == "request"
    assert sources["peak factor"] == "heuristic"
    _, defaults = capacity("social_media", "Build a Twitter clone")
    assert {a.name: a.citation for a in defaults}["dau"] == "social-media-platforms/scaling-numbers"


def test_flags_win_over_the_request():
    figures, assumptions = capacity("other", "for 5M daily users", {"dau": 1000.0})
    assert {a.name: a.source for a in assumptions}["dau"] == "flag"
    assert figures[0].value == pytest.approx(1000 * 20 / 86400, rel=1e-2)


@pytest.mark.parametrize(("text", "value"), [("5M", 5e6), ("200k", 2e5), ("2.5 billion", 2.5e9), ("1200", 1200)])
def test_parse_count(text, value):
    assert parse_count(text) == value


@pytest.mark.parametrize("text", ["lots", "5X", ""])
def test_parse_count_rejects(text):
    with pytest.raises(ValueError):
        parse_count(text)


def test_parse_ratio():
    assert parse_ratio("99:1") == pytest.approx(0.01)
    with pytest.raises(ValueError):
        parse_ratio("most reads")


def test_settings_file_calibrates_the_estimate(tmp_path, monkeypatch, retriever):
    from agent.config import load_settings

    (tmp_path / "sysdesign.toml").write_text(
        '[estimation]\ncombination = "product"\nbase_hours = { low = [40, 120] }\n'
    )
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    plan = Engine(retriever, estimation=settings.estimation).estimate("a todo app")
    assert plan.base_hours == (40, 120) and plan.combination == "product"
