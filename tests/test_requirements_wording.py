"""Requirements from any wording: one table per phrasing class, each with phrasings beyond the obvious ones.

The classes: counted nouns with a period (in their own unit), populations (people are users, things never are),
reports on an interval, per-member rates, number formats, peaks, ratios, informal teams and budgets, offline use,
consistency under partition, latency in words, places and data residency, deadlines; then sizing, where a stated
figure always beats the brand's scale; then bad input.
"""

from __future__ import annotations

import pytest

from agent.requirements.extract import extract
from agent.requirements.numbers import parse_number
from agent.sizing.capacity import capacity, gather_inputs, stated_daily_users


def _units(text: str) -> dict[str, float]:
    return {figure.unit: figure.value for figure in extract(text).scale}


def _ids(cases: list[tuple]) -> list[str]:
    return [str(case[0])[:45] for case in cases]


RATES = [
    ("a video site with 70 billion views a day", "views per day", 70e9),
    ("the collector takes 10 million spans per second", "spans per second", 10e6),
    ("a podcast host serving 40 million downloads a month", "downloads per month", 40e6),
    ("about 3,000 check-ins per hour at the gates", "check-ins per hour", 3e3),
    ("we process 12k invoices monthly", "invoices per month", 12e3),
    ("roughly 500 deployments a week across the company", "deployments per week", 500),
    ("the exchange matches 2.5M trades per second", "writes per second", 2.5e6),
    ("2 million page views a day", "events per day", 2e6),
    ("1.2bn ad impressions daily", "ad impressions per day", 1.2e9),
    ("a scanner fleet producing 800 scans/s", "scans per second", 800),
    ("around 40 new sign-ups a day", "sign-ups per day", 40),
    ("2,000 orders per hour after launch", "writes per hour", 2_000),
    ("the gateway takes 5k requests/s since the migration", "requests per second", 5_000),
]


@pytest.mark.parametrize(("text", "unit", "value"), RATES, ids=_ids(RATES))
def test_a_counted_noun_with_a_period_is_a_load_in_its_own_unit(text, unit, value):
    assert _units(text).get(unit) == pytest.approx(value), _units(text)


PEOPLE = [
    ("an internal tool for our 2,000 staff", 2_000, "staff"),
    ("a gym chain app for 35 000 members", 35_000, "members"),
    ("a hackathon platform for 100,000 participants", 100_000, "participants"),
    ("a portal for 4,500 nurses and 300 physicians", 4_500, "nurses"),
    ("12k volunteers across the country", 12_000, "volunteers"),
    ("an LMS for half a million pupils", 500_000, "pupils"),
    ("our 800 salespeople in the field", 800, "salespeople"),
    ("250 attendees register online", 250, "attendees"),
    ("a loyalty app for our 1.2 million cardholders", 1_200_000, "cardholders"),
    ("tickets for 30,000 concertgoers", 30_000, "concertgoers"),
    ("a booking app for 60 dentists", 60, "dentists"),
]


@pytest.mark.parametrize(("text", "value", "noun"), PEOPLE, ids=_ids(PEOPLE))
def test_people_counted_without_a_period_are_the_users(text, value, noun):
    figure = extract(text).scale[0]
    assert (figure.unit, figure.value, figure.kind, figure.noun) == ("users", value, "users", noun)


@pytest.mark.parametrize(
    "text", ["14 million users a year after launch", "300k members a month later", "2,000 patients a week ago"]
)
def test_a_period_said_as_a_point_in_time_is_no_rate(text):
    assert [f.kind for f in extract(text).scale] == ["users"]


THINGS = [
    ("a monitoring agent on 50,000 servers", "servers", 50_000),
    ("firmware updates for 2 million smart meters", "smart meters", 2e6),
    ("tracking 8,000 delivery trucks", "delivery trucks", 8_000),
    ("tens of thousands of IoT devices", "iot devices", 30_000),
    ("a scheduler for 300 restaurants", "restaurants", 300),
    ("inventory across 120 warehouses", "warehouses", 120),
    ("manage 15k parking sensors", "parking sensors", 15_000),
]


@pytest.mark.parametrize(("text", "unit", "value"), THINGS, ids=_ids(THINGS))
def test_things_counted_without_a_period_are_a_population_never_users(text, unit, value):
    found = extract(text)
    assert found.scale[0].kind == "population" and _units(text)[unit] == pytest.approx(value)
    assert stated_daily_users(found) is None


NOT_COUNTS = [
    "the iPhone 15 app",
    "a web 3.0 wallet",
    "split it into 5 services with 3 replicas",
    "deploy to 2 regions",
    "launch in 6 weeks",
    "24/7 support",
    "a 3D printing marketplace",
    "uptime of 99.9%",
    "the 2024 redesign",
    "one of the tables has 3 columns",
]


