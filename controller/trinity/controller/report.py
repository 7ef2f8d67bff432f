"""What a bench found, as a terminal table, markdown, JSON or one self-contained HTML page
(a task × model score heatmap and each model's tok/s), and what changed between two.

Everything here reads the results database only: a report of a bench still running (or
killed) shows what has finished, with INCOMPLETE where runs are missing.

Repeats that are not repeats: when every reply of a task × model is the same text while
sampling was on, the n runs measured one sample n times (a seed the server fixed, or
sampling it ignored), so their std of 0 says nothing. The cell is marked and a line
under the table says so; JSON gives each cell's seeds and `identical_replies`.
"""

from __future__ import annotations

import html
import json
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rich import box
from rich.table import Table
from rich.text import Text
from trinity.controller import charts, render
from trinity.controller.consensus import ModelTaskStats, TaskVerdict, Verdict
from trinity.controller.store import (
    BenchRun,
    RunRecord,
    model_label,
    shown_status,
    thinking_label,
)

VERDICT_STYLE = {
    Verdict.UNANIMOUS: "green",
    Verdict.MAJORITY: "yellow",
    Verdict.MINORITY: "dark_orange",
    Verdict.ALL_FAIL: "red",
    Verdict.INCOMPLETE: "dim",
}
FLAKY = "~"  # a model's runs on both sides of the threshold
IDENTICAL = "≡"  # every reply the same, with sampling on
DEGENERATE = "identical replies: fixed seed, or the server ignores sampling"


@dataclass(frozen=True)
class Repeats:
    """One task × column's runs as repeats: the seed each was asked with (repeat order,
    as its scores) and, when all n ≥ 2 replies were the same text with sampling on, n."""

    seeds: tuple[int | None, ...]
    identical: int = 0


def repeats(runs: Sequence[RunRecord]) -> dict[tuple[str, str], Repeats]:
    """(task, column) → Repeats over the runs consensus counts (plain runs, no infra_error)."""
    grouped: dict[tuple[str, str], list[RunRecord]] = {}
    for run in sorted(runs, key=lambda r: r.repeat):
        if run.outcome != "infra_error" and not run.role and not run.round:
            column = model_label(run.model, thinking_label(run.thinking))
            grouped.setdefault((run.task, column), []).append(run)
    return {key: Repeats(tuple(r.seed for r in mine), identical_replies(mine))
            for key, mine in grouped.items()}  # fmt: skip


def identical_replies(runs: Sequence[RunRecord]) -> int:
    """n when the n ≥ 2 replies are one text and every run sampled; else 0."""
    replies = [r.response for r in runs if r.response]
    if len(replies) < 2 or len(set(replies)) > 1 or not all(map(_sampled, runs)):
        return 0
    return len(replies)


def _sampled(run: RunRecord) -> bool:
    """Temperature above 0, or unset: the servers' own defaults sample (llama.cpp 0.8,
    vLLM and OpenAI-style APIs 1.0), so only an explicit 0 expects identical replies."""
    temperature = run.model_config.get("sampling", {}).get("temperature")
    return temperature is None or temperature > 0


@dataclass(frozen=True)
class ModelSummary:
    """One consensus column: its runs' outcomes and speed."""

    column: str
    title: str
    runs: int
    outcomes: Mapping[str, int]
    mean_score: float | None
    decode_tok_s: float | None
    ttft_s: float | None
    completion_tokens: int


@dataclass(frozen=True)
class Report:
    bench: BenchRun
    titles: Mapping[str, str]  # column → title
    verdicts: Sequence[TaskVerdict]
    models: Sequence[ModelSummary]
    refused: Mapping[str, Sequence[str]]
    repeats: Mapping[tuple[str, str], Repeats] = field(default_factory=dict)

    @property
    def columns(self) -> list[str]:
        return list(self.titles)

    def cell(self, task: str, column: str) -> Repeats:
        return self.repeats.get((task, column), Repeats(()))


