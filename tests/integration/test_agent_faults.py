"""Faults on a real node: a real `trinity-agent serve` process running the real
llama.cpp server (llama-cpp-python, SmolLM2), driven over gRPC. Each test names the
fault it injects (docs/reliability.md lists them)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import grpc
import psutil
import pytest
from trinity.v1 import agent_pb2 as pb

from tests.integration.agent_process import AgentProcess, running_agent_process

pytestmark = pytest.mark.integration

READY_S = 180.0
SMOLLM2 = pb.ModelSpec(name="smol", backend="llamacpp", model="builtin:smollm2",
                       context_length=512)  # fmt: skip


def supervisor_toml(**values: object) -> str:
    merged = {"health_interval_s": 0.5, "backoff_initial_s": 0.2, "stop_grace_s": 5.0,
              **values}  # fmt: skip
    lines = [f"{key} = {value!r}".replace("'", '"') for key, value in merged.items()]
    return "[supervisor]\n" + "\n".join(lines) + "\n"


@pytest.fixture
def node_with(tmp_path: Path) -> Iterator[Callable[[str], AgentProcess]]:
    """A real agent with the test's agent.toml, stopped (models with it) afterwards."""
    stack: list = []

    def start(config: str) -> AgentProcess:
        manager = running_agent_process(tmp_path / f"agent{len(stack)}", config)
        agent = manager.__enter__()
        stack.append(manager)
        return agent

    yield start
    for manager in reversed(stack):
        manager.__exit__(None, None, None)


def start_model(agent: AgentProcess, spec: pb.ModelSpec = SMOLLM2) -> pb.ModelStatus:
    request = pb.StartModelRequest(spec=spec, wait_ready_s=READY_S)
    return agent.stub.StartModel(request, metadata=agent.metadata, timeout=READY_S + 30)


def status(agent: AgentProcess, name: str = "smol") -> pb.ModelStatus:
    reply = agent.stub.ListModels(pb.ListModelsRequest(), metadata=agent.metadata, timeout=30)
    return next(m for m in reply.models if m.spec.name == name)


def until(agent: AgentProcess, done: Callable[[pb.ModelStatus], bool], within_s: float = 120):
    deadline = time.monotonic() + within_s
    current = status(agent)
    while not done(current) and time.monotonic() < deadline:
        time.sleep(0.2)
        current = status(agent)
    return current


def kill(pid: int, sig: int) -> None:
    """Signal a server; never pid 0, which would signal this test's own process group."""
    assert pid > 0, "no server process to signal"
    os.kill(pid, sig)


def rpc_error(call: Callable[[], object]) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as info:
        call()
    return info.value


# ---------------------------------------------------------------- restarts


def test_crashes_after_running_well_never_exhaust_the_restarts(node_with):
    # max_restarts = 1: without the fresh count the second crash would fail the model.
    agent = node_with(supervisor_toml(max_restarts=1, stable_after_s=2.0))
    current = start_model(agent)
    assert current.state == pb.MODEL_STATE_READY, current.last_error
    for _ in range(2):
        time.sleep(2.5)
        kill(current.pid, signal.SIGKILL)
        old = current.pid
        current = until(agent, lambda s, old=old: s.pid not in (0, old)
                        and s.state == pb.MODEL_STATE_READY)  # fmt: skip
        assert current.state == pb.MODEL_STATE_READY, current.last_error
        assert current.restarts == 1


# ---------------------------------------------------------------- model paths


def _start_error(agent: AgentProcess, model: str) -> grpc.RpcError:
    spec = pb.ModelSpec(name="probe", backend="llamacpp", model=model)
    request = pb.StartModelRequest(spec=spec, wait_ready_s=30)
    return rpc_error(lambda: agent.stub.StartModel(request, metadata=agent.metadata, timeout=60))


def test_no_file_outside_the_model_roots_is_opened_or_echoed(node_with, tmp_path):
    agent = node_with("")
    secret = tmp_path / "shadow"
    secret.write_text("root:$6$TOPSECRET:19000:0:99999:7:::\n")
    models = agent.folder / "models"
    models.mkdir()
    (models / "link.gguf").symlink_to(secret)
    refusals = {
        model: _start_error(agent, model)
        for model in (str(secret), str(tmp_path / "absent"), str(models / "link.gguf"),
                      str(agent.token_file))
    }  # fmt: skip
    for model, error in refusals.items():
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, (model, error.details())
        assert "not under this node's model roots" in error.details()
    # The same words whether the file exists or not: no file-exists oracle.
    there, absent = (refusals[str(p)].details() for p in (secret, tmp_path / "absent"))
    assert there.replace("shadow", "X") == absent.replace("absent", "X")
    listed = agent.stub.ListModels(pb.ListModelsRequest(), metadata=agent.metadata, timeout=30)
    assert list(listed.models) == []  # nothing was launched, so no log could echo it
    (models / "notes.gguf").write_text("root:TOPSECRET\n")
    error = _start_error(agent, "notes.gguf")  # under the root: checked, never echoed
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "is not a GGUF file" in error.details() and "TOPSECRET" not in error.details()
    assert "root" not in error.details().replace(str(models), "")