@pytest.mark.parametrize("text", NOT_COUNTS)
def test_names_versions_measures_and_design_parts_are_not_loads(text):
    assert [f for f in extract(text).scale if f.kind in ("users", "population", "rate")] == []


INTERVALS = [
    ("5,000 trucks send their GPS position every 10 s", "truck reports per second", 500),
    ("20,000 sensors report every minute", "sensor reports per second", 20_000 / 60),
    ("each of the 1,200 kiosks pings us every 30 seconds", "kiosk reports per second", 40),
    ("300 vans post a location twice a minute", "van reports per second", 10),
    ("2 million phones sync once an hour", "phone reports per second", 2e6 / 3600),
]


@pytest.mark.parametrize(("text", "unit", "value"), INTERVALS, ids=_ids(INTERVALS))
def test_a_population_acting_on_an_interval_is_a_rate(text, unit, value):
    assert _units(text).get(unit) == pytest.approx(value, rel=1e-3), _units(text)


PER_MEMBER = [
    ("50,000 servers, each emitting 200 spans per second", "spans per second", 10e6),
    ("2,000 stores, each sending 30 orders a day", "writes per day", 60_000),
    ("400 machines each produce 1,000 readings per minute", "readings per minute", 400_000),
]


PER_MEMBER += [
    ("12,000 parking bays; every bay reports one status change a minute", "status changes per minute", 12_000),
    ("a courier firm with 900 vans. Each van uploads one photo per day", "uploads per day", 900),
    ("3,000 beehive scales, each posting a single weight per hour", "weights per hour", 3_000),
    ("each of our 300 stores sends about 2 orders per minute", "writes per minute", 600),
    ("every one of the 40 labs uploads 5 samples a day", "events per day", 200),
]


@pytest.mark.parametrize(("text", "unit", "value"), PER_MEMBER, ids=_ids(PER_MEMBER))
def test_a_rate_for_each_member_is_multiplied_by_the_population(text, unit, value):
    assert _units(text).get(unit) == pytest.approx(value), _units(text)


# a population counted per member of another: the whole population, and an interval is the nearest count's
PER_MEMBER_POPULATIONS = [
    ("a hub in 50k homes at launch, avg 25 devices per home", "devices", 1_250_000),
    ("300 stores, each with 20 tills", "tills", 6_000),
    ("40 schools with about 800 students per school", "users", 32_000),
    ("12 warehouses, 40 robots per warehouse, each robot reports its position every 2 s", "robot reports per second",
     240),
    ("8 depots with 60 vans per depot", "vans", 480),
]  # fmt: skip


@pytest.mark.parametrize(("text", "unit", "value"), PER_MEMBER_POPULATIONS, ids=_ids(PER_MEMBER_POPULATIONS))
def test_a_population_for_each_member_is_multiplied_by_the_population(text, unit, value):
    units = _units(text)
    assert units.get(unit) == pytest.approx(value), units
    assert not any(u.endswith("reports per second") and not u.startswith("robot") for u in units), units


NUMBERS = [
    ("35 000", 35e3), ("35\u202f000", 35e3), ("35\u00a0000", 35e3), ("1'000'000", 1e6), ("1.000.000", 1e6),
    ("2.5M", 2.5e6), ("1.2bn", 1.2e9), ("3k", 3e3), ("4 mn", 4e6), ("ten thousand", 1e4),
    ("twenty-five thousand", 25e3), ("one hundred and fifty", 150), ("half a million", 5e5),
    ("a couple of million", 2e6), ("tens of thousands", 3e4), ("hundreds of thousands", 3e5),
    ("a quarter of a million", 2.5e5), ("one and a half million", 1.5e6), ("a million", 1e6),
    ("a few hundred", 300), ("between 5 and 10 thousand", 1e4), ("2 lakh", 2e5), ("nearly 40k", 4e4),
    ("a thousand and a half", 1.5e3), ("two million and a half", 2.5e6), ("3 billion and a quarter", 3.25e9),
    ("three quarters of a million", 7.5e5), ("two thirds of a billion", 2e9 / 3), ("1,5 million", 1.5e6),
    ("2,25 mln", 2.25e6), ("1e6", 1e6), ("2.5e5", 2.5e5), ("10^6", 1e6), ("a million-plus", 1e6),
    ("three-quarters of a million", 7.5e5), ("half-a-million", 5e5), ("10,00,000", 1e6), ("5k-ish", 5e3),
]  # fmt: skip


