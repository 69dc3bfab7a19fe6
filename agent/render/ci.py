"""Check results for CI systems: SARIF 2.1.0 (code scanning) and JUnit XML (test reports)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from xml.etree import ElementTree as ET

from agent.rules.checker import Rule
from agent.schema import CheckReport, Finding

_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
"""What XML 1.0 cannot hold in text or attributes (tab, line feed and carriage return it can)."""
SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2, "never": 3}


def _location(source: str, finding: Finding) -> dict[str, Any]:
    location: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": source}}}
    if finding.subject:
        location["logicalLocations"] = [{"name": finding.subject}]
    return location


def to_sarif(reports: Sequence[CheckReport], rules: Sequence[Rule], version: str) -> dict[str, Any]:
    """One SARIF run: every rule in `tool.driver.rules` and every finding (waived ones with a suppression)."""
    index = {rule.id: n for n, rule in enumerate(rules)}
    driver_rules = [
        {
            "id": rule.id,
            "name": "".join(word.capitalize() for word in rule.title.split()),
            "shortDescription": {"text": rule.title},
            "fullDescription": {"text": rule.spec.message},
            "help": {"text": f"{rule.fix} (knowledge base: {rule.citation})"},
            "defaultConfiguration": {"level": SARIF_LEVEL[rule.severity]},
            "properties": {"tags": list(dict.fromkeys([rule.pillar, *rule.spec.tags])), "citation": rule.citation},
        }
        for rule in rules
    ]
    results = []
    for report in reports:
        source = report.source or "architecture.json"
        entries = [(f, None) for f in report.findings] + [(s.finding, s) for s in report.suppressed]
        for finding, waiver in entries:
            result: dict[str, Any] = {
                "ruleId": finding.rule_id,
                "level": SARIF_LEVEL[finding.severity],  # also on the result: some consumers ignore the rule's
                "message": {"text": f"{finding.message}. Fix: {finding.fix}"},
                "locations": [_location(source, finding)],
            }
            if finding.rule_id in index:
                result["ruleIndex"] = index[finding.rule_id]
            if waiver is not None:
                result["suppressions"] = [
                    {"kind": "external", "justification": f"{waiver.reason} (until {waiver.expires.isoformat()})"}
                ]
            results.append(result)
    artifacts = [{"location": {"uri": report.source or "architecture.json"}} for report in reports]
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "sysdesign-agent", "version": version, "rules": driver_rules}},
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
        source = report.source or "architecture.json"
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