# ---------------------------------------------------------------- execute limits

SLEEPER = pb.ExecuteRequest(
    files=[pb.File(path="test_sleep.py", content=b"import time\n\ndef check_sleep():\n"
                                                 b"    time.sleep(3600)\n")],
    test_file="test_sleep.py", checks=["sleep"],
)  # fmt: skip


def _execute(agent: AgentProcess, **limits: float) -> pb.ExecuteResult:
    request = pb.ExecuteRequest()
    request.CopyFrom(SLEEPER)
    for key, value in limits.items():
        setattr(request.limits, key, value)
    return agent.stub.Execute(request, metadata=agent.metadata, timeout=120)


@pytest.mark.parametrize(
    "limits",
    [{"wall_s": float("inf")}, {"wall_s": float("nan")}, {"wall_s": -1.0},
     {"cpu_s": float("inf")}, {"cpu_s": float("nan")}],
    ids=["wall-inf", "wall-nan", "wall-negative", "cpu-inf", "cpu-nan"],
)  # fmt: skip
def test_execute_limits_no_run_can_honour_are_invalid_argument(node_with, limits):
    agent = node_with("")
    error = rpc_error(lambda: _execute(agent, **limits))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, error.details()
    assert f"limits.{next(iter(limits))}" in error.details()


def test_execute_limits_beyond_the_nodes_maxima_are_capped(node_with):
    agent = node_with("[sandbox.limits]\nwall_s = 1.0\n[sandbox.max_limits]\nwall_s = 2.0\n")
    began = time.monotonic()
    result = _execute(agent, wall_s=1e300, memory_bytes=2**63)
    assert result.status == pb.EXECUTE_STATUS_TIMEOUT
    assert time.monotonic() - began < 30  # the node's 2 s, not 1e300 s


# ---------------------------------------------------------------- liveness

PROBING = supervisor_toml(inference_probe_interval_s=0.5, inference_probe_timeout_s=8.0,
                          health_interval_s=0.5)  # fmt: skip


def test_a_busy_server_is_not_taken_for_a_hung_one(node_with):
    # llama_cpp.server generates one request at a time: the probes wait behind two long
    # generations, longer than their 8 s timeout, while the tokens keep coming.
    agent = node_with(PROBING)
    first = start_model(agent, pb.ModelSpec(name="smol", backend="llamacpp",
                                            model="builtin:smollm2", context_length=2048))  # fmt: skip
    assert first.state == pb.MODEL_STATE_READY, first.last_error
    # At temperature 0 SmolLM2 writes this list until max_tokens runs out.
    prompt = "Write the numbers from 1 to 300, separated by commas."
    with ThreadPoolExecutor(2) as pool:
        replies = list(pool.map(lambda _: agent.generate("smol", prompt, 600, timeout_s=600),
                                range(2)))  # fmt: skip
    assert all(r.usage.completion_tokens >= 300 for r in replies), replies
    after = status(agent)
    assert after.restarts == 0 and after.pid == first.pid, after.last_error
    assert "busy, not hung model=smol" in agent.log_tail(10**6)  # a probe did time out


def test_a_frozen_server_is_restarted(node_with):
    agent = node_with(PROBING)
    first = start_model(agent)
    kill(first.pid, signal.SIGSTOP)
    try:
        after = until(agent, lambda s: s.pid not in (0, first.pid)
                      and s.state == pb.MODEL_STATE_READY)  # fmt: skip
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(first.pid, signal.SIGCONT)
    assert after.state == pb.MODEL_STATE_READY and after.restarts == 1, after.last_error
    assert "hung" in after.last_error or "health check failed" in after.last_error


# ---------------------------------------------------------------- crash loops


def test_a_corrupt_gguf_fails_fast_with_llama_cpps_own_error(node_with):
    agent = node_with(supervisor_toml(max_restarts=5, ready_timeout_s=300.0))
    models = agent.folder / "models"
    models.mkdir()
    (models / "corrupt.gguf").write_bytes(b"GGUF\x03\x00\x00\x00" + b"\xff" * 64)
    spec = pb.ModelSpec(name="corrupt", backend="llamacpp", model="corrupt.gguf")
    began = time.monotonic()
    failed = start_model(agent, spec)
    assert time.monotonic() - began < 60  # not the ready timeout, not 5 restarts
    assert failed.state == pb.MODEL_STATE_FAILED and failed.restarts == 0
    assert failed.last_error.startswith("crashed at start, not restarted: server exited 1")
    assert "failed to load model" in failed.last_error.lower()  # llama.cpp's own words
    assert failed.exit_code == 1 and len(failed.last_lines) > 1


