"""How results look: rich tables for people, JSON with stable keys for scripts.

Every string that came from a node or a config goes in as rich `Text`, never as markup,
so a '[' in an agent's error message cannot garble (or restyle) the table.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from typing import Any

from rich.table import Table
from rich.text import Text
from trinity.controller.cluster import DownResult, NodeStatus, UpResult

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


def nodes_table(statuses: Sequence[NodeStatus]) -> Table:
    """One row per node: host, agent, GPUs, backends, or why it did not answer."""
    table = Table(title="Nodes", title_justify="left")
    for column in ("Node", "Address", "State", "Host", "Agent", "GPUs", "Memory", "Backends"):
        table.add_column(column)
    table.add_column("Sandbox")
    for s in statuses:
        if s.info is None:
            state = state_text("unreachable" if not s.reachable else "failed")
            table.add_row(Text(s.node, style="bold"), s.address, state)
            continue
        gpus = ", ".join(s.info.gpus) or f"none ({s.info.telemetry_source})"
        backends = Text()
        for name, available in sorted(s.info.backends.items()):
            backends.append(f"{name} {'✓' if available else '✗'} ", "green" if available else "red")
        table.add_row(
            Text(s.node, style="bold"),
            s.address,
            Text("serving", style="green"),
            Text(s.info.hostname),
            Text(s.info.agent_version),
            Text(gpus),
            _gib(s.info.memory_total_bytes),
            backends,
            Text(s.info.sandbox or "-"),
        )
    return table


def node_problems(statuses: Sequence[NodeStatus]) -> list[Text]:
    """One line per node that did not answer (too long for a table cell)."""
    return [Text(s.error, style="red") for s in statuses if s.error]  # it names the node


def models_table(statuses: Sequence[NodeStatus]) -> Table:
    """One row per model on every node that answered, configured or not."""
    table = Table(title="Models", title_justify="left")
    for column in ("Node", "Model", "Label", "Backend", "State", "PID", "Port", "Restarts"):
        table.add_column(
            column, justify="right" if column in ("PID", "Port", "Restarts") else "left"
        )
    table.add_column("Up", justify="right")
    table.add_column("Last error", overflow="fold")
    for s in statuses:
        for m in s.models:
            table.add_row(
                s.node,
                Text(m.name + ("" if m.configured else " *")),
                Text(m.label),
                m.backend,
                state_text(m.state),
                _num(m.pid, "d"),
                _num(m.port, "d"),
                str(m.restarts),
                _uptime(m.uptime_s),
                Text(m.last_error, style="red"),
            )
    if any(not m.configured for s in statuses for m in s.models):
        table.caption = "* running on the node but not in models.toml"
    return table


def up_table(results: Sequence[UpResult]) -> Table:
    """One row per model brought up: state, time to ready, smoke TTFT and tok/s."""
    table = Table(title="trinityctl up", title_justify="left")
    table.add_column("Model")
    table.add_column("Node")
    table.add_column("Backend")
    table.add_column("State")
    table.add_column("Ready in", justify="right")
    table.add_column("TTFT", justify="right")
    table.add_column("tok/s", justify="right")
    table.add_column("Smoke reply / error", overflow="fold")
    for r in results:
        smoke = r.smoke
        note = Text(r.error, style="red") if r.error else Text(smoke.text if smoke else "")
        table.add_row(
            Text(r.label, style="bold"),
            r.node,
            r.backend,
            state_text(r.state if r.ok else ("failed" if r.state == "ready" else r.state)),
            _num(r.ready_s, ".1f", " s"),
            _num(smoke.ttft_s * 1000 if smoke else 0, ".0f", " ms"),
            _num(smoke.decode_tok_s if smoke else 0, ".1f"),
            note,
        )
    return table


def down_table(results: Sequence[DownResult]) -> Table:
    """One row per model stopped."""
    table = Table(title="trinityctl down", title_justify="left")
    for column in ("Node", "Model", "State", "Error"):
        table.add_column(column, overflow="fold" if column == "Error" else "ellipsis")
    for r in results:
        table.add_row(r.node, Text(r.name), state_text(r.state), Text(r.error, style="red"))
    return table


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
