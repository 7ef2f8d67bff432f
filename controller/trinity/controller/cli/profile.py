"""`trinityctl profile`: throughput as concurrency grows."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from trinity.controller import cluster, render
from trinity.controller.cli.base import (
    ConfigOption,
    DbOption,
    JsonOption,
    ModelsOption,
    NodesOption,
    WideOption,
    command,
    err,
    examples,
    fail_if,
    open_store,
    out,
    run,
    split,
)
from trinity.controller.config import load_config
from trinity.controller.errors import SelectionError

# ---------------------------------------------------------------- profile


@command(
    epilog=examples(
        "trinityctl profile                                  # every model, levels 1,4,16,64",
        "trinityctl profile --models dgx1/qwen35-fp8 --concurrency 1,8,32",
        "trinityctl profile --prompt-tokens 1024 --output-tokens 256 --html profile.html",
        "trinityctl profile --show profile-20261125-101500-ab12 --png profile.png",
        "trinityctl profile --show profile-20261125-101500-ab12 --wide   # every column",
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
    wide: WideOption = False,
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

    store = open_store(db)
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

            points = run(prof.profile_cluster(cfg, selection.models, request, store=store,
                                              profile_id=profile_id, on_point=seen),
                         interrupted=f"levels already measured are stored as {profile_id}")  # fmt: skip
    if html:
        html.write_text(prof.html_page(profile_id, points))
        err.print(f"wrote {html}")
    if png:
        prof.write_png(points, png)
        err.print(f"wrote {png}")
    if json:
        typer.echo(render.dumps(prof.as_json(profile_id, points)))
    else:
        out.print(prof.table(points, wide=wide))
        out.print(f"profile {profile_id} in {store.path}")
    fail_if(not all(p.get("valid") for p in points))


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