@pytest.mark.parametrize(("text", "value"), NUMBERS, ids=_ids(NUMBERS))
def test_every_number_format(text, value):
    assert parse_number(text).value == pytest.approx(value)


ACTIVES = [
    ("a quiz app with 50k DAUs", "daily active users", 50_000),
    ("2 million+ monthly actives", "monthly active users", 2e6),
    ("about 200k weekly actives", "users", 200_000),
]


@pytest.mark.parametrize(("text", "unit", "value"), ACTIVES, ids=_ids(ACTIVES))
def test_active_users_by_their_abbreviations_and_plurals(text, unit, value):
    assert _units(text).get(unit) == pytest.approx(value), _units(text)


@pytest.mark.parametrize(
    "text", ["9k concurrent at peak", "9k concurrent websocket streams", "20k meters online simultaneously"]
)
def test_concurrency_with_its_noun_unsaid_or_of_things(text):
    assert extract(text).of_kind("concurrent"), extract(text).scale


NOUN_FIRST = [
    ("a customer base of 12,000", "users", 12_000),
    ("DAU of about 80k", "daily active users", 80_000),
    ("expected visitors: 40k", "users", 40_000),
    ("a readership of roughly 300k", "users", 300_000),
    ("the number of bookings is 5k a day", "writes per day", 5_000),
    ("sensors: 10k, each reporting every 5 seconds", "sensor reports per second", 2_000),
    ("kiosks = 1,500", "kiosks", 1_500),
]


@pytest.mark.parametrize(("text", "unit", "value"), NOUN_FIRST, ids=_ids(NOUN_FIRST))
def test_a_count_whose_noun_comes_first(text, unit, value):
    assert _units(text).get(unit) == pytest.approx(value), _units(text)


@pytest.mark.parametrize(
    "text", ["a database of 40,000", "users: 40% on mobile", "a codebase of 10 years", "version: 2", "uptime: 99.9%"]
)
def test_a_noun_before_a_number_that_counts_nothing(text):
    assert [f for f in extract(text).scale if f.kind in ("users", "population", "rate")] == []


SLASHED = [
    ("the broker takes 500 msg/s", "messages per second", 500),
    ("about 2k req/min at the gateway", "requests per minute", 2_000),
    ("roughly 1,200 scans/day", "scans per day", 1_200),
]


@pytest.mark.parametrize(("text", "unit", "value"), SLASHED, ids=_ids(SLASHED))
def test_rate_notation_with_a_slash(text, unit, value):
    assert _units(text).get(unit) == pytest.approx(value), _units(text)


@pytest.mark.parametrize("text", ["a 5 GB/s link", "trucks drive at 90 km/h", "a 100 Mbit/s uplink"])
def test_a_measure_with_a_slash_is_no_count(text):
    assert [f for f in extract(text).scale if f.kind in ("users", "population", "rate")] == []


VAGUE_PEOPLE = [
    "several people will use the booking page",
    "a few nurses check the rota",
    "some customers order twice",
    "a handful of admins approve refunds",
    "a couple of cafés post menus every day",
    "several requests per second",
]


@pytest.mark.parametrize("text", VAGUE_PEOPLE)
def test_a_bare_quantifier_is_no_load_or_population(text):
    assert [f for f in extract(text).scale if f.kind in ("users", "population", "rate", "concurrent")] == []


def test_a_quantifier_with_a_unit_of_counting_is_still_a_figure():
    assert _units("a few thousand members") == {"users": 3_000}
    assert _units("a dozen clinics") == {"clinics": 12}


def test_a_vague_amount_says_how_it_was_counted():
    assert "counts as 30,000" in parse_number("tens of thousands").note


RATIOS = [
    ("a hundred times more visits than new codes", 100),
    ("10x more reads than writes", 10),
    ("reads outnumber writes 50 to 1", 50),
    ("about 20 lookups for every new link", 20),
    ("five times as many uploads as views", 0.2),
    ("in the catalogue, searches outnumber edits by about 200 to 1", 200),
    ("writes are outnumbered by reads fifty to one", 50),
    ("a 1-to-30 ratio of new records to lookups", 30),
    ("uploads outnumber downloads roughly 4 to 1", 0.25),
]


@pytest.mark.parametrize(("text", "reads_per_write"), RATIOS, ids=_ids(RATIOS))
def test_a_read_write_ratio_in_words(text, reads_per_write):
    assert _units(text).get("reads per write") == pytest.approx(reads_per_write)


