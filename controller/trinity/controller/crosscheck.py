"""`trinityctl crosscheck`: a bench over peers (APIs, coding CLIs) and local models side by
side, plus two things beside the score table.

1. Speed and cost: per model and task, the wall time to a scored answer (the median over
   its n runs, from the question to the sandbox's verdict), tokens in, out and
   reasoning where the model reports them, the cost it reports (a CLI's own estimate, or
   the API's tokens at the configured prices), decode tok/s where measured, and for a
   local model the GPU energy its generations took where the node's NVML reports power
   (trinity.controller.energy). Above that, one line per model: its mean score, the sum
   of its task medians and how many times the fastest that is, its tokens, its cost (a
   local model's: its energy at `defaults.electricity_price_per_kwh`, when set): the gap
   between a local model and a commercial tool is usually speed, not quality, and this
   line shows it at a glance.
2. AST consensus (trinity.controller.fingerprint): per task, each model's solution shape
   and the models that built it differently from the majority. A diagnostic; never part
   of a score.

It is `run_bench` with kind "crosscheck" (so the results database, `report`, `compare`
and `--resume` treat it as any bench); peers run at the same time, each within its own
concurrency, so a crosscheck takes about as long as its slowest model, not the sum.
Everything here after the run reads the results database only.
"""

from __future__ import annotations

import html
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rich.table import Table
from rich.text import Text
from trinity.controller.bench import Plan, reported_cost
from trinity.controller.config import AnyModel, ClusterConfig
from trinity.controller.errors import SelectionError
from trinity.controller.fingerprint import TaskShapes, task_shapes
from trinity.controller.report import Report
from trinity.controller.store import RunRecord, model_label, thinking_label
from trinity.controller.suites import Task

KIND = "crosscheck"
DEFAULT_SUITES = ("crosscheck",)
TURN_JOINER = "\n\n---\n\n"  # how a bench joins a multi-turn run's code


def select(config: ClusterConfig, names: Sequence[str] | None) -> tuple[AnyModel, ...]:
    """--models a,b,node/c: peers by name, models by NAME or NODE/NAME, in the order given;
    none: every peer, then every model."""
    everything: list[AnyModel] = [*config.peers, *config.models]
    if not names:
        if not everything:
            raise SelectionError(f"no peers or models configured in {config.source}")
        return tuple(everything)
    picked: list[AnyModel] = []
    for name in names:
        found = [m for m in everything if name in (m.key, m.name)]
        if not found:
            known = ", ".join(m.key for m in everything) or "(none)"
            raise SelectionError(
                f"unknown model or peer {name!r} in --models; configured: {known}",
                hint=f"peers and models come from {config.source}; NAME or NODE/NAME",
            )
        if len(found) > 1:
            raise SelectionError(
                f"--models {name!r} names several models ({', '.join(m.key for m in found)})",
                hint="write NODE/NAME",
            )
        if found[0] not in picked:
            picked.append(found[0])
    return tuple(picked)


def plan(
    tasks: Sequence[Task],
    models: Sequence[AnyModel],
    n: int,
    threshold: float,
    max_cost_usd: float | None = None,
) -> Plan:
    return Plan(tuple(tasks), tuple(models), n, (None,), threshold, KIND, max_cost_usd)


# ---------------------------------------------------------------- speed and cost


@dataclass(frozen=True)
class Speed:
    """One model on one task over its runs (infra failures left out)."""

    column: str
    task: str
    runs: int
    wall_s: float | None  # median, question to score
    input_tokens: float | None  # means per run, where reported
    output_tokens: float | None
    reasoning_tokens: float | None
    cost_usd: float | None  # total over the runs and their failed attempts, where reported
    decode_tok_s: float | None
    energy_wh: float | None = None  # mean per run, where measured


@dataclass(frozen=True)
class ModelSpeed:
    """One model over every task: the line that shows the gap at a glance."""

    column: str
    title: str
    mean_score: float | None
    wall_s: float | None  # sum of its task medians
    times_fastest: float | None
    output_tokens: float | None  # sum of its task means
    cost_usd: float | None  # reported, else its energy at the electricity price
    decode_tok_s: float | None
    energy_kwh: float | None = None  # over all its runs, where measured


