"""What a duo found (modes, tasks, the reviewer's own quality) and what a calibration
found (each prompt's rubber-stamp and false-fail rates), as terminal tables, markdown,
JSON and a section of the HTML report; and either one as a bench-style Report, so
`compare` works on them.

Everything is read from the stored runs (trinity.controller.duo says what each holds), so
a report of a duo still running, or killed, shows what has finished: a chain counts once
its last step is stored, and the tables say how many of how many.

Modes: *single* is the builder's first answer (each turn's first answer, for multi_turn
tasks), on every task; *pair* the last code after the reviews, on single-turn tasks;
*multi-step* the same on multi_turn tasks. Time and tokens are per chain: single counts
the first answers' generations, pair and multi-step every step of the chain, reviews
included (prompt + completion tokens; seconds from each step's start to its end).

The reviewer, with the sandbox as ground truth on every piece of code it reviewed:
  rubber-stamp  approvals of code scoring below the pass threshold ÷ reviews of such code;
  false-fail    rejections of code scoring 100 ÷ reviews of such code;
  fix           FAIL verdicts after which the builder's next code scored higher ÷ FAIL
                verdicts that got a next code;
  unparsed      reviews with no readable verdict: counted apart, in no rate's numerator
                or denominator.
A calibration's rubber-stamp rate is over mutants (approved ÷ reviewed) and its
false-fail rate over references (rejected ÷ reviewed), per prompt. Every rate is shown
with its counts.
"""

from __future__ import annotations

import html
import json
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from rich.table import Table
from rich.text import Text
from trinity.controller import report as bench_report
from trinity.controller.consensus import DEFAULT_THRESHOLD, consensus
from trinity.controller.store import BenchRun, RunRecord
from trinity.controller.suites import load_task

SINGLE, PAIR, MULTI = "single", "pair", "multi-step"
_SLACK = 1e-9


@dataclass(frozen=True)
class Rate:
    """hits of `of`, shown with both counts."""

    hits: int
    of: int

    @property
    def value(self) -> float | None:
        return 100.0 * self.hits / self.of if self.of else None

    def text(self, noun: str = "") -> str:
        pct = "—" if self.value is None else f"{self.value:.1f} %"
        return f"{self.hits} of {self.of}{' ' + noun if noun else ''} ({pct})"

    def as_json(self) -> dict[str, Any]:
        return {"hits": self.hits, "of": self.of, "rate": self.value}


# ---------------------------------------------------------------- a duo's chains


@dataclass(frozen=True)
class ChainResult:
    """One task × repeat of a duo, once its last step is stored."""

    task: str
    repeat: int
    multi: bool
    single: float
    final: float
    reviews: int
    verdicts: Mapping[str, int]  # PASS / FAIL / unparsed
    categories: Mapping[str, int]
    single_s: float
    total_s: float
    single_tokens: int
    total_tokens: int


def chains(runs: Sequence[RunRecord]) -> tuple[list[ChainResult], int]:
    """The finished chains of a duo, and how many chains have started but not finished."""
    by_chain: dict[tuple[str, int], list[RunRecord]] = {}
    for run in runs:
        if run.role in ("builder", "reviewer") and run.outcome != "infra_error":
            by_chain.setdefault((run.task, run.repeat), []).append(run)
    done = [
        _chain(steps) for steps in by_chain.values() if any(s.details.get("last") for s in steps)
    ]
    return done, len(by_chain) - len(done)


def _chain(steps: list[RunRecord]) -> ChainResult:
    steps = sorted(steps, key=lambda s: (s.round, s.role != "reviewer"))
    builds = [s for s in steps if s.role == "builder"]
    reviews = [s for s in steps if s.role == "reviewer"]
    firsts = [b for b in builds if b.details.get("attempt") == 0]
    declared = builds[0].declared or 1
    multi = builds[0].details.get("turn_checks", declared) < declared
    return ChainResult(
        task=steps[0].task,
        repeat=steps[0].repeat,
        multi=multi,
        single=100.0 * sum(b.details.get("turn_passed", 0) for b in firsts) / declared,
        final=builds[-1].score or 0.0,
        reviews=len(reviews),
        verdicts=Counter(_verdict(r) for r in reviews),
        categories=Counter(
            f.get("category", "other") for r in reviews for f in r.details.get("findings", [])
        ),
        single_s=sum(_seconds(b) for b in firsts),
        total_s=sum(_seconds(s) for s in steps),
        single_tokens=sum(_tokens(b) for b in firsts),
        total_tokens=sum(_tokens(s) for s in steps),
    )