FACTORS = [
    ("expect 10x traffic at Black Friday", 10, "Black Friday"),
    ("load triples on match days", 3, "match days"),
    ("traffic spikes to 5 times normal during exam week", 5, None),
    ("we see a 20-fold surge when tickets go on sale", 20, None),
    ("usage doubles at lunchtime", 2, "lunchtime"),
    ("searches jump by an order of magnitude during the sales", 10, "sales"),
    ("up to 300% more traffic on Cyber Monday", 4, "Cyber Monday"),
    ("load reaches 250% of normal at lunchtime", 2.5, "lunchtime"),
    ("we plan for a peak-to-average ratio of 6", 6, None),
    ("On graduation day the gallery sees twice the usual load", 2, "graduation day"),
    ("the morning commute brings a threefold jump in ride requests", 3, None),
    ("half of the daily traffic arrives between 6 and 8 pm", 6, "between 6 and 8 pm"),
    ("80% of orders come in during the first hour of the sale", 19.2, "the first hour"),
    ("two thirds of the week's bookings are made in the 6 hours after the newsletter", 18.7, "newsletter"),
]


@pytest.mark.parametrize(("text", "factor", "when"), FACTORS, ids=_ids(FACTORS))
def test_a_peak_factor_is_a_peak_never_more_users(text, factor, when):
    found = extract(text)
    peak = found.of_kind("peak factor")[0]
    assert peak.value == pytest.approx(factor) and found.spikes and stated_daily_users(found) is None
    if when:
        assert when in (peak.when or ""), peak.when


WINDOWS = [
    ("20k people arrive in the last 10 minutes before kickoff", 20_000, 600),
    ("all 5,000 tickets sell out within 2 minutes", 5_000, 120),
    ("about 100,000 requests in the first minute of the sale", 100_000, 60),
    ("3,000 orders in 30 seconds at launch", 3_000, 30),
]


@pytest.mark.parametrize(("text", "value", "seconds"), WINDOWS, ids=_ids(WINDOWS))
def test_a_count_in_a_short_window_is_a_peak(text, value, seconds):
    found = extract(text)
    peak = found.of_kind("peak")[0]
    assert (peak.value, peak.window_seconds) == (value, seconds)
    assert stated_daily_users(found) is None


MOMENTS = [
    ("when the box office opens at 9:30, some 40,000 buyers are online at once", "9:30"),
    ("the museum app sees 8k concurrent visitors after the night tour starts", "night tour"),
    ("a peak of 60,000 concurrent streams during the election night", "election night"),
    ("all 9,000 employees submit timesheets within the last hour before payroll closes", "payroll closes"),
    ("about 1M bids land in the 2-minute window as soon as the auction ends", "auction ends"),
    ("at the top of every hour, 20k meters sync at once", "top of every hour"),
    ("expect 40,000 parents to open the results page within the first 60 seconds after noon", "noon"),
    ("power draw readings triple the moment the factory shift starts", "shift starts"),
]


@pytest.mark.parametrize(("text", "when"), MOMENTS, ids=_ids(MOMENTS))
def test_a_peak_keeps_the_occasion_it_is_said_of(text, when):
    found = extract(text)
    said = [f.when for f in found.scale if f.when]
    assert said and when in said[0] and found.spikes, found.scale


def test_a_steady_concurrency_has_no_occasion():
    assert [f.when for f in extract("5,000 concurrent users on an average weekday").scale] == [None]


BUSIEST = [
    ("the busiest hour sees 90k page loads", 90_000, 3600),
    ("during rush hour about 8,000 riders tap in", 8_000, 3600),
    ("on the peak day of the festival, 400,000 scans", 400_000, 86_400),
]


@pytest.mark.parametrize(("text", "value", "seconds"), BUSIEST, ids=_ids(BUSIEST))
def test_a_count_said_of_the_busiest_stretch_is_a_peak_over_it(text, value, seconds):
    found = extract(text)
    peak = found.of_kind("peak")[0]
    assert (peak.value, peak.window_seconds) == (value, seconds) and peak.when
    assert found.of_kind("users", "population") == []


PEAK_RATES = [
    "20k RPS at peak",
    "peaks of 20,000 requests per second",
    "up to 20k requests per second at the busiest",
    "peak hour: 20k requests per second",
]


@pytest.mark.parametrize("text", PEAK_RATES)
def test_a_rate_at_the_busiest_time_is_a_peak_rate(text):
    figure = extract(text).figure("requests per second")
    assert figure is not None and figure.kind == "peak" and figure.value == 20_000


TEAMS = [
    ("one freelance developer builds it", 1), ("me and one other dev", 2), ("1 part-time dev", 1),
    ("two contractors from an agency", 2), ("my cofounder and I", 2), ("I'm a freelancer", 1),
    ("just me and a friend who codes", 2), ("three of us on the team: we are three people", 3),
    ("a couple of devs", 2), ("me plus 2 junior developers", 3), ("we're a 4-person team", 4),
    ("a solo developer, evenings and weekends", 1),
]  # fmt: skip


