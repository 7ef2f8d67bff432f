"""`trinityctl`: the thin typer edge over trinity.controller's library.

Each command parses its flags, calls one library function, renders the result. Errors a
user can cause (TrinityError) become one red line on stderr plus a hint, exit code 2, in
one place (`_report`); "it ran but something failed" is exit code 1; Ctrl-C is 130.
TRINITY_DEBUG=1 adds the traceback and debug logs (key=value on stderr).

To add a command, decorate it with `@command()` (not `@app.command()`), so its errors
get the same treatment under CliRunner as from the console script.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import sys
import traceback
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text
from trinity.controller import cluster, render
from trinity.controller.client import AgentClient
from trinity.controller.cluster import NodeStatus, Smoke, UpProgress, UpResult
from trinity.controller.config import ClusterConfig, load_config
from trinity.controller.errors import SelectionError, TrinityError
from trinity.controller.scoring import Score
from trinity.controller.validation import TaskValidation

EXIT_FAILED = 1  # the command ran, but something it did failed
EXIT_ERROR = 2  # the command could not run: bad config, unreachable node, bad input
EXIT_INTERRUPTED = 130


def examples(*lines: str) -> str:
    """A help epilog (markdown) showing example command lines."""
    return "**Examples**\n\n```\n" + "\n".join(lines) + "\n```"


out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

app = typer.Typer(
    name="trinityctl",
    help="Drive a Trinity cluster: start models on your GPU nodes, benchmark them with "
    "tasks that prove themselves first, and profile what each box delivers.\n\n"
    "The cluster is described in models.toml, looked up as: --config FILE, $TRINITY_CONFIG, "
    "./models.toml, ~/.config/trinity/models.toml, then the built-in default (one local "
    "agent running SmolLM2 on llama.cpp).",
    epilog=examples(
        "trinityctl demo                  # try it all locally, then clean up",
        "trinityctl up                    # every model on every node, in parallel",
        "trinityctl up --nodes dgx1 --models qwen35-fp8",
        "trinityctl status --json",
        "trinityctl logs local smollm2 --lines 50",
        "trinityctl bench hard -n 3               # every hard task, 3 runs per model",
        "trinityctl report last --format html -o bench.html",
        "trinityctl profile --concurrency 1,16,64",
        "trinityctl down",
    ),
    no_args_is_help=True,
    rich_markup_mode="markdown",
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

# Options shared by several commands; reuse them in new commands.
ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="models.toml to use (default: $TRINITY_CONFIG, ./models.toml, "
        "~/.config/trinity/models.toml, the built-in one).",
        show_default=False,
    ),
]
NodesOption = Annotated[
    str | None,
    typer.Option("--nodes", help="Comma-separated node names (default: all).", show_default=False),
]
ModelsOption = Annotated[
    str | None,
    typer.Option(
        "--models",
        "-m",
        help="Comma-separated model names, NAME or NODE/NAME (default: all).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


def debug() -> bool:
    """TRINITY_DEBUG set (and not 0): tracebacks and debug logs, as the agent does."""
    return os.environ.get("TRINITY_DEBUG", "") not in ("", "0")


def _setup_logging() -> None:
    if debug():
        logging.basicConfig(
            level=logging.DEBUG,
            stream=sys.stderr,
            format="ts=%(asctime)s level=%(levelname)s logger=%(name)s msg=%(message)s",
        )


def _report(error: TrinityError) -> int:
    """The one place a user-facing error is printed: a red line, the hint, extra lines."""
    if debug():
        traceback.print_exception(error, file=sys.stderr)
    # soft_wrap: one line stays one line, however narrow the terminal (or a pipe's 80).
    err.print(Text("error: ", style="bold red") + Text(error.message, style="red"), soft_wrap=True)
    if error.hint:
        err.print(Text(f"hint: {error.hint}", style="dim"), soft_wrap=True)
    for line in error.details:
        err.print(Text(f"  {line}", style="dim"), soft_wrap=True)
    return EXIT_ERROR


def command(*args: Any, **kwargs: Any) -> Callable[[F], F]:
    """`app.command` plus the error handling every trinityctl command shares."""

    def register(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*a: Any, **kw: Any) -> Any:
            _setup_logging()
            try:
                return fn(*a, **kw)
            except TrinityError as error:
                raise typer.Exit(_report(error)) from None
            except KeyboardInterrupt:
                err.print(Text("interrupted", style="yellow"))
                raise typer.Exit(EXIT_INTERRUPTED) from None

        app.command(*args, **kwargs)(wrapper)
        return fn

    return register


def main() -> None:
    """Console-script entry point (trinityctl)."""
    try:
        app()
    except TrinityError as error:  # a command registered without @command
        sys.exit(_report(error))


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run one library coroutine to completion."""
    return asyncio.run(coro)