@dataclass(frozen=True)
class Crosscheck:
    """A crosscheck's two tables beside the scores, and the peers that stopped."""

    report: Report
    speed: tuple[Speed, ...]
    models: tuple[ModelSpeed, ...]
    shapes: tuple[TaskShapes, ...]
    stopped: Mapping[str, str]


def summarise(report: Report, runs: Sequence[RunRecord]) -> Crosscheck:
    """The speed/cost and AST tables of a stored crosscheck (or any bench)."""
    grouped: dict[tuple[str, str], list[RunRecord]] = {}
    paid: dict[tuple[str, str], float] = {}  # failed attempts too: they were paid for
    for run in runs:
        if _costed(run.details):
            paid[(_column(run), run.task)] = paid.get(
                (_column(run), run.task), 0.0
            ) + reported_cost(run.details)
        if run.outcome != "infra_error":
            grouped.setdefault((_column(run), run.task), []).append(run)
    tasks = [v.task for v in report.verdicts]
    speed = tuple(_speed(c, t, grouped.get((c, t), []), paid.get((c, t)))
                  for c in report.columns for t in tasks)  # fmt: skip
    price = (report.bench.config.get("defaults") or {}).get("electricity_price_per_kwh")
    return Crosscheck(
        report,
        speed,
        _model_speeds(report, speed, price),
        tuple(_shapes(task, report.columns, grouped) for task in tasks),
        _stopped(runs),
    )


def _column(run: RunRecord) -> str:
    return model_label(run.model, thinking_label(run.thinking))


def _costed(details: Mapping[str, Any]) -> bool:
    return details.get("cost_usd") is not None or details.get("failed_cost_usd") is not None


def _speed(column: str, task: str, runs: Sequence[RunRecord], paid: float | None) -> Speed:
    walls = [r.finished_at - r.started_at for r in runs]
    rates = [r.decode_tok_s for r in runs if r.decode_tok_s]
    return Speed(
        column,
        task,
        len(runs),
        statistics.median(walls) if walls else None,
        _mean([r.details.get("input_tokens", r.prompt_tokens) for r in runs]),
        _mean([r.details.get("output_tokens", r.completion_tokens) for r in runs]),
        _mean([r.details.get("reasoning_tokens") for r in runs]),
        paid,
        statistics.fmean(rates) if rates else None,
        _mean([r.details.get("energy_wh") for r in runs]),
    )


def _mean(values: Sequence[Any]) -> float | None:
    known = [v for v in values if isinstance(v, int | float)]
    return statistics.fmean(known) if known else None


def _model_speeds(
    report: Report, speed: Sequence[Speed], price: float | None
) -> tuple[ModelSpeed, ...]:
    walls: dict[str, float | None] = {}
    for column in report.columns:
        times = [s.wall_s for s in speed if s.column == column]
        walls[column] = None if not times or None in times else sum(w for w in times if w)
    fastest = min((w for w in walls.values() if w), default=None)
    out = []
    for summary in report.models:
        mine = [s for s in speed if s.column == summary.column]
        wall = walls.get(summary.column)
        costs = [s.cost_usd for s in mine if s.cost_usd is not None]
        outputs = [s.output_tokens for s in mine if s.output_tokens is not None]
        energy = [s.energy_wh * s.runs / 1000 for s in mine if s.energy_wh is not None]
        kwh = sum(energy) if energy else None
        cost = sum(costs) if costs else (kwh * price if kwh is not None and price else None)
        out.append(ModelSpeed(
            summary.column, summary.title, summary.mean_score, wall,
            wall / fastest if wall and fastest else None,
            sum(outputs) if outputs else None, cost, summary.decode_tok_s, kwh,
        ))  # fmt: skip
    return tuple(out)


def _shapes(
    task: str, columns: Sequence[str], grouped: Mapping[tuple[str, str], list[RunRecord]]
) -> TaskShapes:
    codes = {c: [r.code.split(TURN_JOINER)[-1] for r in grouped.get((c, task), []) if r.code]
             for c in columns}  # fmt: skip
    return task_shapes(task, {c: runs for c, runs in codes.items() if runs})


