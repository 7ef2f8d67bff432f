"""Real servers on loopback: a real `trinity-agent serve` process (llama-cpp-python with
SmolLM2 behind it) and the real `trinityctl` command line, shared per module."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from trinity.agent.ports import free_port
from trinity.v1 import agent_pb2 as pb
from trinity.v1 import agent_pb2_grpc

START_TIMEOUT_S = 30.0

# Short supervisor timings so a killed server comes back within seconds. The [vllm]
# section is filled from TRINITY_VLLM_PYTHON for the real vLLM CPU server's tests.
AGENT_TOML = """
listen = "{address}"
token_file = "token"
state_dir = "state"

[vllm]
command = {vllm_command}
env = {{ HF_HUB_OFFLINE = "1", VLLM_CPU_KVCACHE_SPACE = "1" }}

[supervisor]
health_interval_s = 1.0
ready_timeout_s = 300.0
backoff_initial_s = 0.5
stop_grace_s = 5.0
"""

MODELS = """
[nodes.local]
address = "{address}"
token_file = "{token}"

[[models]]
name = "{name}"
node = "local"
backend = "{backend}"
model = "{model}"
context_length = 2048
"""


def trinityctl(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The real command line, in a child process with no terminal."""
    return subprocess.run(
        [sys.executable, "-m", "trinity.controller", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "COLUMNS": "200"},
    )


@dataclass
class AgentNode:
    """One real agent process in a folder of its own, and a models.toml pointing at it."""

    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def agent_toml(self) -> str:
        return str(self.folder / "agent.toml")

    @property
    def token_file(self) -> Path:
        return self.folder / "token"

    @property
    def metadata(self) -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Bearer {self.token_file.read_text().strip()}"),)

    @property
    def models_toml(self) -> str:
        return str(self.folder / "models.toml")

    def init(self) -> None:
        """`trinity-agent init` for the token, then our own agent.toml beside it."""
        done = self.run_agent_cli("init", "--dir", str(self.folder), "--listen", self.address)
        assert done.returncode == 0, done.stderr
        vllm_python = os.environ.get("TRINITY_VLLM_PYTHON", "vllm")
        command = json.dumps([vllm_python, "-m", "vllm.entrypoints.openai.api_server"])
        Path(self.agent_toml).write_text(
            AGENT_TOML.format(address=self.address, vllm_command=command)
        )
        self.write_models(self.folder)

    def write_models(
        self,
        folder: Path,
        *,
        name: str = "smollm2",
        backend: str = "llamacpp",
        model_path: str = "builtin:smollm2",
    ) -> str:
        path = folder / "models.toml"
        if model_path != "builtin:smollm2":
            name = "broken"
        path.write_text(
            MODELS.format(
                address=self.address,
                token=self.token_file,
                name=name,
                backend=backend,
                model=model_path,
            )
        )
        return str(path)

    def run_agent_cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "trinity.agent", *args],
            capture_output=True,
            text=True,
            timeout=30,
            stdin=subprocess.DEVNULL,
        )

    def start_agent(self) -> None:
        log = open(self.folder / "agent.log", "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "trinity.agent", "serve", "--config", self.agent_toml],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        log.close()
        self._wait_serving()

    def _wait_serving(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        with grpc.insecure_channel(self.address) as channel:
            health = health_pb2_grpc.HealthStub(channel)
            while time.monotonic() < deadline:
                assert self.process is not None
                if self.process.poll() is not None:
                    pytest.fail(f"agent exited {self.process.returncode}:\n{self.log_tail()}")
                try:
                    reply = health.Check(health_pb2.HealthCheckRequest(), timeout=1)
                    if reply.status == health_pb2.HealthCheckResponse.SERVING:
                        return
                except grpc.RpcError:
                    pass
                time.sleep(0.2)
        pytest.fail(f"agent not serving after {START_TIMEOUT_S} s:\n{self.log_tail()}")

    def log_tail(self) -> str:
        path = self.folder / "agent.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def stop_agent(self, sig: int = signal.SIGTERM) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(sig)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    @property
    def stub(self) -> agent_pb2_grpc.AgentStub:
        channel = grpc.insecure_channel(self.address)
        return agent_pb2_grpc.AgentStub(channel)

    def generate(self, model: str, prompt: str, max_tokens: int) -> pb.GenerateResult:
        request = pb.GenerateRequest(
            model=model,
            messages=[pb.ChatMessage(role="user", content=prompt)],
            max_tokens=max_tokens,
            temperature=0.0,
        )
        events = self.stub.Generate(request, metadata=self.metadata, timeout=120)
        finals = [event.final for event in events if event.HasField("final")]
        assert len(finals) == 1
        return finals[0]


@contextlib.contextmanager
def running_agent(folder: Path) -> Iterator[AgentNode]:
    """A real agent process in `folder`, stopped (models with it) on the way out."""
    node = AgentNode(folder)
    node.init()
    node.start_agent()
    try:
        yield node
    finally:
        node.stop_agent()


@pytest.fixture(scope="module")
def llama_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AgentNode]:
    """One agent for a whole module; its tests run in order against the same server."""
    with running_agent(tmp_path_factory.mktemp("agent")) as node:
        yield node


@pytest.fixture
def restartable_node(tmp_path: Path) -> Iterator[AgentNode]:
    """An agent of the test's own, which the test may stop and start again."""
    with running_agent(tmp_path) as node:
        yield node
