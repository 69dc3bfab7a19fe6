"""`sysdesign grade`: the grader on one completion or a JSONL file of them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from agent.errors import InvalidRequest
from agent.interfaces.cli.common import IndexOption, advisor_for, print_json, progress_printer, read_input

app = typer.Typer()


def _pairs(path: Path) -> tuple[list[tuple[int, str, Any]], list[dict[str, Any]]]:
    """(line, request, completion) of each usable line, and the lines that are not (each graded 0)."""
    from agent.datasets.batch import request_and_completion
    from agent.files import load_json, read_text_file

    if not path.is_file():
        raise InvalidRequest(f"no input file at {str(path)!r}")
    pairs, bad = [], []
    for number, line in enumerate(read_text_file(path, "input file").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            request, completion = request_and_completion(load_json(line, "the line"))
            if request is None:
                raise InvalidRequest("the line has no 'prompt' or 'request'")
        except InvalidRequest as exc:
            bad.append({"line": number, "score": 0.0, "problem": str(exc)})
            continue
        pairs.append((number, request, completion))
    if not pairs and not bad:
        raise InvalidRequest(f"{str(path)!r} holds no lines")
    return pairs, bad


def _summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    from agent.evaluation.report import bootstrap_interval

    scores = [row["score"] for row in rows]
    return {"graded": len(rows), "unreadable": sum(1 for r in rows if r.get("problem")),
            "mean": round(sum(scores) / len(scores), 4), "ci95": bootstrap_interval(scores)}  # fmt: skip


@app.command()
def grade(
    request: Annotated[str | None, typer.Argument(help="The request the completion answers.")] = None,
    completion: Annotated[str | None, typer.Argument(help="A file with the model's answer, or '-' for stdin.")] = None,
    input_file: Annotated[
        Path | None, typer.Option("--input", help="JSONL: 'prompt' (or 'request') and 'completion' each line.")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="With --input: write the grades (JSONL).")
    ] = None,
    workers: Annotated[int, typer.Option(min=1, max=4096, help="With --input: grading processes (Ray actors).")] = 1,
    ray: Annotated[bool, typer.Option("--ray", help="With --input: grade on a Ray cluster ([ml] extra).")] = False,
    ray_address: Annotated[
        str | None, typer.Option(help="The Ray cluster (default: the running one, else a local one).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
    index: IndexOption = None,
) -> None:
    """Grade a model's design (JSON, fenced or cut-off JSON, or Markdown) against what the request asks: a score
    from 0 to 1 with its parts and their reasons. See docs/grading.md for the weights.

    Examples:
      sysdesign grade "Design a URL shortener" answer.md
      model-output | sysdesign grade "stop any one customer from flooding our API" - --json
      sysdesign grade --input completions.jsonl -o grades.jsonl --workers 4
      sysdesign grade --input completions.jsonl -o grades.jsonl --ray --ray-address auto --workers 32
    """
    from agent.evaluation.grader import Grader

    if (input_file is None) == (request is None):
        raise InvalidRequest("give REQUEST and COMPLETION, or --input FILE (one JSON object a line)")
    if (ray or ray_address or output or workers > 1) and input_file is None:
        raise InvalidRequest("--ray, --ray-address, --workers and -o go with --input FILE")
    if input_file is None:
        if completion is None:
            raise InvalidRequest("give the COMPLETION too: a file with the model's answer, or '-' for stdin")
        result = Grader(advisor_for(index=index).engine).grade(request or "", read_input(completion))
        if as_json:
            print_json(result.model_dump(mode="json"))
            return
        typer.echo(result.explanation)
        return
    _grade_file(input_file, output, workers, as_json, index, ray_address if ray or ray_address else None, ray)


def _grade_file(path: Path, output: Path | None, workers: int, as_json: bool, index: Path | None,
                ray_address: str | None, on_ray: bool) -> None:  # fmt: skip
    import json

    from agent.evaluation.grader import Grader
    from agent.evaluation.grading_pool import GradingPool
    from agent.files import check_writable, write_atomic

    if output is not None:
        if output.resolve() == path.resolve():
            raise InvalidRequest(f"-o {str(output)!r} is the input file; choose another output")
        check_writable(output)
    pairs, bad = _pairs(path)
    requests, completions = [r for _, r, _ in pairs], [c for _, _, c in pairs]
    if on_ray:
        from agent.evaluation.ray_grading import grade_on_ray

        grades = grade_on_ray(requests, completions, address=ray_address, workers=workers)
    else:
        pool = GradingPool(Grader(advisor_for(index=index).engine), workers)
        try:
            grades = pool.grade(requests, completions)
        finally:
            pool.close()
    progress_printer("grade")(len(pairs), len(pairs))
    rows = sorted([{"line": n, **g.model_dump(mode="json")} for (n, _, _), g in zip(pairs, grades, strict=True)]
                  + bad, key=lambda r: r["line"])  # fmt: skip
    summary = _summary(rows)
    if output is not None:
        write_atomic(output, "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
    if as_json:
        print_json({"summary": summary, **({} if output else {"results": rows})})
        return
    low, high = summary["ci95"]
    typer.echo(f"graded {summary['graded']} lines: mean {summary['mean']:.3f} (95% CI {low:.3f}-{high:.3f}), "
               f"{summary['unreadable']} unreadable (scored 0)" + (f"; wrote {output}" if output else ""))  # fmt: skip