def split(value: str | None) -> list[str] | None:
    """'a, b' → ['a', 'b']; None or '' → None (meaning: all)."""
    items = [v.strip() for v in (value or "").split(",") if v.strip()]
    return items or None


def _fail_if(failed: bool) -> None:
    if failed:
        raise typer.Exit(EXIT_FAILED)


# ---------------------------------------------------------------- up


@command(
    epilog=examples(
        "trinityctl up",
        "trinityctl up --nodes dgx1,dgx2 --timeout 1800",
        "trinityctl up --models local/smollm2 --json",
    )
)
def up(
    nodes: NodesOption = None,
    models: ModelsOption = None,
    config: ConfigOption = None,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds to wait for each model to be ready.")
    ] = 900.0,
    no_smoke: Annotated[
        bool, typer.Option("--no-smoke", help="Skip the short test generation.")
    ] = False,
    json: JsonOption = False,
) -> None:
    """Start models on their nodes in parallel, wait until ready, smoke-test each.

    Each model gets a short generation once ready, whose TTFT and decode tok/s (measured
    by the agent) end up in the table. A model that fails never stops the others; the
    exit code is 1 if any failed.
    """
    cfg = load_config(config)
    selection = cluster.select(cfg, split(nodes), split(models))
    try:
        if json:
            results = run(
                cluster.up(cfg, split(nodes), split(models), timeout_s=timeout, smoke=not no_smoke)
            )
        else:
            results = _up_with_progress(cfg, selection, timeout, not no_smoke)
    except KeyboardInterrupt:
        err.print(
            "interrupted; models already asked to start keep starting on their nodes "
            "(`trinityctl down` stops them)"
        )
        raise typer.Exit(EXIT_INTERRUPTED) from None
    if json:
        typer.echo(render.dumps({"config": cfg.source, "results": results}))
    else:
        out.print(render.up_table(results))
        for line in render.up_problems(results):
            out.print(line, soft_wrap=True)
    _fail_if(not all(r.ok for r in results))


def _up_with_progress(
    cfg: ClusterConfig, selection: cluster.Selection, timeout: float, smoke: bool
) -> list[UpResult]:
    columns = (
        SpinnerColumn(),
        TextColumn("[bold]{task.fields[key]}"),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=True) as bar:
        tasks: dict[str, TaskID] = {
            m.key: bar.add_task("waiting", key=m.key, total=None) for m in selection.models
        }

        def show(event: UpProgress) -> None:
            style = {"ready": "green", "failed": "red"}.get(event.phase, "yellow")
            text = f"[{style}]{event.phase}[/] {escape(event.detail)}"
            done = event.phase in ("ready", "failed")
            bar.update(tasks[event.key], description=text, total=1 if done else None)
            if done:
                bar.update(tasks[event.key], completed=1)

        names = [m.key for m in selection.models]
        return run(
            cluster.up(cfg, selection.nodes, names, timeout_s=timeout, progress=show, smoke=smoke)
        )


# ---------------------------------------------------------------- down