def _verdict(review: RunRecord) -> str:
    return review.details.get("verdict") or "unparsed"


def _seconds(run: RunRecord) -> float:
    return max(0.0, run.finished_at - run.started_at)


def _tokens(run: RunRecord) -> int:
    return (run.prompt_tokens or 0) + (run.completion_tokens or 0)


# ---------------------------------------------------------------- modes and tasks


@dataclass(frozen=True)
class ModeStats:
    """One mode over its tasks: pass rate, mean, mean ± std over the repeats, cost."""

    mode: str
    tasks: int
    runs: int
    expected: int
    passed: Rate
    mean: float | None
    repeat_means: tuple[float, ...]
    seconds: float | None  # per chain
    tokens: float | None
    extra_s: float | None  # over single, on the same chains
    extra_tokens: float | None

    @property
    def over_n(self) -> str:
        if not self.repeat_means:
            return "—"
        mean = statistics.fmean(self.repeat_means)
        return (
            f"{mean:.1f} ± {statistics.pstdev(self.repeat_means):.1f} (n={len(self.repeat_means)})"
        )


def mode_stats(
    mode: str, results: Sequence[ChainResult], tasks: Sequence[str], n: int, threshold: float
) -> ModeStats:
    """single: first answers; pair / multi-step: the last code (see the module doc)."""
    scores = [r.single if mode == SINGLE else r.final for r in results]
    seconds = [r.single_s if mode == SINGLE else r.total_s for r in results]
    tokens = [r.single_tokens if mode == SINGLE else r.total_tokens for r in results]
    extra_s = [r.total_s - r.single_s for r in results]
    extra_t = [r.total_tokens - r.single_tokens for r in results]
    by_repeat: dict[int, list[float]] = {}
    for r, score in zip(results, scores, strict=True):
        by_repeat.setdefault(r.repeat, []).append(score)
    full = tuple(statistics.fmean(v) for _, v in sorted(by_repeat.items()) if len(v) == len(tasks))
    return ModeStats(
        mode,
        len(tasks),
        len(results),
        len(tasks) * n,
        Rate(sum(s >= threshold - _SLACK for s in scores), len(scores)),
        _mean(scores),
        full,
        _mean(seconds),
        _mean(tokens),
        None if mode == SINGLE else _mean(extra_s),
        None if mode == SINGLE else _mean(extra_t),
    )


def _mean(values: Sequence[float]) -> float | None:
    return statistics.fmean(values) if values else None


@dataclass(frozen=True)
class TaskRow:
    """One task: single → pair (or multi-step), the reviews, what the reviewer caught."""

    task: str
    mode: str
    runs: int
    single: tuple[float, ...]
    final: tuple[float, ...]
    reviews: float | None  # per chain
    verdicts: Mapping[str, int]
    categories: Mapping[str, int]


def task_rows(results: Sequence[ChainResult], tasks: Sequence[str]) -> list[TaskRow]:
    rows = []
    for task in tasks:
        mine = sorted((r for r in results if r.task == task), key=lambda r: r.repeat)
        rows.append(
            TaskRow(
                task,
                MULTI if any(r.multi for r in mine) else PAIR,
                len(mine),
                tuple(r.single for r in mine),
                tuple(r.final for r in mine),
                _mean([r.reviews for r in mine]),
                sum((Counter(r.verdicts) for r in mine), Counter()),
                sum((Counter(r.categories) for r in mine), Counter()),
            )
        )
    return rows


# ---------------------------------------------------------------- the reviewer


