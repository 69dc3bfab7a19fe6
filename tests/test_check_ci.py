"""`sysdesign check` adopted in CI as ruff and Checkov are: many files, every -o written, GitHub annotations,
SARIF with links and lines, --select/--ignore, --diff's exit code, --fix as a minimal edit, a pre-commit hook
and a GitHub Action."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
import yaml

from agent.json_spans import spans
from tests.conftest import PROJECT_ROOT, run_cli

SARIF_SCHEMA = PROJECT_ROOT / ".cache" / "sarif-schema-2.1.0.json"
CLEAN = {"request": "a todo app", "components": ["Postgres", "Sentry", "TLS", "JWT"], "services": ["Web App"]}
TWITTER = {
    "request": "Twitter clone",
    "components": ["Postgres", "RabbitMQ", "Redis"],
    "services": ["API", "Tweet", "Timeline"],
}
SHOP_LAID_OUT = """{
    "request": "online store with card payments",
    "owner": null,
    "components": [
        "Redis",
        {"name": "MySQL", "category": "database"},
        "Stripe"
    ],
    "services": ["Cart Service", "Payment Service"],
    "x-team": {"budget": 1e400, "ratio": 2.50}
}
"""


def write(folder: Path, name: str, document: dict | str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


def error_lines(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith(("error:", "sysdesign: "))]


# ---- 1. many files and globs, one JSON shape ------------------------------------------------------------------


def test_many_files_and_a_glob_are_checked_with_one_json_shape(tmp_path):
    clean, twitter = write(tmp_path, "clean.json", CLEAN), write(tmp_path, "docs/twitter.json", TWITTER)
    many = run_cli("check", str(clean), str(tmp_path / "docs" / "*.json"), "--json")  # the glob expanded by us
    assert many.returncode == 1, many.stderr
    result = json.loads(many.stdout)
    assert [f["source"] for f in result["files"]] == [str(clean), str(twitter)]
    summary = result["summary"]
    assert summary["errors"] == result["files"][1]["errors"] > 0
    assert (summary["files"], summary["checked"], summary["failed"], summary["passed"]) == (2, 2, 1, 1)
    assert summary["unreadable"] == []
    # every finding once more in one flat list, with its file, as linters list them
    flat = [(f["file"], f["rule_id"]) for f in result["findings"]]
    assert flat == [(r["source"], f["rule_id"]) for r in result["files"] for f in r["findings"]] and flat
    one = json.loads(run_cli("check", str(clean), "--json").stdout)
    assert list(one) == ["findings", "files", "summary"] and one["files"][0]["passed"] is True  # one shape for one
    assert one["files"][0].keys() == result["files"][0].keys()
    twice = json.loads(run_cli("check", str(clean), str(clean), "--json").stdout)
    assert len(twice["files"]) == 1  # a file named twice is checked once


def test_unreadable_files_among_many_are_each_one_sentence_and_the_rest_are_checked(tmp_path):
    clean = write(tmp_path, "clean.json", CLEAN)
    broken = write(tmp_path, "broken.json", "{broken")
    result = run_cli("check", str(clean), str(broken), str(tmp_path / "missing.json"), "--json")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    problems = error_lines(result)
    assert len(problems) == 2 and "broken.json" in problems[0] and "missing.json" in problems[1], result.stderr
    summary = json.loads(result.stdout)["summary"]
    assert summary["checked"] == 1 and [u["file"] for u in summary["unreadable"]] == [
        str(broken),
        f"{tmp_path}/missing.json",
    ]


def test_help_says_what_the_exit_codes_mean():
    shown = " ".join(run_cli("check", "--help").stdout.split())  # as wrapped for any terminal width
    assert "Exit codes: 0 nothing reaches --fail-on; 1 something does" in shown and "2 usage or input error" in shown


def test_no_file_at_all_is_a_usage_error():
    result = run_cli("check")
    assert result.returncode == 2 and "name an architecture document" in result.stderr


# ---- 2. every -o is written ---------------------------------------------------------------------------------------


def test_every_output_is_written_and_dash_is_stdout(tmp_path):
    twitter = write(tmp_path, "twitter.json", TWITTER)
    sarif, junit, text = tmp_path / "a.sarif", tmp_path / "b.xml", tmp_path / "c.txt"
    result = run_cli("check", str(twitter), "-o", f"sarif={sarif}", "-o", f"junit={junit}", "-o", str(text))
    assert result.returncode == 1 and result.stdout == "", result.stderr
    assert json.loads(sarif.read_text())["version"] == "2.1.0"
    assert ET.parse(junit).getroot().get("failures") != "0" and text.read_text().startswith("Check failed")
    to_stdout = run_cli("check", str(twitter), "-o", "sarif=-", "-o", f"junit={junit}")
    assert json.loads(to_stdout.stdout)["runs"][0]["results"]
    plain = run_cli("check", str(twitter), "-o", "-", "-o", f"sarif={sarif}")
    assert plain.stdout.startswith("Check failed")


@pytest.mark.parametrize(
    ("outputs", "message"),
    [
        (["sarif={0}/same", "junit={0}/same"], "named by two outputs"),
        (["-", "sarif=-"], "two reports were sent to stdout"),
        (["report.yaml"], "cannot tell the format"),
    ],
    ids=["same-file", "two-stdouts", "unknown-suffix"],
)
def test_outputs_that_would_lose_a_report_are_usage_errors(tmp_path, outputs, message):
    twitter = write(tmp_path, "twitter.json", TWITTER)
    args = [arg for output in outputs for arg in ("-o", output.format(tmp_path))]
    result = run_cli("check", str(twitter), *args)
    assert result.returncode == 2 and message in result.stderr and not (tmp_path / "same").exists()


# ---- 3. GitHub workflow commands ------------------------------------------------------------------------------------

PACK = """
pack: team
rules:
  - id: TEAM001
    title: No MySQL
    severity: warning
    pillar: operations
    message: "100% of MySQL\\n::error::is not approved"
    remediation: Use Postgres
    help: database-selection/when-to-use-postgres
    forbid: [MySQL]
