"""The agent's gRPC edge: the trinity.v1.Agent servicer, health, reflection, and `serve`.

Each RPC validates its request, calls one library function (supervisor, generate,
telemetry, sandbox) and converts the result (trinity.agent.convert). `_rpc` is the one
place that turns an AgentError into a gRPC status with the same one-line message.
"""

from __future__ import annotations

import asyncio
import dataclasses
import errno
import functools
import importlib.metadata
import json
import logging
import math
import os
import re
import signal
import socket
import sys
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import grpc
import httpx
import psutil
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from trinity.agent import convert, notify
from trinity.agent.admission import MAX_RECEIVE_BYTES, RequestSizeInterceptor
from trinity.agent.auth import TokenAuthInterceptor, TokenFile
from trinity.agent.config import AgentConfig, TlsConfig
from trinity.agent.errors import (
    AgentError,
    ConfigError,
    InvalidArgument,
    ResourceExhausted,
    Unavailable,
)
from trinity.agent.generate import GENERATION_TIMED_OUT, context_full, generate
from trinity.agent.loadgen import LoadSpec
from trinity.agent.metrics import AgentMetrics, serve_metrics
from trinity.agent.process import kill_group
from trinity.agent.sandbox import Sandbox
from trinity.agent.spec import Endpoint
from trinity.agent.telemetry import Telemetry
from trinity.v1 import agent_pb2 as pb
from trinity.v1 import agent_pb2_grpc

if TYPE_CHECKING:
    from trinity.agent.supervisor import Supervisor

log = logging.getLogger(__name__)

SERVICE = pb.DESCRIPTOR.services_by_name["Agent"].full_name  # "trinity.v1.Agent"
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
ROLES = ("system", "user", "assistant")
MIN_TELEMETRY_INTERVAL_S = 0.05
SHUTDOWN_GRACE_S = 5.0  # in-flight RPCs (a Generate stream) get this long to finish
MAX_SEND_BYTES = 64 * 1024 * 1024  # an Execute result's output tails, a log
SERVER_OPTIONS = [
    # gRPC sets SO_REUSEPORT by default: a second agent would silently share our port.
    ("grpc.so_reuseport", 0),
    # The largest RPC's need; each RPC is held to its own (trinity.agent.admission).
    ("grpc.max_receive_message_length", MAX_RECEIVE_BYTES),
    ("grpc.max_send_message_length", MAX_SEND_BYTES),
    ("grpc.keepalive_permit_without_calls", 1),
    # No window growth for what clients send us: a request's bytes beyond the initial
    # 64 KiB window stay with the client until a handler reads them, and an
    # unauthenticated one never does (with growth, 64 unauthenticated 8 MB calls held
    # 80 MiB in the agent; without, nothing measurable). Requests are small; replies,
    # which the client's window governs, are the large stream.
    ("grpc.http2.bdp_probe", 0),
    ("grpc.http2.min_recv_ping_interval_without_data_ms", 10_000),
]


def agent_version() -> str:
    try:
        return importlib.metadata.version("trinity")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _rpc(method: Callable[..., Any]) -> Callable[..., Any]:
    """Map AgentError to its status code and message; a bug becomes INTERNAL, logged."""

    @functools.wraps(method)
    async def wrapper(self: AgentServicer, request: Any, context: grpc.aio.ServicerContext):
        try:
            return await method(self, request, context)
        except grpc.aio.AbortError:
            raise  # an abort already chose its status; never swallow it
        except AgentError as exc:
            log.info("rpc refused method=%s code=%s error=%r", method.__name__, exc.code, str(exc))
            code, message = grpc.StatusCode[exc.code], str(exc)
        except Exception as exc:
            log.exception("rpc failed method=%s", method.__name__)
            code = grpc.StatusCode.INTERNAL
            message = (
                f"internal error in {method.__name__}: {type(exc).__name__} (see the agent log)"
            )
        # Outside every except: abort works by raising, a handler would swallow it.
        if context.done():
            return None
        await context.abort(code, message)

    return wrapper