@dataclass(frozen=True)
class ReviewerQuality:
    reviews: int
    unparsed: int  # timeouts included
    timeouts: int
    rubber_stamp: Rate
    false_fail: Rate
    fix: Rate
    prompts: Mapping[str, str]  # name → hash

    @property
    def no_verdict(self) -> str:
        return _no_verdict(self.unparsed, self.timeouts, self.reviews)


def _no_verdict(unparsed: int, timeouts: int, reviews: int) -> str:
    return f"{unparsed} of {reviews}" + (f" ({timeouts} timed out)" if timeouts else "")


def reviewer_quality(runs: Sequence[RunRecord], threshold: float) -> ReviewerQuality:
    """The reviewer's rates over every review of a duo (see the module doc)."""
    reviews = [r for r in runs if r.role == "reviewer" and r.outcome != "infra_error"]
    read = [r for r in reviews if r.details.get("verdict") in ("PASS", "FAIL")]
    failing = [r for r in read if _code_score(r) < threshold - _SLACK]
    perfect = [r for r in read if _code_score(r) >= 100.0 - _SLACK]
    next_code = {b.parent_id: b for b in runs if b.role == "builder" and b.outcome != "infra_error"}
    answered = [(r, next_code[r.id]) for r in read if _verdict(r) == "FAIL" and r.id in next_code]
    return ReviewerQuality(
        len(reviews),
        len(reviews) - len(read),
        sum(r.outcome == "timeout" for r in reviews),
        Rate(sum(_verdict(r) == "PASS" for r in failing), len(failing)),
        Rate(sum(_verdict(r) == "FAIL" for r in perfect), len(perfect)),
        Rate(
            sum(b.details.get("turn_score", 0.0) > _code_score(r) for r, b in answered),
            len(answered),
        ),
        {r.details.get("prompt", "?"): r.details.get("prompt_hash", "") for r in reviews},
    )


def _code_score(review: RunRecord) -> float:
    return float(review.details.get("code_score") or 0.0)


# ---------------------------------------------------------------- a duo, whole


@dataclass(frozen=True)
class DuoSummary:
    bench: BenchRun
    modes: Sequence[ModeStats]
    tasks: Sequence[TaskRow]
    reviewer: ReviewerQuality
    chains_done: int
    chains_expected: int
    unfinished: int
    steps: int
    infra_errors: int
    wall_s: float
    refused: Mapping[str, Sequence[str]] = field(default_factory=dict)


def summarise_duo(bench: BenchRun, runs: Sequence[RunRecord]) -> DuoSummary:
    sel = bench.selection
    refused = sel.get("refused", {})
    tasks = [t for t in sel["tasks"] if t not in refused]
    n, threshold = int(sel["n"]), float(sel.get("threshold", DEFAULT_THRESHOLD))
    results, unfinished = chains(runs)
    rows = task_rows(results, tasks)
    kinds = {row.task: row.mode for row in rows}
    modes = [mode_stats(SINGLE, results, tasks, n, threshold)]
    for mode in (PAIR, MULTI):
        mine = [t for t in tasks if kinds[t] == mode]
        if mine:
            modes.append(
                mode_stats(mode, [r for r in results if r.task in mine], mine, n, threshold)
            )
    return DuoSummary(
        bench,
        modes,
        rows,
        reviewer_quality(runs, threshold),
        len(results),
        len(tasks) * n,
        unfinished,
        len(runs),
        sum(r.outcome == "infra_error" for r in runs),
        _wall(runs),
        refused,
    )


def _wall(runs: Sequence[RunRecord]) -> float:
    return max((r.finished_at for r in runs), default=0.0) - min(
        (r.started_at for r in runs), default=0.0
    )


# ---------------------------------------------------------------- a calibration


@dataclass(frozen=True)
class PromptCalibration:
    """One prompt's verdicts on code of known truth."""

    prompt: str
    hash: str
    reviews: int
    unparsed: int  # timeouts included
    timeouts: int
    rubber_stamp: Rate  # mutants approved
    false_fail: Rate  # references rejected
    seconds: float
    tokens: int