@pytest.mark.parametrize(("text", "team"), TEAMS, ids=_ids(TEAMS))
def test_informal_team_statements(text, team):
    assert extract(text).team == team


JOINED_TEAMS = [
    ("two data engineers plus a product manager", 3),
    ("a team of four, with a QA tester", 5),
    ("one freelance developer, a designer and a project manager", 3),
    ("indie hacker, helped by two freelancers", 3),
    ("sole developer here, along with an intern for the docs", 2),
    ("the crew: 2 backend, 1 frontend, 1 QA", 4),
    ("we have one full-time and one part-time developer", 2),
    ("just me and my cofounder, plus a contractor two days a week", 3),
    ("4 engineers, 2 designers", 6),
]


@pytest.mark.parametrize(("text", "team"), JOINED_TEAMS, ids=_ids(JOINED_TEAMS))
def test_members_joined_to_the_builders_are_one_team(text, team):
    found = extract(text)
    assert found.team == team and not any("team sizes" in note for note in found.notes), found.notes


@pytest.mark.parametrize(
    ("text", "team"), [("a designer wants a portfolio site", None), ("2 devs, 3 nurses use it", 2)]
)
def test_a_role_beside_no_builder_or_no_member_is_not_joined(text, team):
    assert extract(text).team == team


STATED_TEAMS = [
    ("the engineering team is six people", 6),
    ("team size: 3", 3),
    ("a 5-strong squad of developers", 5),
    ("a three-person dev studio", 3),
    ("we're three, mostly in the evenings", 3),
    ("it's just the two of us for now", 2),
    ("I collaborate with two other engineers", 3),
    ("my sister and I are developing the app", 2),
    ("I'm the only engineer, helped by a freelance designer", 2),
    ("two of us will maintain it after launch", 2),
    ("the sole backend developer", 1),
    ("our engineering headcount is 12", 12),
    ("built and maintained by a single contractor", 1),
    ("a father-and-son duo runs the shop's tech", 2),
    ("a pair of developers from an agency", 2),
    ("I'm working on this with my partner", 2),
    ("Tom, Ana and I will build it", 3),
    ("the founders are me and Priya", 2),
]


@pytest.mark.parametrize(("text", "team"), STATED_TEAMS, ids=_ids(STATED_TEAMS))
def test_a_team_stated_by_its_size_or_its_members_is_not_its_users(text, team):
    found = extract(text)
    assert found.team == team and found.of_kind("users", "concurrent") == [], found.scale


@pytest.mark.parametrize(
    "text",
    [
        "our team is 40 nurses",
        "My wife and I run a bakery and want an ordering site",
        "we are ready to start",
        "only developers can log in",
        "one of us will review the design",
        "we use Stripe, and I need a dashboard",
        "I have 2 backend services and 3 queues",
    ],
)
def test_people_beside_a_team_word_who_do_not_build_are_no_team(text):
    assert extract(text).team is None


ALONE = [
    "I'm coding this solo between classes",
    "I'll develop the app alone over the summer",
    "as a retired teacher I am building it all by myself",
]


@pytest.mark.parametrize("text", ALONE)
def test_working_alone_in_the_first_person_is_a_team_of_one(text):
    assert extract(text).team == 1


@pytest.mark.parametrize("text", ["we are building it alone", "I want to run it on my own servers",
                                  "I think the database alone is too big"])  # fmt: skip
def test_alone_said_of_a_group_or_a_thing_is_no_team_of_one(text):
    assert extract(text).team is None


BUILT_BY = [
    ("a studio of 6 people is building the app for us", 6),
    ("our 12 volunteers will develop the platform", 12),
    ("some 30 staff are going to maintain the system", 30),
]


@pytest.mark.parametrize(("text", "team"), BUILT_BY, ids=_ids(BUILT_BY))
def test_people_who_build_the_system_are_the_team_not_its_users(text, team):
    found = extract(text)
    assert found.team == team and found.of_kind("users", "concurrent") == []


def test_people_who_make_things_in_the_system_are_users():
    found = extract("40 members build playlists together")
    assert found.team is None and _units("40 members build playlists together") == {"users": 40}


def test_part_time_is_said_in_the_team_constraint():
    assert {(c.name, c.value) for c in extract("1 part-time dev").constraints} >= {("team", "1 part-time engineer")}


