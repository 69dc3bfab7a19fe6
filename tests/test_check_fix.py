"""`check --fix` like `ruff --fix`: the file repaired in place (atomically), `--diff` shows without writing, stdin
in gives the repaired document out; repair recognises what a document already has under another name."""

from __future__ import annotations

import json

import pytest

from agent.advisor import Advisor
from agent.rules.roles import roles_of_name, service_key
from tests.conftest import run_cli

PARTIAL = {"request": "Twitter clone", "components": ["Postgres", "RabbitMQ", "Redis"],
           "services": ["API", "Tweet", "Timeline"]}  # fmt: skip


def test_fix_edits_the_file_in_place_and_says_what_changed(tmp_path):
    path = tmp_path / "design.json"
    path.write_text(json.dumps(PARTIAL))
    shown = run_cli("check", str(path), "--diff")
    assert shown.stdout.startswith("--- a/") and '+{"request": "Twitter clone", "components": [' in shown.stdout
    assert shown.returncode == 1  # the diff shows a change, as `ruff --diff` exits
    assert json.loads(path.read_text()) == PARTIAL  # --diff writes nothing
    fixed = run_cli("check", str(path), "--fix")
    assert fixed.returncode == 0, fixed.stderr
    assert "Fixed (" in fixed.stdout and "SD010 add_service" in fixed.stdout and '"request"' not in fixed.stdout
    written = json.loads(path.read_text())
    assert "findings" not in written and len(written["services"]) > 3 and written["request"] == "Twitter clone"
    assert not list(tmp_path.glob(".*tmp*"))  # the atomic write leaves no temporary file behind
    again = run_cli("check", str(path), "--fix", "--json")
    assert json.loads(again.stdout)["files"][0]["errors"] == 0


def test_fix_on_stdin_prints_the_repaired_document_and_flags_conflict(tmp_path):
    result = run_cli("check", "-", "--fix", input=json.dumps(PARTIAL))
    repaired = json.loads(result.stdout)
    assert repaired["request"] == "Twitter clone" and "findings" not in repaired
    both = run_cli("check", "-", "--fix", "--diff", input=json.dumps(PARTIAL))
    assert both.returncode == 2 and "choose one" in both.stderr


# partial documents in the styles people write: brand names, role names, abbreviations
STYLES = [
    {
        "request": "Twitter clone",
        "components": ["Postgres", "RabbitMQ", "Redis"],
        "services": ["API", "Tweet", "Timeline"],
    },
    {
        "request": "an Uber-like ride app",
        "components": ["MySQL", "Memory Cache", "Queue"],
        "services": ["Rider API", "Trip Service", "Dispatch", "Location Updates"],
    },
    {
        "request": "online shop",
        "components": ["SQL Write Master-Slave", "Object Store", "ELK"],
        "services": ["Catalog", "Cart", "Checkout", "Payments"],
    },
    {
        "request": "a chat app like WhatsApp",
        "components": ["Cassandra", "Kafka", "memcached"],
        "services": ["Gateway", "Messaging", "Presence"],
    },
    {
        "request": "YouTube clone",
        "components": ["Postgres", "Blob storage", "Akamai"],
        "services": ["Upload", "Encode", "Stream", "Search"],
    },
]
SINGLE = {"relational_database", "cache", "queue", "object_store", "search_index", "cdn", "load_balancer"}


@pytest.mark.parametrize("document", STYLES, ids=[d["request"] for d in STYLES])
def test_repair_adds_no_second_part_for_a_role_already_filled(document):
    advisor = Advisor()
    repaired = advisor.repair(json.dumps(document))
    knowledge = advisor.engine.knowledge
    before = {role for name in document["components"] for role in roles_of_name(name, knowledge)}
    added = [c.name for c in repaired.components if c.name not in document["components"]]
    for name in added:
        doubled = roles_of_name(name, knowledge) & before & SINGLE
        assert not doubled, f"{name} added although the document has a {doubled}"
    had = {service_key(name, knowledge) for name in document["services"]}
    new = [s.name for s in repaired.services if s.name not in document["services"]]
    assert not [n for n in new if service_key(n, knowledge) in had], new  # no Tweet + Post Service