CONTEXT_LOG_WAITS_S = (0.0, 0.5)  # look at once, and once more when its traceback lags
MAX_PROFILE_CONCURRENCY = 1024
MAX_PROFILE_PROCESSES = 64


def _load_spec(request: pb.ProfileRequest, endpoint: Endpoint) -> LoadSpec:
    """The profile request checked, as the load generator's spec for this server."""
    levels = tuple(request.concurrency) or (1,)
    bad = [c for c in levels if not 1 <= c <= MAX_PROFILE_CONCURRENCY]
    if bad:
        raise InvalidArgument(
            f"concurrency {bad[0]} is not between 1 and {MAX_PROFILE_CONCURRENCY}"
        )
    if request.processes > MAX_PROFILE_PROCESSES:
        raise InvalidArgument(f"processes {request.processes} is more than {MAX_PROFILE_PROCESSES}")
    if not math.isfinite(request.timeout_s) or request.timeout_s < 0:
        raise InvalidArgument(f"timeout_s must be 0 or more seconds, not {request.timeout_s}")
    return LoadSpec(
        base_url=endpoint.base_url,
        model=endpoint.served_name,
        concurrency=levels,
        prompt_tokens=request.prompt_tokens or 256,
        output_tokens=request.output_tokens or 128,
        requests_per_level=request.requests_per_level,
        warmup_requests=request.warmup_requests,
        timeout_s=request.timeout_s or 600.0,
        processes=request.processes,
    )