BUDGETS = [
    ("we have almost no money", "low"), ("running on a shoestring", "low"), ("bootstrapped, no funding", "low"),
    ("a non-profit with very little money", "low"), ("we can't afford big cloud bills", "low"),
    ("hosting must stay under €200 a month", "€200 a month"), ("about 300 EUR per month", "300 EUR a month"),
    ("50 bucks a month for hosting", "50 bucks a month"), ("£1,500/month", "£1,500 a month"),
    ("CHF 400 per month", "CHF 400 a month"), ("a budget of 5k a year", "5k a year"),
    ("cloud spend capped at 900 dollars monthly", "900 dollars a month"),
    ("the council has allocated £40,000 for the first year", "£40,000 a year"),
    ("we can afford about $3k for the pilot", "$3k"), ("grant funding of €25k covers hosting", "€25k"),
    ("5 grand a month for hosting", "5 grand a month"), ("£50 pcm", "£50 a month"),
    ("EUR1000/month", "EUR1000 a month"), ("hosting budget 200/month", "200 a month"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "value"), BUDGETS, ids=_ids(BUDGETS))
def test_informal_budgets_and_amounts_per_period(text, value):
    assert ("budget", value) in {(c.name, c.value) for c in extract(text).constraints}


LEANINGS = [
    ("the pilot has to fit inside the free plans of our providers", "low"),
    ("we'd like the nightly jobs to run on free credits for now", "low"),
    ("the monthly bill must stay as low as possible", "low"),
    ("cost over features: this is a charity's first system", "low"),
    ("uptime matters more than the hosting costs", "high"),
    ("price is not our main concern; the hospital needs it to be safe", "high"),
    ("a well-funded insurer with no budget cap for this", "high"),
    ("security over cost, always", "high"),
    ("money is tight this year", "low"),
    ("the museum can't spend much on servers", "low"),
    ("the charity board is budget-conscious", "low"),
    ("it should run for next to nothing", "low"),
    ("accuracy is more important than the cloud bill", "high"),
    ("the bill isn't a concern for the regulator", "high"),
    ("we don't really care about hosting costs, it must be fast", "high"),
    ("spend matters less than uptime", "high"),
    ("keep the infrastructure bill as small as possible", "low"),
    ("the budget is flexible for the right solution", "high"),
    ("we're happy to pay for managed services", "high"),
    ("the client is not willing to pay for a second region", "low"),
    ("we are tight on cash", "low"),
    ("a pre-revenue startup", "low"),
    ("a frugal setup", "low"),
    ("generously funded by the ministry", "high"),
    ("a moderate budget", "medium"),
    ("a reasonable budget for the first year", "medium"),
]


@pytest.mark.parametrize(("text", "value"), LEANINGS, ids=_ids(LEANINGS))
def test_a_budget_without_a_figure_leans_by_how_cost_is_ranked(text, value):
    assert ("budget", value) in {(c.name, c.value) for c in extract(text).constraints}


@pytest.mark.parametrize(
    "text",
    [
        "prices are shown in euros",
        "the price of a ticket",
        "our main concern is uptime",
        "tickets cost $20",
        "a €5 subscription for 3,000 members",
        "members are happy to pay for extra storage",
        "budget 3 engineers",
    ],
)
def test_money_words_that_rank_nothing_are_no_budget(text):
    assert not any(c.name == "budget" for c in extract(text).constraints)


OFFLINE = [
    "rangers use it with no signal in the mountains",
    "the warehouse has spotty wifi",
    "it must work offline and sync when back online",
    "field staff often lose their connection underground",
    "inspectors work in dead zones",
    "the app cannot rely on internet access on the ships",
    "an offline-first notes app",
]


@pytest.mark.parametrize("text", OFFLINE)
def test_offline_use_in_words(text):
    found = extract(text)
    assert found.offline and any(c.name == "offline" for c in found.constraints)


@pytest.mark.parametrize("text", ["a fast, reliable internet connection is assumed", "an online shop", "no signup"])
def test_connectivity_words_without_absence_are_not_offline(text):
    assert not extract(text).offline


