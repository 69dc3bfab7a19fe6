"""Rule packs, waivers, SARIF and JUnit: the checker in CI and in teams' hands."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from agent.errors import InvalidRequest
from agent.pipeline import Engine
from agent.render.ci import to_junit, to_sarif
from agent.rules.checker import all_rules, load_rules
from agent.rules.waivers import load_waivers
from tests.conftest import PROJECT_ROOT, run_cli

SARIF_SCHEMA = PROJECT_ROOT / ".cache" / "sarif-schema-2.1.0.json"
TEAM_REPO = PROJECT_ROOT / "examples" / "team-repo"
SHOP = {"request": "online store with card payments", "components": ["MySQL", "Redis", "Stripe"],
        "services": ["Cart Service", "Payment Service"]}  # fmt: skip
PACK = """
pack: team
rules:
  - id: TEAM001
    title: We standardise on Postgres
    severity: warning
    pillar: operations
    message: MySQL is not on our approved list
    remediation: Use Postgres
    help: database-selection/when-to-use-postgres
    forbid: [MySQL]
  - id: TEAM002
    title: Payments need an audit log
    severity: error
    pillar: security
    when: {traits: [payments]}
    message: payments without an audit log
    remediation: Add an audit log
    help: technology-inference-rules
    require: [Audit log]
    autofix: true
"""


@pytest.fixture(scope="module")
def engine(retriever):
    return Engine(retriever)


@pytest.fixture
def team_rules(tmp_path):
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "team.yaml").write_text(PACK)
    return load_rules([tmp_path / "rules"])


def fired(report) -> set[str]:
    return {f.rule_id for f in report.findings}


def test_a_custom_pack_adds_rules_that_fire_and_repair(engine, team_rules):
    report = engine.check(SHOP, rules=team_rules)
    assert {"TEAM001", "TEAM002"} <= fired(report)
    postgres_shop = {**SHOP, "components": ["Postgres", "Redis", "Stripe", "Audit log"]}
    assert not {"TEAM001", "TEAM002"} & fired(engine.check(postgres_shop, rules=team_rules))
    repaired = engine.check(SHOP, fix=True, rules=team_rules).repaired
    assert "Audit log" in {c.name for c in repaired.components}
    assert "TEAM002" not in {f.rule_id for f in repaired.findings}


def test_when_keeps_a_rule_to_where_it_applies(engine, team_rules):
    blog = {"request": "a personal blog", "components": ["Postgres"], "services": ["Web App"]}
    assert "TEAM002" not in fired(engine.check(blog, rules=team_rules))


@pytest.mark.parametrize(
    ("pack", "named"),
    [
        (PACK.replace("severity: warning", "severity: fatal"), "'TEAM001', field 'severity'"),
        (PACK.replace("pillar: security", "pillar: vibes"), "'TEAM002', field 'pillar'"),
        (PACK.replace("    forbid: [MySQL]\n", ""), "'TEAM001' has no check"),
        (PACK.replace("id: TEAM001", "id: SD001"), "already defined"),
        ("pack: x\nrules: [{id: T1}]", "'T1', field 'title'"),
        ("rules: [", "not valid YAML"),
    ],
)
def test_an_invalid_pack_is_rejected_with_file_rule_and_field(tmp_path, pack, named):
    (tmp_path / "bad.yaml").write_text(pack)
    with pytest.raises(InvalidRequest, match=named) as caught:
        load_rules([tmp_path])
    assert "bad.yaml" in str(caught.value)


def waivers_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "waivers.yaml"
    path.write_text(text)
    return path


def test_waivers_suppress_only_fired_rules_in_scope_until_they_expire(engine, tmp_path, team_rules):
    waivers, problems = load_waivers(waivers_file(tmp_path, """