@command(epilog=examples("trinityctl down", "trinityctl down --nodes dgx1 --models qwen35-fp8"))
def down(
    nodes: NodesOption = None,
    models: ModelsOption = None,
    config: ConfigOption = None,
    json: JsonOption = False,
) -> None:
    """Stop models: with --models those, otherwise everything the selected nodes run.

    The agent stops each model server's whole process group and forgets the model, so it
    does not come back when the agent restarts. Exit code 1 if any stop failed.
    """
    cfg = load_config(config)
    results = run(cluster.down(cfg, split(nodes), split(models)))
    if json:
        typer.echo(render.dumps({"config": cfg.source, "results": results}))
    elif results:
        out.print(render.down_table(results))
    else:
        out.print("nothing was running")
    _fail_if(not all(r.ok for r in results))


# ---------------------------------------------------------------- status


@command(epilog=examples("trinityctl status", "trinityctl status --nodes dgx1 --json"))
def status(
    nodes: NodesOption = None,
    config: ConfigOption = None,
    json: JsonOption = False,
) -> None:
    """Show every node (host, GPUs, backends) and every model it runs.

    Models in models.toml that a node does not run show as "not running". When no node
    answers, the first node's error is the one-line error (exit 2); when some answer,
    the others show their error in the table (exit 1).
    """
    cfg = load_config(config)
    statuses = run(cluster.status(cfg, split(nodes)))
    if not any(s.ok for s in statuses):
        first = statuses[0]
        raise TrinityError(first.error, hint=first.hint or None)
    if json:
        typer.echo(render.dumps({"config": cfg.source, "nodes": statuses}))
    else:
        _print_status(statuses)
    _fail_if(not all(s.ok for s in statuses))


def _print_status(statuses: list[NodeStatus]) -> None:
    out.print(render.nodes_table(statuses))
    for line in render.node_problems(statuses):
        out.print(line, soft_wrap=True)
    out.print(render.models_table(statuses))
    for line in render.model_problems(statuses):
        out.print(line, soft_wrap=True)


# ---------------------------------------------------------------- logs


@command(epilog=examples("trinityctl logs local smollm2", "trinityctl logs dgx1 qwen35-fp8 -n 20"))
def logs(
    node: Annotated[str, typer.Argument(help="Node name, as in models.toml.")],
    model: Annotated[str, typer.Argument(help="Model name on that node.")],
    lines: Annotated[
        int, typer.Option("--lines", "-n", min=0, help="How many lines (0 = all kept, ≤ 200).")
    ] = 0,
    config: ConfigOption = None,
) -> None:
    """Print the last lines a model server wrote (stdout and stderr) on its node."""
    cfg = load_config(config)
    for line in run(cluster.logs(cfg, node, model, lines)):
        typer.echo(line)


# ---------------------------------------------------------------- demo


class _DemoUi:
    """Renders the demo's steps as they happen."""

    def __init__(self) -> None:
        self._last: dict[str, str] = {}

    def step(self, text: str) -> None:
        out.print(Text("▶ ", style="bold cyan") + Text(text))

    def progress(self, event: UpProgress) -> None:
        line = f"{event.phase} {event.detail}".strip()
        if self._last.get(event.key) != line:  # polls repeat; show changes only
            self._last[event.key] = line
            out.print(Text(f"  {event.key}: {line}", style="dim"))

    def status(self, statuses: list[NodeStatus]) -> None:
        _print_status(statuses)

    def smoke(self, result: UpResult, smoke: Smoke) -> None:
        out.print(Text("  reply: ", style="bold") + Text(repr(smoke.text)))
        out.print(
            f"  TTFT {smoke.ttft_s * 1000:.0f} ms, decode [bold green]{smoke.decode_tok_s:.1f}"
            f" tok/s[/] ({smoke.completion_tokens} tokens, {smoke.total_s:.2f} s); "
            f"model ready in {result.ready_s:.1f} s"
        )


