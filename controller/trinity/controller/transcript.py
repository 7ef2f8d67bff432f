"""`trinityctl show` in the terminal: one line per run, or each run in full (turns, reply,
code highlighted, every check), built from trinity.controller.runview.

Model output goes in as rich `Text` (never markup), so a '[' in a reply cannot restyle
or hide anything.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence

from rich.console import Console, ConsoleOptions, Group, RenderableType
from rich.padding import Padding
from rich.rule import Rule
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text
from trinity.controller import render
from trinity.controller.runview import BenchView, CheckView, RunView, TurnView, facts, said_by
from trinity.controller.store import shown_status

OUTCOME_STYLE = {"scored": "", "truncated": "yellow", "extraction_failed": "red",
                 "timeout": "red", "infra_error": "magenta"}  # fmt: skip


def summary(bench: BenchView, views: Sequence[RunView]) -> RenderableType:
    """One row per run: task, model, run, outcome, score, why, tokens, time; where that
    table is wider than the terminal, each run's why goes on its own line under its facts
    (a why folded into a narrow column reads as one word per line)."""
    title = (f"bench {bench.bench.id} ({shown_status(bench.bench)}; {len(views)} of {len(bench.runs)} "
             "stored runs)")  # fmt: skip
    return Fitted(_summary_table(bench, views, title), lambda: _summary_lines(bench, views, title))


class Fitted:
    """The `wide` renderable where its natural width fits the terminal, else `narrow()`."""

    def __init__(self, wide: RenderableType, narrow: Callable[[], RenderableType]) -> None:
        self.wide, self.narrow = wide, narrow

    def __rich_console__(
        self, console: Console, options: ConsoleOptions
    ) -> Iterator[RenderableType]:
        yield self.wide if render.fits(console, options, self.wide) else self.narrow()


def _summary_table(bench: BenchView, views: Sequence[RunView], title: str) -> Table:
    out = Table(title=title, title_justify="left")
    for name in ("Task", "Model", "Run", "Outcome"):
        out.add_column(name, no_wrap=True)
    for name in ("Score", "Tokens", "Time"):
        out.add_column(name, justify="right", no_wrap=True)
    out.add_column("Why it failed", overflow="fold")
    for v in views:
        out.add_row(*_cells(bench, v), Text(v.why, style="red" if v.failed else ""))
    return out


def _summary_lines(bench: BenchView, views: Sequence[RunView], title: str) -> Group:
    lines: list[RenderableType] = [Text(title, style="italic")]
    for v in views:
        lines.append(Text("  ").join(_cells(bench, v)))
        if v.why:
            lines.append(Padding(Text(v.why, style="red" if v.failed else ""), (0, 0, 0, 4)))
    return Group(*lines)


def _cells(bench: BenchView, v: RunView) -> list[Text]:
    return [Text(v.run.task, style="bold"), Text(bench.title(v.column)), Text(v.label),
            outcome(v), score(v), Text(_tokens(v) + " tokens"),
            Text(f"{v.run.finished_at - v.run.started_at:.1f} s")]  # fmt: skip


def outcome(v: RunView) -> Text:
    return Text(v.run.outcome, style=OUTCOME_STYLE.get(v.run.outcome, ""))


def score(v: RunView) -> Text:
    if v.run.score is None:
        return Text("—", style="dim")
    return Text(f"{v.run.score:.1f}", style="red" if v.failed else "green")


def _tokens(v: RunView) -> str:
    return "—" if v.run.completion_tokens is None else str(v.run.completion_tokens)


def full(
    bench: BenchView, v: RunView, *, prompt: bool = False, reasoning: bool = False
) -> RenderableType:
    """Everything about one run, turn by turn."""
    run = v.run
    parts: list[RenderableType] = [
        Rule(Text(f"{run.task} · {bench.title(v.column)} · {v.label}"), align="left"),
        _facts(v),
    ]
    if v.why:
        parts.append(Text("why: ", style="bold red") + Text(v.why, style="red"))
    if v.task_changed:
        parts.append(Text("the task changed since this run; expected values are not shown",
                          style="yellow"))  # fmt: skip
    if v.rescored:
        parts.append(Text(v.rescored, style="yellow"))
    parts.extend(_reasoning(v, reasoning))
    for turn in v.turns:
        parts.extend(_turn(v, turn, prompt))
    if not v.turns and run.outcome != "infra_error":
        parts.append(Text("no conversation stored", style="dim"))
    parts.extend(_sandbox(v))
    parts.extend(_details(v))
    return Group(*parts)


def _facts(v: RunView) -> Text:
    """runview.facts on one line, the outcome and the score coloured."""
    first, second, *rest = facts(v)
    styled = [Text(first, style=OUTCOME_STYLE.get(v.run.outcome, "")),
              Text(second, style="red" if v.failed else "green"), *map(Text, rest)]  # fmt: skip
    return Text(" · ").join(styled)


def _reasoning(v: RunView, show: bool) -> Iterator[RenderableType]:
    text = v.run.reasoning
    if not text:
        return
    rule = v.run.reasoning_rule
    yield Text(f"reasoning: {len(text)} characters ({rule})"
               + ("" if show else "; --reasoning shows it"), style="dim")  # fmt: skip
    if show:
        yield Padding(Text(text, style="dim"), (0, 0, 0, 2))


def _turn(v: RunView, turn: TurnView, show_prompt: bool) -> Iterator[RenderableType]:
    if len(v.turns) > 1:
        yield Text(f"turn {turn.number} of {len(v.turns)}", style="bold")
    if show_prompt:
        yield Text("prompt:", style="bold")
        yield Padding(Text(turn.prompt.strip()), (0, 0, 0, 2))
    else:
        yield Text(f"prompt: {len(turn.prompt)} characters (--prompt shows it)", style="dim")
    if turn.reply is None:
        yield Text("reply: none (no answer before the deadline)", style="red")
        return
    yield Text("reply:", style="bold")
    yield Padding(Text(turn.reply.strip() or "(empty)"), (0, 0, 0, 2))
    if turn.code:
        yield Text(f"extracted code ({turn.extraction_rule}):", style="bold")
        yield Padding(Syntax(turn.code, "python", line_numbers=True, word_wrap=True,
                             theme="ansi_dark"), (0, 0, 0, 2))  # fmt: skip
    elif turn.extraction_rule not in ("", "text"):
        yield Text(f"extracted code: none ({turn.extraction_rule})", style="red")
    if turn.checks:
        yield checks_table(turn.checks)


def checks_table(checks: Sequence[CheckView]) -> Table:
    """Each check: pass or FAIL, what it wanted, what it got or said."""
    out = Table(box=None, padding=(0, 1), show_edge=False)
    out.add_column("Check", no_wrap=True)
    out.add_column("Result", no_wrap=True)
    out.add_column("Expected", overflow="fold")
    out.add_column("Got / message", overflow="fold")
    for c, said in zip(checks, said_by(checks), strict=True):
        result = Text("pass", style="green") if c.passed else Text("FAIL", style="bold red")
        out.add_row(Text(c.name), result, Text(c.expected or "", style="dim"), Text(said))
    return out


def _sandbox(v: RunView) -> Iterator[RenderableType]:
    box = v.run.sandbox
    if not box or box.get("sandbox") == "none":  # a text task: scored here, nothing ran
        return
    if "error" in box:
        yield Text(f"infrastructure error: {box['error']}", style="magenta")
        return
    peak = int(box.get("peak_memory_bytes", 0) or 0)
    yield Text(f"sandbox: {box.get('status', '?')} · {box.get('sandbox', '?')} · "
               f"{float(box.get('duration_s', 0) or 0):.2f} s · {peak / 2**20:.1f} MiB peak",
               style="dim")  # fmt: skip
    for name in ("stdout_tail", "stderr_tail"):
        tail = str(box.get(name) or "")
        if tail.strip():
            yield Text(f"{name.replace('_', ' ')}:", style="dim")
            yield Padding(Text(tail.rstrip()), (0, 0, 0, 2))


def _details(v: RunView) -> Iterator[RenderableType]:
    if v.run.role or v.run.round:
        yield Text(f"role {v.run.role or '—'}, round {v.run.round}", style="dim")
    for key, value in sorted(v.run.details.items()):
        shown = (
            value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
        )
        yield Text(f"{key}: {shown}", style="dim")