async def run_profile(spec: LoadSpec) -> AsyncIterator[dict[str, Any]]:
    """The load generator in a child process (its CPU is its own, measured alone, and the
    agent keeps answering); each level's figures as it finishes. Cancelled (the client
    went away), the child and its load processes (its process group) are killed: no load
    outlives the request."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "trinity.agent.loadgen",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    assert process.stdin is not None and process.stdout is not None
    assert process.stderr is not None
    process.stdin.write(json.dumps(dataclasses.asdict(spec)).encode())
    process.stdin.close()
    stderr = asyncio.ensure_future(process.stderr.read())
    levels = 0
    try:
        async for line in process.stdout:
            levels += 1
            yield json.loads(line)
        code = await process.wait()
        # Every level in: done, whatever the code says (asyncio reports 255 for a child
        # that something else reaped first, as seen once in CI's test process).
        if code != 0 and levels < len(spec.concurrency):
            kill_group(process.pid)  # its load processes, at once: they may be mid-level
            tail = (await stderr).decode(errors="replace").strip().splitlines()[-3:]
            raise Unavailable(f"model {spec.model}: the load generator failed: {' | '.join(tail)}")
    finally:
        if process.returncode is None:  # cancelled: the child and its load processes
            kill_group(process.pid)
            await process.wait()
        stderr.cancel()


def _name(value: str, what: str) -> str:
    if not NAME_PATTERN.fullmatch(value):
        raise InvalidArgument(
            f"{what} {value!r} is not a valid model name: use letters, digits and . _ : - "
            "(at most 128 characters)"
        )
    return value


class AgentServicer(agent_pb2_grpc.AgentServicer):
    """trinity.v1.Agent over a Supervisor, the generate proxy and telemetry."""

    def __init__(
        self,
        config: AgentConfig,
        supervisor: Supervisor,
        telemetry: Telemetry,
        backends: Mapping[str, Any],
        http: httpx.AsyncClient,
    ) -> None:
        self._config = config
        self._supervisor = supervisor
        self._telemetry = telemetry
        self._backends = backends
        self._http = http
        self._sandbox = Sandbox(config.sandbox)
        self._profiling: str | None = None  # the model being profiled; one at a time
        self.metrics = AgentMetrics(supervisor.list_models, telemetry)

    @_rpc
    async def GetNodeInfo(self, request, context) -> pb.NodeInfo:
        return pb.NodeInfo(
            hostname=socket.gethostname(),
            agent_version=agent_version(),
            gpus=[convert.gpu_info_to_proto(g) for g in self._telemetry.gpus()],
            backends=[
                convert.backend_info_to_proto(name, backend.info())
                for name, backend in sorted(self._backends.items())
            ],
            cpu_count=os.cpu_count() or 0,
            memory_total_bytes=psutil.virtual_memory().total,
            telemetry_source=self._telemetry.source,
            sandbox=self._sandbox_isolation(),
        )

    @_rpc
    async def StartModel(self, request: pb.StartModelRequest, context) -> pb.ModelStatus:
        if not request.HasField("spec"):
            raise InvalidArgument("StartModel needs a spec")
        spec = convert.spec_from_proto(request.spec)
        _name(spec.name, "spec.name")
        if not spec.backend:
            raise InvalidArgument(f"model {spec.name}: spec.backend is empty (llamacpp or vllm)")
        if not spec.model:
            raise InvalidArgument(f"model {spec.name}: spec.model is empty (a path or name)")
        if not 0.0 <= spec.gpu_memory_fraction <= 1.0:
            raise InvalidArgument(
                f"model {spec.name}: gpu_memory_fraction {spec.gpu_memory_fraction:g} "
                "is outside 0..1"
            )
        wait = request.wait_ready_s
        if not math.isfinite(wait) or wait < 0:
            raise InvalidArgument(f"wait_ready_s must be 0 or more seconds, not {wait}")
        status = await self._supervisor.start_model(spec, wait_ready_s=wait)
        return convert.status_to_proto(status)

    @_rpc
    async def StopModel(self, request: pb.StopModelRequest, context) -> pb.ModelStatus:
        status = await self._supervisor.stop_model(_name(request.name, "name"))
        return convert.status_to_proto(status)

    @_rpc
    async def ListModels(self, request, context) -> pb.ListModelsResponse:
        models = self._supervisor.list_models()
        return pb.ListModelsResponse(models=[convert.status_to_proto(s) for s in models])

    @_rpc
    async def GetLogs(self, request: pb.GetLogsRequest, context) -> pb.GetLogsResponse:
        lines = self._supervisor.logs(
            _name(request.name, "name"), request.lines, previous=request.previous
        )
        return pb.GetLogsResponse(lines=lines)

    @_rpc
    async def Generate(self, request: pb.GenerateRequest, context) -> None:
        params = convert.params_from_proto(request)
        _name(params.model, "model")
        if not params.messages:
            raise InvalidArgument(f"model {params.model}: messages is empty")
        for i, message in enumerate(params.messages):
            if message.role not in ROLES:
                raise InvalidArgument(
                    f"messages[{i}].role {message.role!r} is not one of {', '.join(ROLES)}"
                )
        if not math.isfinite(params.timeout_s) or params.timeout_s < 0:
            raise InvalidArgument(f"timeout_s must be 0 or more seconds, not {params.timeout_s}")
        endpoint = self._supervisor.endpoint(params.model)
        mark = self._supervisor.log_mark(params.model)

        async def on_delta(text: str, reasoning: str) -> None:
            await context.write(
                pb.GenerateEvent(delta=pb.GenerateDelta(text=text, reasoning=reasoning))
            )

        try:
            outcome = await generate(
                self._http,
                endpoint,
                params,
                None if request.final_only else on_delta,
                rates=self._telemetry.rates,
            )
        except Unavailable as exc:
            self.metrics.generate_failed(params.model)
            if GENERATION_TIMED_OUT in str(exc):
                raise
            raise (await self._context_full(params.model, mark) or exc) from None
        except BaseException:
            self.metrics.generate_failed(params.model)
            raise
        self.metrics.generated(params.model, outcome.prompt_tokens, outcome.completion_tokens)
        await context.write(pb.GenerateEvent(final=convert.outcome_to_proto(outcome)))

    async def _context_full(self, model: str, mark: int) -> InvalidArgument | None:
        """Whether the server's log, since `mark`, says the conversation was longer than
        its context: llama_cpp.server cuts the stream off (or drops the connection) and
        says why only there, in a traceback that may land just after the connection
        closes. Lines from before the request never count (an earlier request's)."""
        for wait in CONTEXT_LOG_WAITS_S:
            await asyncio.sleep(wait)
            found = context_full(model, self._supervisor.logs_since(model, mark))
            if found is not None:
                return found
        return None

    @_rpc
    async def Profile(self, request: pb.ProfileRequest, context) -> None:
        endpoint = self._supervisor.endpoint(_name(request.model, "model"))
        spec = _load_spec(request, endpoint)
        if self._profiling is not None:
            raise ResourceExhausted(
                f"a profile of {self._profiling} is already running on this node; two at "
                "once would measure each other"
            )
        self._profiling = request.model
        try:
            with self._supervisor.hold_probes(request.model):
                async for level in run_profile(spec):
                    point = pb.ProfilePoint(concurrency=int(level["concurrency"]),
                                            metrics_json=json.dumps(level),
                                            backend=endpoint.backend)  # fmt: skip
                    await context.write(point)
        finally:
            self._profiling = None

    @_rpc
    async def Execute(self, request: pb.ExecuteRequest, context) -> pb.ExecuteResult:
        spec = convert.execute_spec_from_proto(request)
        outcome = await self._sandbox.execute(spec)
        self.metrics.executed(outcome.status.value, outcome.duration_s)
        return convert.execute_outcome_to_proto(outcome)

    def _sandbox_isolation(self) -> str:
        """The isolation Execute uses here: bwrap, none (development flag) or unavailable."""
        return self._sandbox.isolation

    @_rpc
    async def WatchTelemetry(self, request: pb.WatchTelemetryRequest, context) -> None:
        interval = request.interval_s or self._config.telemetry_interval_s
        if not math.isfinite(interval) or interval < 0:
            raise InvalidArgument(f"interval_s must be 0 or more seconds, not {request.interval_s}")
        interval = max(interval, MIN_TELEMETRY_INTERVAL_S)
        window = self._telemetry.rates.window()
        sent = 0
        while True:
            # NVML calls block; keep them off the event loop.
            sample = await asyncio.to_thread(self._telemetry.sample, window)
            await context.write(convert.sample_to_proto(sample))
            sent += 1
            if request.count and sent >= request.count:
                return
            await asyncio.sleep(interval)


# ---------------------------------------------------------------------- serve


def _read_pem(path: Path, key: str) -> bytes:
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"tls.{key} {path} does not exist: fix the path in agent.toml") from None
    except OSError as exc:
        raise ConfigError(f"tls.{key} {path}: cannot read: {exc.strerror}") from None
    if b"-----BEGIN" not in data:
        raise ConfigError(f"tls.{key} {path} is not a PEM file")
    return data