MODELS_TOML = """
[nodes.local]
address = "{address}"
token_file = "{token}"

[[models]]
name = "smol"
node = "local"
backend = "llamacpp"
model = "builtin:smollm2"
context_length = 512
"""


def test_up_starts_a_failed_model_afresh(node_with, tmp_path):
    from tests.integration.conftest import trinityctl

    agent = node_with(supervisor_toml(max_restarts=0))
    models = tmp_path / "models.toml"
    models.write_text(MODELS_TOML.format(address=agent.address, token=agent.token_file))
    done = trinityctl("up", "--no-smoke", "--config", str(models), timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    first = status(agent)
    kill(first.pid, signal.SIGKILL)
    failed = until(agent, lambda s: s.state == pb.MODEL_STATE_FAILED)
    assert failed.exit_signal == 9 and "gave up after 0 restarts" in failed.last_error
    shown = trinityctl("status", "--config", str(models))
    assert "failed" in shown.stdout and "signal 9" in shown.stdout, shown.stdout
    listed = json.loads(trinityctl("status", "--json", "--config", str(models)).stdout)
    (entry,) = listed["nodes"][0]["models"]
    assert (entry["state"], entry["exit_signal"], entry["exit_code"]) == ("failed", 9, 0)
    again = trinityctl("up", "--no-smoke", "--config", str(models), timeout=300)
    assert again.returncode == 0, again.stdout + again.stderr
    fresh = status(agent)
    assert fresh.state == pb.MODEL_STATE_READY and fresh.restarts == 0
    assert fresh.pid not in (0, first.pid)


# ---------------------------------------------------------------- logs across restarts


def test_logs_previous_shows_the_run_before_the_restart(node_with, tmp_path):
    from tests.integration.conftest import trinityctl

    agent = node_with(supervisor_toml())
    models = tmp_path / "models.toml"
    models.write_text(MODELS_TOML.format(address=agent.address, token=agent.token_file))
    first = start_model(agent, pb.ModelSpec(name="smol", backend="llamacpp",
                                            model="builtin:smollm2", context_length=512))  # fmt: skip
    kill(first.pid, signal.SIGKILL)
    second = until(agent, lambda s: s.pid not in (0, first.pid)
                   and s.state == pb.MODEL_STATE_READY)  # fmt: skip
    previous = trinityctl("logs", "local", "smol", "--previous", "--config", str(models))
    current = trinityctl("logs", "local", "smol", "--config", str(models))
    assert previous.returncode == 0 and current.returncode == 0, previous.stderr
    # uvicorn says where it listens: each run on its own port.
    assert f"127.0.0.1:{first.port}" in previous.stdout
    assert f"127.0.0.1:{second.port}" in current.stdout
    assert f"127.0.0.1:{first.port}" not in current.stdout


# ---------------------------------------------------------------- slow vs dead starts


def test_a_loading_server_outlives_a_deadline_shorter_than_its_load(node_with):
    # SmolLM2 takes seconds to load; the deadline is a tenth of one, extended while the
    # server writes its loading lines and its memory grows.
    agent = node_with(supervisor_toml(ready_timeout_s=0.1, stall_timeout_s=60.0,
                                      max_restarts=0))  # fmt: skip
    request = pb.StartModelRequest(spec=SMOLLM2)
    agent.stub.StartModel(request, metadata=agent.metadata, timeout=60)
    details = set()
    current = status(agent)
    while current.state == pb.MODEL_STATE_STARTING:
        details.add(current.detail)
        time.sleep(0.1)
        current = status(agent)
    assert current.state == pb.MODEL_STATE_READY and current.restarts == 0, current.last_error
    assert any("past the 0.1 s ready timeout, extended while it progresses" in d
               for d in details), details  # fmt: skip


def test_a_start_that_stops_moving_fails_early_as_stalled(node_with):
    agent = node_with(supervisor_toml(ready_timeout_s=600.0, stall_timeout_s=3.0,
                                      max_restarts=0))  # fmt: skip
    agent.stub.StartModel(pb.StartModelRequest(spec=SMOLLM2), metadata=agent.metadata,
                          timeout=60)  # fmt: skip
    started = until(agent, lambda s: s.pid > 0, within_s=30)
    kill(started.pid, signal.SIGSTOP)  # frozen while it loads: no line, no growth
    try:
        assert status(agent).state == pb.MODEL_STATE_STARTING
        began = time.monotonic()
        failed = until(agent, lambda s: s.state == pb.MODEL_STATE_FAILED, within_s=60)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(started.pid, signal.SIGCONT)
    assert failed.state == pb.MODEL_STATE_FAILED
    assert "stalled while starting: no new log line, RSS or GPU memory growth" in failed.last_error
    assert time.monotonic() - began < 30  # not the 600 s deadline


# ---------------------------------------------------------------- memory


def test_a_model_that_does_not_fit_is_refused_naming_both_numbers(node_with):
    agent = node_with("")
    spec = pb.ModelSpec(name="huge", backend="llamacpp", model="builtin:smollm2",
                        min_free_memory_bytes=2**50)  # fmt: skip
    error = rpc_error(lambda: start_model(agent, spec))
    assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    # On this CPU machine the free memory is the host's MemAvailable.
    assert error.details().startswith("model huge needs 1048576.0 GiB, the node has ")
    assert "GiB free (host MemAvailable, no GPU)" in error.details()
    listed = agent.stub.ListModels(pb.ListModelsRequest(), metadata=agent.metadata, timeout=30)
    assert list(listed.models) == []


def test_stop_answers_once_the_servers_memory_is_back(node_with):
    agent = node_with(supervisor_toml())
    ready = start_model(agent)
    stopped = agent.stub.StopModel(pb.StopModelRequest(name="smol"), metadata=agent.metadata,
                                   timeout=120)  # fmt: skip
    assert stopped.state == pb.MODEL_STATE_STOPPED and stopped.detail == ""
    # Answered only once the server was gone: no waiting for it here.
    with contextlib.suppress(psutil.NoSuchProcess):
        assert psutil.Process(ready.pid).status() == psutil.STATUS_ZOMBIE


# ---------------------------------------------------------------- ports


def test_the_server_gets_a_free_port_from_the_nodes_range(node_with):
    low = 23000 + os.getpid() % 1000 * 2
    with socket.socket() as held:
        held.bind(("127.0.0.1", low))
        held.listen()
        agent = node_with(supervisor_toml(server_ports=[low, low + 1]))
        ready = start_model(agent)
    assert ready.state == pb.MODEL_STATE_READY and ready.port == low + 1, ready.last_error


async def test_a_real_server_that_loses_its_port_is_started_on_another_uncounted(
    tmp_path, monkeypatch
):
    from trinity.agent.config import AgentConfig, SupervisorConfig
    from trinity.agent.ports import server_port
    from trinity.agent.spec import ModelSpec, ModelState
    from trinity.agent.supervisor import Supervisor

    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    taken_port = taken.getsockname()[1]
    # The race: the port passes the bind test, then someone takes it before the server.
    first = iter([taken_port])
    monkeypatch.setattr("trinity.agent.supervisor.server_port",
                        lambda low, high: next(first, None) or server_port(low, high))  # fmt: skip
    config = AgentConfig(token_file=tmp_path / "token", state_dir=tmp_path / "state",
                         supervisor=SupervisorConfig(max_restarts=0))  # fmt: skip
    supervisor = Supervisor(config)
    try:
        spec = ModelSpec(name="smol", backend="llamacpp", model="builtin:smollm2",
                         context_length=512)  # fmt: skip
        ready = await supervisor.start_model(spec, wait_ready_s=READY_S)
        lost = supervisor.logs("smol", previous=True)
    finally:
        await supervisor.close()
        taken.close()
    assert ready.state is ModelState.READY and ready.restarts == 0, ready.last_error
    assert ready.port != taken_port
    assert any("address already in use" in line for line in lost), lost[-5:]


# ---------------------------------------------------------------- orphans


def llama_servers_of(agent: AgentProcess) -> list[int]:
    """llama.cpp servers running in this agent's server folder (state/servers)."""
    folder = str((agent.folder / "state" / "servers").resolve())
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        try:
            if "llama_cpp.server" in " ".join(proc.info["cmdline"] or ()) and \
                    proc.cwd() == folder and proc.status() != psutil.STATUS_ZOMBIE:  # fmt: skip
                found.append(proc.pid)
        except psutil.Error:
            continue
    return found


def test_after_kill_9_of_the_agent_exactly_one_server_runs(node_with):
    from tests.procs import gone

    agent = node_with(supervisor_toml())
    first = start_model(agent)
    assert llama_servers_of(agent) == [first.pid]
    agent.stop(signal.SIGKILL)
    assert gone(first.pid), "the server outlived its SIGKILLed agent (and its memory)"
    agent.start()
    second = until(agent, lambda s: s.state == pb.MODEL_STATE_READY)
    assert second.state == pb.MODEL_STATE_READY, second.last_error
    assert llama_servers_of(agent) == [second.pid] != [first.pid]