@command(epilog=examples("trinityctl demo"))
def demo() -> None:
    """Start a local agent and SmolLM2 on llama.cpp (CPU), show status and a tok/s, stop.

    Needs nothing configured: everything lives in a temporary folder that is removed at
    the end, on failure, and on Ctrl-C.
    """
    from trinity.controller.demo import run_demo

    try:
        result = run_demo(_DemoUi())
    except KeyboardInterrupt:
        err.print(Text("interrupted, stopped everything", style="yellow"))
        raise typer.Exit(EXIT_INTERRUPTED) from None
    rss = (
        f", agent {result.agent_rss_bytes / 2**20:.0f} MiB resident"
        if result.agent_rss_bytes
        else ""
    )
    out.print(
        f"[bold green]demo done[/] in {result.wall_s:.1f} s{rss}: "
        f"{result.smoke.decode_tok_s:.1f} tok/s from SmolLM2 on llama.cpp"
    )


# ---------------------------------------------------------------- exec / validate


def _client(cfg: ClusterConfig, node: str) -> AgentClient:
    if node not in cfg.nodes:
        raise SelectionError(
            f"no node named {node!r} in {cfg.source}", hint=f"nodes: {', '.join(cfg.nodes)}"
        )
    return AgentClient(node, cfg.nodes[node])


@command(
    name="exec",
    epilog=examples(
        "trinityctl exec --node local smoke/add my_add.py",
        "trinityctl exec --node dgx1 humaneval/042 answer.py --json",
    ),
)
def exec_(
    task_id: Annotated[str, typer.Argument(help="SUITE/TASK, e.g. smoke/add.", show_default=False)],
    solution: Annotated[Path, typer.Argument(help="The solution file to score.")],
    node: Annotated[str, typer.Option("--node", "-n", help="Node whose sandbox runs it.")],
    config: ConfigOption = None,
    json: JsonOption = False,
) -> None:
    """Score a solution file against a task in a node's sandbox.

    For debugging tasks and the harness itself: the file runs on the node, isolated,
    with the task's hidden checks; the score is 100 × passed / declared checks. Exit
    code 1 when it scores below 100.
    """
    from trinity.controller.scoring import score_solution
    from trinity.controller.suites import load_task

    task = load_task(task_id)
    try:
        code = solution.read_bytes()
    except OSError as exc:
        raise TrinityError(f"cannot read solution {solution}: {exc.strerror}") from None
    cfg = load_config(config)

    async def go() -> Score:
        async with _client(cfg, node) as client:
            return await score_solution(client, task, code)

    score = run(go())
    if json:
        typer.echo(render.dumps(score))
    else:
        out.print(render.score_summary(score), soft_wrap=True)
        out.print(render.score_table(score))
        for label, tail in (("stdout", score.stdout_tail), ("stderr", score.stderr_tail)):
            if tail.strip():
                out.print(Text(f"{label} (tail):", style="dim"))
                out.print(Text(tail.rstrip()[-2000:]), soft_wrap=True)
    _fail_if(score.score < 100.0)


