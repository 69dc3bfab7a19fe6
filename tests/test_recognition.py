"""Pattern, trait and scope recognition on requests written the way people write them."""

from __future__ import annotations

import pytest

from agent.recognition import read_request


@pytest.fixture(scope="module")
def read(retriever):
    return lambda prompt: read_request(prompt, retriever.search(prompt, k=10))


@pytest.mark.parametrize(
    ("prompt", "pattern"),
    [
        ("Build a Twitter clone", "social_media"),
        ("insta clone", "social_media"),
        ("a microblogging site where people follow each other", "social_media"),
        ("twiter clone", "social_media"),
        ("an app where drivers pick up passengers", "ride_hailing"),
        ("ride sharing app for a city", "ride_hailing"),
        ("online store for handmade jewelry", "ecommerce"),
        ("ecomerce site with a cart and checkout", "ecommerce"),
        ("Build a YouTube clone", "video_streaming"),
        ("a site where creators upload videos and fans watch them", "video_streaming"),
        ("whatsapp clone", "messaging"),
        ("a team chat app with channels", "messaging"),
        ("custom IoT dashboard", "other"),
        ("a todo app", "other"),
        ("URL shortener", "other"),
    ],
)
def test_patterns(read, prompt, pattern):
    assert read(prompt).pattern.id == pattern


def test_known_patterns_are_confident_and_other_is_not(read):
    assert read("Build a Twitter clone").pattern.confidence >= 0.8
    assert read("custom IoT dashboard").pattern.confidence < read("Build a Twitter clone").pattern.confidence
    assert read("Build a Twitter clone").pattern.evidence == ["twitter"]


def test_mixed_request_keeps_the_second_pattern(read):
    reading = read("a marketplace with buyer-seller chat")
    assert reading.pattern.id == "ecommerce"
    assert "messaging" in reading.secondary
    assert "real_time" in reading.traits


@pytest.mark.parametrize(
    ("prompt", "trait", "present"),
    [
        ("booking app that takes payments with Stripe", "payments", True),
        ("booking app without payments", "payments", False),
        ("HIPAA compliant patient portal", "compliance", True),
        ("a game with live multiplayer updates", "real_time", True),
        ("an app for users worldwide in many languages", "i18n", True),
        ("an app for users worldwide", "global", True),
    ],
)
def test_traits(read, prompt, trait, present):
    assert (trait in read(prompt).traits) is present


def test_scope_cues(read):
    assert read("MVP for 2 engineers: uber for dog walkers").small_scope
    assert read("enterprise platform for many teams").enterprise
    assert not read("Build a Twitter clone").small_scope


@pytest.mark.parametrize(
    ("prompt", "not_pattern", "traits"),
    [
        ("Build a Google Drive clone", "ride_hailing", {"media_heavy", "write_heavy"}),
        ("a crypto exchange", None, {"transaction_heavy", "compliance"}),
        ("Design Yelp: find nearby restaurants and read reviews", None, {"geospatial", "search_driven"}),
    ],
)
def test_named_products_outside_the_five_lend_their_traits(read, prompt, not_pattern, traits):
    reading = read(prompt)
    assert reading.products
    assert reading.pattern.id != not_pattern
    assert traits <= set(reading.traits)
    assert any(cue.startswith("product: ") for trait in traits for cue in reading.traits[trait])


def test_a_named_product_brings_its_domain_services(retriever):
    from agent.pipeline import Engine

    names = {s.name for s in Engine(retriever).recommend("DoorDash clone").services}
    # the product's restaurants; its courier tracking is the delivery-dispatch block's (which replaces its own)
    assert {"Restaurant Service", "Tracking Service"} <= names and "Delivery Tracking Service" not in names


def test_the_block_a_meant_design_is_built_on_is_recognised_with_it():
    """A price tracker composes with a crawler: when the request means the tracker surely and the crawler too,
    though less surely than choosing it alone, both are recognised; a design that is not its kin is not."""
    from agent.knowledge import load_knowledge
    from agent.recognition import Words, read_blocks

    knowledge = load_knowledge()
    text = "Tell people the moment the things they follow on other websites become affordable"
    words = Words(text)
    meaning = {"price_tracker": 0.95, "web_crawler": 0.45, "leaderboard": 0.45}
    found = {b.id for b in read_blocks(words, words, (), knowledge, meaning, text)}
    assert {"price_tracker", "web_crawler"} <= found
    assert "leaderboard" not in found
    unsure = {b.id for b in read_blocks(words, words, (), knowledge, {**meaning, "web_crawler": 0.2}, text)}
    assert "web_crawler" not in unsure


def test_a_design_surely_meant_more_than_the_one_named_is_kept_beside_it():
    """The words name one design ("export to CSV" for reports) in an example of what the system runs, while the
    request as a whole surely means another, more than the named one: both are recognised. Less surely meant, the
    named design stays alone."""
    from agent.knowledge import load_knowledge
    from agent.recognition import Words, read_blocks

    knowledge = load_knowledge()
    text = "Customers set things to happen later, such as an export to CSV every Monday at six"
    words = Words(text)
    sure = {"job_scheduler": 0.9, "reports_exports": 0.7}
    assert {"job_scheduler", "reports_exports"} <= {b.id for b in read_blocks(words, words, (), knowledge, sure, text)}
    unsure = {"job_scheduler": 0.75, "reports_exports": 0.7}
    assert "job_scheduler" not in {b.id for b in read_blocks(words, words, (), knowledge, unsure, text)}
