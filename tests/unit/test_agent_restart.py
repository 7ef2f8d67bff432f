"""A SIGKILLed agent and its successor, as real `trinity-agent serve` processes over fake
model servers: after the restart exactly one server per desired model runs, and nothing
the killed agent started is left holding memory (its server dies with it; the workers the
server started, in its process group or out of it, are killed by the successor)."""

from __future__ import annotations

import contextlib
import signal
import time
from pathlib import Path

import psutil
from trinity.v1 import agent_pb2 as pb

from tests.fakes.fake_openai import REPO_ROOT, write_llama_wrapper
from tests.integration.agent_process import AgentProcess
from tests.procs import gone

AGENT_TOML = """
model_roots = ["models"]
[llamacpp]
server_binary = "{wrapper}"
env = {{ TRINITY_FAKE = "child=1,escape_child=1", PYTHONPATH = "{root}" }}
[supervisor]
health_interval_s = 0.2
backoff_initial_s = 0.1
stop_grace_s = 1.0
"""


def servers_of(agent: AgentProcess) -> list[psutil.Process]:
    """Fake model servers running in this agent's server folder (state/servers)."""
    folder = str((agent.folder / "state" / "servers").resolve())
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        try:
            if "tests.fakes.fake_openai" in " ".join(proc.info["cmdline"] or ()) and \
                    proc.cwd() == folder and proc.status() != psutil.STATUS_ZOMBIE:  # fmt: skip
                found.append(proc)
        except psutil.Error:
            continue
    return found


def _ready(agent: AgentProcess, within_s: float = 30) -> pb.ModelStatus:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        listed = agent.stub.ListModels(pb.ListModelsRequest(), metadata=agent.metadata)
        if listed.models and listed.models[0].state == pb.MODEL_STATE_READY:
            return listed.models[0]
        time.sleep(0.2)
    raise AssertionError(f"not ready: {listed.models}")


def _workers(agent: AgentProcess) -> list[int]:
    lines = agent.stub.GetLogs(pb.GetLogsRequest(name="m"), metadata=agent.metadata).lines
    return [int(line.split("worker pid ")[1].split()[0]) for line in lines
            if "fake: worker pid" in line]  # fmt: skip


def test_after_a_sigkilled_agent_restarts_exactly_one_server_runs(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "m.gguf").write_bytes(b"GGUF" + b"\0" * 64)
    wrapper = write_llama_wrapper(tmp_path)
    agent = AgentProcess(tmp_path, AGENT_TOML.format(wrapper=wrapper, root=REPO_ROOT))
    agent.write_config()
    agent.start()
    workers: list[int] = []
    try:
        spec = pb.ModelSpec(name="m", backend="llamacpp", model="m.gguf")
        agent.stub.StartModel(pb.StartModelRequest(spec=spec, wait_ready_s=20),
                              metadata=agent.metadata, timeout=30)  # fmt: skip
        first = _ready(agent)
        workers += _workers(agent)
        assert len(workers) == 2 and [p.pid for p in servers_of(agent)] == [first.pid]
        time.sleep(0.5)  # a health interval: the escaped worker is on record
        agent.stop(signal.SIGKILL)
        assert gone(first.pid), "the server outlived its SIGKILLed agent"
        assert not any(gone(pid, within_s=0.5) for pid in workers), "workers died anyway?"
        agent.start()
        second = _ready(agent)
        assert all(gone(pid) for pid in workers), "the successor left the orphans running"
        assert [p.pid for p in servers_of(agent)] == [second.pid] != [first.pid]
    finally:
        agent.stop()
        for pid in workers:  # only when the test failed
            with contextlib.suppress(psutil.Error):
                psutil.Process(pid).kill()
