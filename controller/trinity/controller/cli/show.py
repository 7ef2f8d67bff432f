"""`trinityctl show`: look inside the runs of a bench, one line each or one in full."""

from __future__ import annotations

from typing import Annotated

import typer
from trinity.controller import render
from trinity.controller.cli.base import (
    DbOption,
    JsonOption,
    command,
    examples,
    open_store,
    out,
    resolve_bench_id,
)


@command(
    epilog=examples(
        "trinityctl show last                                  # every run, one line each",
        "trinityctl show last --failed                         # only runs that lost points",
        "trinityctl show last coding_basics/roman_numerals     # each run of a task in full",
        "trinityctl show last roman_numerals --model smollm2 --run 2 --prompt",
        "trinityctl show 20261125-101500-ab12 --failed --json",
    )
)
def show(
    bench_run_id: Annotated[
        str, typer.Argument(help="Bench id (see `trinityctl runs`) or last.", show_default=False)
    ],
    task: Annotated[
        str | None,
        typer.Argument(
            help="SUITE/TASK (or a task name): show its runs in full.", show_default=False
        ),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(
            "--model", "-m", help="Only this model (NODE/NAME or NAME).", show_default=False
        ),
    ] = None,
    repeat: Annotated[
        int | None,
        typer.Option("--run", "-r", min=1, help="Only this repeat (1..n).", show_default=False),
    ] = None,
    failed: Annotated[
        bool, typer.Option("--failed", help="Only runs that lost points or did not finish.")
    ] = False,
    prompt: Annotated[
        bool, typer.Option("--prompt", help="Print the prompt of each turn.")
    ] = False,
    reasoning: Annotated[
        bool, typer.Option("--reasoning", help="Print the reasoning, not only its length.")
    ] = False,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Look inside a bench's runs: why each one failed, and each one in full.

    Without TASK: one line per run (task, model, run, outcome, score, why it failed,
    tokens, time). With TASK: each of its runs (those --model and --run pick) in full:
    every turn's reply, the extracted code highlighted with the rule that found it, every
    check with its message (value checks: expected and got), the sandbox's output tails,
    tokens, TTFT and tok/s. Works on a bench still running (what has finished so far)."""
    from trinity.controller import runview, transcript

    store = open_store(db)
    bench = runview.load(store, resolve_bench_id(store, bench_run_id))
    views = runview.select(bench, task=task, model=model, repeat=repeat, failed=failed)
    whole = task is not None
    if json:
        typer.echo(render.dumps({"bench_run_id": bench.bench.id, "status": bench.bench.status,
                                 "runs": [runview.as_json(v, full=whole) for v in views]}))  # fmt: skip
        return
    if not views:
        what = "failed runs" if failed else "runs"
        out.print(f"no {what} match in bench {bench.bench.id} ({len(bench.runs)} runs stored, "
                  f"status {bench.bench.status})")  # fmt: skip
        return
    if not whole:
        out.print(transcript.summary(bench, views))
        return
    for v in views:
        out.print(transcript.full(bench, v, prompt=prompt, reasoning=reasoning))
        out.print()
