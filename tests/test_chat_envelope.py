"""Back-of-the-envelope answers in the chat: figures read with their dimensions and multiplied to what is asked."""

from __future__ import annotations

import pytest

from agent.chat.envelope import estimate

CASES = [
    # a population acting on an interval
    ("if 12,000 couriers each ping their location every 5 seconds, how many pings per second?", [], "2,400 per second"),
    ("9,000 sensors report every 30 s - what's the ingest rate?", [], "300 per second"),
    # a burst in a window
    ("a flash sale brings 600,000 shoppers in the first 3 minutes, what request rate is that?", [], "3,333 per second"),
    ("if 40k voters submit within a 20-second window, how many writes per second?", [], "2,000 per second"),
    # storage: a rate, a size and a time (and members of a population)
    ("we ingest 250 photos a day at 4 MB each; how much storage after 2 years?", [], "730 GB"),
    ("40 hospitals, each storing about 300 scans a day of 2 MB, what storage for 10 years?", [], "87.6 TB"),
    ("a conference weekend is 500k photos at 4 MB each, how much storage is that?", [], "2 TB"),
    # bandwidth
    ("3,000 listeners at 128 kbps at once, what egress bandwidth?", [], "384 Mbps"),
    ("and with 25k viewers watching 4 Mbps streams at the same time, what bandwidth do we need?", [], "100 Gbps"),
    # downtime an availability allows
    ("how much downtime per month does 99.95% allow?", [], "21.6 minutes a month"),
    ("what downtime does 99.9% give us in a year?", [], "8.76 hours"),
    # figures said before the question, "daily users" a population, a peak factor only at the peak
    ("so what's the average message rate per second?", ["around 50k daily users, each sends about 30 messages a day"],
     "17.4 per second"),
    ("what's the average write rate per second?", ["900k orders a month, and 5x that at the Christmas peak"],
     "0.35 per second"),
    ("and per second at the peak?", ["900k orders a month, and 5x that at the Christmas peak"], "1.74 per second"),
    ("what's the event rate, and how much raw data per year?", ["20,000 meters send a 500-byte reading every 15 min"],
     "350.4 GB"),
]  # fmt: skip


@pytest.mark.parametrize(("question", "earlier", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_the_figure_asked_for_is_computed_from_the_figures_said(question, earlier, expected):
    said = estimate(question, earlier)
    assert said is not None and expected in said, said


@pytest.mark.parametrize(
    "question",
    ["how does the rate limiter work?", "why Redis and not Memcached?", "what happens if the cache goes down?",
     "what's the single point of failure here?", "how do you stop two people booking one slot?"],
)  # fmt: skip
def test_questions_that_ask_for_no_figure_get_no_arithmetic(question):
    assert estimate(question, ["we have 20k daily users sending 40 messages a day"]) is None


def test_the_answer_shows_its_formula():
    said = estimate("if 8,000 trucks post a position every 10 seconds, how many updates per second?", [])
    assert said is not None and "8,000" in said and "÷ 10 seconds" in said