- {rule: TEAM001, reason: legacy cluster, expires: 2030-01-01, scope: MySQL}
- {rule: TEAM002, reason: later, expires: 2020-01-01}
- {rule: SD999, reason: never fires, expires: 2030-01-01}
- {rule: SD036, reason: no expiry given}
"""))  # fmt: skip
    assert len(waivers) == 3 and "waiver 4" in problems[0] and "expires" in problems[0]
    report = engine.check(SHOP, rules=team_rules, waivers=waivers, today=dt.date(2026, 11, 25))
    assert [s.finding.rule_id for s in report.suppressed] == ["TEAM001"]
    assert "TEAM002" in fired(report)  # expired: active again
    assert any("TEAM002" in notice and "expired" in notice for notice in report.notices)
    assert report.suppressed[0].reason == "legacy cluster"


def test_a_scoped_waiver_does_not_cover_other_subjects(engine, team_rules):
    from agent.rules.waivers import Waiver

    waiver = Waiver(rule="TEAM001", reason="only for Oracle", expires=dt.date(2030, 1, 1), scope="Oracle")
    assert "TEAM001" in fired(engine.check(SHOP, rules=team_rules, waivers=[waiver]))


def test_malformed_waivers_file_waives_nothing(tmp_path):
    assert load_waivers(waivers_file(tmp_path, "rule: [broken"))[0] == []
    waivers, problems = load_waivers(waivers_file(tmp_path, "just text"))
    assert waivers == [] and "list" in problems[0]


def test_sarif_validates_against_the_official_schema(engine, team_rules):
    from agent.rules.waivers import Waiver

    waiver = Waiver(rule="TEAM001", reason="legacy", expires=dt.date(2030, 1, 1))
    reports = [engine.check(SHOP, rules=team_rules, waivers=[waiver])]
    reports[0].source = "architecture/shop.json"
    text = json.dumps(SHOP, indent=2)
    sarif = to_sarif(reports, team_rules, "0.1.0", {"architecture/shop.json": text}, "https://docs.example/rules.md")
    schema = json.loads(SARIF_SCHEMA.read_text())
    jsonschema.validate(sarif, schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    run = sarif["runs"][0]
    assert run["tool"]["driver"]["informationUri"] == "https://docs.example/rules.md"
    assert all(
        rule["helpUri"] == f"https://docs.example/rules.md#{rule['id'].lower()}"
        and rule["defaultConfiguration"]["level"]
        for rule in run["tool"]["driver"]["rules"]
    )
    mysql = next(r for r in run["results"] if r["ruleId"] == "TEAM001")  # on the line "MySQL" is on
    line = text.splitlines().index('    "MySQL",') + 1
    assert mysql["locations"][0]["physicalLocation"]["region"] == {"startLine": line}
    assert all(r["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1 for r in run["results"])
    assert all(result["level"] in {"error", "warning", "note"} for result in run["results"])
    suppressed = [r for r in run["results"] if r.get("suppressions")]
    assert [r["ruleId"] for r in suppressed] == ["TEAM001"]
    error_rules = {f.rule_id for f in reports[0].findings if f.severity == "error"}
    assert {r["ruleId"] for r in run["results"] if r["level"] == "error"} == error_rules


def test_junit_counts_failures_per_rule_and_document(engine, team_rules):
    good = engine.recommend("Build a WhatsApp clone").model_dump(mode="json")
    reports = [engine.check(SHOP, rules=team_rules), engine.check(good, rules=team_rules)]
    reports[0].source, reports[1].source = "shop.json", "chat.json"
    root = ET.fromstring(to_junit(reports, team_rules).split("?>", 1)[1])
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["shop.json", "chat.json"]
    expected = len({f.rule_id for f in reports[0].findings if f.severity == "error"})
    assert int(suites[0].get("failures")) == expected == len(suites[0].findall("testcase/failure"))
    assert suites[1].get("failures") == "0"
    assert int(root.get("tests")) == 2 * len(team_rules)
    warn = ET.fromstring(to_junit(reports, team_rules, fail_on="warning").split("?>", 1)[1])
    assert int(warn.get("failures")) > int(root.get("failures"))


def test_rules_list_and_show():
    listed = json.loads(run_cli("rules", "list", "--json").stdout)
    assert {r["id"] for r in listed} == {r.id for r in all_rules()}
    assert all(r["help"] for r in listed)
    assert all(r["requires"] for r in listed if r["source"] == "builtin")
    assert "Key Recognition" in run_cli("rules", "show", "SD020").stdout
    assert run_cli("rules", "show", "NOPE1").returncode == 2


def test_the_readme_worked_example(tmp_path):
    """The exact command of the README's CI example, in examples/team-repo."""
    sarif, junit = tmp_path / "results.sarif", tmp_path / "junit.xml"
    result = run_cli("check", str(TEAM_REPO / "architecture"), "--rules-dir", str(TEAM_REPO / "rules"),
                     "--waivers", str(TEAM_REPO / "sysdesign-waivers.yaml"),
                     "--output-format", f"sarif={sarif}", "--output-format", f"junit={junit}")  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "ACME002" in result.stdout and "Waived:" in result.stdout and "expired" in result.stderr
    assert json.loads(sarif.read_text())["version"] == "2.1.0"
    assert ET.parse(junit).getroot().get("failures") == "2"
    never = run_cli("check", str(TEAM_REPO / "architecture"), "--rules-dir", str(TEAM_REPO / "rules"),
                    "--fail-on", "never")  # fmt: skip
    assert never.returncode == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "xml"], "is not one of"),
        (["-o", "out.pdf"], "cannot tell the format"),
        (["--output-format", "pdf=out.pdf"], "FORMAT=PATH"),
        (["--fail-on", "sometimes"], "--fail-on"),
        (["--rules-dir", "/no/such/dir"], "does not exist"),
        (["--waivers", "/no/such.yaml"], "no waivers file"),
    ],
)
def test_check_usage_errors(args, message):
    result = run_cli("check", str(TEAM_REPO / "architecture"), *args)
    assert result.returncode == 2 and message in result.stderr


def test_glob_and_unreadable_documents(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps({"components": ["Postgres", "Sentry", "TLS", "JWT"],
                                                 "services": ["Web App"], "request": "a todo app"}))  # fmt: skip
    (tmp_path / "b.json").write_text("{broken")
    result = run_cli("check", str(tmp_path / "*.json"))
    assert result.returncode == 2 and "b.json" in result.stderr and "a.json" not in result.stderr


def test_output_into_a_missing_folder_fails_before_checking(tmp_path):
    result = run_cli("check", str(TEAM_REPO / "architecture"), "-o", f"sarif={tmp_path / 'no' / 'out.sarif'}")
    assert result.returncode == 2 and "does not exist" in result.stderr and result.stdout == ""


def test_junit_stays_well_formed_when_a_message_carries_control_characters(engine, team_rules):
    report = engine.check(SHOP, rules=team_rules)
    report.source = "shop\x1b[31m.json"
    for finding in report.findings:
        finding.message = f"\x1b]52;c;ZXZpbA==\x07{finding.message}\x00"
    root = ET.fromstring(to_junit([report], team_rules).split("?>", 1)[1])  # ill-formed XML would raise here
    messages = [f.get("message") for f in root.iter("failure")]
    assert messages and not any("\x1b" in m or "\x00" in m for m in messages)