@dataclass(frozen=True)
class CalibrationSummary:
    bench: BenchRun
    reviewer: str
    prompts: Sequence[PromptCalibration]
    tasks: Sequence[str]
    mutants: int
    references: int
    expected: int
    per_task: Mapping[str, Mapping[str, Mapping[str, Any]]]  # task → prompt → rates
    wall_s: float
    refused: Mapping[str, Sequence[str]] = field(default_factory=dict)


def summarise_calibration(bench: BenchRun, runs: Sequence[RunRecord]) -> CalibrationSummary:
    sel = bench.selection
    refused = sel.get("refused", {})
    tasks = [t for t in sel["tasks"] if t not in refused]
    reviews = [r for r in runs if r.role.startswith("reviewer:") and r.outcome != "infra_error"]
    prompts = [
        _calibrated(
            p["name"], p["hash"], [r for r in reviews if r.details.get("prompt") == p["name"]]
        )
        for p in sel["prompts"]
    ]
    stored = sel.get("pieces") or {}
    pieces = {t: stored.get(t) or _pieces_now(t) for t in tasks}  # [references, mutants]
    per_task = {
        t: {p["name"]: _task_rates(t, p["name"], reviews) for p in sel["prompts"]} for t in tasks
    }
    return CalibrationSummary(
        bench,
        sel["reviewer"],
        prompts,
        tasks,
        sum(m for _, m in pieces.values()),
        sum(r for r, _ in pieces.values()),
        sum(r + m for r, m in pieces.values()) * len(prompts) * int(sel["n"]),
        per_task,
        _wall(runs),
        refused,
    )


def _pieces_now(task_id: str) -> list[int]:
    """[references, mutants] of a task as its files have them (a calibration stored before
    it kept the counts)."""
    task = load_task(task_id)
    return [len(task.references), len(task.mutants)]


def _calibrated(name: str, digest: str, reviews: Sequence[RunRecord]) -> PromptCalibration:
    read = [r for r in reviews if r.details.get("verdict") in ("PASS", "FAIL")]
    mutants = [r for r in read if r.details.get("truth") == "mutant"]
    references = [r for r in read if r.details.get("truth") == "reference"]
    return PromptCalibration(
        name,
        digest,
        len(reviews),
        len(reviews) - len(read),
        sum(r.outcome == "timeout" for r in reviews),
        Rate(sum(_verdict(r) == "PASS" for r in mutants), len(mutants)),
        Rate(sum(_verdict(r) == "FAIL" for r in references), len(references)),
        sum(_seconds(r) for r in reviews),
        sum(_tokens(r) for r in reviews),
    )


def _task_rates(task: str, prompt: str, reviews: Sequence[RunRecord]) -> dict[str, Any]:
    mine = _calibrated(
        prompt, "", [r for r in reviews if r.task == task and r.details.get("prompt") == prompt]
    )
    return {
        "reviews": mine.reviews,
        "unparsed": mine.unparsed,
        "rubber_stamp": mine.rubber_stamp.as_json(),
        "false_fail": mine.false_fail.as_json(),
    }


def accuracy(reviews: Sequence[RunRecord]) -> float:
    """Share of reviews whose verdict matched the truth (unparsed: not matched), 0–100."""
    right = sum(
        (_verdict(r) == "PASS") == (r.details.get("truth") == "reference")
        and _verdict(r) != "unparsed"
        for r in reviews
    )
    return 100.0 * right / len(reviews) if reviews else 0.0


# ---------------------------------------------------------------- terminal tables


def _cell(values: Sequence[float]) -> str:
    if not values:
        return "—"
    text = f"{statistics.fmean(values):.1f}"
    return text + (f" ±{statistics.pstdev(values):.1f}" if len(values) > 1 else "")


def _counts(counter: Mapping[str, int], limit: int = 4) -> str:
    items = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return ", ".join(f"{k} {v}" for k, v in items) or "—"


def _num(value: float | None, fmt: str = ".1f", unit: str = "") -> str:
    return "—" if value is None else f"{value:{fmt}}{unit}"


def _extra(value: float | None, fmt: str, unit: str = "") -> str:
    return "" if value is None else f" (+{value:{fmt}}{unit})"