@command(
    epilog=examples(
        "trinityctl validate smoke",
        "trinityctl validate humaneval --node local",
        "trinityctl validate --json",
    )
)
def validate(
    suites: Annotated[
        list[str] | None,
        typer.Argument(
            help="Suites, categories (hard, coding, ...), suite/task ids or all "
            "(default: every built-in suite, humaneval included).",
            show_default=False,
        ),
    ] = None,
    node: Annotated[
        str | None,
        typer.Option("--node", "-n", help="Node whose sandbox runs them (default: every node)."),
    ] = None,
    config: ConfigOption = None,
    json: JsonOption = False,
) -> None:
    """Prove the tasks before they judge a model: references 100, mutants < 100, cheats 0.

    Every task's own solutions run in the sandbox of each node taking part. A task that
    fails here is broken (its checks reject a valid answer, or accept a wrong one) and
    `bench` will not run it. Exit code 1 when any task fails.
    """
    from trinity.controller.suites import select_tasks, suite_names
    from trinity.controller.validation import probe_count
    from trinity.controller.validation import validate as validate_tasks

    cfg = load_config(config)
    tasks = select_tasks(suites or suite_names())
    nodes = [node] if node else list(cfg.nodes)
    results: list[TaskValidation] = []
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
               MofNCompleteColumn(), TimeElapsedColumn())  # fmt: skip
    with Progress(*columns, console=err, transient=True, disable=json) as bar:
        for name in nodes:
            progress = bar.add_task(f"validating on {name}", total=probe_count(tasks))

            async def go(name: str = name, progress: TaskID = progress) -> list[TaskValidation]:
                async with _client(cfg, name) as client:
                    return await validate_tasks(
                        client, tasks, progress=lambda _p: bar.advance(progress)
                    )

            results += run(go())
    if json:
        typer.echo(render.dumps({"ok": all(v.ok for v in results), "tasks": results}))
    else:
        out.print(render.validation_table(results))
        for v in results:
            for problem in v.problems():
                out.print(Text(f"{v.task} on {v.node}: {problem}", style="red"), soft_wrap=True)
    _fail_if(not all(v.ok for v in results))


# ---------------------------------------------------------------- bench, report, compare

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help="Results database (default: $TRINITY_DB, else ~/.local/share/trinity/results.db).",
        show_default=False,
    ),
]


def _store(db: Path | None) -> Any:
    from trinity.controller.store import Store

    path = db or Path(os.environ.get("TRINITY_DB") or "~/.local/share/trinity/results.db")
    return Store(path.expanduser())


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
    threshold: Annotated[
        float | None,
        typer.Option(
            "--threshold", min=0, max=100, help="Pass score (default: defaults.pass_threshold)."
        ),
    ] = None,
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
    from trinity.controller.bench import Progress as BenchProgress
    from trinity.controller.suites import select_tasks

    cfg = load_config(config)
    store = _store(db)
    if resume:
        if suites or nodes or models or thinking or threshold is not None or n != 1:
            raise SelectionError("--resume runs the bench exactly as it began; give no selection")
        plan = plan_from_selection(cfg, store.bench_run(resume).selection)
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
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
               MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("{task.fields[last]}"))  # fmt: skip
    with Progress(*columns, console=err, transient=True, disable=json) as bar:
        check = bar.add_task("validating tasks", total=len({m.node for m in plan.models}), last="")
        runs = bar.add_task("runs", total=None, last="", visible=False)
        counts = {"failed": 0}

        def started(bench_id: str, todo: int, skipped: int) -> None:
            bar.update(check, visible=False)
            bar.update(runs, total=todo, visible=True, description=f"bench {bench_id}")
            if skipped:
                err.print(f"resuming {bench_id}: {skipped} runs already finished, {todo} to go")

        def finished(record: Any) -> None:
            if record.outcome == "infra_error":
                counts["failed"] += 1
            score = "—" if record.score is None else f"{record.score:.0f}"
            bar.update(
                runs, advance=1, last=f"{record.task} {record.model} → {score} ({record.outcome})"
            )

        progress = BenchProgress(validated=lambda _n: bar.advance(check), started=started,
                                 finished=finished)  # fmt: skip
        try:
            outcome = run(run_bench(cfg, store, plan, resume=resume, argv=sys.argv[1:],
                                    progress=progress))  # fmt: skip
        except KeyboardInterrupt:
            err.print("interrupted; every finished run is stored: `trinityctl bench --resume ID` "
                      "finishes it (`trinityctl runs` lists benches)")  # fmt: skip
            raise typer.Exit(EXIT_INTERRUPTED) from None
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
    _fail_if(counts["failed"] > 0)