CONSISTENCY = [
    ("a room must never be double-booked, even if the network splits", "CP"),
    ("balances must stay correct during a network partition", "CP"),
    ("we must never oversell a seat", "CP"),
    ("strongly consistent reads for account data", "CP"),
    ("if regions lose contact, both should keep accepting writes", "AP"),
    ("stale counts are fine; the feed must stay up when a partition happens", "AP"),
    ("eventually consistent likes are fine", "AP"),
    ("when the WAN to the depot fails, stock counts must never go negative", "CP"),
    ("we would rather pause checkout than oversell when the interconnect is cut", "CP"),
    ("if our two data centres cannot see each other, both keep accepting orders", "AP"),
    ("must never charge a card twice, even if the network hiccups", "CP"),
    ("we can tolerate a few minutes of inconsistency in the analytics", "AP"),
    ("each payout must be exactly right, even if it means downtime", "CP"),
    ("stock levels must always be exact", "CP"),
    ("two guests must never reserve the same table", "CP"),
    ("it is not ok to show outdated balances", "CP"),
    ("it's fine if riders see slightly old positions for a moment", "AP"),
    ("scores can be a few seconds behind, that's fine", "AP"),
    ("the follower count may lag a little, and that is acceptable", "AP"),
]


@pytest.mark.parametrize(("text", "choice"), CONSISTENCY, ids=_ids(CONSISTENCY))
def test_consistency_under_partition_in_words(text, choice):
    found = extract(text)
    assert found.consistency == choice
    assert any(n.name == "consistency" and n.target.startswith(choice) for n in found.non_functional)


@pytest.mark.parametrize("text", ["we never use the same password twice", "it's fine if old posts load slowly"])
def test_sameness_and_age_that_are_not_about_replicas_choose_nothing(text):
    assert extract(text).consistency is None


LATENCY = [
    ("answers under a second", 1000), ("results within a couple of seconds", 2000),
    ("no more than half a second per search", 500), ("in less than 200 milliseconds", 200),
    ("the price should show instantly", 1000), ("p95 below 80ms", 80), ("alerts within 5 minutes", 300_000),
    ("within two seconds of a scan", 2000),
    ("quotes in 300ms or less", 300), ("p99 of 150 ms for the API", 150), ("a 250 ms latency budget", 250),
    ("search results in 200ms p95", 200), ("response time: 1 s", 1000), ("pages load in 2 seconds", 2000),
    ("under a quarter of a second", 250), ("within two thirds of a second", 2000 / 3),
    ("answers must come back in about 100 milliseconds", 100),
]  # fmt: skip


@pytest.mark.parametrize(("text", "ms"), LATENCY, ids=_ids(LATENCY))
def test_latency_in_words(text, ms):
    assert extract(text).latency_ms == pytest.approx(ms)


@pytest.mark.parametrize(
    ("text", "pct"), [("99.9 percent uptime", 99.9), ("uptime of 99.95 per cent", 99.95), ("99.5 pct available", 99.5)]
)
def test_availability_in_words_for_percent(text, pct):
    assert extract(text).availability == pct


@pytest.mark.parametrize("text", ["the clip is 30 s max", "sessions expire in 30 minutes", "launch in 2 minutes"])
def test_durations_that_are_no_latency(text):
    assert extract(text).latency_ms is None


RESIDENCY = [
    ("patient records must never leave Norway", "Norway"),
    ("all data has to be stored in Germany", "Germany"),
    ("servers in Frankfurt only", "Frankfurt, Germany"),
    ("data must stay within Switzerland's borders", "Switzerland"),
    ("health data must remain in Ontario", "Ontario, Canada"),
    ("backups have to be kept in the Netherlands", "Netherlands"),
    ("customer files may only be hosted in Canada", "Canada"),
    ("our data must be housed in Lyon", "Lyon, France"),
    ("customer data can't leave the EU", "EU"),
    ("pupil records must be stored within the EEA", "EEA"),
    ("all backups must stay in Europe", "Europe"),
]


@pytest.mark.parametrize(("text", "place"), RESIDENCY, ids=_ids(RESIDENCY))
def test_data_residency_from_a_country_state_or_city(text, place):
    found = extract(text)
    assert found.residency == place
    constraints = {(c.name, c.value) for c in found.constraints}
    assert ("data residency", place) in constraints and ("compliance", "data residency") in constraints


REGIONS = [
    ("a booking app for a dental clinic in Lyon", "Lyon, France"),
    ("customers across Canada", "Canada"),
    ("a food delivery startup based in Nairobi", "Nairobi, Kenya"),
    ("for schools in Portugal and Spain", "EU"),
]


@pytest.mark.parametrize(("text", "region"), REGIONS, ids=_ids(REGIONS))
def test_a_named_place_is_the_users_region_without_residency(text, region):
    found = extract(text)
    assert found.region == region and found.residency is None


@pytest.mark.parametrize("text", ["a turkey farm's order system", "Chad wants a todo app", "before Christmas"])
def test_common_words_and_names_are_not_places(text):
    assert extract(text).region is None


