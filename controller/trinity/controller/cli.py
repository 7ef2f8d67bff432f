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
    help="Drive a Trinity cluster: start models on your GPU nodes, check them, stop them.\n\n"
    "The cluster is described in models.toml, looked up as: --config FILE, $TRINITY_CONFIG, "
    "./models.toml, ~/.config/trinity/models.toml, then the built-in default (one local "
    "agent running SmolLM2 on llama.cpp).",
    epilog=examples(
        "trinityctl demo                  # try it all locally, then clean up",
        "trinityctl up                    # every model on every node, in parallel",
        "trinityctl up --nodes dgx1 --models qwen35-fp8",
        "trinityctl status --json",
        "trinityctl logs local smollm2 --lines 50",
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
        typer.Argument(help="Suites to check (default: every built-in suite).", show_default=False),
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
    from trinity.controller.suites import load_suite, suite_names
    from trinity.controller.validation import probe_count
    from trinity.controller.validation import validate as validate_tasks

    cfg = load_config(config)
    tasks = [t for s in (suites or suite_names()) for t in load_suite(s)]
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