def _stopped(runs: Sequence[RunRecord]) -> dict[str, str]:
    """Models whose runs were not made, and why (the first reason stored)."""
    stopped: dict[str, str] = {}
    for run in runs:
        reason = str(run.sandbox.get("error", "")) if run.outcome == "infra_error" else ""
        if reason.startswith((f"{run.model} stopped: ", "not run: ")):
            stopped.setdefault(run.model, reason)
    return stopped


# ---------------------------------------------------------------- how it looks


def _num(value: float | None, fmt: str, unit: str = "") -> str:
    return "—" if value is None else f"{value:{fmt}}{unit}"


def _cost(value: float | None) -> str:
    return "—" if value is None else f"${value:.4f}" if value < 1 else f"${value:.2f}"


def _table(title: str, columns: Sequence[str], rows: Sequence[Sequence[str | Text]]) -> Table:
    """Figures whole and never wrapped; the first column (names) wraps instead, so the
    table fits 80 columns without cutting a number to "…"."""
    out = Table(title=title, title_justify="left")
    for i, name in enumerate(columns):
        if i == 0:
            out.add_column(name, overflow="fold", ratio=1)
            continue
        width = max([len(name)] + [len(str(row[i])) for row in rows])
        out.add_column(name, justify="right", no_wrap=True, min_width=width)
    for row in rows:
        out.add_row(*row)
    return out


def glance_table(check: Crosscheck) -> Table:
    """One line per model: quality and speed side by side (wall: the sum of its task
    medians; ×: that over the fastest model's)."""
    rows = [
        (Text(m.title), _num(m.mean_score, ".1f"), _num(m.wall_s, ".1f", " s"),
         _num(m.times_fastest, ".1f", "×"), _num(m.output_tokens, ".0f"), _cost(m.cost_usd),
         _num(m.decode_tok_s, ".1f"), _num(m.energy_kwh, ".4f"))
        for m in check.models
    ]  # fmt: skip
    columns = ("Model", "Score", "Wall", "×", "Out tok", "Cost", "tok/s", "kWh")
    return _table("speed and cost (the gap at a glance)", columns, rows)


def speed_table(check: Crosscheck) -> Table:
    """Per task, each model: median wall time to a scored answer, tokens per run (in,
    out, reasoning), reported cost, decode tok/s, GPU energy per run."""
    titles, columns = check.report.titles, check.report.columns
    rows: list[tuple[str | Text, ...]] = []
    for task in dict.fromkeys(s.task for s in check.speed):
        rows.append((Text(task, style="bold"), *[""] * 7))
        mine = sorted(
            (s for s in check.speed if s.task == task), key=lambda s: columns.index(s.column)
        )
        rows += [(Text("  " + titles.get(s.column, s.column)), _num(s.wall_s, ".1f", " s"),
                  _num(s.input_tokens, ".0f"), _num(s.output_tokens, ".0f"),
                  _num(s.reasoning_tokens, ".0f"), _cost(s.cost_usd), _num(s.decode_tok_s, ".1f"),
                  _num(s.energy_wh, ".2f")) for s in mine]  # fmt: skip
    names = ("Task / model", "Wall", "In", "Out", "Think", "Cost", "tok/s", "Wh")
    return _table("per task (median wall time over n; tokens per run)", names, rows)


def shape_rows(check: Crosscheck) -> list[tuple[str, str, str]]:
    """(task, model title, what) for every AST flag and every unparsable solution."""
    titles = check.report.titles
    rows = []
    for shapes in check.shapes:
        for flag in shapes.flags:
            rows.append((shapes.task, titles.get(flag.model, flag.model), flag.message))
        for model, error in shapes.unparsable().items():
            rows.append((shapes.task, titles.get(model, model), f"unparsable: {error}"))
    return rows


