"""What a bench found, as a terminal table, markdown, JSON or one self-contained HTML page
(a task × model score heatmap and each model's tok/s), and what changed between two.

Everything here reads the results database only: a report of a bench still running (or
killed) shows what has finished, with INCOMPLETE where runs are missing.
"""

from __future__ import annotations

import html
import json
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rich.table import Table
from rich.text import Text
from trinity.controller.consensus import ModelTaskStats, TaskVerdict, Verdict
from trinity.controller.store import BenchRun, RunRecord, model_label, thinking_label

VERDICT_STYLE = {
    Verdict.UNANIMOUS: "green",
    Verdict.MAJORITY: "yellow",
    Verdict.MINORITY: "dark_orange",
    Verdict.ALL_FAIL: "red",
    Verdict.INCOMPLETE: "dim",
}
FLAKY = "~"  # a model's runs on both sides of the threshold


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

    @property
    def columns(self) -> list[str]:
        return list(self.titles)


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
    return Report(bench, dict(titles), list(verdicts), models, dict(refused or {}))


def _cell(stats: ModelTaskStats) -> str:
    if stats.mean is None:
        return "—"
    text = f"{stats.mean:.1f}"
    if stats.n_done > 1 and stats.std:
        text += f" ±{stats.std:.1f}"
    if stats.flaky:
        text += f" {FLAKY}"
    if not stats.complete:
        text += f" ({stats.n_done}/{stats.n_expected})"
    return text


def _score_style(stats: ModelTaskStats) -> str:
    if stats.mean is None:
        return "dim"
    return "green" if stats.passed else "red"


def table(report: Report) -> Table:
    """The terminal consensus table: a row per task, a column per model, the verdict."""
    out = Table(title=f"bench {report.bench.id}", title_justify="left")
    out.add_column("Task", no_wrap=True)
    for column in report.columns:
        # Text, not str: a str is read as markup, and "[thinking on]" would vanish.
        out.add_column(Text(report.titles[column]), justify="right")
    out.add_column("Verdict")
    for verdict in report.verdicts:
        cells = [Text(_cell(s), style=_score_style(s)) for s in verdict.stats]
        out.add_row(
            Text(verdict.task), *cells, Text(verdict.verdict.value, VERDICT_STYLE[verdict.verdict])
        )
    speeds = [_speed(m) for m in report.models]
    out.add_section()
    out.add_row(Text("decode tok/s", style="dim"), *[Text(s, style="dim") for s in speeds], "")
    return out


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
        cells = [_cell(s) for s in verdict.stats]
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
        "status": report.bench.status,
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


def _heat(score: float | None) -> str:
    """Red (0) through yellow to green (100); grey with no score."""
    if score is None:
        return "#e0e0e0"
    hue = int(120 * max(0.0, min(100.0, score)) / 100)
    return f"hsl({hue}, 70%, 72%)"


def html_page(report: Report, sections: Sequence[tuple[str, str]] = ()) -> str:
    """One file, no scripts or external assets: the heatmap and a tok/s bar chart, then
    `sections` (heading, HTML already escaped) a duo or calibration adds."""
    e = html.escape
    extra = "".join(f"<h2>{e(heading)}</h2>\n{body}\n" for heading, body in sections)
    head = "".join(f"<th>{e(report.titles[c])}</th>" for c in report.columns)
    rows = []
    for verdict in report.verdicts:
        cells = "".join(
            f'<td style="background:{_heat(s.mean)}" title="{e(", ".join(f"{x:g}" for x in s.scores))}">'
            f"{e(_cell(s))}</td>"
            for s in verdict.stats
        )
        rows.append(f"<tr><th class=task>{e(verdict.task)}</th>{cells}"
                    f"<td class=verdict>{e(verdict.verdict.value)}</td></tr>")  # fmt: skip
    fastest = max((m.decode_tok_s or 0.0 for m in report.models), default=0.0) or 1.0
    bars = "".join(
        f'<tr><th>{e(m.title)}</th><td><div class=bar style="width:{300 * (m.decode_tok_s or 0) / fastest:.0f}px">'
        f"</div></td><td>{e(_speed(m))} tok/s</td><td>TTFT {e(f'{m.ttft_s * 1000:.0f} ms' if m.ttft_s else '—')}</td></tr>"
        for m in report.models
    )
    notes = "".join(f"<li>{e(line)}</li>" for line in legend(report))
    data = e(json.dumps(as_json(report)))
    return f"""<!doctype html>
<html lang=en><head><meta charset=utf-8><title>Trinity {e(report.bench.kind)} {e(report.bench.id)}</title>
<style>
body {{ font: 14px system-ui, sans-serif; margin: 2em; }}
table {{ border-collapse: collapse; margin-bottom: 1.5em; }}
td, th {{ padding: 4px 10px; border: 1px solid #ccc; text-align: right; }}
th.task, th {{ text-align: left; }}
.bar {{ height: 14px; background: #4a78c2; }}
</style></head><body>
<h1>Trinity {e(report.bench.kind)} {e(report.bench.id)}</h1>
<p>status {e(report.bench.status)}; {len(report.verdicts)} tasks × {len(report.columns)} models</p>
<h2>Scores (task × model)</h2>
<table id=heatmap><tr><th>Task</th>{head}<th>Verdict</th></tr>
{"".join(rows)}
</table>
<h2>Decode speed per model</h2>
<table id=toks>{bars}</table>
<ul>{notes}</ul>
{extra}
<script type="application/json" id=data>{data}</script>
</body></html>
"""


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
