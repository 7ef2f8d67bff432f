"""How results look: rich tables for people, JSON with stable keys for scripts.

Every string that came from a node or a config goes in as rich `Text`, never as markup,
so a '[' in an agent's error message cannot garble (or restyle) the table.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text
from trinity.controller.cluster import DownResult, NodeStatus, UpResult
from trinity.controller.peers import PeerCheck
from trinity.controller.scoring import Score
from trinity.controller.validation import TaskValidation

STATE_STYLES = {
    "ready": "green",
    "starting": "yellow",
    "unhealthy": "yellow",
    "failed": "red",
    "unreachable": "red",
    "stopped": "dim",
    "not running": "dim",
}


def state_text(state: str) -> Text:
    """A model or node state, coloured."""
    return Text(state, style=STATE_STYLES.get(state, ""))


def _num(value: float, fmt: str, unit: str = "") -> str:
    return f"{value:{fmt}}{unit}" if value else "-"


def _uptime(seconds: float) -> str:
    if not seconds:
        return "-"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"


def _gib(n: int) -> str:
    return f"{n / 2**30:.0f} GiB" if n else "-"


Cell = Text | str


def _table(
    title: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    *,
    hidden: Sequence[str] = (),
    wrap: str | None = None,
) -> Table:
    """A table whose columns keep their content's width, except the last (or the one named
    `wrap`), which wraps; the `hidden` columns are left out (what --wide shows).

    Rich would otherwise shrink every column of a wide table to "Addre…" in an
    80-column terminal (or a pipe); the last column holds the free text.
    """
    keep = [i for i, name in enumerate(columns) if name not in hidden]
    columns = [columns[i] for i in keep]
    rows = [[row[i] for i in keep] for row in rows]
    table = Table(title=title, title_justify="left")
    for i, name in enumerate(columns):
        right = name in _RIGHT_ALIGNED
        if name == wrap or (wrap is None and i == len(columns) - 1):  # folds what has no spaces
            table.add_column(name, justify="right" if right else "left", overflow="fold")
            continue
        width = max([len(name)] + [_cell_len(row[i]) for row in rows])
        table.add_column(name, justify="right" if right else "left", no_wrap=True, min_width=width)
    for row in rows:
        table.add_row(*row)
    return table


class FitColumns:
    """A table with a column per model that fits the terminal: the `full` table when its
    natural width fits, else the `narrow` one (compact cells) with as many model columns
    as fit, the rest in further tables below, each repeating the row labels. Nothing is
    cut to "…": a person reads every figure at 80 columns as at 200."""

    def __init__(
        self, full: Callable[[], Table], narrow: Callable[[Sequence[int]], Table], count: int
    ) -> None:
        self.full, self.narrow, self.count = full, narrow, count

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Any]:
        table = self.full()
        if fits(console, options, table):
            yield table
            return
        tables = [self.narrow(group) for group in self._groups(console, options)]
        for later in tables[1:]:
            later.title = None
        yield Group(*tables)

    def _groups(self, console: Console, options: ConsoleOptions) -> list[list[int]]:
        """Consecutive model columns, as many per table as fit with headers wrapped."""
        groups: list[list[int]] = []
        for column in range(self.count):
            wider = [*groups[-1], column] if groups else [column]
            if groups and _least(console, options, self.narrow(wider)) <= options.max_width:
                groups[-1] = wider
            else:
                groups.append([column])
        return groups


def fits(console: Console, options: ConsoleOptions, renderable: RenderableType) -> bool:
    """Whether the renderable's natural (unwrapped) width fits the space it is given."""
    return _natural(console, options, renderable) <= options.max_width


def _natural(console: Console, options: ConsoleOptions, renderable: RenderableType) -> int:
    return Measurement.get(console, options.update(width=10_000), renderable).maximum


def _least(console: Console, options: ConsoleOptions, renderable: RenderableType) -> int:
    return Measurement.get(console, options.update(width=10_000), renderable).minimum


def _cell_len(cell: Cell) -> int:
    return Text(cell).cell_len if isinstance(cell, str) else cell.cell_len


_RIGHT_ALIGNED = {"PID", "Port", "Restarts", "Up", "Ready", "TTFT", "tok/s", "Memory"}


# What an 80-column terminal leaves out unless --wide asks for it.
NODE_WIDE_COLUMNS = ("Host", "Agent")
MODEL_WIDE_COLUMNS = ("PID", "Port")


def nodes_table(statuses: Sequence[NodeStatus], *, wide: bool = False) -> Table:
    """One row per node: state, memory, hardware, backends (with `wide`: host, agent)."""
    rows: list[tuple[Cell, ...]] = []
    for s in statuses:
        if s.info is None:
            state = state_text("unreachable" if not s.reachable else "failed")
            rows.append((Text(s.node, style="bold"), s.address, state, "", "", "", ""))
            continue
        gpus = ", ".join(s.info.gpus) or f"no GPU ({s.info.telemetry_source})"
        backends = Text()
        for name, available in sorted(s.info.backends.items()):
            backends.append(f"{name} {'✓' if available else '✗'} ", "green" if available else "red")
        rows.append(
            (
                Text(s.node, style="bold"),
                s.address,
                Text("serving", style="green"),
                Text(s.info.hostname),
                Text(s.info.agent_version),
                _gib(s.info.memory_total_bytes),
                Text(gpus + ", backends: ") + backends,
            )
        )
    columns = ("Node", "Address", "State", "Host", "Agent", "Memory", "Hardware")
    return _table("Nodes", columns, rows, hidden=() if wide else NODE_WIDE_COLUMNS)


