"""Cluster commands: up, down, status, logs, demo."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.text import Text
from trinity.controller import cluster, render
from trinity.controller.cli.base import (
    EXIT_INTERRUPTED,
    ConfigOption,
    JsonOption,
    ModelsOption,
    NodesOption,
    WideOption,
    command,
    err,
    examples,
    fail_if,
    out,
    run,
    split,
)
from trinity.controller.cluster import NodeStatus, Smoke, UpProgress, UpResult
from trinity.controller.config import ClusterConfig, load_config
from trinity.controller.errors import TrinityError

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
    fail_if(not all(r.ok for r in results))


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
    fail_if(not all(r.ok for r in results))


# ---------------------------------------------------------------- status


@command(
    epilog=examples(
        "trinityctl status", "trinityctl status --wide", "trinityctl status --nodes dgx1 --json"
    )
)
def status(
    nodes: NodesOption = None,
    config: ConfigOption = None,
    wide: WideOption = False,
    json: JsonOption = False,
) -> None:
    """Show every node (host, GPUs, backends) and every model it runs, and every peer.

    Models in models.toml that a node does not run show as "not running". When no node
    answers, the first node's error is the one-line error (exit 2); when some answer,
    the others show their error in the table (exit 1). Peers show what can be checked
    without spending money: a CLI is on PATH and prints its version, an API's key
    variable is set (exit 1 when one is not).
    """
    from trinity.controller import peers

    cfg = load_config(config)
    statuses = run(cluster.status(cfg, split(nodes)))
    if not any(s.ok for s in statuses):
        first = statuses[0]
        raise TrinityError(first.error, hint=first.hint or None)
    checks = run(peers.checks(cfg))
    if json:
        typer.echo(render.dumps({"config": cfg.source, "nodes": statuses, "peers": checks}))
    else:
        _print_status(statuses, wide=wide)
        if checks:
            out.print(render.peers_table(checks))
    fail_if(not all(s.ok for s in statuses) or not all(c.ok for c in checks))


def _print_status(statuses: list[NodeStatus], *, wide: bool = False) -> None:
    out.print(render.nodes_table(statuses, wide=wide))
    for line in render.node_problems(statuses):
        out.print(line, soft_wrap=True)
    out.print(render.models_table(statuses, wide=wide))
    for line in render.model_problems(statuses):
        out.print(line, soft_wrap=True)


# ---------------------------------------------------------------- logs


@command(
    epilog=examples(
        "trinityctl logs local smollm2",
        "trinityctl logs dgx1 qwen35-fp8 -n 20",
        "trinityctl logs dgx1 qwen35-fp8 --previous   # why the last run ended",
    )
)
def logs(
    node: Annotated[str, typer.Argument(help="Node name, as in models.toml.")],
    model: Annotated[str, typer.Argument(help="Model name on that node.")],
    lines: Annotated[
        int, typer.Option("--lines", "-n", min=0, help="How many lines (0 = all kept, ≤ 200).")
    ] = 0,
    previous: Annotated[
        bool,
        typer.Option(
            "--previous",
            "-p",
            help="The run before the current one (after a crash and restart, the crashed run).",
        ),
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Print the last lines a model server wrote (stdout and stderr) on its node."""
    cfg = load_config(config)
    for line in run(cluster.logs(cfg, node, model, lines, previous)):
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