def tls_credentials(tls: TlsConfig) -> grpc.ServerCredentials:
    """Server credentials from the cert and key files, one-line errors for bad files."""
    key, cert = _read_pem(tls.key_file, "key_file"), _read_pem(tls.cert_file, "cert_file")
    return grpc.ssl_server_credentials([(key, cert)])


def split_listen(listen: str) -> tuple[str, int]:
    host, _, port = listen.rpartition(":")
    try:
        return host.strip("[]"), int(port)
    except ValueError:
        raise ConfigError(f"listen {listen!r} is not host:port") from None


def _why_cannot_listen(listen: str) -> str:
    """gRPC only says "failed"; ask the OS the same question for the reason."""
    host, port = split_listen(listen)
    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM)
        family, _, _, _, address = infos[0]
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.bind(address)
    except socket.gaierror as exc:
        return f"cannot listen on {listen}: unknown host {host!r} ({exc.strerror})"
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            return f"cannot listen on {listen}: address already in use (another trinity-agent?)"
        return f"cannot listen on {listen}: {exc.strerror}"
    return f"cannot listen on {listen}: gRPC refused the address"


def bind(server: grpc.aio.Server, listen: str, credentials: grpc.ServerCredentials | None) -> int:
    """Bind `listen` (host:port, port 0 = any); the bound port, or a one-line ConfigError."""
    split_listen(listen)
    try:
        if credentials is None:
            port = server.add_insecure_port(listen)
        else:
            port = server.add_secure_port(listen, credentials)
    except RuntimeError:
        port = 0  # some gRPC versions raise where others return 0
    if not port:
        raise ConfigError(_why_cannot_listen(listen))
    return port


