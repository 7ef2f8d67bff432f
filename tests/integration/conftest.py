"""Real servers on loopback: a real `trinity-agent serve` process (llama-cpp-python with
SmolLM2 behind it) and the real `trinityctl` command line, shared per module."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from trinity.v1 import agent_pb2 as pb
from trinity.v1 import agent_pb2_grpc

from tests.integration.agent_process import AgentProcess

# Short supervisor timings so a killed server comes back within seconds.
AGENT_TOML = """
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
    agent: AgentProcess = field(init=False)

    def __post_init__(self) -> None:
        self.agent = AgentProcess(self.folder, AGENT_TOML)

    @property
    def port(self) -> int:
        return self.agent.port

    @property
    def address(self) -> str:
        return self.agent.address

    @property
    def agent_toml(self) -> str:
        return str(self.agent.config_path)

    @property
    def token_file(self) -> Path:
        return self.agent.token_file

    @property
    def metadata(self) -> tuple[tuple[str, str], ...]:
        return self.agent.metadata

    @property
    def models_toml(self) -> str:
        return str(self.folder / "models.toml")

    @property
    def process(self) -> subprocess.Popen[bytes] | None:
        return self.agent.process

    @property
    def stub(self) -> agent_pb2_grpc.AgentStub:
        return self.agent.stub

    def init(self) -> None:
        """`trinity-agent init` for the token, then our own agent.toml beside it."""
        done = self.run_agent_cli("init", "--dir", str(self.folder), "--listen", self.address)
        assert done.returncode == 0, done.stderr
        self.agent.write_config()
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
        self.agent.start()

    def log_tail(self) -> str:
        return self.agent.log_tail()

    def stop_agent(self, sig: int = signal.SIGTERM) -> None:
        self.agent.stop(sig)

    def generate(self, model: str, prompt: str, max_tokens: int) -> pb.GenerateResult:
        return self.agent.generate(model, prompt, max_tokens)


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