DEADLINES = [
    ("in six weeks", 6), ("within two months", 8.6), ("in a couple of weeks", 2), ("in ten days", 1.4),
    ("we have eight weeks to build the clinic portal", 8), ("only 6 weeks left before the release", 6),
    ("two months to go-live for the payroll system", 8.6), ("a 10-day deadline for the demo", 1.4),
    ("the deadline is 3 weeks away", 3), ("a three-week sprint to get the MVP out", 3),
    ("we launch on 1 September", 13), ("the app should go live in Q3", 13), ("done by year end", 13),
    ("the shop opens on May 3rd", 13), ("it must be ready by mid-2026", 13),
    ("the go-live date is 15 March", 13), ("deadline: 1 May", 13), ("the release date is 2026-03-01", 13),
]  # fmt: skip


@pytest.mark.parametrize(("text", "weeks"), DEADLINES, ids=_ids(DEADLINES))
def test_deadlines_in_words(text, weeks):
    assert extract(text).deadline_weeks == pytest.approx(weeks, abs=0.1)


EVENTS = [
    ("the ticket app has to be live before the Olympics", "before the Olympics"),
    ("the enrolment site must be ready in time for the new school year", "in time for the new school year"),
    ("a voter guide that should launch ahead of the General Election", "ahead of the General Election"),
]


@pytest.mark.parametrize(("text", "value"), EVENTS, ids=_ids(EVENTS))
def test_an_event_is_a_deadline_whose_distance_is_assumed_and_said(text, value):
    found = extract(text)
    assert ("deadline", value) in {(c.name, c.value) for c in found.constraints}
    assert found.deadline_weeks == 13 and any("gives no date" in note for note in found.notes)


@pytest.mark.parametrize(
    "text",
    [
        "a shop built by Anna",
        "users stay 3 months before they churn",
        "ready-made reports for Finance",
        "traffic peaks in December",
        "reports grouped by month",
        "1M users by 2025",
    ],
)
def test_spans_and_names_that_are_no_deadline(text):
    assert extract(text).deadline_weeks is None


def test_stated_people_beat_the_brand_scale():
    found = extract("an Instagram-like photo app for our 2,000 staff")
    inputs = gather_inputs("social_media", found=found, request="", overrides={})
    assert inputs.values["dau"] == 2_000
    assert next(a for a in inputs.assumptions if a.name == "dau").source == "request"


def test_a_stated_population_keeps_the_brand_user_count_out():
    found = extract("a WhatsApp-style messenger for 50,000 field devices")
    inputs = gather_inputs("messaging", found=found, request="", overrides={})
    dau = next(a for a in inputs.assumptions if a.name == "dau")
    assert inputs.values["dau"] < 1e6 and dau.source != "request"


def test_a_stated_peak_factor_is_the_peak_factor_and_not_users():
    request = "an online shop with 50k daily users, 10x traffic at Black Friday"
    figures, assumptions = capacity("ecommerce", request)
    got = {f.name: f.value for f in figures}
    assert got["requests per second (peak)"] == pytest.approx(got["requests per second (average)"] * 10, rel=0.01)
    assumed = {a.name: a for a in assumptions}
    assert assumed["dau"].value == "50,000" and assumed["peak factor"].source == "request"


def test_a_peak_window_is_sized_as_a_peak_rate():
    figures, _ = capacity("other", "ticketing: 20k people in the last 10 minutes before kickoff")
    got = {f.name: f.value for f in figures}
    assert got["people per second (peak)"] == pytest.approx(33.33, abs=0.01)


def test_a_ratio_in_words_sets_the_write_share():
    inputs = gather_inputs("url_shortener", "", {}, extract("a hundred times more visits than new codes"))
    assert inputs.values["write_share"] == pytest.approx(1 / 101)


def test_read_figures_say_they_were_read():
    for figure in extract("70 billion views a day from 2,000 staff, 10x at launch").scale:
        assert figure.source == "request" and figure.text and figure.kind


@pytest.mark.parametrize(
    "text",
    ["42 17 3.5 1,000,000", "Germany", "the and of to a in", "buffalo " * 2600, "1" * 5000, "€€€ $$$ ###", ""],
    ids=["only numbers", "only a place", "only stop words", "20 KB of one word", "a long number", "symbols", "empty"],
)
def test_bad_input_gives_an_answer_never_an_exception(text):
    found = extract(text)
    assert all(f.value <= 1e15 for f in found.scale)


@pytest.mark.parametrize(("text", "value"), [("3k a month", 3000), ("$2,000/month", 2000), ("about two thousand "
                         "euros a month", 2000), ("EUR 1.5k per month", 1500), ("low", None)])  # fmt: skip
def test_the_first_number_a_text_states(text, value):
    from agent.requirements.numbers import first_number

    assert first_number(text) == value