def summarise(
    bench: BenchRun,
    runs: Sequence[RunRecord],
    verdicts: Sequence[TaskVerdict],
    titles: Mapping[str, str],
    refused: Mapping[str, Sequence[str]] | None = None,
) -> Report:
    by_column: dict[str, list[RunRecord]] = {c: [] for c in titles}
    for run in runs:
        column = model_label(run.model, thinking_label(run.thinking))
        by_column.setdefault(column, []).append(run)
    models = []
    for column, mine in by_column.items():
        outcomes: dict[str, int] = {}
        for run in mine:
            outcomes[run.outcome] = outcomes.get(run.outcome, 0) + 1
        scored = [r.score or 0.0 for r in mine if r.outcome != "infra_error"]
        speeds = [r.decode_tok_s for r in mine if r.decode_tok_s]
        ttfts = [r.ttft_s for r in mine if r.ttft_s]
        models.append(
            ModelSummary(
                column,
                titles.get(column, column),
                len(mine),
                outcomes,
                statistics.fmean(scored) if scored else None,
                statistics.fmean(speeds) if speeds else None,
                statistics.median(ttfts) if ttfts else None,
                sum(r.completion_tokens or 0 for r in mine),
            )
        )
    return Report(bench, dict(titles), list(verdicts), models, dict(refused or {}), repeats(runs))


def _cell(stats: ModelTaskStats, identical: int = 0, *, compact: bool = False) -> str:
    """'83.3 ±23.6 ~ ≡ (2/3)'; compact: the same on lines of at most six characters."""
    if stats.mean is None:
        return "—"
    parts = [f"{stats.mean:.1f}"]
    if stats.n_done > 1 and stats.std:
        parts.append(f"±{stats.std:.1f}")
    if stats.flaky:
        parts[0] += FLAKY if compact else ""
        parts += [] if compact else [FLAKY]
    if identical:
        parts[0] += IDENTICAL if compact else ""
        parts += [] if compact else [IDENTICAL]
    if not stats.complete:
        parts.append(f"({stats.n_done}/{stats.n_expected})")
    return ("\n" if compact else " ").join(parts)


def _score_style(stats: ModelTaskStats) -> str:
    if stats.mean is None:
        return "dim"
    return "green" if stats.passed else "red"


def table(report: Report) -> render.FitColumns:
    """The terminal consensus table: a row per task, a column per model, the verdict.
    In a terminal too narrow for it: compact cells, and the models over several tables."""
    return render.FitColumns(
        lambda: _table(report, range(len(report.columns)), compact=False),
        lambda group: _table(report, group, compact=True),
        len(report.columns),
    )


def _table(report: Report, columns: Sequence[int], *, compact: bool) -> Table:
    out = Table(title=f"bench {report.bench.id}", title_justify="left",
                box=box.SIMPLE_HEAD if compact else box.HEAVY_HEAD)  # fmt: skip
    out.add_column("Task", no_wrap=True)
    cells = [
        [
            Text(
                _cell(v.stats[i], _identical(report, v.stats[i]), compact=compact),
                style=_score_style(v.stats[i]),
            )
            for i in columns
        ]
        for v in report.verdicts
    ]
    for k, i in enumerate(columns):
        # Text, not str: a str is read as markup, and "[thinking on]" would vanish.
        title = report.titles[report.columns[i]]
        widest = max((max(len(x) for x in row[k].plain.split("\n")) for row in cells), default=4)
        out.add_column(Text(title.replace(" [", "\n[") if compact else title), justify="right",
                       overflow="fold", min_width=widest)  # fmt: skip
    out.add_column("Verdict", no_wrap=True)
    for verdict, row in zip(report.verdicts, cells, strict=True):
        task = verdict.task.replace("/", "/\n  ") if compact else verdict.task
        out.add_row(Text(task), *row,
                    Text(verdict.verdict.value, VERDICT_STYLE[verdict.verdict]))  # fmt: skip
    speeds = [_speed(report.models[i]) for i in columns]
    out.add_section()
    out.add_row(Text("decode tok/s", style="dim"), *[Text(s, style="dim") for s in speeds], "")
    return out


def _identical(report: Report, stats: ModelTaskStats) -> int:
    return report.cell(stats.task, stats.model).identical


def _speed(model: ModelSummary) -> str:
    return f"{model.decode_tok_s:.1f}" if model.decode_tok_s else "—"


def legend(report: Report) -> list[str]:
    """Lines under the table: threshold, marks, outcomes other than scored, refusals."""
    threshold = report.verdicts[0].stats[0].threshold if report.verdicts else 90.0
    n = report.bench.selection.get("n", "?")
    lines = [f"mean over n={n} runs ± population std; pass at ≥ {threshold:g}; "
             f"{FLAKY} = runs on both sides of the threshold"]  # fmt: skip
    for model in report.models:
        other = {k: v for k, v in sorted(model.outcomes.items()) if k != "scored"}
        if other:
            listed = ", ".join(f"{v} {k}" for k, v in other.items())
            lines.append(f"{model.title}: {listed} of {model.runs} runs")
    for verdict in report.verdicts:
        for stats in verdict.stats:
            if same := _identical(report, stats):
                title = report.titles.get(stats.model, stats.model)
                lines.append(f"{IDENTICAL} {verdict.task}, {title}: {same} {DEGENERATE}")
    for task, problems in report.refused.items():
        lines.append(f"refused {task}: failed its own validation: {problems[0]}")
    return lines


