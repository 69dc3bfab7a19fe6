"""Check results for CI systems: SARIF 2.1.0 (code scanning), JUnit XML (test reports) and GitHub Actions
workflow commands (annotations on the pull request)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any
from xml.etree import ElementTree as ET

from agent.render.regions import SourceLines
from agent.rules.checker import Rule
from agent.rules.docs import docs_url, rule_url
from agent.schema import CheckReport, Finding

_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
"""What XML 1.0 cannot hold in text or attributes (tab, line feed and carriage return it can)."""
SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2, "never": 3}
GITHUB_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}
DEFAULT_SOURCE = "architecture.json"


def _lines(report: CheckReport, texts: Mapping[str, str]) -> SourceLines:
    return SourceLines(texts.get(report.source or DEFAULT_SOURCE, ""))


def _location(source: str, finding: Finding, lines: SourceLines) -> dict[str, Any]:
    location: dict[str, Any] = {
        "physicalLocation": {"artifactLocation": {"uri": source}, "region": {"startLine": lines.of(finding.subject)}}
    }
    if finding.subject:
        location["logicalLocations"] = [{"name": finding.subject}]
    return location


def to_sarif(
    reports: Sequence[CheckReport],
    rules: Sequence[Rule],
    version: str,
    texts: Mapping[str, str] | None = None,
    docs: str | None = None,
) -> dict[str, Any]:
    """One SARIF run: every rule in `tool.driver.rules` (with a link to its docs) and every finding (waived ones
    with a suppression), each at the line of the part it names in `texts` (each document's text by its source).

    Args:
        docs: the rules' documentation URL (the `docs_url` setting); default the packaged docs/rules.md.
    """
    base = docs_url(docs)
    index = {rule.id: n for n, rule in enumerate(rules)}
    driver_rules = [
        {
            "id": rule.id,
            "name": "".join(word.capitalize() for word in rule.title.split()),
            "shortDescription": {"text": rule.title},
            "fullDescription": {"text": rule.spec.message},
            "help": {"text": f"{rule.fix} (knowledge base: {rule.citation})"},
            "helpUri": rule_url(rule.id, base),
            "defaultConfiguration": {"level": SARIF_LEVEL[rule.severity]},
            "properties": {"tags": list(dict.fromkeys([rule.pillar, *rule.spec.tags])), "citation": rule.citation},
        }
        for rule in rules
    ]
    results = []
    for report in reports:
        source = report.source or DEFAULT_SOURCE
        lines = _lines(report, texts or {})
        entries = [(f, None) for f in report.findings] + [(s.finding, s) for s in report.suppressed]
        for finding, waiver in entries:
            result: dict[str, Any] = {
                "ruleId": finding.rule_id,
                "level": SARIF_LEVEL[finding.severity],  # also on the result: some consumers ignore the rule's
                "message": {"text": f"{finding.message}. Fix: {finding.fix}"},
                "locations": [_location(source, finding, lines)],
            }
            if finding.rule_id in index:
                result["ruleIndex"] = index[finding.rule_id]
            if waiver is not None:
                result["suppressions"] = [
                    {"kind": "external", "justification": f"{waiver.reason} (until {waiver.expires.isoformat()})"}
                ]
            results.append(result)
    artifacts = [{"location": {"uri": report.source or DEFAULT_SOURCE}} for report in reports]
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "sysdesign-agent",
                        "version": version,
                        "informationUri": base,
                        "rules": driver_rules,
                    }
                },
                "artifacts": artifacts,
                "results": results,
            }
        ],
    }


def to_junit(reports: Sequence[CheckReport], rules: Sequence[Rule], fail_on: str = "error") -> str:
    """One test suite per document, one test case per rule: failed when the rule fired at or above `fail_on`."""
    threshold = SEVERITY_RANK[fail_on]
    suites = ET.Element("testsuites", name="sysdesign check")
    total_tests = total_failures = 0
    for report in reports:
        source = report.source or DEFAULT_SOURCE
        suite = ET.SubElement(suites, "testsuite", name=source)
        failures = skipped = 0
        for rule in rules:
            case = ET.SubElement(suite, "testcase", classname=source, name=f"{rule.id} {rule.title}")
            fired = [f for f in report.findings if f.rule_id == rule.id]
            failing = [f for f in fired if SEVERITY_RANK[f.severity] >= threshold]
            waived = [s for s in report.suppressed if s.finding.rule_id == rule.id]
            if failing:
                failures += 1
                failure = ET.SubElement(case, "failure", type=failing[0].severity,
                                        message="; ".join(f.message for f in failing))  # fmt: skip
                failure.text = f"Fix: {rule.fix}\nKnowledge base: {rule.citation}"
            elif waived and not fired:
                skipped += 1
                ET.SubElement(case, "skipped", message=f"waived: {waived[0].reason}")
            if fired and not failing:
                ET.SubElement(case, "system-out").text = "\n".join(f"{f.severity}: {f.message}" for f in fired)
        suite.set("tests", str(len(rules)))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", str(skipped))
        total_tests += len(rules)
        total_failures += failures
    suites.set("tests", str(total_tests))
    suites.set("failures", str(total_failures))
    for element in suites.iter():  # a rule pack's message may carry ESC or NUL: XML 1.0 cannot hold them
        element.text = _XML_INVALID.sub(" ", element.text) if element.text else element.text
        for name, value in element.attrib.items():
            element.set(name, _XML_INVALID.sub(" ", value))
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def to_github(reports: Sequence[CheckReport], texts: Mapping[str, str] | None = None) -> str:
    """One GitHub Actions workflow command a finding (`::error file=...,line=...,title=SD001::message`), which the
    runner turns into an annotation at that line; waived findings are left out."""
    commands = []
    for report in reports:
        source = report.source or DEFAULT_SOURCE
        lines = _lines(report, texts or {})
        for finding in report.findings:
            properties = {"file": source, "line": str(lines.of(finding.subject)), "title": finding.rule_id}
            listed = ",".join(f"{name}={_github_property(value)}" for name, value in properties.items())
            message = f"{finding.message}. Fix: {finding.fix}" if finding.fix else finding.message
            commands.append(f"::{GITHUB_COMMAND[finding.severity]} {listed}::{_github_data(message)}")
    return "".join(command + "\n" for command in commands)


def _github_data(text: str) -> str:
    """A command's message escaped as the runner reads it back: a line break can never start a second command."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _github_property(text: str) -> str:
    """A property value escaped: also ':' and ',', which would end the value."""
    return _github_data(text).replace(":", "%3A").replace(",", "%2C")
