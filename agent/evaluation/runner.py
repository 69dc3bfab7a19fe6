"""Running cases against drafters (in parallel, resumable) or scoring predictions made elsewhere."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from agent.advisor import Advisor
from agent.document import parse_document
from agent.errors import InvalidRequest, SysdesignError
from agent.evaluation.cases import EvalCase
from agent.evaluation.scoring import CaseResult, score_case
from agent.files import load_json, read_text_file

PROGRESS_FILE = "progress.jsonl"
Progress = Callable[[int, int], None]


def select(cases: Sequence[EvalCase], tags: Sequence[str] = (), limit: int | None = None) -> list[EvalCase]:
    """Cases carrying any of `tags` (all when none), at most `limit` of them, in file order."""
    chosen = [c for c in cases if not tags or set(tags) & set(c.tags)]
    return chosen[:limit] if limit is not None else chosen


def _load_progress(path: Path) -> list[CaseResult]:
    if not path.is_file():
        return []
    results = []
    for line in read_text_file(path, "progress file").splitlines():
        try:
            results.append(CaseResult.model_validate_json(line))
        except ValidationError:
            continue  # a line cut short by an interruption
    return results


def run_cases(
    advisor: Advisor,
    cases: Sequence[EvalCase],
    drafters: Sequence[str],
    workers: int = 1,
    progress: Progress | None = None,
    progress_dir: Path | None = None,
    resume: bool = False,
    options: dict[str, Any] | None = None,
) -> list[CaseResult]:
    """Every case through every drafter; with `progress_dir`, each result is appended as it is scored."""
    options = options or {}
    log_file = progress_dir / PROGRESS_FILE if progress_dir else None
    done = _load_progress(log_file) if (log_file and resume) else []
    if log_file and not resume and log_file.exists():
        log_file.unlink()
    finished = {(r.case_id, r.drafter) for r in done}
    todo = [(case, name) for name in drafters for case in cases if (case.id, name) not in finished]
    total, lock = len(done) + len(todo), threading.Lock()
    results = list(done)

    def one(item: tuple[EvalCase, str]) -> CaseResult:
        case, name = item
        started = time.perf_counter()
        try:
            architecture = advisor.recommend(case.prompt, name, **options)
            raw = architecture.audit.raw_errors if architecture.audit else None
            result = score_case(case, architecture, advisor.engine.knowledge, name, time.perf_counter() - started, raw)
        except SysdesignError as exc:
            result = score_case(case, None, advisor.engine.knowledge, name, time.perf_counter() - started,
                                error=str(exc))  # fmt: skip
        with lock:
            results.append(result)
            if log_file:
                log_file.parent.mkdir(parents=True, exist_ok=True)
                with log_file.open("a", encoding="utf-8") as handle:
                    handle.write(result.model_dump_json() + "\n")
            if progress:
                progress(len(results), total)
        return result

    if workers <= 1:
        for item in todo:
            one(item)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(one, todo))
    order = {(case.id, name): i for i, (case, name) in enumerate((c, n) for n in drafters for c in cases)}
    return sorted(results, key=lambda r: order.get((r.case_id, r.drafter), len(order)))


LABELS = ("pattern", "blocks", "tier", "estimate", "request", "findings", "coverage", "audit")
"""What a prediction says of itself: never believed (the design is read from its parts, the request is the case's)."""


def _prediction_lines(predictions: Path, by_id: dict[str, EvalCase]) -> tuple[dict[str, Any], list[str]]:
    """Each case's completion (a design document, or a model's text under `completion`/`output`), and what was
    wrong with lines that could not be used (said, never fatal: a malformed line is one prediction missing)."""
    found: dict[str, Any] = {}
    problems: list[str] = []
    for number, line in enumerate(read_text_file(predictions, "predictions file").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = load_json(line, "the line")
        except InvalidRequest as exc:
            problems.append(f"{predictions.name} line {number}: {exc}")
            continue
        if not isinstance(data, dict):
            problems.append(f"{predictions.name} line {number}: a prediction is a JSON object with the case's 'id', "
                            f"not {type(data).__name__}")  # fmt: skip
            continue
        case_id = data.get("id") or data.get("case_id")
        if not isinstance(case_id, str) or case_id not in by_id:
            problems.append(f"{predictions.name} line {number}: unknown case id {case_id!r}")
            continue
        text = next((data[k] for k in ("completion", "output", "response") if k in data), None)
        found[case_id] = text if text is not None else {k: v for k, v in data.items() if k not in ("id", "case_id")}
    return found, problems


def score_predictions(advisor: Advisor, cases: Sequence[EvalCase], predictions: Path,
                      name: str = "predictions") -> tuple[list[CaseResult], list[str]]:  # fmt: skip
    """Grade designs another system produced (one JSON object a line, the case id in `id`): every case gets a
    result, a missing or unreadable prediction scoring 0. Returns the results and the lines that were not used."""
    from agent.evaluation.completions import read_completion
    from agent.evaluation.grader import Grader

    if not predictions.is_file():
        raise InvalidRequest(f"no predictions file at {str(predictions)!r}")
    by_id = {case.id: case for case in cases}
    found, problems = _prediction_lines(predictions, by_id)
    if not found:
        raise InvalidRequest(f"{str(predictions)!r} holds no prediction for these cases" +
                             (f" ({problems[0]})" if problems else ""))  # fmt: skip
    grader, knowledge = Grader(advisor.engine), advisor.engine.knowledge
    grader.read_briefs([case.prompt for case in cases])
    results = []
    for case in cases:
        if case.id not in found:
            results.append(score_case(case, None, knowledge, name, 0.0, error="no prediction", grade=0.0))
            continue
        grade = grader.grade(case.prompt, found[case.id])
        read = read_completion(found[case.id])
        design = {k: v for k, v in read.document.items() if k not in LABELS} if read.document else None
        try:
            architecture = parse_document(design, knowledge) if design else None
        except InvalidRequest as exc:
            architecture, read.problem = None, str(exc)
        if architecture is None:
            results.append(score_case(case, None, knowledge, name, 0.0, error=grade.problem or read.problem,
                                      grade=grade.score, explanation=grade.explanation))  # fmt: skip
            continue
        report = advisor.engine.check(architecture)  # what the design is, read from its parts
        architecture.pattern, architecture.blocks = report.pattern, report.blocks
        result = score_case(case, architecture, knowledge, name, 0.0, report.errors, grade=grade.score,
                            explanation=grade.explanation)  # fmt: skip
        results.append(result.model_copy(update={"errors": report.errors}))
    return results, problems