def title(summary: DuoSummary) -> str:
    sel = summary.bench.selection
    prompt = sel["prompts"][0]
    return (
        f"duo {summary.bench.id}: builder {sel['builder']}, reviewer {sel['reviewer']} "
        f"(prompt {prompt['name']} {prompt['hash'][:8]}), n={sel['n']}, rounds {sel['rounds']}"
    )


MODE_HEAD = ("Mode", "Tasks", "Pass rate", "Mean", "Mean ± std over n", "Time/run", "Tokens/run")
TASK_HEAD = ("Task", "Mode", "Single", "Pair", "Reviews/run", "Verdicts", "Reviewer caught")


def _mode_cells(summary: DuoSummary) -> list[list[str]]:
    """One row per mode, as every format shows it (under MODE_HEAD)."""
    return [
        [
            m.mode,
            str(m.tasks),
            m.passed.text("runs"),
            _num(m.mean),
            m.over_n,
            _num(m.seconds, ".1f", " s") + _extra(m.extra_s, ".1f", " s"),
            _num(m.tokens, ".0f") + _extra(m.extra_tokens, ".0f"),
        ]
        for m in summary.modes
    ]


def _task_cells(summary: DuoSummary) -> list[list[str]]:
    """One row per task, as every format shows it (under TASK_HEAD)."""
    return [
        [
            r.task,
            r.mode,
            _cell(r.single),
            _cell(r.final),
            _num(r.reviews),
            _counts(r.verdicts),
            _counts(r.categories),
        ]
        for r in summary.tasks
    ]


def mode_table(summary: DuoSummary) -> Table:
    out = Table(title=title(summary), title_justify="left")
    for name in MODE_HEAD:
        out.add_column(name, justify="left" if name == "Mode" else "right")
    for row in _mode_cells(summary):
        out.add_row(*row)
    return out


def task_table(summary: DuoSummary) -> Table:
    out = Table(title="per task: single → pair", title_justify="left")
    for name in TASK_HEAD:
        out.add_column(
            name, justify="right" if name in ("Single", "Pair", "Reviews/run") else "left"
        )
    for row in _task_cells(summary):
        out.add_row(*(Text(c) for c in row))  # task ids and counts are text, never markup
    return out


def reviewer_rows(quality: ReviewerQuality) -> list[tuple[str, str, str]]:
    return [
        ("rubber-stamp", quality.rubber_stamp.text(), "approvals ÷ reviews of code below the pass threshold"),
        ("false-fail", quality.false_fail.text(), "rejections ÷ reviews of code scoring 100"),
        ("fix", quality.fix.text(), "FAILs after which the next code scored higher ÷ FAILs answered"),
        ("unparsed", quality.no_verdict, "reviews with no readable verdict (in no rate)"),
    ]  # fmt: skip


def reviewer_table(summary: DuoSummary) -> Table:
    prompts = ", ".join(f"{n} {h[:8]}" for n, h in summary.reviewer.prompts.items())
    out = Table(
        title=f"reviewer {summary.bench.selection['reviewer']} (prompt {prompts or '—'}), "
        "judged by the sandbox",
        title_justify="left",
    )
    for name in ("Measure", "Counts (rate)", "What it counts"):
        out.add_column(name)
    for row in reviewer_rows(summary.reviewer):
        out.add_row(*(Text(c) for c in row))
    return out


def duo_tables(summary: DuoSummary) -> list[Table]:
    """The three tables of a duo, in the order they are shown."""
    return [mode_table(summary), task_table(summary), reviewer_table(summary)]


def legend(summary: DuoSummary) -> list[str]:
    sel = summary.bench.selection
    lines = [
        f"pass at ≥ {float(sel.get('threshold', DEFAULT_THRESHOLD)):g}; time and tokens per chain "
        "(pair and multi-step: every step, reviews included; + = over single on the same chains)",
        f"{summary.chains_done} of {summary.chains_expected} chains finished, {summary.steps} steps "
        f"stored, wall time {summary.wall_s:.0f} s",
    ]
    if summary.unfinished:
        lines.append(
            f"{summary.unfinished} chains unfinished: `trinityctl duo --resume {summary.bench.id}`"
        )
    if summary.infra_errors:
        lines.append(f"{summary.infra_errors} steps failed for infrastructure reasons (not scored)")
    lines += [f"refused {t}: failed its own validation: {p[0]}" for t, p in summary.refused.items()]
    return lines


