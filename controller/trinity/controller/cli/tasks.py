"""Task commands: exec (score one file) and validate (prove the tasks)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
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
from trinity.controller import render
from trinity.controller.cli.base import (
    ConfigOption,
    JsonOption,
    command,
    err,
    examples,
    fail_if,
    out,
    run,
)
from trinity.controller.client import AgentClient
from trinity.controller.config import ClusterConfig, load_config
from trinity.controller.errors import SelectionError, TrinityError
from trinity.controller.scoring import Score
from trinity.controller.validation import TaskValidation

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
    fail_if(score.score < 100.0)


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
    fail_if(not all(v.ok for v in results))
