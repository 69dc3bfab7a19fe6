"""The real SmolLM2 GGUF through llama.cpp on ten requests (the five applications and five building blocks): with the
small schema it chooses from lists, so no final design carries a junk name, and on the five applications its own
first choice of pattern (before any correction) is right."""

from __future__ import annotations

import pytest

from agent.drafting.llm.full_schema import is_name

APPS = [("Build a Twitter clone", "social_media"), ("Build a YouTube clone", "video_streaming"),
        ("Build a WhatsApp clone", "messaging"), ("Build an Uber clone", "ride_hailing"),
        ("Build an online store with a shopping cart", "ecommerce")]  # fmt: skip
BLOCKS = ["design a URL shortener", "design a distributed rate limiter", "design a web crawler",
          "a pastebin for sharing code snippets", "a notification system for push, SMS and email"]  # fmt: skip


@pytest.fixture(scope="module")
def engine(retriever):
    from agent.pipeline import Engine

    return Engine(retriever)


EXPECTED = dict(APPS)


@pytest.mark.slow
@pytest.mark.parametrize("prompt", [p for p, _ in APPS] + BLOCKS)
def test_no_junk_name_reaches_a_final_design_and_the_models_own_pattern_is_right(engine, prompt):
    design = engine.recommend(prompt, "llama-cpp", rounds=0, fallback=None)
    assert design.audit.schema_used == "small" and not design.audit.fallback
    names = [c.name for c in design.components] + [s.name for s in design.services]
    assert all(is_name(name) for name in names), names
    assert design.audit.raw_draft is not None
    if prompt in EXPECTED:  # one of the five applications: the model's own first choice, before any correction
        assert design.audit.raw_pattern == EXPECTED[prompt]
