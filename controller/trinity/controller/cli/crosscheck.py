"""The crosscheck command: your models against the commercial tools (and any API), on the
same tasks, scored the same way, with speed, cost and solution shape beside the scores.
Also how `report` shows a stored crosscheck."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text
from trinity.controller import render
from trinity.controller.cli.base import (
    ConfigOption,
    DbOption,
    JsonOption,
    ThresholdOption,
    command,
    examples,
    fail_if,
    open_store,
    out,
    run,
    run_bar,
    split,
    write_or_echo,
)
from trinity.controller.config import load_config
from trinity.controller.errors import SelectionError

PeersOption = Annotated[
    str | None,
    typer.Option(
        "--models",
        "-m",
        help="Comma-separated peers and models: PEER, NAME or NODE/NAME (default: every peer, "
        "then every model).",
        show_default=False,
    ),
]


@command(
    epilog=examples(
        "trinityctl crosscheck                          # the crosscheck suite, every peer and model",
        "trinityctl crosscheck --models claude-code,codex,dgx1/qwen35-fp8 -n 3",
        "trinityctl crosscheck coding_algorithms --models claude-api,local/smollm2 --max-cost 5",
        "trinityctl crosscheck --resume 20261125-101500-ab12   # finish a killed crosscheck",
        "trinityctl report last --format html -o crosscheck.html",
    )
)
def crosscheck(
    suites: Annotated[
        list[str] | None,
        typer.Argument(
            help="Suites, categories, SUITE/TASK or all (default: crosscheck, 8 scenarios).",
            show_default=False,
        ),
    ] = None,
    models: PeersOption = None,
    n: Annotated[
        int, typer.Option("-n", "--repeats", min=1, help="Runs of each task per model.")
    ] = 1,
    max_cost: Annotated[
        float | None,
        typer.Option(
            "--max-cost",
            min=0,
            help="US dollars: no new run once the cost the peers reported (failed attempts "
            "included) reaches it; runs already under way finish.",
            show_default=False,
        ),
    ] = None,
    threshold: ThresholdOption = None,
    resume: Annotated[
        str | None,
        typer.Option(
            "--resume",
            help="Finish this crosscheck: redo nothing that finished.",
            show_default=False,
        ),
    ] = None,
    config: ConfigOption = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Ask peers (APIs, coding CLIs) and your models the same tasks; score, time and compare.

    Peers are `[[peers]]` in models.toml: the Anthropic API, any OpenAI-compatible API,
    or a coding CLI (claude-code, codex, gemini, aider, or your own command), which runs
    on this machine in a scratch folder with your own login. Every answer is scored in a
    node's sandbox (a peer's `score_on`, default the first node), n times, stored as it
    finishes, and voted on as in `bench`. Peers run at the same time, each within its own
    `concurrency`. Beside the score table: speed and cost per model and task (wall time
    to a scored answer, tokens, reported cost, tok/s), and AST consensus: who built a
    solution differently from the majority (a diagnostic, never part of a score). An
    auth, rate-limit, overload or timeout failure is never the model's 0: the run is
    retried, then left INCOMPLETE; a quota or billing failure stops that peer with one
    line. Exit code 1 when a run could not be made.
    """
    from trinity.controller import crosscheck as cc
    from trinity.controller.bench import plan_from_selection
    from trinity.controller.suites import select_tasks

    cfg = load_config(config)
    store = open_store(db)
    if resume:
        if suites or models or threshold is not None or max_cost is not None or n != 1:
            raise SelectionError(
                "--resume runs the crosscheck exactly as it began; give no selection"
            )
        bench = store.bench_run(resume)
        plan = replace(plan_from_selection(cfg, bench.selection, bench.config), kind=bench.kind)
    else:
        tasks = select_tasks(suites or list(cc.DEFAULT_SUITES))
        limit = cfg.defaults.pass_threshold if threshold is None else threshold
        plan = cc.plan(tasks, cc.select(cfg, split(models)), n, limit, max_cost)
    outcome = _run(cfg, store, plan, resume, json)
    check = _load(store, outcome.bench_run_id)
    if json:
        typer.echo(render.dumps({**_json(check), "db": str(store.path)}))
    else:
        _print(check)
        out.print(f"crosscheck {outcome.bench_run_id} in {store.path}: {outcome.ran} runs this time"
                  + (f", {outcome.skipped} from before" if outcome.skipped else ""))  # fmt: skip
    fail_if(outcome.failed > 0)


def _run(cfg: Any, store: Any, plan: Any, resume: str | None, json: bool) -> Any:
    """run_bench under a progress bar."""
    from trinity.controller.bench import run_bench

    with run_bar("crosscheck", "runs", nodes=None, json=json) as progress:
        return run(run_bench(cfg, store, plan, resume=resume, argv=sys.argv[1:],
                             progress=progress),
                   interrupted="every finished run is stored: `trinityctl crosscheck --resume "
                   "ID` finishes it (`trinityctl runs` lists them)")  # fmt: skip


def _load(store: Any, bench_run_id: str) -> Any:
    from trinity.controller import crosscheck as cc
    from trinity.controller.cli.results import _load_report

    return cc.summarise(_load_report(store, bench_run_id), store.runs(bench_run_id))


def _print(check: Any) -> None:
    from trinity.controller import crosscheck as cc
    from trinity.controller import report as rep

    out.print(rep.table(check.report))
    for line in rep.legend(check.report):
        out.print(Text(line, style="dim"), soft_wrap=True)
    out.print(cc.glance_table(check))
    out.print(cc.speed_table(check))
    out.print(cc.shapes_table(check))
    for line in cc.stopped_lines(check):
        out.print(Text(line, style="red"), soft_wrap=True)


def _json(check: Any) -> dict[str, Any]:
    from trinity.controller import crosscheck as cc
    from trinity.controller import report as rep

    return {**rep.as_json(check.report), **cc.as_json(check)}


def show(store: Any, bench_run_id: str, format: str, output: Path | None) -> None:
    """`trinityctl report` of a crosscheck: the bench's report and the two tables."""
    from trinity.controller import crosscheck as cc
    from trinity.controller import report as rep

    check = _load(store, bench_run_id)
    if format == "table":
        if output:
            raise SelectionError("--output needs --format md, json or html")
        _print(check)
        return
    if format == "md":
        text = rep.markdown(check.report) + "\n" + cc.markdown(check)
    elif format == "json":
        text = render.dumps(_json(check))
    else:
        text = rep.html_page(check.report).replace("</body>", cc.html_section(check) + "\n</body>")
    write_or_echo(text, output)
