"""Commands of the architecture engine: ask, check, schema, estimate."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from agent.errors import InvalidRequest
from agent.files import read_stdin
from agent.interfaces.cli.common import (
    FormatJsonOption,
    IndexOption,
    JsonOption,
    SchemaOption,
    ThreadsOption,
    advisor_for,
    output_format,
    print_json,
    read_input,
)

app = typer.Typer()


@app.command()
def ask(
    prompt: Annotated[str, typer.Argument(help="The app idea, in your own words ('-' reads it from stdin).")],
    drafter: Annotated[
        str | None, typer.Option(help="Who drafts: kb (offline, default), llama-cpp, openai, anthropic.")
    ] = None,
    model: Annotated[str | None, typer.Option(help="Hosted model name, e.g. 'gpt-4o-mini' or 'llama3.1'.")] = None,
    model_path: Annotated[Path | None, typer.Option(help="GGUF file for llama-cpp (default: SmolLM2).")] = None,
    base_url: Annotated[
        str | None, typer.Option(help="OpenAI-compatible server, e.g. http://127.0.0.1:11434/v1")
    ] = None,
    rounds: Annotated[int | None, typer.Option(min=0, max=10, help="Model repair rounds (default 2).")] = None,
    fallback: Annotated[
        str | None, typer.Option(help="Drafter to answer when the model fails: 'kb' (default) or 'none'.")
    ] = None,
    timeout: Annotated[
        float | None, typer.Option(min=0.1, max=3600, help="Seconds one model request may take (default 60).")
    ] = None,
    prompts_dir: Annotated[Path | None, typer.Option(help="Folder with your own prompts/*.j2.")] = None,
    schema: SchemaOption = None,
    threads: ThreadsOption = None,
    format: Annotated[
        Literal["text", "json", "markdown", "mermaid", "dot", "html", "plantuml", "drawio"] | None,
        typer.Option("--format", help="What to print (default: from -o's suffix, else text)."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to PATH (format from its suffix, or --format).")
    ] = None,
    as_json: FormatJsonOption = False,
    index: IndexOption = None,
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set", help="Answer an open question, KEY=VALUE (repeatable), e.g. --set users=50k --set team=3."
        ),
    ] = None,
    answers: Annotated[
        Path | None, typer.Option("--answers", help='A JSON object of answers, e.g. {"users": "50k", "team": "3"}.')
    ] = None,
) -> None:
    """Design a checked architecture for PROMPT.

    Examples:
      sysdesign ask "Build a Twitter clone"
      sysdesign ask "an app where drivers pick up passengers" --drafter llama-cpp
      sysdesign ask "an app for my gym" --set users=2k --set team=2
      sysdesign ask "Build a Twitter clone" --drafter openai --base-url http://127.0.0.1:11434/v1 --model llama3.1
    """
    from agent.files import check_not_input, check_writable
    from agent.pipeline import validate_prompt
    from agent.render.output import choose_format, show

    if prompt == "-":
        prompt = read_stdin("the request on standard input")
    prompt = validate_prompt(prompt)
    if output is not None:
        check_writable(output)  # before any work: a folder, a read-only file, a missing or read-only folder
        check_not_input(output, [answers] if answers is not None else [])
    fmt = choose_format(output_format(as_json, format), output)
    advisor = advisor_for(drafter=drafter, model=model, model_path=model_path, base_url=base_url, rounds=rounds,
                          fallback=fallback, timeout=timeout, prompts_dir=prompts_dir, index=index, schema=schema,
                          threads=threads)  # fmt: skip
    show(advisor.recommend(prompt, answers=read_answers(set_ or [], answers)), fmt, output)


def read_answers(pairs: list[str], file: Path | None) -> dict[str, str]:
    """Answers from --answers FILE (a JSON object) and --set KEY=VALUE (which win)."""
    from agent.files import load_json, read_text_file

    found: dict[str, str] = {}
    if file is not None:
        data = load_json(read_text_file(file, "answers file"), "the answers file")
        if not isinstance(data, dict) or not all(isinstance(v, str | int | float) for v in data.values()):
            raise InvalidRequest('the answers file must be a JSON object of key: value, e.g. {"users": "50k"}')
        found.update({str(k): str(v) for k, v in data.items()})
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise InvalidRequest(f"--set wants KEY=VALUE, e.g. --set users=50k, not {pair!r}")
        found[key.strip()] = value.strip()
    return found


@app.command()
def schema() -> None:
    """Print the JSON Schema of the architecture document."""
    from agent.schema import Architecture

    print_json(Architecture.model_json_schema())


@app.command()
def estimate(
    subject: Annotated[str, typer.Argument(help="An app idea, or a JSON architecture file ('-' for stdin).")],
    team: Annotated[int | None, typer.Option(min=1, max=1000, help="Engineers: turns hours into weeks.")] = None,
    without: Annotated[
        list[str] | None, typer.Option("--without", help="Leave a multiplier out, e.g. 'ml' (repeatable).")
    ] = None,
    dau: Annotated[str | None, typer.Option(help="Daily active users, e.g. 5M, 200k.")] = None,
    read_write: Annotated[str | None, typer.Option(help="Read:write mix, e.g. 99:1.")] = None,
    media_mb_per_day: Annotated[float | None, typer.Option(min=0, max=1e12, help="New media per day, in MB.")] = None,
    as_json: JsonOption = False,
    index: IndexOption = None,
) -> None:
    """Estimate effort (low/likely/high, per service, weeks for a team) and capacity for an app idea.

    Examples:
      sysdesign estimate "Uber for dog walkers with payments" --team 4
      sysdesign estimate "Build a Twitter clone" --dau 2M --read-write 99:1 --without ml
      sysdesign estimate architecture.json --json
    """
    from agent.pipeline import Sizing, validate_prompt
    from agent.render.text import render_sizing
    from agent.sizing.capacity import parse_count, parse_ratio

    advisor = advisor_for(index=index)
    knowledge = advisor.engine.knowledge
    known = set(knowledge.estimation.multipliers) | set(knowledge.traits)
    for name in without or []:
        if name not in known:
            raise InvalidRequest(f"unknown factor {name!r} for --without; known: {', '.join(sorted(known))}")
    try:
        sizing = Sizing(
            team=team, without=tuple(without or ()), dau=parse_count(dau) if dau else None,
            write_share=parse_ratio(read_write) if read_write else None, media_mb_per_day=media_mb_per_day,
        )  # fmt: skip
    except ValueError as exc:
        raise InvalidRequest(str(exc)) from None
    if subject == "-" or subject.endswith(".json"):
        document = read_input(subject)
        plan = advisor.estimate(document, sizing)
        if as_json:
            print_json(plan.model_dump(mode="json"))
        else:
            typer.echo(render_sizing(plan, [], []))
        return
    validate_prompt(subject)
    architecture = advisor.recommend(subject, sizing=sizing)
    if as_json:
        print_json(
            architecture.model_dump(mode="json", include={"estimate", "capacity", "assumptions"}, exclude_none=True)
        )
    else:
        typer.echo(render_sizing(architecture.estimate, architecture.capacity, architecture.assumptions))
