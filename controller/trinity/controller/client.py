"""The controller's side of the wire: one grpc.aio channel per node, the node token as
bearer metadata, TLS when configured, a deadline on every call, and every gRPC failure
turned into a one-line TrinityError that names the node (and model).

Calls return the generated protobuf messages (trinity.v1.agent_pb2); trinity.controller
.cluster turns them into plain results. The token never appears in a message or a log.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from trinity.controller.config import NodeConfig
from trinity.controller.errors import (
    AgentCallError,
    AgentDeadline,
    ConfigError,
    ModelError,
    ModelNotFound,
    NodeAuthError,
    NodeUnreachable,
    TrinityError,
)
from trinity.v1 import agent_pb2 as pb
from trinity.v1 import agent_pb2_grpc as pb_grpc

log = logging.getLogger(__name__)

AGENT_CONFIG_HINT = "~/.config/trinity/agent/agent.toml"
# Short reconnect backoff: the demo and `up` poll an agent that may be just starting, and
# gRPC's default backoff (1 s growing to 120 s) would leave them waiting on nothing.
_CHANNEL_OPTIONS: list[tuple[str, int | str]] = [
    ("grpc.min_reconnect_backoff_ms", 200),
    ("grpc.initial_reconnect_backoff_ms", 200),
    ("grpc.max_reconnect_backoff_ms", 2000),
    ("grpc.max_receive_message_length", 64 * 1024 * 1024),
]
# gRPC takes a deadline of 1e10 s as one that has already passed (1e9 s still works,
# measured with grpcio 1.8x), so a deadline (a huge max_tokens at a slow measured speed,
# say) is capped at a week.
MAX_DEADLINE_S = 7 * 24 * 3600.0
_TLS_MARKERS = ("ssl", "tls", "handshake", "certificate")
# gRPC's words when no connection could be made at all, and when one that was up dropped.
_NEVER_CONNECTED = "failed to connect"
_DROPPED = ("socket closed", "stream removed", "connection reset")

_SSL_REASON = re.compile(r"OPENSSL_internal:([A-Z_]+(?::[^:]+)?)")
# Agent-side codes whose message is the agent's own one-line explanation.
_AGENT_MESSAGE_CODES = {
    grpc.StatusCode.NOT_FOUND,
    grpc.StatusCode.INVALID_ARGUMENT,
    grpc.StatusCode.FAILED_PRECONDITION,
    grpc.StatusCode.RESOURCE_EXHAUSTED,
    grpc.StatusCode.ALREADY_EXISTS,
    grpc.StatusCode.ABORTED,
    grpc.StatusCode.OUT_OF_RANGE,
    grpc.StatusCode.UNAVAILABLE,
}

DeltaCallback = Callable[[pb.GenerateDelta], Awaitable[None]]


def read_token(name: str, node: NodeConfig) -> str:
    """The node token from its file or environment variable; one-line error if absent."""
    if node.token_env is not None:
        token = os.environ.get(node.token_env, "").strip()
        if not token:
            raise ConfigError(
                f"node {name}: environment variable {node.token_env} "
                f"(nodes.{name}.token_env) is not set",
                hint=f"export {node.token_env}=<the token from the node's token file>",
            )
        return token
    path = node.token_file
    assert path is not None  # the config guarantees exactly one source
    try:
        token = path.read_text("utf-8").strip()
    except FileNotFoundError:
        raise ConfigError(
            f"node {name}: token file {path} not found",
            hint=f"run `trinity-agent init --dir {path.parent}` on the node (it writes "
            "agent.toml and this token), and copy the token here if the node is remote",
        ) from None
    except OSError as exc:
        raise ConfigError(f"node {name}: cannot read token file {path}: {exc.strerror}") from None
    if not token:
        raise ConfigError(f"node {name}: token file {path} is empty")
    return token


class AgentClient:
    """One node's trinity-agent; use as `async with AgentClient(name, node) as c:`."""

    def __init__(self, name: str, node: NodeConfig) -> None:
        self.name = name
        self.node = node
        self._token: str | None = None
        self._channel: grpc.aio.Channel | None = None
        self._stub: pb_grpc.AgentStub | None = None

    @property
    def where(self) -> str:
        """'node NAME (host:port)' for messages."""
        return f"node {self.name} ({self.node.address})"

    async def __aenter__(self) -> AgentClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the channel (idempotent)."""
        if self._channel is not None:
            await self._channel.close()
            self._channel = self._stub = None

    # ------------------------------------------------------------ RPCs

    async def health(self) -> str:
        """grpc.health.v1 status of the whole server: SERVING, NOT_SERVING, ..."""
        stub = health_pb2_grpc.HealthStub(self._connect())
        reply = await self._call(stub.Check, "Health", health_pb2.HealthCheckRequest())
        return health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)

    async def node_info(self) -> pb.NodeInfo:
        """Host, agent version, GPUs and available backends."""
        return await self._call(self._agent().GetNodeInfo, "GetNodeInfo", pb.GetNodeInfoRequest())

    async def list_models(self) -> list[pb.ModelStatus]:
        """Every model the agent supervises."""
        reply = await self._call(self._agent().ListModels, "ListModels", pb.ListModelsRequest())
        return list(reply.models)

    async def start_model(self, spec: pb.ModelSpec, wait_ready_s: float = 0.0) -> pb.ModelStatus:
        """StartModel; with wait_ready_s the agent answers once ready or failed."""
        request = pb.StartModelRequest(spec=spec, wait_ready_s=wait_ready_s)
        timeout = self.node.timeout_s + wait_ready_s
        return await self._call(
            self._agent().StartModel, "StartModel", request, deadline_s=timeout, model=spec.name
        )

    async def stop_model(self, name: str, timeout_s: float | None = None) -> pb.ModelStatus:
        """StopModel: the agent stops the server's process group and forgets the model."""
        request = pb.StopModelRequest(name=name)
        return await self._call(
            self._agent().StopModel, "StopModel", request, deadline_s=timeout_s, model=name
        )

    async def logs(self, name: str, lines: int = 0, previous: bool = False) -> list[str]:
        """The last `lines` (0 = all kept) lines the model server wrote (previous: in the
        run before the current one)."""
        request = pb.GetLogsRequest(name=name, lines=lines, previous=previous)
        reply = await self._call(self._agent().GetLogs, "GetLogs", request, model=name)
        return list(reply.lines)

    async def generate(
        self, request: pb.GenerateRequest, on_delta: DeltaCallback | None = None
    ) -> pb.GenerateResult:
        """Stream a chat completion; returns the final result with the agent's timings.
        Without on_delta the agent is asked for the final event only (no delta traffic)."""
        if on_delta is None and not request.final_only:
            request = _with_final_only(request)
        timeout = _capped((request.timeout_s or 600.0) + self.node.timeout_s)
        try:
            call = self._agent().Generate(request, metadata=self._metadata(), timeout=timeout)
            async for event in call:
                if event.HasField("final"):
                    return event.final
                if on_delta is not None:
                    await on_delta(event.delta)
        except grpc.aio.AioRpcError as exc:
            raise self._error(exc, "Generate", request.model, timeout) from exc
        raise AgentCallError(f"{self.where}, model {request.model}: stream ended without a result")

    async def execute(self, request: pb.ExecuteRequest, timeout_s: float) -> pb.ExecuteResult:
        """Run code with its tests in the node's sandbox."""
        return await self._call(self._agent().Execute, "Execute", request, deadline_s=timeout_s)

    async def profile(self, request: pb.ProfileRequest) -> AsyncIterator[pb.ProfilePoint]:
        """Load generated on the node next to the model's server; a point per level."""
        try:
            call = self._agent().Profile(request, metadata=self._metadata())
            async for point in call:
                yield point
        except grpc.aio.AioRpcError as exc:
            raise self._error(exc, "Profile", request.model, None) from exc

    async def watch_telemetry(
        self, interval_s: float = 1.0, count: int = 0
    ) -> AsyncIterator[pb.TelemetrySample]:
        """Samples every interval_s (count = 0: until the caller stops iterating)."""
        request = pb.WatchTelemetryRequest(interval_s=interval_s, count=count)
        try:
            async for sample in self._agent().WatchTelemetry(request, metadata=self._metadata()):
                yield sample
        except grpc.aio.AioRpcError as exc:
            raise self._error(exc, "WatchTelemetry", None, None) from exc

    # ------------------------------------------------------------ plumbing

    def _connect(self) -> grpc.aio.Channel:
        if self._channel is None:
            self._token = read_token(self.name, self.node)
            self._channel = self._open_channel()
        return self._channel

    def _agent(self) -> pb_grpc.AgentStub:
        if self._stub is None:
            self._stub = pb_grpc.AgentStub(self._connect())
        return self._stub

    def _open_channel(self) -> grpc.aio.Channel:
        options: list[tuple[str, int | str]] = list(_CHANNEL_OPTIONS)
        if not self.node.uses_tls:
            return grpc.aio.insecure_channel(self.node.address, options=options)
        ca = None
        if self.node.tls_ca is not None:
            try:
                ca = self.node.tls_ca.read_bytes()
            except OSError as exc:
                raise ConfigError(
                    f"node {self.name}: cannot read tls_ca {self.node.tls_ca}: {exc.strerror}"
                ) from None
        if self.node.tls_server_name:
            options.append(("grpc.ssl_target_name_override", self.node.tls_server_name))
        creds = grpc.ssl_channel_credentials(root_certificates=ca)
        return grpc.aio.secure_channel(self.node.address, creds, options=options)

    def _metadata(self) -> tuple[tuple[str, str], ...]:
        self._connect()
        return (("authorization", f"Bearer {self._token}"),)

    async def _call(
        self,
        method: Callable[..., Any],
        name: str,
        request: Any,
        *,
        deadline_s: float | None = None,
        model: str | None = None,
    ) -> Any:
        deadline_s = _capped(deadline_s or self.node.timeout_s)
        try:
            return await method(request, metadata=self._metadata(), timeout=deadline_s)
        except grpc.aio.AioRpcError as exc:
            raise self._error(exc, name, model, deadline_s) from exc

    def _error(
        self, exc: grpc.aio.AioRpcError, method: str, model: str | None, timeout: float | None
    ) -> TrinityError:
        """Map a gRPC failure to a one-line TrinityError naming the node (and model)."""
        code, detail = exc.code(), self._scrub(exc.details() or "")
        named = model and not detail.startswith(f"model {model}")  # the agent's often does
        subject = f"node {self.name}" + (f", model {model}" if named else "")
        log.debug("rpc failed node=%s method=%s code=%s", self.name, method, code.name)
        if code == grpc.StatusCode.UNAVAILABLE and self._transport_failed(detail):
            return self._unreachable(detail)
        if code in (grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED):
            return NodeAuthError(
                f"node {self.name} rejected the token from {self._token_source()}: {detail}",
                hint="use the token from the node's own token file (`trinity-agent init` "
                "wrote it there)",
            )
        if code == grpc.StatusCode.DEADLINE_EXCEEDED:
            return AgentDeadline(
                f"{subject}: {method} got no answer within {timeout:g} s",
                hint=f"is the node overloaded? raise nodes.{self.name}.timeout_s in models.toml",
            )
        if code == grpc.StatusCode.UNIMPLEMENTED:
            return AgentCallError(f"{subject}: the agent does not implement {method}: {detail}")
        if code == grpc.StatusCode.NOT_FOUND:
            return ModelNotFound(f"{subject}: {detail}")
        if code in _AGENT_MESSAGE_CODES:
            return ModelError(f"{subject}: {detail}")
        return AgentCallError(
            f"{subject}: {method} failed ({code.name}): {detail}",
            hint="the agent's own log says more (journalctl -u trinity-agent on the node)",
        )

    def _transport_failed(self, detail: str) -> bool:
        """True when UNAVAILABLE came from the connection, not from the agent itself."""
        channel = self._channel
        state = channel.get_state() if channel is not None else None
        markers = (_NEVER_CONNECTED, "connection refused", "dns resolution", *_DROPPED)
        lowered = detail.lower()
        return state != grpc.ChannelConnectivity.READY or any(m in lowered for m in markers)

    def _unreachable(self, detail: str) -> NodeUnreachable:
        lowered = detail.lower()
        if _NEVER_CONNECTED not in lowered and any(m in lowered for m in _DROPPED):
            # The connection was up (gRPC only says "failed to connect" when it never
            # was), so the agent spoke to us: it went away mid-call, TLS is not the issue.
            return NodeUnreachable(
                f"{self.where} dropped the connection mid-call: did trinity-agent stop or "
                "restart there? (`trinityctl status` shows whether it is back)",
                hint=f"gRPC said: {detail}",
            )
        if any(m in lowered for m in _TLS_MARKERS):
            why = _SSL_REASON.search(detail)
            return NodeUnreachable(
                f"{self.where}: TLS handshake failed"
                + (f": {why.group(1).strip()}" if why else ""),
                hint=f"check nodes.{self.name}.tls_ca / tls_server_name, and that the agent "
                "serves TLS ([tls] in its agent.toml)",
            )
        if "socket closed" in lowered and not self.node.uses_tls:
            return NodeUnreachable(
                f"{self.where} closed the connection: does the agent serve TLS? then set "
                f"nodes.{self.name}.tls_ca (or tls = true) in models.toml",
                hint=f"gRPC said: {detail}",
            )
        return NodeUnreachable(
            f"{self.where} unreachable: is trinity-agent running? start it with "
            f"`trinity-agent serve --config {AGENT_CONFIG_HINT}`",
            hint=f"gRPC said: {detail}",
        )

    def _token_source(self) -> str:
        if self.node.token_env is not None:
            return f"${self.node.token_env}"
        return str(self.node.token_file)

    def _scrub(self, text: str) -> str:
        """Belt and braces: the token never leaves this object, even inside an echo."""
        # (A token too short to be real would only garble the text it "hides" in.)
        token = self._token
        return text.replace(token, "[token]") if token and len(token) >= 8 else text


def _capped(seconds: float) -> float:
    """A deadline gRPC can honour (it treats an enormous one as already expired)."""
    return min(seconds, MAX_DEADLINE_S)


def _with_final_only(request: pb.GenerateRequest) -> pb.GenerateRequest:
    """A copy asking for the final event only (the caller's request is left as it was)."""
    copy = pb.GenerateRequest()
    copy.CopyFrom(request)
    copy.final_only = True
    return copy
