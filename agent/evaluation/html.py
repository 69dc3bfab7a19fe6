"""The evaluation report as one self-contained HTML page (jinja2, autoescaped, charts as relative PNGs)."""

from __future__ import annotations

from typing import Any

from agent.evaluation.report import HEADLINE, _fmt
from agent.knowledge import load_knowledge

TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Evaluation report</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
table { border-collapse: collapse; margin: 1rem 0; } td, th { border: 1px solid #ccc; padding: 4px 8px; }
th { background: #f3f3f3; } .bad { color: #b00020; }
</style></head><body>
<h1>Evaluation report</h1>
<table><tr><th>drafter</th>{% for k in headline %}<th>{{ k }}</th>{% endfor %}</tr>
{% for name, data in report.drafters.items() %}<tr><td>{{ name }}</td>
{% for k in headline %}<td>{{ fmt(data.metrics[k]) }}</td>{% endfor %}</tr>{% endfor %}
</table>
{% for row in report.retrieval %}<p>Retrieval ({{ row.mode }}): recall@5 {{ fmt(row.recall_at_5) }},
MRR {{ fmt(row.mrr) }}</p>{% endfor %}
<img src="scores.png" alt="pattern accuracy and technology F1 per drafter">
{% for name, data in report.drafters.items() %}
<h2>{{ name }}</h2>
<img src="reliability-{{ name }}.png" alt="reliability chart for {{ name }}">
<h3>By tag</h3>
<table><tr><th>tag</th><th>cases</th><th>pattern acc.</th><th>tech F1</th><th>band</th><th>tier</th></tr>
{% for tag, m in data.by_tag.items() %}<tr><td>{{ tag }}</td><td>{{ m.cases }}</td>
<td>{{ fmt(m.pattern_accuracy) }}</td><td>{{ fmt(m.tech_f1) }}</td><td>{{ fmt(m.service_band_compliance) }}</td>
<td>{{ fmt(m.tier_accuracy) }}</td></tr>{% endfor %}</table>
<h3>Confusion (rows expected, columns predicted)</h3>
<table><tr><th></th>{% for p in patterns %}<th>{{ p }}</th>{% endfor %}</tr>
{% for expected, row in data.confusion.items() %}{% if row.values()|sum %}<tr><th>{{ expected }}</th>
{% for p in patterns %}<td{% if p != expected and row[p] %} class="bad"{% endif %}>{{ row[p] }}</td>{% endfor %}
</tr>{% endif %}{% endfor %}</table>
<h3>Worst cases</h3><ul>
{% for c in data.worst %}<li><b>{{ c.case_id }}</b> “{{ c.prompt }}”: pattern {{ c.pattern }} (expected
{{ c.expected_pattern }}), missed {{ c.missed }}, forbidden {{ c.forbidden_present }}, {{ c.services }} services
(expected {{ c.expected_services }}), tier {{ c.tier }} (expected {{ c.expected_tier }})</li>{% endfor %}</ul>
{% endfor %}
</body></html>
"""


def render_html(report: dict[str, Any]) -> str:
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    environment = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)
    return environment.from_string(TEMPLATE).render(
        report=report, headline=HEADLINE, fmt=_fmt, patterns=load_knowledge().all_pattern_ids
    )
