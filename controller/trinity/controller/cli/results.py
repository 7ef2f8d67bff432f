"""Bench and results commands: bench, report, runs, compare."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text
from trinity.controller import cluster, render
from trinity.controller.cli.base import (
    ConfigOption,
    DbOption,
    JsonOption,
    ModelsOption,
    NodesOption,
    ThresholdOption,
    command,
    examples,
    fail_if,
    open_store,
    out,
    resolve_bench_id,
    run,
    run_bar,
    split,
    write_or_echo,
)
from trinity.controller.config import load_config
from trinity.controller.errors import SelectionError

# ---------------------------------------------------------------- bench, report, compare


@command(
    epilog=examples(
        "trinityctl bench smoke                       # one tiny task on every model",
        "trinityctl bench hard -n 3                   # every hard_* suite, 3 runs each",
        "trinityctl bench coding_basics math --models local/smollm2",
        "trinityctl bench hard --thinking on,off      # thinking A/B: both, side by side",
        "trinityctl bench --resume 20261125-101500-ab12   # finish a killed bench",
    )
)
def bench(
    suites: Annotated[
        list[str] | None,
        typer.Argument(
            help="Suites (coding_basics), categories (factual, math, coding, hard, agent, "
            "crosscheck), SUITE/TASK, or all.",
            show_default=False,
        ),
    ] = None,
    n: Annotated[
        int, typer.Option("-n", "--repeats", min=1, help="Runs of each task per model.")
    ] = 1,
    nodes: NodesOption = None,
    models: ModelsOption = None,
    thinking: Annotated[
        str | None,
        typer.Option(
            "--thinking",
            help="on, off, or on,off for an A/B (default: each model's own setting).",
            show_default=False,
        ),
    ] = None,
    threshold: ThresholdOption = None,
    resume: Annotated[
        str | None,
        typer.Option(
            "--resume", help="Finish this bench: redo nothing that finished.", show_default=False
        ),
    ] = None,
    config: ConfigOption = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Ask every selected model every selected task, n times; score, store, and vote.

    First every task proves itself in each taking-part node's sandbox (its references
    score 100, mutants below 100, cheats 0); a task that does not is refused, and the
    table says why. Then runs go out to the models, as many at once as each model's
    `concurrency`; each one is written to the results database as it finishes, so a
    killed bench loses nothing (`--resume ID` finishes it). The table shows each model's
    mean ± std per task and the verdict: UNANIMOUS, MAJORITY, MINORITY, ALL_FAIL, or
    INCOMPLETE when runs are missing. Exit code 1 when a run could not be made.
    """
    from trinity.controller import report as rep
    from trinity.controller.bench import (
        Plan,
        parse_thinking,
        plan_from_selection,
        run_bench,
        stored_titles,
    )
    from trinity.controller.suites import select_tasks

    cfg = load_config(config)
    store = open_store(db)
    if resume:
        if suites or nodes or models or thinking or threshold is not None or n != 1:
            raise SelectionError("--resume runs the bench exactly as it began; give no selection")
        stored = store.bench_run(resume)
        plan = plan_from_selection(cfg, stored.selection, stored.config)
    else:
        if not suites:
            raise SelectionError(
                "name what to run: suites, categories or all", hint="trinityctl bench --help"
            )
        tasks = select_tasks(suites)
        selection = cluster.select(cfg, split(nodes), split(models))
        if not selection.models:
            raise SelectionError(f"no models configured in {cfg.source}")
        plan = Plan(
            tuple(tasks),
            selection.models,
            n,
            parse_thinking(thinking),
            cfg.defaults.pass_threshold if threshold is None else threshold,
        )
    taking_part = len({m.node for m in plan.models})
    with run_bar("bench", "runs", nodes=taking_part, json=json) as progress:
        outcome = run(run_bench(cfg, store, plan, resume=resume, argv=sys.argv[1:],
                                progress=progress),
                      interrupted="every finished run is stored: `trinityctl bench --resume ID` "
                      "finishes it (`trinityctl runs` lists benches)")  # fmt: skip
    bench_run = store.bench_run(outcome.bench_run_id)
    report = rep.summarise(bench_run, store.runs(outcome.bench_run_id), outcome.verdicts,
                           stored_titles(bench_run.selection), outcome.refused)  # fmt: skip
    if json:
        typer.echo(render.dumps({**rep.as_json(report), "db": str(store.path)}))
    else:
        out.print(rep.table(report))
        for line in rep.legend(report):
            out.print(Text(line, style="dim"), soft_wrap=True)
        out.print(f"bench {outcome.bench_run_id} in {store.path}: {outcome.ran} runs this time"
                  + (f", {outcome.skipped} from before" if outcome.skipped else ""))  # fmt: skip
    fail_if(outcome.failed > 0)