def shapes_table(check: Crosscheck) -> Table:
    """Per task, each model that built it differently (or whose code does not parse)."""
    out = Table(title="AST consensus (a diagnostic, not part of any score)", title_justify="left")
    out.add_column("Task / model", overflow="fold", ratio=1)
    out.add_column("Differs from the majority", overflow="fold", ratio=2)
    shown = ""
    for task, model, what in shape_rows(check):
        if task != shown:
            out.add_row(Text(task, style="bold"), "")
            shown = task
        out.add_row(Text("  " + model), Text(what))
    if not out.rows:
        out.add_row("—", "no divergent structure (or fewer than 3 parsable solutions)")
    return out


def markdown(check: Crosscheck) -> str:
    """The two tables as markdown, to append to the bench's own."""
    lines = ["## Speed and cost", "", "| Model | Mean score | Wall (Σ medians) | × fastest | "
             "Tokens out | Cost | tok/s | GPU energy |", "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for m in check.models:
        lines.append(f"| {_md(m.title)} | {_num(m.mean_score, '.1f')} | {_num(m.wall_s, '.1f', ' s')}"
                     f" | {_num(m.times_fastest, '.1f', '×')} | {_num(m.output_tokens, '.0f')} | "
                     f"{_cost(m.cost_usd)} | {_num(m.decode_tok_s, '.1f')} | "
                     f"{_num(m.energy_kwh, '.4f', ' kWh')} |")  # fmt: skip
    lines += ["", "## AST consensus", "", "| Task | Model | Differs from the majority |",
              "|---|---|---|"]  # fmt: skip
    lines += [f"| {_md(t)} | {_md(m)} | {_md(w)} |" for t, m, w in shape_rows(check)]
    lines += [""] + [f"- {_md(line)}" for line in stopped_lines(check)]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def stopped_lines(check: Crosscheck) -> list[str]:
    return [
        f"{why if why.startswith(model) else f'{model}: {why}'}; its runs left are INCOMPLETE "
        "(--resume tries them again)"
        for model, why in check.stopped.items()
    ]


def as_json(check: Crosscheck) -> dict[str, Any]:
    return {
        "speed": [vars(s) for s in check.speed],
        "models_speed": [vars(m) for m in check.models],
        "ast": [
            {
                "task": s.task,
                "flags": [vars(f) for f in s.flags],
                "unparsable": s.unparsable(),
                "shapes": {
                    m: {
                        "features": sorted(f.features),
                        "classes": dict(f.classes),
                        "functions": list(f.functions),
                        "branches": f.branches,
                        "lines": f.lines,
                        "error": f.error,
                    }
                    for m, f in s.shapes.items()
                },
            }
            for s in check.shapes
        ],
        "stopped": dict(check.stopped),
    }


def html_section(check: Crosscheck) -> str:
    """The two tables as HTML, for the bench page (no scripts, no external assets)."""
    e = html.escape
    glance = "".join(
        f"<tr><th>{e(m.title)}</th><td>{e(_num(m.mean_score, '.1f'))}</td>"
        f"<td>{e(_num(m.wall_s, '.1f', ' s'))}</td><td>{e(_num(m.times_fastest, '.1f', '×'))}</td>"
        f"<td>{e(_num(m.output_tokens, '.0f'))}</td><td>{e(_cost(m.cost_usd))}</td>"
        f"<td>{e(_num(m.decode_tok_s, '.1f'))}</td><td>{e(_num(m.energy_kwh, '.4f', ' kWh'))}</td></tr>"
        for m in check.models
    )
    flags = "".join(f"<tr><th>{e(t)}</th><td>{e(m)}</td><td>{e(w)}</td></tr>"
                    for t, m, w in shape_rows(check)) or "<tr><td colspan=3>none</td></tr>"  # fmt: skip
    return (
        "<h2>Speed and cost</h2><table id=speed><tr><th>Model</th><th>Mean score</th>"
        "<th>Wall (Σ task medians)</th><th>× fastest</th><th>Tokens out</th><th>Cost</th>"
        f"<th>tok/s</th><th>GPU energy</th></tr>{glance}</table>"
        "<h2>AST consensus</h2><p>A diagnostic, never part of a score.</p><table id=ast>"
        f"<tr><th>Task</th><th>Model</th><th>Differs from the majority</th></tr>{flags}</table>"
    )