def build_server(
    servicer: AgentServicer, token: bytes | TokenFile
) -> tuple[grpc.aio.Server, health.aio.HealthServicer]:
    """The gRPC server with auth, the Agent service, health and reflection (not bound)."""
    # The token first, from metadata alone; only then the request's size and body.
    interceptors = [TokenAuthInterceptor(token), RequestSizeInterceptor()]
    server = grpc.aio.server(interceptors=interceptors, options=SERVER_OPTIONS)
    agent_pb2_grpc.add_AgentServicer_to_server(servicer, server)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    names = (
        SERVICE,
        health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
        reflection.SERVICE_NAME,
    )
    reflection.enable_server_reflection(names, server)
    return server, health_servicer


async def set_serving(health_servicer: health.aio.HealthServicer, serving: bool) -> None:
    status = (
        health_pb2.HealthCheckResponse.SERVING
        if serving
        else health_pb2.HealthCheckResponse.NOT_SERVING
    )
    for name in ("", SERVICE):
        await health_servicer.set(name, status)


def _install_signals(stop: asyncio.Event) -> list[signal.Signals]:
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError, ValueError):
            continue  # not the main thread (tests): the caller's stop event rules
        installed.append(sig)
    return installed


async def serve(
    config: AgentConfig,
    *,
    ready: Callable[[int], None] | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Run the agent until SIGTERM/SIGINT (or `stop` is set); models stop with it.

    `ready(port)` is called once the port listens and the supervisor has started.
    """
    token = TokenFile(config.token_file)  # read again when it is rotated
    credentials = tls_credentials(config.tls) if config.tls else None
    # Imported here: the edge (servicer, auth) is testable without the runtime.
    from trinity.agent.backends import registry
    from trinity.agent.supervisor import Supervisor

    stop = stop or asyncio.Event()
    telemetry = await asyncio.to_thread(Telemetry)
    backends = registry(config)
    supervisor = Supervisor(
        config,
        free_memory=telemetry.free_memory_bytes,
        total_memory=telemetry.total_memory_bytes,  # 0 without a GPU: no fraction estimate
        memory_source=telemetry.free_memory_source,
        backends=backends,
        tokens_seen=lambda name: telemetry.rates.totals().get(name, 0),
        gpu_memory=telemetry.process_gpu_memory,
    )
    # Loopback only, never through a proxy from the environment; many concurrent streams.
    http = httpx.AsyncClient(
        trust_env=False, limits=httpx.Limits(max_connections=None, max_keepalive_connections=256)
    )
    servicer = AgentServicer(config, supervisor, telemetry, backends, http)
    server, health_servicer = build_server(servicer, token)
    metrics_server: asyncio.Server | None = None
    started = False
    signals: list[signal.Signals] = []
    try:
        port = bind(server, config.listen, credentials)
        if config.metrics is not None:
            metrics_server = await serve_metrics(config.metrics.listen, servicer.metrics)
        await supervisor.start()
        started = True
        await server.start()
        await set_serving(health_servicer, True)
        signals = _install_signals(stop)
        log.info(
            "agent listening address=%s port=%d tls=%s telemetry=%s",
            config.listen,
            port,
            credentials is not None,
            telemetry.source,
        )
        if ready is not None:
            ready(port)
        await stop.wait()
        log.info("agent stopping")
    finally:
        if metrics_server is not None:
            metrics_server.close()
        await _shutdown(server, health_servicer, supervisor if started else None, http, telemetry)
        loop = asyncio.get_running_loop()
        for sig in signals:
            loop.remove_signal_handler(sig)


async def _shutdown(server, health_servicer, supervisor, http, telemetry) -> None:
    """Stop taking calls, let in-flight ones finish briefly, then stop every model."""
    notify.stopping()
    await health_servicer.enter_graceful_shutdown()
    await server.stop(SHUTDOWN_GRACE_S)
    if supervisor is not None:
        await supervisor.close()  # kills the model process groups; desired state kept
    await http.aclose()
    telemetry.close()
    log.info("agent stopped")