"""


def test_github_format_annotates_the_line_and_escapes_what_would_break_the_command(tmp_path):
    write(tmp_path, "rules/team.yaml", PACK)
    document = write(tmp_path, "a,b:c.json", SHOP_LAID_OUT)
    result = run_cli("check", str(document), "--format", "github", "--rules-dir", str(tmp_path / "rules"))
    assert result.returncode == 1, result.stderr
    commands = result.stdout.splitlines()
    assert commands and all(
        re.match(r"::(error|warning|notice) file=[^ ]+,line=\d+,title=[A-Z0-9]+::", c) for c in commands
    )
    team = next(c for c in commands if "title=TEAM001" in c)
    file = str(document).replace(":", "%3A").replace(",", "%2C")
    line = SHOP_LAID_OUT.splitlines().index('        {"name": "MySQL", "category": "database"},') + 1
    assert team.startswith(f"::warning file={file},line={line},title=TEAM001::100%25 of MySQL%0A::error::is not")


# ---- 4. SARIF: links, the tool's home, a line for every result ------------------------------------------------------


def test_sarif_links_every_rule_and_places_every_result_on_a_line(tmp_path):
    document = write(tmp_path, "shop.json", SHOP_LAID_OUT)
    sarif_path = tmp_path / "out.sarif"
    env = {"SYSDESIGN_DOCS_URL": "https://example.com/docs/rules.md"}
    result = run_cli("check", str(document), "-o", str(sarif_path), env=env)
    assert result.returncode == 1, result.stderr
    sarif = json.loads(sarif_path.read_text())
    jsonschema.validate(sarif, json.loads(SARIF_SCHEMA.read_text()))
    driver = sarif["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == "https://example.com/docs/rules.md"
    assert all(rule["helpUri"] == f"https://example.com/docs/rules.md#{rule['id'].lower()}" for rule in driver["rules"])
    results = sarif["runs"][0]["results"]
    lines = [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in results]
    assert results and all(1 <= line <= len(SHOP_LAID_OUT.splitlines()) for line in lines)
    mysql = [r for r in results if r["locations"][0].get("logicalLocations", [{}])[0].get("name") == "MySQL"]
    assert mysql and all(r["locations"][0]["physicalLocation"]["region"]["startLine"] == 6 for r in mysql)


def test_sarif_links_to_the_packaged_rules_doc_by_default_and_a_bad_docs_url_is_refused(tmp_path):
    document = write(tmp_path, "clean.json", CLEAN)
    sarif = json.loads(run_cli("check", str(document), "--format", "sarif").stdout)
    help_uri = sarif["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"]
    path, _, anchor = help_uri.removeprefix("file://").partition("#")
    assert f"## {anchor.upper()}" in Path(path).read_text().splitlines()  # the anchor is the rule's section
    bad = run_cli("check", str(document), "--format", "sarif", env={"SYSDESIGN_DOCS_URL": "docs/rules.md"})
    assert bad.returncode == 2 and "docs_url must be an absolute URL" in bad.stderr


# ---- 5. --select and --ignore ---------------------------------------------------------------------------------------


def _fired(result: subprocess.CompletedProcess) -> set[str]:
    return {f["rule_id"] for f in json.loads(result.stdout)["files"][0]["findings"]}


def test_select_and_ignore_take_ids_and_prefixes_like_ruff(tmp_path):
    twitter = write(tmp_path, "twitter.json", TWITTER)
    everything = _fired(run_cli("check", str(twitter), "--json"))
    assert {"SD001", "SD010"} <= everything
    selected = _fired(run_cli("check", str(twitter), "--json", "--select", "sd00,SD010", "--ignore", "SD002"))
    assert selected == {r for r in everything if r.startswith("SD00") and r != "SD002"} | {"SD010"}
    repeated = _fired(run_cli("check", str(twitter), "--json", "--select", "SD001", "--select", "SD010"))
    assert repeated == {"SD001", "SD010"}
    ignored = _fired(run_cli("check", str(twitter), "--json", "--ignore", "SD00", "--ignore", "SD01"))
    assert ignored and not any(rule.startswith(("SD00", "SD01")) for rule in ignored)
    nothing = run_cli("check", str(twitter), "--ignore", "SD")
    assert nothing.returncode == 2 and "leave no rule to check" in nothing.stderr


def test_an_unknown_rule_id_is_a_usage_error_naming_close_ones(tmp_path):
    twitter = write(tmp_path, "twitter.json", TWITTER)
    result = run_cli("check", str(twitter), "--ignore", "SD0100")
    assert result.returncode == 2 and "'SD0100'" in result.stderr and "SD010" in result.stderr


# ---- 6. --diff exits 1 when it shows a change -----------------------------------------------------------------------


def test_diff_exits_one_when_it_shows_a_change_and_zero_when_there_is_none(tmp_path):
    twitter = write(tmp_path, "twitter.json", TWITTER)
    shown = run_cli("check", str(twitter), "--diff", "--fail-on", "never")
    assert shown.returncode == 1 and shown.stdout.startswith("--- a/")
    assert run_cli("check", str(twitter), "--fix").returncode == 0
    settled = run_cli("check", str(twitter), "--diff")
    assert settled.returncode == 0 and settled.stdout == ""


# ---- 7. --fix as a minimal edit -------------------------------------------------------------------------------------


def test_fix_keeps_a_one_line_document_on_one_line_and_reports_only_what_remains(tmp_path):
    twitter = write(tmp_path, "twitter.json", TWITTER)
    fixed = run_cli("check", str(twitter), "--fix")
    assert fixed.returncode == 0, fixed.stderr
    text = twitter.read_text()
    assert text.count("\n") == 0 and text.startswith('{"request": "Twitter clone", "components": [')
    report = fixed.stdout
    assert report.startswith("Check passed: 0 error(s)") and "ERROR" not in report  # not the original's errors
    changes = [line for line in report.splitlines() if re.match(r"  SD\d+ \w+: ", line)]
    assert changes and len(changes) == len(set(changes)) and f"Fixed ({len(changes)}):" in report
    assert "Changes:" not in report and "After repair" not in report  # each change listed once


def test_fix_edits_only_what_the_repair_changes_in_a_laid_out_document(tmp_path):
    shop = write(tmp_path, "shop.json", SHOP_LAID_OUT)
    assert run_cli("check", str(shop), "--fix").returncode in (0, 1)
    text = shop.read_text()
    before, after = SHOP_LAID_OUT.splitlines(), text.splitlines()
    kept = [
        '    "owner": null,',
        '        "Redis",',
        '        "Stripe",',
        '    "x-team": {"budget": 1e400, "ratio": 2.50},',
    ]
    assert all(line in after for line in kept)  # untouched lines stay as written (the last one gains its comma)
    assert after[:3] == before[:3] and after[-1] == "}" and text.endswith("}\n")
    data = json.loads(text)
    assert list(data)[:5] == ["request", "owner", "components", "services", "x-team"]  # key order kept
    added = [line for line in after if line not in before]
    assert added and all(re.match(r"( {4})+\S|\}", line) for line in added)  # four-space indentation, as written
    assert len(data["components"]) > 3 and "findings" not in data


def test_fix_written_back_reads_as_the_repair(tmp_path):
    """The invariant behind the minimal edit: the edited text parses to exactly the repaired document."""
    from agent.advisor import Advisor
    from agent.document import parse_document
    from agent.interfaces.cli.check_commands import repaired_text

    engine = Advisor().engine
    for text in [json.dumps(TWITTER), json.dumps(TWITTER, indent="\t"), SHOP_LAID_OUT]:
        report = engine.check(text, fix=True)
        written = repaired_text(engine, report, text)
        dump = {"mode": "json", "exclude_none": True, "exclude": {"findings", "changes"}}
        assert parse_document(written, engine.knowledge).model_dump(**dump) == report.repaired.model_dump(**dump)
        assert repaired_text(engine, engine.check(written, fix=True), written) == written  # fixing twice: no edit


@pytest.mark.parametrize(
    "text",
    ['{"a": [1, -2.5e3, "x\\"y", {"b": NaN}], "c": -Infinity, "d": {}, "e": []}', json.dumps(TWITTER, indent=4)],
    ids=["one-line", "laid-out"],
)
def test_every_span_holds_exactly_its_value(text):
    def walk(node, value):
        assert json.loads(text[node.start : node.end]) == value or value != value  # NaN is not equal to itself
        for key, member in node.members.items():
            walk(member, value[key])
        if node.kind == "array":
            for item, child in zip(node.items, value, strict=True):
                walk(item, child)

    walk(spans(text), json.loads(text))


# ---- 8. the pre-commit hook -----------------------------------------------------------------------------------------


def _git(folder: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=folder,
        check=True,
        capture_output=True,
    )


def test_the_pre_commit_hook_checks_the_architecture_documents_it_is_given(tmp_path):
    pytest.importorskip("pre_commit")
    hooks = yaml.safe_load((PROJECT_ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "sysdesign-check")
    assert hook["entry"] == "sysdesign check" and hook["language"] == "python"
    # the hook as published installs this package with pip; here the tool is already installed in this venv,
    # so a copy of the hook runs it from there ("system"), with the published entry, files and types
    hook_repo = tmp_path / "hooks"
    write(hook_repo, ".pre-commit-hooks.yaml", yaml.safe_dump([{**hook, "language": "system"}]))
    _git(hook_repo, "init", "-q")
    _git(hook_repo, "add", ".")
    _git(hook_repo, "commit", "-q", "-m", "hooks")
    project = tmp_path / "project"
    write(project, "architecture/clean.json", CLEAN)
    write(project, "design-twitter.json", TWITTER)
    write(project, "package.json", "{not an architecture, and not JSON either")  # not matched: never passed
    write(project, "docs/architecture.md", "# prose\n")
    _git(project, "init", "-q")
    _git(project, "add", ".")
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "sysdesign-check", "--all-files"]
    failed = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=600)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "== architecture/clean.json" in failed.stdout and "== design-twitter.json" in failed.stdout
    assert "package.json" not in failed.stdout and "architecture.md" not in failed.stdout
    (project / "design-twitter.json").unlink()
    _git(project, "add", "-A")
    passed = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=600)
    assert passed.returncode == 0, passed.stdout + passed.stderr


# ---- 9. the GitHub Action -------------------------------------------------------------------------------------------

STEP_KEYS = {"id", "name", "if", "uses", "run", "shell", "with", "env", "working-directory", "continue-on-error"}


def test_the_action_is_a_well_formed_composite_action():
    action = yaml.safe_load((PROJECT_ROOT / "action.yml").read_text())
    assert {"name", "description", "runs"} <= action.keys()
    assert set(action) <= {"name", "author", "description", "inputs", "outputs", "runs", "branding"}
    assert all(
        isinstance(i.get("description"), str) and set(i) <= {"description", "required", "default"}
        for i in action["inputs"].values()
    )
    assert all({"description", "value"} <= set(o) for o in action["outputs"].values())  # composite outputs
    runs = action["runs"]
    assert runs["using"] == "composite" and runs["steps"]
    for step in runs["steps"]:
        assert set(step) <= STEP_KEYS and ("run" in step) != ("uses" in step), step
        assert "shell" in step or "run" not in step, step
    text = (PROJECT_ROOT / "action.yml").read_text()
    referenced = set(re.findall(r"inputs\.([A-Za-z0-9_-]+)", text))
    assert referenced and referenced <= set(action["inputs"]), referenced - set(action["inputs"])
    ids = {step.get("id") for step in runs["steps"]}
    assert set(re.findall(r"steps\.([A-Za-z0-9_-]+)\.outputs", text)) <= ids
    uploads = [s for s in runs["steps"] if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")]
    assert len(uploads) == 1 and "inputs.sarif == 'true'" in uploads[0]["if"]
    installs = [s for s in runs["steps"] if "pip install" in s.get("run", "")]
    assert installs and "ACTION_PATH" in installs[0]["run"]
    assert not any("${{" in step.get("run", "") for step in runs["steps"])  # inputs reach scripts as env, never text


def test_the_action_check_step_runs_sysdesign_with_its_inputs(tmp_path):
    """The check step's script, run by bash as the runner runs it, with the inputs' defaults and a SARIF upload."""
    action = yaml.safe_load((PROJECT_ROOT / "action.yml").read_text())
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "check")
    shutil.copytree(PROJECT_ROOT / "examples" / "team-repo", tmp_path / "repo")
    outputs = tmp_path / "github_output"
    defaults = {name: spec.get("default", "") for name, spec in action["inputs"].items()}
    inputs = {
        **defaults,
        "rules-dir": "rules/",
        "sarif": "true",
        "args": "--ignore SD036 --waivers sysdesign-waivers.yaml",
    }
    env = {
        **os.environ,
        "GITHUB_OUTPUT": str(outputs),
        "SERVER_URL": "https://github.com",
        "ACTION_REPOSITORY": "acme/sysdesign-agent",
        "ACTION_REF": "v1",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    for name, value in step["env"].items():
        match = re.fullmatch(r"\$\{\{ inputs\.([a-z-]+) \}\}", value)
        if match:
            env[name] = inputs[match.group(1)]
    result = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=tmp_path / "repo",
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 1, result.stderr  # the team repo's example has errors
    assert "::error file=architecture/checkout.json," in result.stdout
    assert "exit-code=1" in outputs.read_text() and "sarif-file=sysdesign.sarif" in outputs.read_text()
    sarif = json.loads((tmp_path / "repo" / "sysdesign.sarif").read_text())
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert rules[0]["helpUri"].startswith("https://github.com/acme/sysdesign-agent/blob/v1/docs/rules.md#")
    assert "SD036" not in {rule["id"] for rule in rules}


def test_the_json_report_spells_a_lone_surrogate_as_its_escape():
    """A document's "\\ud800" can reach a finding; the JSON report must still be UTF-8 (the fuzz campaign's one
    traceback: `check --fix --json` could not write it)."""
    import agent
    from agent.render.check_formats import CHECK_FORMATS, CheckRun

    report = agent.check({"request": "a url shortener", "services": [{"name": "Web", "responsibility": "x"}]})
    report.findings[0].message += " \ud800"
    text = CHECK_FORMATS["json"].render(CheckRun(reports=[report], rules=[]))
    text.encode("utf-8")  # strict: no lone surrogate left
    assert json.loads(text)["findings"][0]["message"].endswith("\ud800")