def calibration_table(summary: CalibrationSummary) -> Table:
    out = Table(
        title=f"calibration {summary.bench.id}: reviewer {summary.reviewer} on "
        f"{len(summary.tasks)} tasks ({summary.mutants} mutants, "
        f"{summary.references} references)",
        title_justify="left",
    )
    out.add_column("Measure")
    for p in summary.prompts:
        out.add_column(Text(f"{p.prompt} ({p.hash[:8]})"), justify="right")
    for label, cells in _calibration_rows(summary):
        out.add_row(Text(label), *(Text(c) for c in cells))
    return out


def _calibration_rows(summary: CalibrationSummary) -> list[tuple[str, list[str]]]:
    ps = summary.prompts
    return [
        ("rubber-stamp (mutants approved)", [p.rubber_stamp.text() for p in ps]),
        ("false-fail (references rejected)", [p.false_fail.text() for p in ps]),
        ("unparsed", [_no_verdict(p.unparsed, p.timeouts, p.reviews) for p in ps]),
        ("time / tokens", [f"{p.seconds:.0f} s / {p.tokens}" for p in ps]),
    ]


def calibration_legend(summary: CalibrationSummary) -> list[str]:
    done = sum(p.reviews for p in summary.prompts)
    lines = [
        f"{done} of {summary.expected} reviews stored; wall time {summary.wall_s:.0f} s; "
        "unparsed reviews are in no rate"
    ]
    lines += [f"refused {t}: failed its own validation: {p[0]}" for t, p in summary.refused.items()]
    return lines


# ---------------------------------------------------------------- markdown, JSON, HTML


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def _md_table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    esc = _md
    return [
        "| " + " | ".join(esc(h) for h in head) + " |",
        "|" + "---|" * len(head),
        *("| " + " | ".join(esc(c) for c in row) + " |" for row in rows),
    ]


def duo_markdown(summary: DuoSummary) -> str:
    lines = [
        f"# {title(summary)}",
        "",
        *_md_table(MODE_HEAD, _mode_cells(summary)),
        "",
        "## Per task",
        "",
        *_md_table(TASK_HEAD, _task_cells(summary)),
        "",
        "## The reviewer, judged by the sandbox",
        "",
        *_md_table(["Measure", "Counts (rate)", "What it counts"], reviewer_rows(summary.reviewer)),
        "",
        *[f"- {_md(line)}" for line in legend(summary)],
        "",
    ]
    return "\n".join(lines)


def calibration_markdown(summary: CalibrationSummary) -> str:
    head = ["Measure", *[f"{p.prompt} ({p.hash[:8]})" for p in summary.prompts]]
    rows = [[label, *cells] for label, cells in _calibration_rows(summary)]
    lines = [
        f"# Calibration {summary.bench.id}: reviewer {summary.reviewer}",
        "",
        f"{len(summary.tasks)} tasks, {summary.mutants} mutants, {summary.references} references",
        "",
        *_md_table(head, rows),
        "",
        *[f"- {_md(x)}" for x in calibration_legend(summary)],
        "",
    ]
    return "\n".join(lines)