def _load_report(store: Any, bench_run_id: str) -> Any:
    from trinity.controller import report as rep
    from trinity.controller.bench import stored_titles
    from trinity.controller.consensus import consensus

    bench_run = store.bench_run(bench_run_id)
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

    A bench's HTML page has a task × model score heatmap and each model's tok/s; it
    works on a bench still running. Given a profile id: its table, JSON, or the HTML
    page with its charts."""
    from trinity.controller import report as rep

    formats = ("table", "md", "json", "html")
    if format not in formats:
        raise SelectionError(f"--format {format!r}: use one of {', '.join(formats)}")
    store = _store(db)
    if bench_run_id.startswith("profile-"):
        _profile_report(store, bench_run_id, format, output)
        return
    result = _load_report(store, _bench_id(store, bench_run_id))
    if format == "table":
        if output:
            raise SelectionError("--output needs --format md, json or html")
        out.print(rep.table(result))
        for line in rep.legend(result):
            out.print(Text(line, style="dim"), soft_wrap=True)
        return
    text = {"md": rep.markdown, "html": rep.html_page,
            "json": lambda r: render.dumps(rep.as_json(r))}[format](result)  # fmt: skip
    _write_or_echo(text, output)


def _write_or_echo(text: str, output: Path | None) -> None:
    """A report to the file --output names, or to stdout."""
    if output:
        output.write_text(text)
        err.print(f"wrote {output}")
    else:
        typer.echo(text)


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
    _write_or_echo(text, output)


def _bench_id(store: Any, value: str) -> str:
    if value != "last":
        return value
    benches = store.bench_runs()
    if not benches:
        raise SelectionError(f"no benches in {store.path} yet")
    return str(benches[-1].id)


@command(epilog=examples("trinityctl runs", "trinityctl runs --json"))
def runs(db: DbOption = None, json: JsonOption = False) -> None:
    """List the benches in the results database, oldest first."""
    import time as _time

    store = _store(db)
    benches = store.bench_runs()
    if json:
        typer.echo(render.dumps([
            {"id": b.id, "created_at": b.created_at, "status": b.status,
             "tasks": len(b.selection.get("tasks", [])), "models": b.selection.get("models", []),
             "n": b.selection.get("n")} for b in benches]))  # fmt: skip
        return
    from rich.table import Table

    listing = Table(title=str(store.path), title_justify="left")
    for name in ("Bench", "Started", "Status", "Tasks", "Models", "n", "Runs"):
        listing.add_column(name)
    for b in benches:
        started = _time.strftime("%Y-%m-%d %H:%M", _time.localtime(b.created_at))
        listing.add_row(b.id, started, b.status, str(len(b.selection.get("tasks", []))),
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

    store = _store(db)
    a = _load_report(store, _bench_id(store, before))
    b = _load_report(store, _bench_id(store, after))
    changes = rep.compare(a, b, min_delta=min_delta)
    if json:
        typer.echo(render.dumps({"before": a.bench.id, "after": b.bench.id, "changes": changes}))
        return
    if not changes:
        out.print(f"no changes between {a.bench.id} and {b.bench.id}")
        return
    out.print(rep.compare_table(a, b, changes))


# ---------------------------------------------------------------- profile


@command(
    epilog=examples(
        "trinityctl profile                                  # every model, levels 1,4,16,64",
        "trinityctl profile --models dgx1/qwen35-fp8 --concurrency 1,8,32",
        "trinityctl profile --prompt-tokens 1024 --output-tokens 256 --html profile.html",
        "trinityctl profile --show profile-20261125-101500-ab12 --png profile.png",
    )
)
def profile(
    nodes: NodesOption = None,
    models: ModelsOption = None,
    concurrency: Annotated[
        str, typer.Option("--concurrency", help="Levels of concurrent requests, in order.")
    ] = "1,4,16,64",
    prompt_tokens: Annotated[
        int, typer.Option("--prompt-tokens", min=1, help="About this many tokens per prompt.")
    ] = 256,
    output_tokens: Annotated[
        int, typer.Option("--output-tokens", min=1, help="Tokens generated per request.")
    ] = 128,
    requests: Annotated[
        int,
        typer.Option("--requests", min=0, help="Requests per level (0: max(8, 4 x level))."),
    ] = 0,
    warmup: Annotated[
        int, typer.Option("--warmup", min=0, help="Warm-up requests, discarded.")
    ] = 2,
    processes: Annotated[
        int,
        typer.Option(
            "--processes",
            help="Load processes per level on the node (0: one per 16 concurrent requests, "
            "at most a quarter of its cores), so the client never limits a fast server.",
        ),
    ] = 0,
    show: Annotated[
        str | None,
        typer.Option(
            "--show", help="Show a stored profile instead of running one.", show_default=False
        ),
    ] = None,
    html: Annotated[
        Path | None, typer.Option("--html", help="Also write the charts as an HTML page.")
    ] = None,
    png: Annotated[
        Path | None, typer.Option("--png", help="Also write the charts as a PNG (matplotlib).")
    ] = None,
    config: ConfigOption = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Measure what each node's models deliver as concurrency grows.

    Each node's agent generates the load next to the model's server, after a warm-up,
    with prompts that defeat prefix caching, and reports per level: TTFT, inter-token
    latency, time per output token and end-to-end latency (mean, p50, p90, p99), output
    tok/s, request/s, GPU memory, utilisation, power and joules per token, the client's
    own CPU, and the difference from the server's own counters. Definitions as `vllm
    bench serve` (docs/performance.md). Levels are stored as they finish. Exit code 1
    when a level is invalid (failed requests, a busy client).
    """
    from trinity.controller import profile as prof

    store = _store(db)
    if show:
        profile_id, points = show, prof.stored_points(store, show)
    else:
        cfg = load_config(config)
        selection = cluster.select(cfg, split(nodes), split(models))
        if not selection.models:
            raise SelectionError(f"no models configured in {cfg.source}")
        levels = prof.parse_levels(concurrency)
        request = pb_profile_request(
            levels, prompt_tokens, output_tokens, requests, warmup,
            prof.check_processes(processes),
        )  # fmt: skip
        profile_id = prof.new_profile_id()
        columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                   MofNCompleteColumn(), TimeElapsedColumn())  # fmt: skip
        with Progress(*columns, console=err, transient=True, disable=json) as bar:
            total = len(levels) * len(selection.models)
            task = bar.add_task(f"profiling {len(selection.models)} models", total=total)

            def seen(point: Any) -> None:
                bar.update(task, advance=1, description=f"{point.title} c={point.concurrency}: "
                           f"{point.get('output_tok_s') or 0:.0f} tok/s")  # fmt: skip

            try:
                points = run(prof.profile_cluster(cfg, selection.models, request, store=store,
                                                  profile_id=profile_id, on_point=seen))  # fmt: skip
            except KeyboardInterrupt:
                err.print(f"interrupted; levels already measured are stored as {profile_id}")
                raise typer.Exit(EXIT_INTERRUPTED) from None
    if html:
        html.write_text(prof.html_page(profile_id, points))
        err.print(f"wrote {html}")
    if png:
        prof.write_png(points, png)
        err.print(f"wrote {png}")
    if json:
        typer.echo(render.dumps(prof.as_json(profile_id, points)))
    else:
        out.print(prof.table(points))
        out.print(f"profile {profile_id} in {store.path}")
    _fail_if(not all(p.get("valid") for p in points))


def pb_profile_request(
    levels: tuple[int, ...],
    prompt_tokens: int,
    output_tokens: int,
    requests: int,
    warmup: int,
    processes: int = 0,
) -> Any:
    from trinity.v1 import agent_pb2 as pb

    return pb.ProfileRequest(concurrency=list(levels), prompt_tokens=prompt_tokens,
                             output_tokens=output_tokens, requests_per_level=requests,
                             warmup_requests=warmup, processes=processes)  # fmt: skip
