"""What trinityctl does to the cluster, as plain async functions over models.toml:
bring models up (start, wait, smoke-test), take them down, report status, fetch logs.

No typer or rich here: the CLI parses flags, calls one of these, renders the result.
One node failing never stops the others; its failure becomes that node's result.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from trinity.controller.client import AgentClient
from trinity.controller.config import ClusterConfig, ModelConfig
from trinity.controller.errors import (
    ModelNotFound,
    NodeUnreachable,
    SelectionError,
    TrinityError,
)
from trinity.v1 import agent_pb2 as pb

log = logging.getLogger(__name__)

SMOKE_PROMPT = "Reply with one short sentence."
SMOKE_MAX_TOKENS = 32
SMOKE_TIMEOUT_S = 300.0
POLL_S = 0.5
STOP_TIMEOUT_S = 120.0  # the agent waits out the server's SIGTERM grace before answering

_DONE_STATES = ("ready", "failed", "stopped")


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class ModelRow:
    """One model as its node reports it (or as configured, when the node lacks it)."""

    node: str
    name: str
    label: str
    backend: str
    model: str
    state: str  # starting | ready | unhealthy | failed | stopped | not running
    pid: int = 0
    port: int = 0
    restarts: int = 0
    last_error: str = ""
    uptime_s: float = 0.0
    configured: bool = True
    # how its last run ended by itself (crash loops say why), and what the agent sees now
    exit_code: int = 0
    exit_signal: int = 0
    last_lines: tuple[str, ...] = ()
    detail: str = ""


@dataclass(frozen=True)
class NodeSummary:
    """The parts of GetNodeInfo a status view shows."""

    hostname: str
    agent_version: str
    gpus: tuple[str, ...]
    backends: dict[str, bool]
    telemetry_source: str
    sandbox: str
    cpu_count: int
    memory_total_bytes: int


@dataclass(frozen=True)
class NodeStatus:
    """One node: whether it answered, what it is, what it runs."""

    node: str
    address: str
    reachable: bool
    error: str = ""
    hint: str = ""
    info: NodeSummary | None = None
    models: tuple[ModelRow, ...] = ()

    @property
    def ok(self) -> bool:
        """Answered and accepted our token."""
        return not self.error


@dataclass(frozen=True)
class Smoke:
    """One short generation right after a model became ready."""

    text: str
    ttft_s: float
    decode_tok_s: float
    completion_tokens: int
    total_s: float


@dataclass(frozen=True)
class UpResult:
    """How bringing one model up went."""

    node: str
    name: str
    label: str
    backend: str
    ok: bool
    state: str
    ready_s: float = 0.0
    error: str = ""
    smoke: Smoke | None = None
    pid: int = 0
    port: int = 0
    restarts: int = 0


@dataclass(frozen=True)
class UpProgress:
    """A step of `up` for one model, for live display."""

    key: str  # node/name
    phase: str  # connecting | starting | unhealthy | smoke | ready | failed
    detail: str = ""


@dataclass(frozen=True)
class DownResult:
    """How stopping one model went."""

    node: str
    name: str
    ok: bool
    state: str
    error: str = ""


ProgressCallback = Callable[[UpProgress], None]


# ---------------------------------------------------------------- selection


@dataclass(frozen=True)
class Selection:
    """The nodes and models a command acts on."""

    nodes: tuple[str, ...]
    models: tuple[ModelConfig, ...]


def select(
    config: ClusterConfig, nodes: Sequence[str] | None = None, models: Sequence[str] | None = None
) -> Selection:
    """Resolve --nodes a,b and --models x,node/y against the config (one-line errors)."""
    for name in nodes or ():
        if name not in config.nodes:
            raise SelectionError(
                f"unknown node {name!r} in --nodes; configured nodes: {_listing(config.nodes)}",
                hint=f"nodes come from {config.source}",
            )
    chosen_nodes = tuple(nodes) if nodes else tuple(config.nodes)
    picked = [m for m in config.models if m.node in chosen_nodes]
    if models:
        for wanted in models:
            if not any(wanted in (m.name, m.key) for m in config.models):
                raise SelectionError(
                    f"unknown model {wanted!r} in --models; configured models: "
                    f"{_listing(m.key for m in config.models)}",
                    hint=f"models come from {config.source}; NAME or NODE/NAME",
                )
        picked = [m for m in picked if m.name in models or m.key in models]
        if not picked:
            raise SelectionError(
                f"no configured model matches --nodes {','.join(chosen_nodes)} "
                f"--models {','.join(models)}"
            )
    return Selection(nodes=chosen_nodes, models=tuple(picked))


def _listing(names: Iterable[str]) -> str:
    return ", ".join(sorted(names)) or "(none)"


def model_spec(model: ModelConfig) -> pb.ModelSpec:
    """The wire form of a configured model."""
    return pb.ModelSpec(
        name=model.name,
        backend=model.backend,
        model=model.model,
        served_name=model.served_name,
        context_length=model.context_length,
        gpu_memory_fraction=model.gpu_memory_fraction or 0.0,
        quantization=model.quantization,
        extra_args=list(model.extra_args),
        gpu_layers=model.gpu_layers,
    )


def state_name(state: int) -> str:
    """MODEL_STATE_READY → 'ready'."""
    return pb.ModelState.Name(state).removeprefix("MODEL_STATE_").lower()


# ---------------------------------------------------------------- up


async def up(
    config: ClusterConfig,
    nodes: Sequence[str] | None = None,
    models: Sequence[str] | None = None,
    *,
    timeout_s: float = 900.0,
    progress: ProgressCallback | None = None,
    smoke: bool = True,
) -> list[UpResult]:
    """Start the selected models in parallel, wait for ready, smoke-test each.

    Raises the node's own error when no selected node can be reached at all (one line);
    otherwise every model gets a result, failed or not.
    """
    selection = select(config, nodes, models)
    if not selection.models:
        raise SelectionError(f"no models configured in {config.source}")
    report = progress or (lambda _: None)
    clients = {n: AgentClient(n, config.nodes[n]) for n in {m.node for m in selection.models}}
    try:
        checks = await asyncio.gather(*(_preflight(c) for c in clients.values()))
        infos = dict(zip(clients, checks, strict=True))
        errors = [i for i in infos.values() if isinstance(i, TrinityError)]
        if len(errors) == len(infos):
            raise errors[0]
        runs = [
            _up_one(config, clients[m.node], m, infos[m.node], timeout_s, report, smoke)
            for m in selection.models
        ]
        return list(await asyncio.gather(*runs))
    finally:
        await asyncio.gather(*(c.close() for c in clients.values()))


async def _preflight(client: AgentClient) -> pb.NodeInfo | TrinityError:
    """Reach the node once (address, TLS, token) before starting anything on it."""
    try:
        return await client.node_info()
    except TrinityError as exc:
        return exc


def _backend_missing(info: pb.NodeInfo, model: ModelConfig) -> str:
    """Why the node cannot launch this model's backend, or '' when it can (or won't say)."""
    for backend in info.backends:
        if backend.name == model.backend and not backend.available:
            detail = f": {backend.detail}" if backend.detail else ""
            return f"backend {model.backend} is not available on node {model.node}{detail}"
    return ""


async def _up_one(
    config: ClusterConfig,
    client: AgentClient,
    model: ModelConfig,
    node: pb.NodeInfo | TrinityError,
    timeout_s: float,
    report: ProgressCallback,
    smoke: bool,
) -> UpResult:
    def fail(state: str, error: str, status: pb.ModelStatus | None = None) -> UpResult:
        # Shown beside the model's label: the client's "node X, model Y: " is noise there.
        for prefix in (f"node {model.node}, model {model.name}: ", f"node {model.node}: "):
            error = error.removeprefix(prefix)
        report(UpProgress(model.key, "failed", error))
        return _result(model, status, ok=False, state=state, error=error)

    if isinstance(node, TrinityError):
        return fail("unreachable", str(node))
    if missing := _backend_missing(node, model):
        return fail("failed", missing)
    began = time.monotonic()
    try:
        status = await _wait_ready(client, model, timeout_s, report)
    except TrinityError as exc:
        return fail("failed", str(exc))
    state = state_name(status.state)
    if state != "ready":
        why = status.last_error or (f"still {state}" if state == "starting" else state)
        if state == "starting":
            why = f"not ready after {timeout_s:g} s ({why})"
        return fail(state, f"{why}; see `trinityctl logs {model.node} {model.name}`", status)
    ready_s = time.monotonic() - began
    result = _result(model, status, ok=True, state="ready", ready_s=ready_s)
    if not smoke:
        report(UpProgress(model.key, "ready", f"in {ready_s:.1f} s"))
        return result
    report(UpProgress(model.key, "smoke", "smoke generation"))
    try:
        outcome = await smoke_test(client, model, config)
    except TrinityError as exc:
        return fail("ready", f"smoke generation failed: {exc}", status)
    report(UpProgress(model.key, "ready", f"{outcome.decode_tok_s:.1f} tok/s"))
    return replace(result, smoke=outcome)


async def _wait_ready(
    client: AgentClient, model: ModelConfig, timeout_s: float, report: ProgressCallback
) -> pb.ModelStatus:
    """StartModel, then poll until ready, failed, stopped or the deadline."""
    report(UpProgress(model.key, "starting"))
    status = await client.start_model(model_spec(model))
    deadline = time.monotonic() + timeout_s
    while state_name(status.state) not in _DONE_STATES and time.monotonic() < deadline:
        await asyncio.sleep(POLL_S)
        status = await _current(client, model.name)
        state = state_name(status.state)
        if state not in _DONE_STATES:  # the caller reports how it ended
            report(UpProgress(model.key, state, _progress_detail(status)))
    return status


async def _current(client: AgentClient, name: str) -> pb.ModelStatus:
    for status in await client.list_models():
        if status.spec.name == name:
            return status
    return pb.ModelStatus(
        spec=pb.ModelSpec(name=name),
        state=pb.MODEL_STATE_STOPPED,
        last_error="the agent no longer lists this model (stopped by someone else?)",
    )


def _progress_detail(status: pb.ModelStatus) -> str:
    parts = [f"pid {status.pid}"] if status.pid else []
    if status.restarts:
        parts.append(f"restarts {status.restarts}")
    if status.detail:  # the agent's view of a start: how it progresses
        parts.append(status.detail)
    elif status.last_error:
        parts.append(status.last_error)
    return ", ".join(parts)


async def smoke_test(client: AgentClient, model: ModelConfig, config: ClusterConfig) -> Smoke:
    """One short generation through the agent: proves the path and measures tok/s."""
    sampling = config.sampling_for(model)
    request = pb.GenerateRequest(
        model=model.name,
        messages=[pb.ChatMessage(role="user", content=SMOKE_PROMPT)],
        max_tokens=SMOKE_MAX_TOKENS,
        timeout_s=SMOKE_TIMEOUT_S,
    )
    for key in ("temperature", "top_p", "top_k", "min_p", "presence_penalty", "seed"):
        value = getattr(sampling, key)
        if value is not None:
            setattr(request, key, value)
    if model.thinking is not None:
        # 32 tokens of a chain of thought prove nothing a reader can see: ask for the answer.
        request.enable_thinking = False
    final = await client.generate(request)
    return Smoke(
        text=final.text.strip(),
        ttft_s=final.ttft_s,
        decode_tok_s=final.decode_tok_s,
        completion_tokens=final.usage.completion_tokens,
        total_s=final.total_s,
    )


def _result(
    model: ModelConfig,
    status: pb.ModelStatus | None,
    *,
    ok: bool,
    state: str,
    error: str = "",
    ready_s: float = 0.0,
) -> UpResult:
    return UpResult(
        node=model.node,
        name=model.name,
        label=model.display_label,
        backend=model.backend,
        ok=ok,
        state=state,
        ready_s=ready_s,
        error=error,
        pid=status.pid if status else 0,
        port=status.port if status else 0,
        restarts=status.restarts if status else 0,
    )


# ---------------------------------------------------------------- down


async def down(
    config: ClusterConfig,
    nodes: Sequence[str] | None = None,
    models: Sequence[str] | None = None,
) -> list[DownResult]:
    """Stop the selected models; with no --models, everything the selected nodes run."""
    selection = select(config, nodes, models)
    targets: dict[str, list[str] | None] = {n: None for n in selection.nodes}  # None: all
    if models:
        targets = {n: [m.name for m in selection.models if m.node == n] for n in selection.nodes}
        targets = {n: names for n, names in targets.items() if names}
    batches = await asyncio.gather(
        *(_down_node(config, node, names) for node, names in targets.items())
    )
    return [r for batch in batches for r in batch]


async def _down_node(config: ClusterConfig, node: str, names: list[str] | None) -> list[DownResult]:
    async with AgentClient(node, config.nodes[node]) as client:
        try:
            if names is None:
                names = [s.spec.name for s in await client.list_models()]
        except TrinityError as exc:
            return [DownResult(node, "*", ok=False, state="unreachable", error=str(exc))]
        return list(await asyncio.gather(*(_stop(client, node, n) for n in names)))


async def _stop(client: AgentClient, node: str, name: str) -> DownResult:
    try:
        status = await client.stop_model(name, timeout_s=STOP_TIMEOUT_S)
    except ModelNotFound:
        return DownResult(node, name, ok=True, state="not running")
    except TrinityError as exc:
        return DownResult(node, name, ok=False, state="failed", error=str(exc))
    # The agent answers once the server's memory is back, or says in detail that it is not.
    return DownResult(node, name, ok=not status.detail, state=state_name(status.state),
                      error=status.detail)  # fmt: skip


# ---------------------------------------------------------------- status and logs


async def status(config: ClusterConfig, nodes: Sequence[str] | None = None) -> list[NodeStatus]:
    """Ask every selected node, in parallel, who it is and what it runs."""
    selection = select(config, nodes)
    return list(await asyncio.gather(*(_node_status(config, n) for n in selection.nodes)))


async def _node_status(config: ClusterConfig, node: str) -> NodeStatus:
    spec = config.nodes[node]
    async with AgentClient(node, spec) as client:
        try:
            info, running = await asyncio.gather(client.node_info(), client.list_models())
        except TrinityError as exc:
            return NodeStatus(
                node,
                spec.address,
                reachable=not isinstance(exc, NodeUnreachable),
                error=str(exc),
                hint=exc.hint or "",
            )
    configured = {m.name: m for m in config.models if m.node == node}
    rows = [_row(node, s, configured.get(s.spec.name)) for s in running]
    listed = {s.spec.name for s in running}
    rows += [
        ModelRow(node, m.name, m.display_label, m.backend, m.model, state="not running")
        for m in configured.values()
        if m.name not in listed
    ]
    return NodeStatus(node, spec.address, reachable=True, info=_summary(info), models=tuple(rows))


def _row(node: str, s: pb.ModelStatus, configured: ModelConfig | None) -> ModelRow:
    state = state_name(s.state)
    running = state in ("starting", "ready", "unhealthy") and s.started_at
    return ModelRow(
        node=node,
        name=s.spec.name,
        label=configured.display_label if configured else f"{node}/{s.spec.name}",
        backend=s.spec.backend,
        model=s.spec.model,
        state=state,
        pid=s.pid,
        port=s.port,
        restarts=s.restarts,
        last_error=s.last_error,
        uptime_s=max(0.0, time.time() - s.started_at) if running else 0.0,
        configured=configured is not None,
        exit_code=s.exit_code,
        exit_signal=s.exit_signal,
        last_lines=tuple(s.last_lines),
        detail=s.detail,
    )


def _summary(info: pb.NodeInfo) -> NodeSummary:
    return NodeSummary(
        hostname=info.hostname,
        agent_version=info.agent_version,
        gpus=tuple(g.name for g in info.gpus),
        backends={b.name: b.available for b in info.backends},
        telemetry_source=info.telemetry_source,
        sandbox=info.sandbox,
        cpu_count=info.cpu_count,
        memory_total_bytes=info.memory_total_bytes,
    )


async def logs(
    config: ClusterConfig, node: str, model: str, lines: int = 0, previous: bool = False
) -> list[str]:
    """The last lines a model server wrote on its node (previous: in the run before)."""
    select(config, [node])
    async with AgentClient(node, config.nodes[node]) as client:
        try:
            return await client.logs(model, lines, previous)
        except ModelNotFound as exc:
            known = [m.name for m in config.models if m.node == node]
            raise ModelNotFound(
                exc.message, hint=f"models configured on {node}: {_listing(known)}"
            ) from exc