def duo_json(summary: DuoSummary) -> dict[str, Any]:
    q = summary.reviewer
    return {
        "bench_run_id": summary.bench.id,
        "kind": "duo",
        "status": summary.bench.status,
        "selection": {k: v for k, v in summary.bench.selection.items() if k != "prompts"},
        "prompt": {k: v for k, v in summary.bench.selection["prompts"][0].items() if k != "text"},
        "modes": [
            {
                "mode": m.mode,
                "tasks": m.tasks,
                "runs": m.runs,
                "expected": m.expected,
                "pass": m.passed.as_json(),
                "mean": m.mean,
                "repeat_means": list(m.repeat_means),
                "seconds_per_run": m.seconds,
                "tokens_per_run": m.tokens,
                "extra_seconds_per_run": m.extra_s,
                "extra_tokens_per_run": m.extra_tokens,
            }
            for m in summary.modes
        ],
        "tasks": [
            {
                "task": r.task,
                "mode": r.mode,
                "runs": r.runs,
                "single": list(r.single),
                "final": list(r.final),
                "reviews_per_run": r.reviews,
                "verdicts": dict(r.verdicts),
                "categories": dict(r.categories),
            }
            for r in summary.tasks
        ],
        "reviewer": {
            "reviews": q.reviews,
            "unparsed": q.unparsed,
            "rubber_stamp": q.rubber_stamp.as_json(),
            "false_fail": q.false_fail.as_json(),
            "fix": q.fix.as_json(),
            "prompts": dict(q.prompts),
        },
        "chains": {
            "finished": summary.chains_done,
            "expected": summary.chains_expected,
            "unfinished": summary.unfinished,
        },
        "steps": summary.steps,
        "infra_errors": summary.infra_errors,
        "wall_s": summary.wall_s,
        "refused": {k: list(v) for k, v in summary.refused.items()},
    }


def calibration_json(summary: CalibrationSummary) -> dict[str, Any]:
    return {
        "bench_run_id": summary.bench.id,
        "kind": "calibrate",
        "status": summary.bench.status,
        "reviewer": summary.reviewer,
        "tasks": list(summary.tasks),
        "mutants": summary.mutants,
        "references": summary.references,
        "expected_reviews": summary.expected,
        "prompts": [
            {
                "prompt": p.prompt,
                "hash": p.hash,
                "reviews": p.reviews,
                "unparsed": p.unparsed,
                "rubber_stamp": p.rubber_stamp.as_json(),
                "false_fail": p.false_fail.as_json(),
                "seconds": p.seconds,
                "tokens": p.tokens,
            }
            for p in summary.prompts
        ],
        "per_task": {t: dict(v) for t, v in summary.per_task.items()},
        "wall_s": summary.wall_s,
        "refused": {k: list(v) for k, v in summary.refused.items()},
    }


