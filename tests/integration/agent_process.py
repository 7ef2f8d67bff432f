"""A real `trinity-agent serve` process for integration tests: agent.toml text in, a
running agent (address, token metadata, gRPC stub, log tail) out.

The shape of vLLM's own RemoteOpenAIServer fixture: a free port, poll the health service,
fail fast with the log tail when the process exits, SIGTERM then SIGKILL on the way out.
"""

from __future__ import annotations

import contextlib
import os
import secrets
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
STOP_TIMEOUT_S = 30.0
TOKEN_FILE = "token"
STATE_DIR = "state"


@dataclass
class AgentProcess:
    """One agent in a folder of its own. `config` is agent.toml without the top-level
    `listen`, `token_file` and `state_dir`, which are filled in for this folder and port."""

    folder: Path
    config: str = ""
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    _channel: grpc.Channel | None = field(default=None, init=False, repr=False)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def config_path(self) -> Path:
        return self.folder / "agent.toml"

    @property
    def token_file(self) -> Path:
        return self.folder / TOKEN_FILE

    @property
    def log_path(self) -> Path:
        return self.folder / "agent.log"

    @property
    def metadata(self) -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Bearer {self.token_file.read_text().strip()}"),)

    @property
    def stub(self) -> agent_pb2_grpc.AgentStub:
        if self._channel is None:
            self._channel = grpc.insecure_channel(self.address)
        return agent_pb2_grpc.AgentStub(self._channel)

    def write_config(self) -> None:
        """agent.toml for this folder and port; a token (0600) unless one is there."""
        self.folder.mkdir(parents=True, exist_ok=True)
        if not self.token_file.exists():
            fd = os.open(self.token_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(32) + "\n")
        header = (
            f'listen = "{self.address}"\ntoken_file = "{TOKEN_FILE}"\nstate_dir = "{STATE_DIR}"\n'
        )
        self.config_path.write_text(header + self.config)

    def start(self, timeout_s: float = START_TIMEOUT_S) -> None:
        """Launch the agent and return once its health service says SERVING."""
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "trinity.agent", "serve", "--config", str(self.config_path)],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        self._wait_serving(timeout_s)

    def _wait_serving(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        with grpc.insecure_channel(self.address) as channel:
            health = health_pb2_grpc.HealthStub(channel)
            while time.monotonic() < deadline:
                assert self.process is not None
                if self.process.poll() is not None:
                    pytest.fail(f"agent exited {self.process.returncode}:\n{self.log_tail()}")
                with contextlib.suppress(grpc.RpcError):
                    reply = health.Check(health_pb2.HealthCheckRequest(), timeout=1)
                    if reply.status == health_pb2.HealthCheckResponse.SERVING:
                        return
                time.sleep(0.2)
        pytest.fail(f"agent not serving after {timeout_s} s:\n{self.log_tail()}")

    def log_tail(self, chars: int = 3000) -> str:
        if not self.log_path.exists():
            return ""
        return self.log_path.read_text(errors="replace")[-chars:]

    def stop(self, sig: int = signal.SIGTERM, timeout_s: float = STOP_TIMEOUT_S) -> None:
        """Signal the agent (SIGTERM: it stops its models first), SIGKILL if it lingers."""
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(sig)
        try:
            self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def generate(
        self, model: str, prompt: str, max_tokens: int, timeout_s: float = 120
    ) -> pb.GenerateResult:
        """A greedy one-message chat through the agent's Generate; its final result."""
        request = pb.GenerateRequest(
            model=model,
            messages=[pb.ChatMessage(role="user", content=prompt)],
            max_tokens=max_tokens,
            temperature=0.0,
        )
        events = self.stub.Generate(request, metadata=self.metadata, timeout=timeout_s)
        finals = [event.final for event in events if event.HasField("final")]
        assert len(finals) == 1, f"expected one final event, got {len(finals)}"
        return finals[0]


@contextlib.contextmanager
def running_agent_process(folder: Path, config: str = "") -> Iterator[AgentProcess]:
    """A real agent serving `config` from `folder`, stopped (its models with it) on exit."""
    agent = AgentProcess(folder, config)
    agent.write_config()
    agent.start()
    try:
        yield agent
    finally:
        agent.stop()
