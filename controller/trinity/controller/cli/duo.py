"""Pair-mode commands: `duo` (a builder and a reviewer empowered to fail it) and
`duo calibrate` (a reviewer shown code whose truth the sandbox knows)."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from rich.text import Text
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
)
from trinity.controller.config import load_config
from trinity.controller.errors import SelectionError

CALIBRATE = "calibrate"


@command(
    epilog=examples(
        "trinityctl duo coding_basics --builder local/smollm2 --reviewer local/smollm2 -n 2",
        "trinityctl duo hard --rounds 3 --reviewer-prompt verify     # the rubber-stamp prompt",
        "trinityctl duo coding_multiturn --reviewer-prompt my_prompt.md",
        "trinityctl duo --resume 20261125-101500-ab12                # finish a killed duo",
        "trinityctl duo calibrate --reviewer local/smollm2 --reviewer-prompt verify,empowered",
        "trinityctl duo calibrate coding_basics --reviewer local/smollm2",
        "trinityctl report last --format html -o duo.html",
    )
)
def duo(
    suites: Annotated[
        list[str] | None,
        typer.Argument(
            help="Suites, categories, SUITE/TASK or all; or `calibrate` and, optionally, "
            "suites (default: every built-in code task).",
            show_default=False,
        ),
    ] = None,
    builder: Annotated[
        str | None,
        typer.Option(
            "--builder",
            help="Model that writes the code (default: the first with role builder).",
            show_default=False,
        ),
    ] = None,
    reviewer: Annotated[
        str | None,
        typer.Option(
            "--reviewer",
            help="Model that reviews it (default: the first with role reviewer).",
            show_default=False,
        ),
    ] = None,
    n: Annotated[
        int, typer.Option("-n", "--repeats", min=1, help="Runs of each task (or piece of code).")
    ] = 1,
    rounds: Annotated[
        int | None,
        typer.Option(
            "--rounds",
            min=1,
            help="Reviews per task (per turn) at most. [default: 2]",
            show_default=False,
        ),
    ] = None,
    reviewer_prompt: Annotated[
        str | None,
        typer.Option(
            "--reviewer-prompt",
            help="empowered, verify, or a FILE of instructions (the task and code go where it "
            "says {task} and {code}, or after it; the verdict format is added). Calibrate "
            "takes several, comma-separated. [default: empowered; calibrate: verify,empowered]",
            show_default=False,
        ),
    ] = None,
    builder_thinking: Annotated[
        str | None,
        typer.Option(
            "--builder-thinking",
            help="on or off (default: the model's setting, else off).",
            show_default=False,
        ),
    ] = None,
    reviewer_thinking: Annotated[
        str | None,
        typer.Option(
            "--reviewer-thinking",
            help="on or off (default: the model's setting).",
            show_default=False,
        ),
    ] = None,
    threshold: ThresholdOption = None,
    resume: Annotated[
        str | None,
        typer.Option(
            "--resume",
            help="Finish this duo or calibration: redo nothing that finished.",
            show_default=False,
        ),
    ] = None,
    config: ConfigOption = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """A builder and a reviewer empowered to fail it; `duo calibrate`: a reviewer vs truth.

    Can two models together beat one? A builder answers each task; its code is scored in
    the sandbox (the *single* result); a reviewer, told it may fail the code, reads the task
    and the code (never the tests) and returns PASS or FAIL with findings; on FAIL the
    builder tries again, up to --rounds reviews; the last code is the *pair* result
    (*multi-step* for multi-turn tasks, reviewed at every turn).

    The tables: each mode's pass rate, mean, mean ± std over n, and what it cost in time
    and tokens; single → pair per task with what the reviewer caught; and the reviewer's
    own quality with the sandbox as ground truth: rubber-stamp rate (failing code
    approved), false-fail rate (perfect code rejected), fix rate (a FAIL after which the
    code got better), each with its counts. Every step is stored as it finishes.

    `duo calibrate` needs no builder: the reviewer is shown every reference (score 100)
    and mutant (a planted bug) of the selected code tasks, comments removed, as if a
    builder had written them, once per prompt; with `--reviewer-prompt verify,empowered`
    the two columns side by side are the verify → empowered experiment, on any reviewer.
    Exit code 1 when a step could not be made.
    """
    cfg = load_config(config)
    store = open_store(db)
    suites = suites or []
    calibrating = suites[:1] == [CALIBRATE]
    if resume:
        named = suites not in ([], [CALIBRATE]) or builder or reviewer or reviewer_prompt
        switches = builder_thinking or reviewer_thinking or rounds
        if named or switches or threshold is not None or n != 1:
            raise SelectionError("--resume runs it exactly as it began; give no selection")
        plan, kind = _stored(cfg, store, resume)
    elif calibrating:
        plan, kind = _calibration_plan(cfg, suites[1:], builder, reviewer, rounds, reviewer_prompt,
                                       builder_thinking, reviewer_thinking, threshold, n), CALIBRATE  # fmt: skip
    else:
        plan, kind = _duo_plan(cfg, suites, builder, reviewer, rounds, reviewer_prompt,
                               builder_thinking, reviewer_thinking, threshold, n), "duo"  # fmt: skip
    outcome = _run(cfg, store, plan, kind, resume, json)
    _show(store, outcome, json)
    fail_if(outcome.failed > 0)


def _stored(cfg: Any, store: Any, bench_id: str) -> tuple[Any, str]:
    from trinity.controller.duo import stored_plan

    stored = store.bench_run(bench_id)
    if stored.kind not in ("duo", CALIBRATE):
        raise SelectionError(
            f"{bench_id} is a {stored.kind}, not a duo",
            hint=f"trinityctl bench --resume {bench_id}",
        )
    return stored_plan(cfg, stored.kind, stored.selection, stored.config), stored.kind


def _duo_plan(cfg: Any, suites: list[str] | None, builder: str | None, reviewer: str | None,
              rounds: int | None, prompt: str | None, builder_thinking: str | None,
              reviewer_thinking: str | None, threshold: float | None, n: int) -> Any:  # fmt: skip
    from trinity.controller.duo import DEFAULT_ROUNDS, DuoPlan, parse_switch, pick_model
    from trinity.controller.reviewer import load_prompts
    from trinity.controller.suites import select_tasks

    if not suites:
        raise SelectionError(
            "name what to run: suites, categories or all (or `calibrate`)",
            hint="trinityctl duo --help",
        )
    prompts = load_prompts(prompt or "empowered")
    if len(prompts) > 1:
        raise SelectionError("a duo takes one --reviewer-prompt; `duo calibrate` compares several")
    build = pick_model(cfg, builder, "builder")
    switch = parse_switch(builder_thinking, "--builder-thinking")
    if switch is None and build.thinking is None:
        switch = False  # the builder is the fast one: no thinking unless configured
    return DuoPlan(
        tuple(select_tasks(suites)), build, pick_model(cfg, reviewer, "reviewer"), n, prompts[0],
        rounds or DEFAULT_ROUNDS, switch, parse_switch(reviewer_thinking, "--reviewer-thinking"),
        cfg.defaults.pass_threshold if threshold is None else threshold,
    )  # fmt: skip


def _calibration_plan(cfg: Any, suites: list[str], builder: str | None, reviewer: str | None,
                      rounds: int | None, prompt: str | None, builder_thinking: str | None,
                      reviewer_thinking: str | None, threshold: float | None, n: int) -> Any:  # fmt: skip
    from trinity.controller.duo import CalibrationPlan, code_tasks, parse_switch, pick_model
    from trinity.controller.reviewer import load_prompts
    from trinity.controller.suites import select_tasks

    for flag, value in (("--builder", builder), ("--rounds", rounds),
                        ("--builder-thinking", builder_thinking), ("--threshold", threshold)):  # fmt: skip
        if value is not None:
            raise SelectionError(f"{flag}: a calibration has no builder; it needs only --reviewer")
    return CalibrationPlan(
        code_tasks(select_tasks(suites or ["all"])), pick_model(cfg, reviewer, "reviewer"),
        load_prompts(prompt or "verify,empowered"), n,
        parse_switch(reviewer_thinking, "--reviewer-thinking"),
    )  # fmt: skip


def _run(cfg: Any, store: Any, plan: Any, kind: str, resume: str | None, json: bool) -> Any:
    from trinity.controller.duo import run_calibration, run_duo

    noun = "chains" if kind == "duo" else "reviews"
    runner = run_duo if kind == "duo" else run_calibration
    with run_bar(kind, noun, nodes=1, json=json, line=_step_line) as progress:
        return run(runner(cfg, store, plan, resume=resume, argv=sys.argv[1:], progress=progress),
                   interrupted="every finished step is stored: `trinityctl duo --resume ID` "
                   "finishes it (`trinityctl runs` lists them)")  # fmt: skip


def _step_line(record: Any) -> tuple[int, str]:
    """A step on the bar; the bar moves when a chain (or a piece's review) is done."""
    said = record.details.get("verdict") or record.outcome
    what = f"{record.score:.0f}" if record.role == "builder" and record.score is not None else said
    done = 1 if record.details.get("last") else 0
    return done, f"{record.task} {record.role} {record.round} → {what}"


def _show(store: Any, outcome: Any, json: bool) -> None:
    from trinity.controller import duo_report as rep

    bench_run = store.bench_run(outcome.bench_run_id)
    runs = store.runs(outcome.bench_run_id)
    if json:
        typer.echo(rep.dumps({**rep.as_json(bench_run, runs), "db": str(store.path)}))
        return
    tables, notes = rep.terminal(bench_run, runs)
    for table in tables:
        out.print(table)
    for line in notes:
        out.print(Text(line, style="dim"), soft_wrap=True)
    before = f", {outcome.skipped} from before" if outcome.skipped else ""
    out.print(
        f"{bench_run.kind} {outcome.bench_run_id} in {store.path}: {outcome.ran} steps this time{before}"
    )
