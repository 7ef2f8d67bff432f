"""What every `trinityctl` command shares: the app, the error handling, common options.

Each command parses its flags, calls one library function, renders the result. Errors a
user can cause (TrinityError) become one red line on stderr plus a hint, exit code 2, in
one place (`_report`); "it ran but something failed" is exit code 1; Ctrl-C is 130.
TRINITY_DEBUG=1 adds the traceback and debug logs (key=value on stderr).

To add a command, decorate it with `@command()` (not `@app.command()`), so its errors
get the same treatment under CliRunner as from the console script; a new group of
commands gets a module of its own in this package, imported by `__init__`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import sys
import traceback
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.text import Text
from trinity.controller.errors import SelectionError, TrinityError

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
ThresholdOption = Annotated[
    float | None,
    typer.Option(
        "--threshold", min=0, max=100, help="Pass score (default: defaults.pass_threshold)."
    ),
]
WideOption = Annotated[
    bool,
    typer.Option("--wide", help="Every column (the default ones fit an 80-column terminal)."),
]

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


def run(coro: Coroutine[Any, Any, T], *, interrupted: str | None = None) -> T:
    """Run one library coroutine to completion. On Ctrl-C with `interrupted` (what is kept,
    how to finish it): "interrupted; " and that line on stderr, exit 130."""
    try:
        return asyncio.run(coro)
    except KeyboardInterrupt:
        if interrupted is None:
            raise
        err.print(f"interrupted; {interrupted}")
        raise typer.Exit(EXIT_INTERRUPTED) from None


def run_line(record: Any) -> tuple[int, str]:
    """A finished bench run on the bar: one step, `task model → score (outcome)`."""
    score = "—" if record.score is None else f"{record.score:.0f}"
    return 1, f"{record.task} {record.model} → {score} ({record.outcome})"


@contextlib.contextmanager
def run_bar(
    title: str,
    noun: str,
    *,
    nodes: int | None,
    json: bool,
    line: Callable[[Any], tuple[int, str]] = run_line,
) -> Iterator[Any]:
    """The progress of a bench-like command on stderr (none under --json): tasks validating
    (a step per node, `nodes` of them when known), then its `noun` (runs, chains, reviews)
    as `TITLE BENCH_ID`, each finished record moved and shown by `line`. Yields the
    callbacks (trinity.controller.bench.Progress) the library is given."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )
    from trinity.controller.bench import Progress as Callbacks

    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
               MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("{task.fields[last]}"))  # fmt: skip
    with Progress(*columns, console=err, transient=True, disable=json) as bar:
        check = bar.add_task("validating tasks", total=nodes, last="")
        steps = bar.add_task(noun, total=None, last="", visible=False)

        def started(bench_id: str, todo: int, skipped: int) -> None:
            bar.update(check, visible=False)
            bar.update(steps, total=todo, visible=True, description=f"{title} {bench_id}")
            if skipped:
                err.print(f"resuming {bench_id}: {skipped} {noun} already finished, {todo} to go")

        def finished(record: Any) -> None:
            advance, last = line(record)
            bar.update(steps, advance=advance, last=last)

        yield Callbacks(validated=lambda _n: bar.advance(check), started=started, finished=finished)


def split(value: str | None) -> list[str] | None:
    """'a, b' → ['a', 'b']; None or '' → None (meaning: all)."""
    items = [v.strip() for v in (value or "").split(",") if v.strip()]
    return items or None


def fail_if(failed: bool) -> None:
    if failed:
        raise typer.Exit(EXIT_FAILED)


DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help="Results database (default: $TRINITY_DB, else ~/.local/share/trinity/results.db).",
        show_default=False,
    ),
]


def open_store(db: Path | None, *, reading: bool = False) -> Any:
    """The results database; `reading`: a command that only reads, which can then read a
    file it cannot write (read-only media)."""
    from trinity.controller.store import Store, StoreError, open_for_reading

    path = db or Path(os.environ.get("TRINITY_DB") or "~/.local/share/trinity/results.db")
    try:
        path = path.expanduser()
    except RuntimeError as exc:  # ~someone who has no home here
        raise StoreError(f"results database {path}: {exc}") from None
    return open_for_reading(path) if reading else Store(path)


def resolve_bench_id(store: Any, value: str) -> str:
    if value != "last":
        return value
    benches = store.bench_runs()
    if not benches:
        raise SelectionError(f"no benches in {store.path} yet")
    return str(benches[-1].id)


def write_or_echo(text: str, output: Path | None) -> None:
    """A report to the file --output names, or to stdout."""
    if output:
        output.write_text(text)
        err.print(f"wrote {output}")
    else:
        typer.echo(text)
