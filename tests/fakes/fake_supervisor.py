"""A Supervisor stand-in and an in-process agent server, for testing the gRPC edge
(servicer, auth, TLS) without the supervisor launching model processes; and fake OpenAI
servers (tests/fakes/fake_openai.py) started directly, for the generate path."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import grpc
import httpx
from trinity.agent.config import AgentConfig
from trinity.agent.errors import AgentError, NotFound, Unavailable
from trinity.agent.server import AgentServicer, bind, build_server, set_serving
from trinity.agent.spec import Endpoint, ModelSpec, ModelState, ModelStatus
from trinity.agent.telemetry import Telemetry
from trinity.v1 import agent_pb2_grpc


@dataclass
class FakeSupervisor:
    """Keeps statuses in a dict; `fail` makes the next call raise that AgentError."""

    models: dict[str, ModelStatus] = field(default_factory=dict)
    endpoints: dict[str, Endpoint] = field(default_factory=dict)
    log_lines: dict[str, list[str]] = field(default_factory=dict)
    fail: AgentError | None = None
    calls: list[tuple[str, Any]] = field(default_factory=list)
    started: bool = False
    closed: bool = False

    def _call(self, name: str, arg: Any) -> None:
        self.calls.append((name, arg))
        if self.fail is not None:
            error, self.fail = self.fail, None
            raise error

    async def start(self) -> None:
        self.started = True

    async def close(self) -> None:
        self.closed = True

    async def start_model(self, spec: ModelSpec, wait_ready_s: float = 0.0) -> ModelStatus:
        self._call("start_model", (spec, wait_ready_s))
        status = ModelStatus(
            spec=spec,
            state=ModelState.READY if wait_ready_s else ModelState.STARTING,
            pid=4242,
            port=20001,
            started_at=1000.0,
            command=("llama-server", "--port", "20001"),
        )
        self.models[spec.name] = status
        return status

    async def stop_model(self, name: str) -> ModelStatus:
        self._call("stop_model", name)
        status = self.status(name)
        del self.models[name]
        return replace(status, state=ModelState.STOPPED, pid=0)

    def list_models(self) -> list[ModelStatus]:
        self._call("list_models", None)
        return list(self.models.values())

    def status(self, name: str) -> ModelStatus:
        if name not in self.models:
            raise NotFound(f"model {name} is not known on this node")
        return self.models[name]

    def logs(self, name: str, lines: int = 0, previous: bool = False) -> list[str]:
        self._call("logs", (name, lines) + ((True,) if previous else ()))
        self.status(name)
        kept = self.log_lines.get(f"{name} previous" if previous else name, [])
        return kept[-lines:] if lines else kept

    @contextlib.contextmanager
    def hold_probes(self, name: str) -> Iterator[None]:
        yield

    def log_mark(self, name: str) -> int:
        return len(self.log_lines.get(name, []))

    def logs_since(self, name: str, mark: int) -> list[str]:
        return self.log_lines.get(name, [])[mark:]

    def endpoint(self, name: str) -> Endpoint:
        self._call("endpoint", name)
        if name in self.endpoints:
            return self.endpoints[name]
        state = self.status(name).state
        raise Unavailable(f"model {name} is {state}, not ready")


def fake_backends() -> dict[str, Any]:
    def backend(available: bool, command: list[str], detail: str) -> Any:
        info = SimpleNamespace(available=available, command=command, detail=detail)
        return SimpleNamespace(info=lambda: info)

    return {
        "llamacpp": backend(True, ["python", "-m", "llama_cpp.server"], "llama-cpp-python"),
        "vllm": backend(False, ["vllm", "serve"], "vllm not found on PATH"),
    }


def agent_config(tmp: Path, **overrides: Any) -> AgentConfig:
    return AgentConfig(
        listen="127.0.0.1:0", token_file=tmp / "token", state_dir=tmp / "state", **overrides
    )


@contextlib.asynccontextmanager
async def running_agent(
    tmp: Path,
    token: bytes,
    supervisor: FakeSupervisor | None = None,
    *,
    credentials: grpc.ServerCredentials | None = None,
    telemetry: Telemetry | None = None,
) -> AsyncIterator[SimpleNamespace]:
    """The real servicer, auth and health on a loopback port, over a fake supervisor."""
    supervisor = supervisor or FakeSupervisor()
    telemetry = telemetry or Telemetry(use_nvml=False)
    async with httpx.AsyncClient(trust_env=False) as http:
        servicer = AgentServicer(agent_config(tmp), supervisor, telemetry, fake_backends(), http)
        server, health = build_server(servicer, token)
        port = bind(server, "127.0.0.1:0", credentials)
        await server.start()
        await set_serving(health, True)
        try:
            yield SimpleNamespace(
                port=port, address=f"127.0.0.1:{port}", supervisor=supervisor, telemetry=telemetry
            )
        finally:
            await server.stop(None)


def stub(address: str, token: str | None = None, channel: grpc.aio.Channel | None = None):
    """An Agent stub and the metadata to send (None = no token)."""
    channel = channel or grpc.aio.insecure_channel(address)
    metadata = (("authorization", f"Bearer {token}"),) if token is not None else ()
    return agent_pb2_grpc.AgentStub(channel), metadata, channel


ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class FakeServers:
    """Starts fake OpenAI servers as processes; all are killed on exit."""

    def __init__(self) -> None:
        self._procs: list[subprocess.Popen] = []

    def __enter__(self) -> FakeServers:
        return self

    def __exit__(self, *exc: object) -> None:
        for proc in self._procs:
            proc.kill()
            proc.wait()

    def start(self, flavour: str, faults: str = "", name: str = "m") -> Endpoint:
        """A ready server of `flavour` with TRINITY_FAKE=`faults`, as model `name`."""
        port = free_port()
        argv = [sys.executable, "-m", "tests.fakes.fake_openai", "--flavour", flavour]
        argv += ["--port", str(port), "--served-model-name", "fake-served"]
        proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            env={**os.environ, "TRINITY_FAKE": faults},
            stderr=subprocess.DEVNULL,
        )
        self._procs.append(proc)
        base_url = f"http://127.0.0.1:{port}"
        _wait_healthy(base_url, proc)
        return Endpoint(name=name, backend=flavour, base_url=base_url, served_name="fake-served")


def _wait_healthy(url: str, proc: subprocess.Popen, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"fake server exited with {proc.returncode}")
        try:
            if httpx.get(f"{url}/health", timeout=1, trust_env=False).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"fake server at {url} never became healthy")
