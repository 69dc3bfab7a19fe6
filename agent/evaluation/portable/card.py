"""The prose of the dataset card: what the cases are, what each column holds, and how to score a model."""

from __future__ import annotations

from collections import Counter

from agent.evaluation.portable.cases import COLUMNS, TASK_NAME

COLUMN_NOTES = {
    "id": "the case's id, unique in the suite",
    "prompt": "the request as a person would type it",
    "instruction": "what a model is asked: the request inside an instruction to answer with one JSON design",
    "tags": "what kind of request it is (`brand`, `brandless`, `terse`, `misspelling`, `mvp`, `block`, ...)",
    "pattern": "the application pattern a good design follows (`other` outside the five); null when unstated",
    "blocks": "the building blocks the design must be composed of",
    "tier": "the complexity tier (`low`, `medium`, `high`, `enterprise`); null when unstated",
    "concepts": "words a reviewer looks for in the design's text (the mechanism: `base62`, `token bucket`)",
    "must_include": "technologies a good design uses (matched through the catalogue's aliases)",
    "must_not_include": "technologies a good design leaves out",
    "services_min": "the fewest services a design of this size should have; null when unstated",
    "services_max": "the most services a design of this size should have; null when unstated",
}


def card_prose(count: int, tags: Counter[str], digest: str) -> str:
    """The card's Markdown after the front matter."""
    from agent import __version__

    columns = "\n".join(f"| `{name}` | {COLUMN_NOTES[name]} |" for name in COLUMNS)
    tag_line = ", ".join(f"`{tag}` {n}" for tag, n in tags.most_common())
    return f"""# sysdesign-agent design cases

{count} requests for a software architecture, from "tinyurl clone" to long briefs, each labelled with what a
good design contains: the evaluation suite of sysdesign-agent (`evals/cases/`), exported by `sysdesign eval
export` from sysdesign-agent {__version__}. They cover the five application patterns by brand name and described
without one, terse and misspelled requests, MVPs for small teams, compliance, payments and global scale, apps
outside the five, mixed and adversarial requests, and building-block requests (`block`).

Tags: {tag_line}.

## Columns

One split, `{"test"}`, one row per case.

| column | what it holds |
|---|---|
{columns}

## Scoring

A model answers `instruction` (or `prompt` inside an instruction of your own), and the grader of sysdesign-agent
scores the text it emitted: JSON, JSON inside a Markdown fence with prose around it, truncated JSON, or a
Markdown design. The score is in [0, 1], with one paragraph of explanation and the parts it is made of:

```python
from datasets import load_dataset
from agent.evaluation.grader import grade  # pip install sysdesign-agent

cases = load_dataset("parquet", data_files={{"test": "data/test-*.parquet"}}, split="test")
g = grade(cases[0]["prompt"], completion)
print(g.score, g.explanation, [(p.name, p.score, p.weight) for p in g.parts])
```

The grader judges a design against sysdesign-agent's knowledge base, so a score belongs with the knowledge it
was graded by. This export was made with the knowledge whose sha256 (over the files of `kb/` and
`agent/knowledge/`, their paths and bytes) is:

    {digest}

The same cases run as an lm-evaluation-harness task and as an inspect-ai task, both scored by the grader:

```
lm_eval run --include_path "$(python -m agent.evaluation.portable.lm_eval)" --tasks {TASK_NAME} \\
    --model local-chat-completions --model_args base_url=http://127.0.0.1:8080/v1/chat/completions,model=m \\
    --apply_chat_template --limit 10
LOCAL_API_KEY=none inspect eval "$(python -m agent.evaluation.portable.inspect_task)" -T limit=10 \\
    --model openai-api/local/m --model-base-url http://127.0.0.1:8080/v1
```

## License

MIT, as sysdesign-agent.
"""