def _html_table(table_id: str, head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    e = html.escape
    top = "".join(f"<th>{e(h)}</th>" for h in head)
    body = "".join(
        f"<tr><th>{e(row[0])}</th>" + "".join(f"<td>{e(c)}</td>" for c in row[1:]) + "</tr>"
        for row in rows
    )
    return f"<table id={table_id}><tr>{top}</tr>{body}</table>"


def duo_sections(summary: DuoSummary) -> list[tuple[str, str]]:
    """The duo's own parts of the HTML page: modes, per task, the reviewer."""
    notes = "".join(f"<li>{html.escape(line)}</li>" for line in legend(summary))
    return [
        (
            "Modes: single, pair, multi-step",
            _html_table("duo-modes", MODE_HEAD, _mode_cells(summary)),
        ),
        (
            "Per task: single → pair",
            _html_table("duo-tasks", TASK_HEAD, _task_cells(summary)),
        ),
        (
            "The reviewer, judged by the sandbox",
            _html_table(
                "duo-reviewer",
                ["Measure", "Counts (rate)", "What it counts"],
                reviewer_rows(summary.reviewer),
            )
            + f"<ul>{notes}</ul>",
        ),
    ]


def calibration_sections(summary: CalibrationSummary) -> list[tuple[str, str]]:
    head = ["Measure", *[f"{p.prompt} ({p.hash[:8]})" for p in summary.prompts]]
    rows = [[label, *cells] for label, cells in _calibration_rows(summary)]
    notes = "".join(f"<li>{html.escape(line)}</li>" for line in calibration_legend(summary))
    return [
        (
            f"Reviewer calibration: {summary.reviewer}",
            _html_table("calibration", head, rows) + f"<ul>{notes}</ul>",
        )
    ]


# ---------------------------------------------------------------- as a bench report


def as_bench_report(bench: BenchRun, runs: Sequence[RunRecord]) -> bench_report.Report:
    """A duo as a bench: a column per mode (single, pair) of the builder; a calibration:
    a column per prompt, scored by the share of verdicts that matched the truth."""
    sel = bench.selection
    refused = sel.get("refused", {})
    tasks = [t for t in sel["tasks"] if t not in refused]
    kept = [r for r in runs if r.outcome != "infra_error"]
    if bench.kind == "calibrate":
        columns = {f"{sel['reviewer']} [{p['name']}]": [r for r in kept if r.details.get("prompt") == p["name"]]
                   for p in sel["prompts"]}  # fmt: skip
        scores = _calibration_scores(runs, sel)
    else:
        firsts = [r for r in kept if r.role == "builder" and r.details.get("attempt") == 0]
        columns = {f"{sel['builder']} [{SINGLE}]": firsts, f"{sel['builder']} [{PAIR}]": kept}
        scores = _duo_scores(runs, sel["builder"])
    titles = {c: c for c in columns}
    threshold = float(sel.get("threshold", DEFAULT_THRESHOLD))
    verdicts = consensus(scores, list(titles), int(sel["n"]), threshold, tasks=tasks)
    # Each column's runs under its own name: the bench summary then gives its speed.
    named = [replace(r, model=c, thinking=None) for c, mine in columns.items() for r in mine]
    return bench_report.summarise(bench, named, verdicts, titles, refused)


def _duo_scores(runs: Sequence[RunRecord], builder: str) -> dict[tuple[str, str], list[float]]:
    scores: dict[tuple[str, str], list[float]] = {}
    for r in sorted(chains(runs)[0], key=lambda c: c.repeat):
        scores.setdefault((r.task, f"{builder} [{SINGLE}]"), []).append(r.single)
        scores.setdefault((r.task, f"{builder} [{PAIR}]"), []).append(r.final)
    return scores


def _calibration_scores(
    runs: Sequence[RunRecord], sel: Mapping[str, Any]
) -> dict[tuple[str, str], list[float]]:
    scores: dict[tuple[str, str], list[float]] = {}
    for p in sel["prompts"]:
        for repeat in range(1, int(sel["n"]) + 1):
            for task in sel["tasks"]:
                mine = [
                    r
                    for r in runs
                    if r.task == task
                    and r.repeat == repeat
                    and r.role == f"reviewer:{p['name']}"
                    and r.outcome != "infra_error"
                ]
                if mine:
                    scores.setdefault((task, f"{sel['reviewer']} [{p['name']}]"), []).append(
                        accuracy(mine)
                    )
    return scores


def html_page(bench: BenchRun, runs: Sequence[RunRecord]) -> str:
    """The bench page (a task × column heatmap) with the duo's or calibration's sections."""
    sections = (
        calibration_sections(summarise_calibration(bench, runs))
        if bench.kind == "calibrate"
        else duo_sections(summarise_duo(bench, runs))
    )
    return bench_report.html_page(as_bench_report(bench, runs), sections=sections)


def dumps(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)


# ---------------------------------------------------------------- one entry for the CLI


def terminal(bench: BenchRun, runs: Sequence[RunRecord]) -> tuple[list[Table], list[str]]:
    """A duo's (or calibration's) tables and the lines under them."""
    if bench.kind == "calibrate":
        calibration = summarise_calibration(bench, runs)
        return [calibration_table(calibration)], calibration_legend(calibration)
    summary = summarise_duo(bench, runs)
    return duo_tables(summary), legend(summary)


def as_json(bench: BenchRun, runs: Sequence[RunRecord]) -> dict[str, Any]:
    if bench.kind == "calibrate":
        return calibration_json(summarise_calibration(bench, runs))
    return duo_json(summarise_duo(bench, runs))


def render(bench: BenchRun, runs: Sequence[RunRecord], format: str) -> str:
    """md, json or html."""
    if format == "html":
        return html_page(bench, runs)
    if format == "json":
        return dumps(as_json(bench, runs))
    if bench.kind == "calibrate":
        return calibration_markdown(summarise_calibration(bench, runs))
    return duo_markdown(summarise_duo(bench, runs))