def _load_report(store: Any, bench_run_id: str) -> Any:
    from trinity.controller import report as rep
    from trinity.controller.bench import stored_titles
    from trinity.controller.consensus import consensus

    bench_run = store.bench_run(bench_run_id)
    if bench_run.kind in ("duo", "calibrate"):
        from trinity.controller.duo_report import as_bench_report

        return as_bench_report(bench_run, store.runs(bench_run_id))
    sel = bench_run.selection
    refused = sel.get("refused", {})
    tasks = [t for t in sel["tasks"] if t not in refused]
    titles = stored_titles(sel)
    verdicts = consensus(store.scores(bench_run_id), list(titles), int(sel["n"]),
                         float(sel["threshold"]), tasks=tasks)  # fmt: skip
    return rep.summarise(bench_run, store.runs(bench_run_id), verdicts, titles, refused)


@command(
    epilog=examples(
        "trinityctl report 20261125-101500-ab12",
        "trinityctl report 20261125-101500-ab12 --format html -o bench.html",
        "trinityctl report last --format md",
    )
)
def report(
    bench_run_id: Annotated[
        str,
        typer.Argument(help="Bench id (see `trinityctl runs`), last, or a profile-… id."),
    ],
    format: Annotated[
        str, typer.Option("--format", "-f", help="table, md, json or html.")
    ] = "table",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Show a bench (or a profile) as a table, markdown, JSON or an HTML page.

    A bench's HTML page has a task × model score heatmap, each task's most common
    failure and each model's tok/s; every score links to its runs, each of which expands
    to what `trinityctl show` prints (reply, code, checks), with filters for failed,
    flaky, model and category. One self-contained file; it works on a bench still
    running. Given a profile id: its table, JSON, or the HTML page with its charts."""
    from trinity.controller import report as rep

    formats = ("table", "md", "json", "html")
    if format not in formats:
        raise SelectionError(f"--format {format!r}: use one of {', '.join(formats)}")
    store = open_store(db, reading=True)
    if bench_run_id.startswith("profile-"):
        _profile_report(store, bench_run_id, format, output)
        return
    bench_id = resolve_bench_id(store, bench_run_id)
    kind = store.bench_run(bench_id).kind
    if kind == "crosscheck":
        from trinity.controller.cli.crosscheck import show

        show(store, bench_id, format, output)
        return
    if kind in ("duo", "calibrate"):
        _duo_report(store, bench_id, format, output)
        return
    result = _load_report(store, bench_id)
    if format == "table":
        if output:
            raise SelectionError("--output needs --format md, json or html")
        out.print(rep.table(result))
        for line in rep.legend(result):
            out.print(Text(line, style="dim"), soft_wrap=True)
        return
    if format == "html":
        from trinity.controller import drilldown, runview

        text = drilldown.page(result, runview.load(store, result.bench.id))
    else:
        text = {"md": rep.markdown,
                "json": lambda r: render.dumps(rep.as_json(r))}[format](result)  # fmt: skip
    write_or_echo(text, output)


def _duo_report(store: Any, bench_run_id: str, format: str, output: Path | None) -> None:
    from trinity.controller import duo_report as rep

    bench_run, runs = store.bench_run(bench_run_id), store.runs(bench_run_id)
    if format != "table":
        write_or_echo(rep.render(bench_run, runs, format), output)
        return
    if output:
        raise SelectionError("--output needs --format md, json or html")
    tables, notes = rep.terminal(bench_run, runs)
    for table in tables:
        out.print(table)
    for line in notes:
        out.print(Text(line, style="dim"), soft_wrap=True)


def _profile_report(store: Any, profile_id: str, format: str, output: Path | None) -> None:
    from trinity.controller import profile as prof

    points = prof.stored_points(store, profile_id)
    if format == "table":
        if output:
            raise SelectionError("--output needs --format json or html")
        out.print(prof.table(points))
        return
    if format == "md":
        raise SelectionError("a profile reports as table, json or html")
    text = (prof.html_page(profile_id, points) if format == "html"
            else render.dumps(prof.as_json(profile_id, points)))  # fmt: skip
    write_or_echo(text, output)


@command(epilog=examples("trinityctl runs", "trinityctl runs --json"))
def runs(db: DbOption = None, json: JsonOption = False) -> None:
    """List the benches in the results database, oldest first.

    A bench stored as running whose controller is no longer alive on this host (killed,
    or the machine restarted) shows as `interrupted (controller gone)`: `trinityctl bench
    --resume ID` finishes it."""
    import time as _time

    from trinity.controller.store import controller_gone, shown_status

    store = open_store(db, reading=True)
    benches = store.bench_runs()
    if json:
        typer.echo(render.dumps([
            {"id": b.id, "kind": b.kind, "created_at": b.created_at,
             "status": "interrupted" if controller_gone(b) else b.status,
             "controller_gone": controller_gone(b), "pid": b.pid, "host": b.host,
             "tasks": len(b.selection.get("tasks", [])), "models": b.selection.get("models", []),
             "n": b.selection.get("n")} for b in benches]))  # fmt: skip
        return
    from rich import box
    from rich.table import Table

    # The id is what a person copies (show, report, --resume): it never wraps or shrinks.
    listing = Table(title=str(store.path), title_justify="left", box=box.SIMPLE_HEAD,
                    pad_edge=False, collapse_padding=True)  # fmt: skip
    listing.add_column("Bench", no_wrap=True, min_width=len(benches[0].id) if benches else 5)
    for name in ("Kind", "Started", "Status"):
        listing.add_column(name)
    listing.add_column("Tasks", justify="right", no_wrap=True)
    listing.add_column("Models", overflow="fold")
    for name in ("n", "Runs"):
        listing.add_column(name, justify="right", no_wrap=True)
    for b in benches:
        started = _time.strftime("%Y-%m-%d %H:%M", _time.localtime(b.created_at))
        listing.add_row(b.id, b.kind, started, shown_status(b), str(len(b.selection.get("tasks", []))),
                        ", ".join(b.selection.get("models", [])), str(b.selection.get("n")),
                        str(len(store.runs(b.id))))  # fmt: skip
    out.print(listing)


@command(
    epilog=examples(
        "trinityctl compare 20261124-090000-aa11 20261125-101500-ab12",
        "trinityctl compare OLD NEW --min-delta 5 --json",
    )
)
def compare(
    before: Annotated[str, typer.Argument(help="The earlier bench id (or last).")],
    after: Annotated[str, typer.Argument(help="The later bench id (or last).")],
    min_delta: Annotated[
        float, typer.Option("--min-delta", help="Hide mean changes this small or smaller.")
    ] = 0.0,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """What changed between two benches: means and verdicts per task and model.

    Lists every task × model whose mean moved by more than --min-delta or whose verdict
    changed, with the mean before and after."""
    from trinity.controller import report as rep

    store = open_store(db, reading=True)
    a = _load_report(store, resolve_bench_id(store, before))
    b = _load_report(store, resolve_bench_id(store, after))
    changes = rep.compare(a, b, min_delta=min_delta)
    if json:
        typer.echo(render.dumps({"before": a.bench.id, "after": b.bench.id, "changes": changes}))
        return
    if not changes:
        out.print(f"no changes between {a.bench.id} and {b.bench.id}")
        return
    out.print(rep.compare_table(a, b, changes))