def markdown(report: Report) -> str:
    head = ["Task", *[report.titles[c] for c in report.columns], "Verdict"]
    lines = [
        f"# Bench {report.bench.id}",
        "",
        "| " + " | ".join(_md(h) for h in head) + " |",
        "|" + "---|" * len(head),
    ]
    for verdict in report.verdicts:
        cells = [_cell(s, _identical(report, s)) for s in verdict.stats]
        lines.append(
            "| " + " | ".join(_md(x) for x in [verdict.task, *cells, verdict.verdict.value]) + " |"
        )
    lines.append("| decode tok/s | " + " | ".join(_speed(m) for m in report.models) + " | |")
    lines += ["", *[f"- {_md(line)}" for line in legend(report)], ""]
    return "\n".join(lines)


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def as_json(report: Report) -> dict[str, Any]:
    return {
        "bench_run_id": report.bench.id,
        "created_at": report.bench.created_at,
        "status": shown_status(report.bench),
        "selection": report.bench.selection,
        "columns": [{"column": c, "title": report.titles[c]} for c in report.columns],
        "tasks": [
            {
                "task": v.task,
                "verdict": v.verdict.value,
                "models": {
                    s.model: {
                        "scores": list(s.scores),
                        "mean": s.mean,
                        "std": s.std,
                        "min": s.min,
                        "max": s.max,
                        "passed": s.passed,
                        "flaky": s.flaky,
                        "complete": s.complete,
                        "seeds": list(report.cell(v.task, s.model).seeds),
                        "identical_replies": _identical(report, s),
                    }
                    for s in v.stats
                },
            }
            for v in report.verdicts
        ],
        "models": [
            {
                "column": m.column,
                "title": m.title,
                "runs": m.runs,
                "outcomes": dict(m.outcomes),
                "mean_score": m.mean_score,
                "decode_tok_s": m.decode_tok_s,
                "ttft_s": m.ttft_s,
                "completion_tokens": m.completion_tokens,
            }
            for m in report.models
        ],
        "refused": {k: list(v) for k, v in report.refused.items()},
    }


def _model_key(column: str) -> str:
    """The model of a consensus column ("node/name", without a thinking switch)."""
    return column.split(" [thinking ")[0]


def _heat(score: float | None) -> str:
    """Red (0) through yellow to green (100); grey with no score."""
    if score is None:
        return "#e0e0e0"
    hue = int(120 * max(0.0, min(100.0, score)) / 100)
    return f"hsl({hue}, 70%, 72%)"


def _tooltip(report: Report, stats: ModelTaskStats) -> str:
    """A heatmap cell's scores, and its seeds when it has any."""
    scores = ", ".join(f"{x:g}" for x in stats.scores)
    seeds = [str(s) for s in report.cell(stats.task, stats.model).seeds if s is not None]
    return f"{scores}; seeds {', '.join(seeds)}" if seeds else scores


