"""Documents generated from the architecture document's own JSON Schema (`sysdesign schema`), and arbitrary
prompts, through the library: only the tool's own errors, and every report serialises as valid JSON."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.errors import SysdesignError
from agent.schema import Architecture

SCHEMA = Architecture.model_json_schema()
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


def from_schema(schema: dict, depth: int = 0) -> st.SearchStrategy:
    """Values that follow a JSON Schema fragment of ours most of the time, and arbitrary JSON sometimes."""
    if "$ref" in schema:
        schema = SCHEMA["$defs"][schema["$ref"].rsplit("/", 1)[-1]]
    if "anyOf" in schema:
        return st.one_of([from_schema(option, depth) for option in schema["anyOf"]])
    kind = schema.get("type")
    if "enum" in schema:
        shaped = st.sampled_from(schema["enum"])
    elif kind == "string":
        shaped = st.text(max_size=60)
    elif kind == "integer":
        shaped = st.integers(min_value=-(10**6), max_value=10**12)
    elif kind == "number":
        shaped = st.floats(allow_nan=False, allow_infinity=False)
    elif kind == "boolean":
        shaped = st.booleans()
    elif kind == "null":
        shaped = st.none()
    elif kind == "array" and depth < 4:
        shaped = st.lists(from_schema(schema.get("items", {}), depth + 1), max_size=6)
    elif kind == "object" and depth < 4 and "properties" in schema:
        properties = {name: from_schema(sub, depth + 1) for name, sub in schema["properties"].items()}
        shaped = st.fixed_dictionaries({}, optional=properties)
    else:
        shaped = JSON
    return st.one_of(shaped, shaped, shaped, JSON)  # mostly well-shaped, sometimes not


@pytest.fixture(scope="module")
def advisor():
    from agent.advisor import Advisor

    return Advisor()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                                                  HealthCheck.function_scoped_fixture])  # fmt: skip
@given(document=from_schema(SCHEMA), fix=st.booleans())
def test_documents_from_the_schema_are_checked_or_refused_cleanly(advisor, document, fix):
    try:
        report = advisor.check(document, fix=fix)
    except SysdesignError:
        return
    json.loads(report.model_dump_json())  # serialises, and what it serialises is JSON
    if fix:
        assert report.repaired is not None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])  # fmt: skip
@given(prompt=st.text(max_size=300))
def test_arbitrary_prompts_are_designed_or_refused_cleanly(advisor, prompt):
    try:
        design = advisor.recommend(prompt)
    except SysdesignError:
        return
    data = json.loads(design.model_dump_json())
    assert data["pattern"]["id"] and data["services"] is not None
    json.dumps(data, allow_nan=False)  # no NaN or Infinity anywhere