def node_problems(statuses: Sequence[NodeStatus]) -> list[Text]:
    """One line per node that did not answer (too long for a table cell)."""
    return [Text(s.error, style="red") for s in statuses if s.error]  # it names the node


def models_table(statuses: Sequence[NodeStatus], *, wide: bool = False) -> Table:
    """One row per model on every node that answered, configured or not (with `wide`:
    its server's pid and port)."""
    rows = [
        (
            Text(f"{m.node}/{m.name}" + ("" if m.configured else " *"), style="bold"),
            m.backend,
            state_text(m.state),
            _num(m.pid, "d"),
            _num(m.port, "d"),
            str(m.restarts),
            _uptime(m.uptime_s),
            Text(m.label if m.label != f"{m.node}/{m.name}" else ""),
        )
        for s in statuses
        for m in s.models
    ]
    columns = ("Model", "Backend", "State", "PID", "Port", "Restarts", "Up", "Label")
    table = _table("Models", columns, rows, hidden=() if wide else MODEL_WIDE_COLUMNS)
    if any(not m.configured for s in statuses for m in s.models):
        table.caption = "* runs on the node but is not in models.toml"
    return table


def peers_table(checks: Sequence[PeerCheck]) -> Table:
    """One row per peer: what can be known about it without asking it anything."""
    rows = [
        (Text(c.name, style="bold"), c.backend, state_text("ready" if c.ok else "failed"),
         Text(c.detail))
        for c in checks
    ]  # fmt: skip
    return _table("Peers", ("Peer", "Backend", "Check", "Detail"), rows)


def model_problems(statuses: Sequence[NodeStatus]) -> list[Text]:
    """One line per model with a last error (too long for a table cell)."""
    return [
        Text(f"{m.node}/{m.name}: {m.last_error}", style="red")
        for s in statuses
        for m in s.models
        if m.last_error
    ]


def up_table(results: Sequence[UpResult]) -> Table:
    """One row per model brought up: state, time to ready, smoke TTFT and tok/s.

    Errors are too long for a cell in an 80-column terminal: see `up_problems`.
    """
    rows = [
        (
            Text(r.label, style="bold"),
            r.node,
            state_text(r.state if r.ok else ("failed" if r.state == "ready" else r.state)),
            _num(r.ready_s, ".1f", " s"),
            _num(r.smoke.ttft_s * 1000 if r.smoke else 0, ".0f", " ms"),
            _num(r.smoke.decode_tok_s if r.smoke else 0, ".1f"),
            Text(_shorten(r.smoke.text) if r.smoke else ""),
        )
        for r in results
    ]
    columns = ("Model", "Node", "State", "Ready", "TTFT", "tok/s", "Reply")
    return _table("trinityctl up", columns, rows)


def _shorten(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def up_problems(results: Sequence[UpResult]) -> list[Text]:
    """One line per model that did not come up, with what to do about it."""
    return [Text(f"{r.label}: {r.error}", style="red") for r in results if r.error]


def down_table(results: Sequence[DownResult]) -> Table:
    """One row per model stopped."""
    rows = [
        (r.node, Text(r.name), state_text(r.state), Text(r.error, style="red")) for r in results
    ]
    return _table("trinityctl down", ("Node", "Model", "State", "Error"), rows)


# ---------------------------------------------------------------- JSON


def jsonable(value: Any) -> Any:
    """Dataclasses (nested), tuples and dicts as plain JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        data = {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, NodeStatus):
            data["ok"] = value.ok
        return data
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value


def dumps(value: Any) -> str:
    """Stable JSON text: sorted keys, two-space indent."""
    return json.dumps(jsonable(value), indent=2, sort_keys=True, ensure_ascii=False)


# ---------------------------------------------------------------- scores


def score_summary(score: Score) -> Text:
    """One line: the score, the counts that made it, status, time, isolation."""
    style = "green" if score.score == 100.0 else "red"
    line = (
        Text(f"{score.task}: ")
        + Text(f"{score.score:.1f}", style=f"bold {style}")
        + Text(
            f" ({score.passed}/{score.declared} checks, {score.status}, "
            f"{score.duration_s * 1000:.0f} ms, sandbox {score.sandbox})"
        )
    )
    if score.forged_records:
        line += Text(f", {score.forged_records} forged report lines ignored", style="red")
    return line


def score_table(score: Score) -> Table:
    """One solution's checks, passed or not, with why."""
    rows = [
        (Text(c.name), Text("pass", style="green") if c.passed else Text("FAIL", style="red"),
         Text(c.value_json if c.value_json not in ("", "null") else ""), Text(c.message))
        for c in score.checks
    ]  # fmt: skip
    return _table("checks", ("Check", "Result", "Returned", "Message"), rows)


def validation_table(results: Sequence[TaskValidation]) -> Table:
    """One row per task and node: its references, mutants and cheats, and the verdict."""
    rows = []
    for v in results:
        counts = {
            role: f"{sum(p.ok for p in v.probes if p.role == role)}/"
            f"{sum(1 for p in v.probes if p.role == role)}"
            for role in ("reference", "mutant", "cheat")
        }
        verdict = Text("ok", style="green") if v.ok else Text("INVALID", style="red")
        rows.append((Text(v.task), v.node, counts["reference"], counts["mutant"],
                     counts["cheat"], verdict))  # fmt: skip
    table = _table(
        "trinityctl validate",
        ("Task", "Node", "Refs", "Mutants", "Cheats", "Verdict"),
        rows,
        wrap="Task",
    )
    table.box, table.pad_edge, table.collapse_padding = box.SIMPLE_HEAD, False, True
    table.caption = "each count: proofs that held of those run (refs: references score 100; mutants below 100; cheats 0)"
    table.caption_justify = "left"
    return table
