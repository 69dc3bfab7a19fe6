"""The eval cases outside this tool: a Hugging Face dataset folder (`export`), an lm-evaluation-harness task
(`lm_eval/`) and an inspect-ai task (`inspect_task`), each scored by `agent.evaluation.grader.grade`.

pyarrow, datasets, lm-eval and inspect-ai belong to the `[ml]` extra and are imported lazily, by the module that
needs them; `cases` holds what the three share and imports none of them.
"""