def html_page(
    report: Report,
    *,
    cell_href: Callable[[str, str], str | None] | None = None,
    task_notes: Mapping[str, str] | None = None,
    extra_head: str = "",
    extra_body: str = "",
) -> str:
    """One file, no external assets: the heatmap and a tok/s bar chart.

    cell_href(task, column): where a heatmap cell links (None: no link); task_notes: a
    last column, one line per task (the drill-down's "why it failed"); extra_head and
    extra_body: HTML added to the head and after the summary (trinity.controller.drilldown).
    """
    e = html.escape
    why = task_notes or {}
    head = "".join(f"<th>{e(report.titles[c])}</th>" for c in report.columns)
    rows = []
    for verdict in report.verdicts:
        cells = "".join(
            f'<td style="background:{_heat(s.mean)}" title="{e(_tooltip(report, s))}">'
            f"{_linked(e(_cell(s, _identical(report, s))), cell_href(verdict.task, s.model) if cell_href else None)}</td>"
            for s in verdict.stats
        )
        note = f"<td class=note>{e(why.get(verdict.task, ''))}</td>" if why else ""
        rows.append(f"<tr><th class=task>{e(verdict.task)}</th>{cells}"
                    f"<td class=verdict>{e(verdict.verdict.value)}</td>{note}</tr>")  # fmt: skip
    fastest = max((m.decode_tok_s or 0.0 for m in report.models), default=0.0) or 1.0
    # Each model in its colour on every chart of every page (the profile's too).
    palette = charts.colours(_model_key(m.column) for m in report.models)
    bars = "".join(
        f'<tr><th>{e(m.title)}</th><td><div class=bar style="width:{300 * (m.decode_tok_s or 0) / fastest:.0f}px;'
        f'background:{palette[_model_key(m.column)]}">'
        f"</div></td><td>{e(_speed(m))} tok/s</td><td>TTFT {e(f'{m.ttft_s * 1000:.0f} ms' if m.ttft_s else '—')}</td></tr>"
        for m in report.models
    )
    notes = "".join(f"<li>{e(line)}</li>" for line in legend(report))
    data = e(json.dumps(as_json(report)))
    return f"""<!doctype html>
<html lang=en><head><meta charset=utf-8><title>Trinity bench {e(report.bench.id)}</title>
<style>
body {{ font: 14px system-ui, sans-serif; margin: 2em; }}
table {{ border-collapse: collapse; margin-bottom: 1.5em; }}
td, th {{ padding: 4px 10px; border: 1px solid #ccc; text-align: right; }}
th.task, th {{ text-align: left; }}
.bar {{ height: 14px; background: #4a78c2; }}
td.note {{ text-align: left; max-width: 40em; font-size: 13px; }}
</style>{extra_head}</head><body>
<h1>Trinity bench {e(report.bench.id)}</h1>
<p>status {e(shown_status(report.bench))}; {len(report.verdicts)} tasks × {len(report.columns)} models</p>
<h2>Scores (task × model)</h2>
<table id=heatmap><tr><th>Task</th>{head}<th>Verdict</th>{"<th>Why it failed (most common)</th>" if why else ""}</tr>
{"".join(rows)}
</table>
<h2>Decode speed per model</h2>
<table id=toks>{bars}</table>
<ul>{notes}</ul>
<script type="application/json" id=data>{data}</script>
{extra_body}
</body></html>
"""


def _linked(text: str, href: str | None) -> str:
    return f'<a href="{html.escape(href)}">{text}</a>' if href else text


@dataclass(frozen=True)
class Change:
    task: str
    column: str
    before: float | None
    after: float | None
    verdict_before: str
    verdict_after: str

    @property
    def delta(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


def compare(a: Report, b: Report, *, min_delta: float = 0.0) -> list[Change]:
    """Per task × column present in either bench: the means and verdicts before and after;
    only those whose mean moved by more than min_delta or whose verdict changed."""

    def index(report: Report) -> dict[tuple[str, str], tuple[float | None, str]]:
        return {
            (v.task, s.model): (s.mean, v.verdict.value) for v in report.verdicts for s in v.stats
        }

    before, after = index(a), index(b)
    changes = []
    for key in sorted(set(before) | set(after)):
        m0, v0 = before.get(key, (None, "—"))
        m1, v1 = after.get(key, (None, "—"))
        moved = m0 is None or m1 is None or abs(m1 - m0) > min_delta
        if (moved and (m0, v0) != (m1, v1)) or v0 != v1:
            changes.append(Change(key[0], key[1], m0, m1, v0, v1))
    return changes


def compare_table(a: Report, b: Report, changes: Sequence[Change]) -> Table:
    out = Table(title=f"{a.bench.id} → {b.bench.id}", title_justify="left")
    for name in ("Task", "Model", "Before", "After", "Δ", "Verdict"):
        out.add_column(name, justify="right" if name in ("Before", "After", "Δ") else "left")
    titles = {**a.titles, **b.titles}
    for c in changes:
        delta = "" if c.delta is None else f"{c.delta:+.1f}"
        style = "" if c.delta is None else ("green" if c.delta > 0 else "red")
        verdict = (
            c.verdict_after
            if c.verdict_before == c.verdict_after
            else f"{c.verdict_before} → {c.verdict_after}"
        )
        out.add_row(Text(c.task), Text(titles.get(c.column, c.column)), _num(c.before), _num(c.after),
                    Text(delta, style=style), verdict)  # fmt: skip
    return out


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"
