"""The supervisor against the fake servers, launched through the real backends and
process code with only the executable swapped."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest
from trinity.agent.config import AgentConfig, LlamaCppConfig, SupervisorConfig, VllmConfig
from trinity.agent.errors import (
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    ResourceExhausted,
    Unavailable,
)
from trinity.agent.ports import ephemeral_range, server_port
from trinity.agent.spec import ModelSpec, ModelState
from trinity.agent.supervisor import Supervisor

from tests.fakes.fake_openai import write_llama_wrapper
from tests.procs import gone

ROOT = Path(__file__).resolve().parents[2]
GiB = 1024**3


def fake_config(tmp_path: Path, faults: str = "", **policy: object) -> AgentConfig:
    """Both backends point at the fake server; faults reach it through the env."""
    wrapper = write_llama_wrapper(tmp_path)
    env = {"TRINITY_FAKE": faults, "PYTHONPATH": str(ROOT)}
    timings: dict[str, object] = dict(
        health_interval_s=0.2,
        ready_timeout_s=5.0,
        unhealthy_after=2,
        max_restarts=2,
        backoff_initial_s=0.05,
        backoff_max_s=0.2,
        stop_grace_s=1.0,
    )
    timings.update(policy)
    return AgentConfig(
        token_file=tmp_path / "token",
        state_dir=tmp_path / "state",
        model_roots=[tmp_path],
        llamacpp=LlamaCppConfig(server_binary=str(wrapper), env=env),
        vllm=VllmConfig(
            command=[sys.executable, "-m", "tests.fakes.fake_openai", "--flavour", "vllm"],
            env=env,
        ),
        supervisor=SupervisorConfig.model_validate(timings),
    )


def gguf(tmp_path: Path) -> str:
    path = tmp_path / "model.gguf"
    path.write_bytes(b"GGUF" + b"\0" * 1024)
    return str(path)


def vllm_spec(name: str = "m") -> ModelSpec:
    return ModelSpec(name=name, backend="vllm", model="org/fake-model", served_name="fake")


def group_alive(pgid: int) -> bool:
    for proc in psutil.process_iter():
        try:
            if os.getpgid(proc.pid) == pgid and proc.status() != psutil.STATUS_ZOMBIE:
                return True
        except (OSError, psutil.Error):
            continue
    return False


@pytest.fixture
async def make_supervisor():
    made: list[Supervisor] = []

    def make(config: AgentConfig, **kwargs) -> Supervisor:
        supervisor = Supervisor(config, **kwargs)
        made.append(supervisor)
        return supervisor

    yield make
    for supervisor in made:
        await supervisor.close()


@pytest.mark.parametrize("backend", ["llamacpp", "vllm"])
async def test_model_becomes_ready_against_both_flavours(tmp_path, make_supervisor, backend):
    supervisor = make_supervisor(fake_config(tmp_path))
    model = gguf(tmp_path) if backend == "llamacpp" else "org/fake-model"
    spec = ModelSpec(name="m", backend=backend, model=model)
    status = await supervisor.start_model(spec, wait_ready_s=10)
    assert status.state is ModelState.READY, status.last_error
    assert status.pid > 0 and status.port > 0
    endpoint = supervisor.endpoint("m")
    assert endpoint.base_url == f"http://127.0.0.1:{status.port}"
    assert any("chat/completions" in line for line in supervisor.logs("m"))


async def test_slow_start_still_becomes_ready(tmp_path, make_supervisor):
    supervisor = make_supervisor(fake_config(tmp_path, "slow_start=1.5"))
    status = await supervisor.start_model(vllm_spec(), wait_ready_s=10)
    assert status.state is ModelState.READY
    assert status.restarts == 0
    assert any('"GET /health HTTP/1.1" 503' in line for line in supervisor.logs("m"))


async def test_crash_at_start_fails_at_once_with_its_own_error_line(tmp_path, make_supervisor):
    supervisor = make_supervisor(fake_config(tmp_path, "exit_at_start=3", max_restarts=5))
    began = time.monotonic()
    status = await supervisor.start_model(vllm_spec(), wait_ready_s=10)
    assert status.state is ModelState.FAILED
    assert time.monotonic() - began < 5  # no backoff, no ready timeout
    assert status.restarts == 0
    assert status.last_error.startswith("crashed at start, not restarted: server exited 3 while "
                                        "starting: fake: exiting at start as asked")  # fmt: skip
    assert (status.exit_code, status.exit_signal) == (3, 0)
    assert status.last_lines[-1] == "fake: exiting at start as asked"


async def test_up_of_a_failed_model_starts_it_afresh(tmp_path, make_supervisor):
    supervisor = make_supervisor(fake_config(tmp_path, max_restarts=0))
    first = await supervisor.start_model(vllm_spec(), wait_ready_s=10)
    os.kill(first.pid, signal.SIGKILL)
    failed = await _until(supervisor, lambda s: s.state is ModelState.FAILED)
    assert failed.state is ModelState.FAILED and failed.exit_signal == 9
    again = await supervisor.start_model(vllm_spec(), wait_ready_s=10)
    assert again.state is ModelState.READY and again.restarts == 0 and again.pid != first.pid


@pytest.mark.parametrize(
    ("lines", "line"),
    [
        (["loading", "gguf_init_from_reader: failed to read header", "Traceback (most recent",
          '    raise ValueError(f"Failed to load")', "ValueError: Failed to load model"],
         "ValueError: Failed to load model"),
        (["llama_model_load: error loading model", "main: exiting"], "llama_model_load: error loading model"),
        (["fake: crashing as asked", ""], "fake: crashing as asked"),
        ([], ""),
    ],
)  # fmt: skip
def test_the_error_line_is_the_servers_own_last_word_on_it(lines, line):
    from trinity.agent.supervisor import error_line

    assert error_line(lines) == line


async def test_killed_server_is_restarted_and_counted(tmp_path, make_supervisor):
    supervisor = make_supervisor(fake_config(tmp_path))
    first = await supervisor.start_model(vllm_spec(), wait_ready_s=10)
    os.kill(first.pid, signal.SIGKILL)
    for _ in range(100):
        status = supervisor.status("m")
        if status.restarts == 1 and status.state is ModelState.READY:
            break
        await _sleep(0.1)
    assert status.restarts == 1 and status.state is ModelState.READY
    assert status.pid != first.pid
    assert "killed by signal 9 while ready" in status.last_error
    assert status.exit_signal == 9 and status.exit_code == 0 and status.last_lines


async def test_a_model_that_ran_well_before_crashing_starts_a_fresh_count(
    tmp_path, make_supervisor
):
    # max_restarts=1: a count that never reset would give up at the second crash.
    config = fake_config(tmp_path, max_restarts=1, stable_after_s=0.5, backoff_initial_s=0.05)
    supervisor = make_supervisor(config)
    status = await supervisor.start_model(vllm_spec(), wait_ready_s=10)
    for _ in range(3):
        await _sleep(0.7)  # ready longer than stable_after_s
        os.kill(status.pid, signal.SIGKILL)
        old = status.pid
        status = await _until(supervisor, lambda s, old=old: s.pid not in (0, old) and
                              s.state is ModelState.READY)  # fmt: skip
        assert status.state is ModelState.READY, status.last_error
        assert status.restarts == 1


async def test_crashes_soon_after_ready_keep_counting(tmp_path, make_supervisor):
    config = fake_config(tmp_path, max_restarts=1, stable_after_s=30)
    supervisor = make_supervisor(config)
    status = await supervisor.start_model(vllm_spec(), wait_ready_s=10)
    os.kill(status.pid, signal.SIGKILL)
    old = status.pid
    status = await _until(
        supervisor, lambda s: s.pid not in (0, old) and s.state is ModelState.READY
    )
    os.kill(status.pid, signal.SIGKILL)
    status = await _until(supervisor, lambda s: s.state is ModelState.FAILED)
    assert status.state is ModelState.FAILED
    assert "gave up after 1 restarts" in status.last_error


async def test_the_previous_runs_log_outlives_restarts_of_the_model_and_the_agent(
    tmp_path, make_supervisor
):
    config = fake_config(tmp_path)
    supervisor = make_supervisor(config)
    first = await supervisor.start_model(vllm_spec(), wait_ready_s=10)
    os.kill(first.pid, signal.SIGKILL)
    second = await _until(supervisor, lambda s: s.pid not in (0, first.pid) and
                          s.state is ModelState.READY)  # fmt: skip
    listening = "fake: listening on http://127.0.0.1:{}"
    assert listening.format(first.port) in supervisor.logs("m", previous=True)
    assert listening.format(second.port) in supervisor.logs("m")
    assert listening.format(first.port) not in supervisor.logs("m")
    await supervisor.close()  # the agent stops (its model with it) and starts again
    successor = make_supervisor(config)
    await successor.start()
    third = await _until_ready(successor)
    assert listening.format(second.port) in successor.logs("m", previous=True)
    assert listening.format(third.port) in successor.logs("m")


async def test_crash_after_requests_is_restarted_and_counted(tmp_path, make_supervisor):
    # Readiness spends one chat request; the test's first passes, its second crashes it.
    supervisor = make_supervisor(fake_config(tmp_path, "crash_after=2"))
    first = await supervisor.start_model(vllm_spec(), wait_ready_s=10)
    url = supervisor.endpoint("m").base_url + "/v1/chat/completions"
    body = {"model": "fake", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 2}
    async with httpx.AsyncClient() as client:
        assert (await client.post(url, json=body)).status_code == 200
        with pytest.raises(httpx.TransportError):
            await client.post(url, json=body)
    status = await _until(supervisor, lambda s: s.restarts == 1 and s.state is ModelState.READY)
    assert status.pid != first.pid
    assert "exited 1 while ready: fake: crashing as asked" in status.last_error


async def test_port_taken_before_the_server_binds_is_retried_uncounted(
    tmp_path, make_supervisor, monkeypatch
):
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    taken_port = taken.getsockname()[1]
    # The race: the port passes the bind test, then someone takes it before the server.
    ports = iter([taken_port])
    monkeypatch.setattr("trinity.agent.supervisor.server_port",
                        lambda low, high: next(ports, None) or server_port(low, high))  # fmt: skip
    supervisor = make_supervisor(fake_config(tmp_path, max_restarts=0))
    try:
        status = await supervisor.start_model(vllm_spec(), wait_ready_s=10)
    finally:
        taken.close()
    assert status.state is ModelState.READY, status.last_error
    assert status.restarts == 0 and status.port != taken_port
    assert any("address already in use" in line for line in supervisor.logs("m", previous=True))


async def test_server_ports_come_from_the_range_below_the_ephemeral_ports(
    tmp_path, make_supervisor
):
    # Two ports in the range, one of them held: the server gets the other, every time.
    low = 24000 + os.getpid() % 1000 * 2
    held = socket.socket()
    held.bind(("127.0.0.1", low))
    held.listen()
    supervisor = make_supervisor(fake_config(tmp_path, server_ports=(low, low + 1)))
    try:
        status = await supervisor.start_model(vllm_spec(), wait_ready_s=10)
    finally:
        held.close()
    assert status.state is ModelState.READY and status.port == low + 1, status.last_error
    assert not ephemeral_range()[0] <= status.port <= ephemeral_range()[1]


async def test_a_port_range_inside_the_ephemeral_range_is_refused(tmp_path, make_supervisor):
    low, _ = ephemeral_range()
    supervisor = make_supervisor(fake_config(tmp_path, server_ports=(low, low + 10)))
    with pytest.raises(FailedPrecondition, match="inside the kernel's ephemeral range"):
        await supervisor.start_model(vllm_spec())


async def test_http_500_on_chat_fails_readiness(tmp_path, make_supervisor):
    config = fake_config(tmp_path, "http_500=1", ready_timeout_s=1.0, stall_timeout_s=1.0,
                         max_restarts=0)  # fmt: skip
    supervisor = make_supervisor(config)
    status = await supervisor.start_model(vllm_spec(), wait_ready_s=10)
    assert status.state is ModelState.FAILED
    assert "not ready after" in status.last_error and "no progress for 1 s" in status.last_error
    with pytest.raises(Unavailable, match="model m is failed"):
        supervisor.endpoint("m")


async def test_hanging_server_times_out_readiness(tmp_path, make_supervisor):
    # The 1-token probe hangs (its log lines are our own probes', not progress).
    config = fake_config(tmp_path, "hang=1", ready_timeout_s=30.0, stall_timeout_s=1.5,
                         max_restarts=0)  # fmt: skip
    supervisor = make_supervisor(config)
    began = time.monotonic()
    status = await supervisor.start_model(vllm_spec(), wait_ready_s=10)
    assert status.state is ModelState.FAILED
    assert "stalled while starting: no new log line, RSS or GPU memory growth" in status.last_error
    assert time.monotonic() - began < 10  # early: long before the 30 s deadline


@pytest.mark.parametrize("shows", ["loading_lines=1", "grow_mb=200"])
async def test_a_slow_start_that_progresses_outlives_its_deadline(tmp_path, make_supervisor, shows):
    config = fake_config(tmp_path, f"slow_start=5,{shows}", ready_timeout_s=1.0,
                         stall_timeout_s=2.0, ready_timeout_max_s=60.0)  # fmt: skip
    supervisor = make_supervisor(config)
    await supervisor.start_model(vllm_spec())
    details = set()
    status = supervisor.status("m")
    while status.state is ModelState.STARTING:
        details.add(status.detail)
        await _sleep(0.2)
        status = supervisor.status("m")
    assert status.state is ModelState.READY and status.restarts == 0, status.last_error
    said = " ".join(details)
    assert "past the 1 s ready timeout, extended while it progresses" in said
    assert ("new log lines" if "lines" in shows else "RSS up to") in said
    assert status.detail == ""


async def test_no_start_takes_longer_than_the_longest_start(tmp_path, make_supervisor):
    config = fake_config(tmp_path, "slow_start=60,loading_lines=1", ready_timeout_s=1.0,
                         stall_timeout_s=2.0, ready_timeout_max_s=3.0, max_restarts=0)  # fmt: skip
    supervisor = make_supervisor(config)
    status = await supervisor.start_model(vllm_spec(), wait_ready_s=20)
    assert status.state is ModelState.FAILED
    assert "the longest a start may take even while it progresses" in status.last_error


@pytest.mark.parametrize("backend", ["llamacpp", "vllm"])
async def test_failing_health_goes_unhealthy_then_restarts(tmp_path, make_supervisor, backend):
    supervisor = make_supervisor(fake_config(tmp_path, "health_fail_after=0.5"))
    model = gguf(tmp_path) if backend == "llamacpp" else "org/fake-model"
    await supervisor.start_model(ModelSpec(name="m", backend=backend, model=model), 10)
    seen = set()
    for _ in range(60):
        status = supervisor.status("m")
        seen.add(status.state)
        if status.restarts >= 1:
            break
        await _sleep(0.05)
    assert ModelState.UNHEALTHY in seen
    assert status.restarts >= 1
    assert "unhealthy" in status.last_error or "health check failed" in status.last_error


async def test_a_hung_server_that_passes_health_is_restarted(tmp_path, make_supervisor):
    # Readiness takes one completion; every one after it hangs, /health stays 200.
    config = fake_config(tmp_path, "hang_after=1", inference_probe_interval_s=0.5,
                         inference_probe_timeout_s=1.0, max_restarts=3)  # fmt: skip
    supervisor = make_supervisor(config)
    first = await supervisor.start_model(vllm_spec(), wait_ready_s=10)
    assert first.state is ModelState.READY
    began = time.monotonic()
    # The bound: the probe interval + its timeout + a health interval, with slack.
    status = await _until(supervisor, lambda s: s.restarts >= 1, within_s=8)
    assert status.restarts >= 1, status
    assert time.monotonic() - began < 8
    assert "hung: a 1-token completion got no answer in 1 s" in status.last_error
    assert "made no tokens meanwhile" in status.last_error


@pytest.mark.parametrize("counted_by", ["server", "agent"])
async def test_a_probe_queued_behind_a_long_generation_is_not_a_hang(
    tmp_path, make_supervisor, counted_by
):
    # One request at a time: the probes wait behind a 4 s generation, and the server's
    # counters (llama.cpp flavour) or the agent's own count (vLLM flavour) show tokens.
    seen = {"m": 0}
    config = fake_config(tmp_path, "serial=1,tok_s=25", inference_probe_interval_s=0.3,
                         inference_probe_timeout_s=1.0, health_interval_s=0.2)  # fmt: skip
    supervisor = make_supervisor(config, tokens_seen=lambda name: seen[name])
    backend, model = ("llamacpp", gguf(tmp_path)) if counted_by == "server" else \
        ("vllm", "org/fake-model")  # fmt: skip
    spec = ModelSpec(name="m", backend=backend, model=model, served_name="fake")
    status = await supervisor.start_model(spec, wait_ready_s=10)
    assert status.state is ModelState.READY
    body = {"model": "fake", "messages": [{"role": "user", "content": "hi"}],
            "max_tokens": 100, "stream": True}  # fmt: skip
    url = supervisor.endpoint("m").base_url + "/v1/chat/completions"
    async with httpx.AsyncClient() as client, client.stream("POST", url, json=body) as reply:
        async for line in reply.aiter_lines():
            if counted_by == "agent" and line.startswith("data: {"):
                seen["m"] += 1
    after = supervisor.status("m")
    assert after.restarts == 0 and after.state is ModelState.READY, after.last_error


async def test_stop_kills_the_whole_group_even_when_sigterm_is_ignored(tmp_path, make_supervisor):
    supervisor = make_supervisor(fake_config(tmp_path, "ignore_sigterm=1", stop_grace_s=0.3))
    status = await supervisor.start_model(vllm_spec(), wait_ready_s=10)
    stopped = await supervisor.stop_model("m")
    assert stopped.state is ModelState.STOPPED and stopped.pid == 0
    assert not psutil.pid_exists(status.pid) or psutil.Process(status.pid).status() == "zombie"
    assert not group_alive(status.pid)


async def test_desired_state_brings_models_back_after_agent_restart(tmp_path, make_supervisor):
    config = fake_config(tmp_path)
    first = make_supervisor(config)
    await first.start_model(vllm_spec(), wait_ready_s=10)
    old_pid = first.status("m").pid
    await first.close()
    assert not group_alive(old_pid)
    second = make_supervisor(config)
    await second.start()
    for _ in range(100):
        if second.status("m").state is ModelState.READY:
            break
        await _sleep(0.1)
    assert second.status("m").state is ModelState.READY


async def test_stopped_model_does_not_come_back(tmp_path, make_supervisor):
    config = fake_config(tmp_path)
    first = make_supervisor(config)
    await first.start_model(vllm_spec(), wait_ready_s=10)
    await first.stop_model("m")
    await first.close()
    second = make_supervisor(config)
    await second.start()
    assert second.list_models() == []


async def test_orphans_of_a_crashed_agent_are_killed(tmp_path, make_supervisor):
    from trinity.agent.state import AgentState, RunningRecord

    orphan = psutil.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True
    )
    AgentState(tmp_path / "state").launched(
        RunningRecord("m", orphan.pid, ("python",), orphan.create_time())
    )
    await make_supervisor(fake_config(tmp_path)).start()
    assert orphan.wait(timeout=5) == -signal.SIGKILL


async def test_a_reused_pgid_running_something_else_is_left_alone(tmp_path, make_supervisor):
    from trinity.agent.state import AgentState, RunningRecord

    other = psutil.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True
    )
    try:
        record = RunningRecord("m", other.pid, ("llama-server", "-m", "x"), other.create_time())
        AgentState(tmp_path / "state").launched(record)
        await make_supervisor(fake_config(tmp_path)).start()
        assert other.is_running() and other.status() != psutil.STATUS_ZOMBIE
    finally:
        other.kill()
        other.wait()


async def test_not_enough_memory_refuses_and_starts_nothing(tmp_path, make_supervisor):
    supervisor = make_supervisor(
        fake_config(tmp_path), free_memory=lambda: 3 * GiB, total_memory=lambda: 80 * GiB
    )
    spec = ModelSpec(name="big", backend="vllm", model="org/x", gpu_memory_fraction=0.5)
    with pytest.raises(ResourceExhausted, match=r"needs 40\.0 GiB, the node has 3\.0 GiB free"):
        await supervisor.start_model(spec)
    assert supervisor.list_models() == []
    assert not (tmp_path / "state" / "desired.json").exists()


async def test_memory_promised_to_a_starting_model_is_not_free(tmp_path, make_supervisor):
    # Both would fit in the 10 GiB free now; not both at once: the first has taken nothing
    # yet while it loads.
    supervisor = make_supervisor(
        fake_config(tmp_path, "slow_start=3"), free_memory=lambda: 10 * GiB,
        memory_source=lambda: "NVML", gpu_memory=lambda pids: 0,
    )  # fmt: skip
    first = ModelSpec(name="a", backend="vllm", model="org/a", min_free_memory_bytes=6 * GiB)
    second = ModelSpec(name="b", backend="vllm", model="org/b", min_free_memory_bytes=6 * GiB)
    await supervisor.start_model(first)
    with pytest.raises(ResourceExhausted) as info:
        await supervisor.start_model(second)
    assert str(info.value) == (
        "model b needs 6.0 GiB, the node has 10.0 GiB free (NVML), 6.0 GiB of it promised "
        "to models still starting: stop a model or lower gpu_memory_fraction"
    )
    # Once the first is ready its memory shows in what is free (here: still 10 GiB).
    await supervisor.start_model(first, wait_ready_s=10)
    assert (await supervisor.start_model(second)).state is ModelState.STARTING


async def test_models_started_at_the_same_moment_are_admitted_one_at_a_time(
    tmp_path, make_supervisor
):
    supervisor = make_supervisor(
        fake_config(tmp_path, "slow_start=3"), free_memory=lambda: 12 * GiB,
        memory_source=lambda: "NVML", gpu_memory=lambda pids: 0,
    )  # fmt: skip
    # One model already starting: each admission now has a reading to wait for.
    await supervisor.start_model(ModelSpec(name="c", backend="vllm", model="org/c",
                                           min_free_memory_bytes=GiB))  # fmt: skip
    specs = [ModelSpec(name=n, backend="vllm", model=f"org/{n}", min_free_memory_bytes=6 * GiB)
             for n in ("a", "b")]  # fmt: skip
    results = await asyncio.gather(*map(supervisor.start_model, specs), return_exceptions=True)
    assert sorted(type(r).__name__ for r in results) == ["ModelStatus", "ResourceExhausted"]


async def test_stop_answers_once_the_memory_is_back(tmp_path, make_supervisor):
    holding: dict[int, int] = {}

    def gpu_memory(pids: set[int]) -> int:
        return sum(holding.get(pid, 0) for pid in pids if psutil.pid_exists(pid))

    supervisor = make_supervisor(fake_config(tmp_path, "child=1"), gpu_memory=gpu_memory)
    status = await supervisor.start_model(vllm_spec(), wait_ready_s=10)
    worker = _worker_pid(supervisor.logs("m"))
    holding[worker] = GiB  # the worker holds the GPU memory, as vLLM's engine core does
    stopped = await supervisor.stop_model("m")
    assert stopped.state is ModelState.STOPPED and stopped.detail == ""
    assert (not group_alive(status.pid) and not psutil.pid_exists(worker)) or \
        psutil.Process(worker).status() == psutil.STATUS_ZOMBIE  # fmt: skip


async def test_stop_kills_a_worker_that_left_the_group(tmp_path, make_supervisor):
    supervisor = make_supervisor(fake_config(tmp_path, "escape_child=1"))
    await supervisor.start_model(vllm_spec(), wait_ready_s=10)
    worker = _worker_pid(supervisor.logs("m"))
    try:
        stopped = await supervisor.stop_model("m")
        assert stopped.detail == ""
        assert gone(worker, within_s=5)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(worker, signal.SIGKILL)


async def test_stop_says_when_memory_was_not_released(tmp_path, make_supervisor):
    # The driver still counts the memory of a server that is gone (seen as a lag).
    config = fake_config(tmp_path, release_timeout_s=1.0)
    supervisor = make_supervisor(config, gpu_memory=lambda pids: 2 * GiB)
    await supervisor.start_model(vllm_spec(), wait_ready_s=10)
    stopped = await supervisor.stop_model("m")
    assert stopped.state is ModelState.STOPPED
    assert stopped.detail == (
        "memory not released 1 s after the stop: 2.0 GiB of GPU memory still held"
    )


def _worker_pid(lines: list[str]) -> int:
    line = next(line for line in lines if "fake: worker pid" in line)
    return int(line.split("worker pid ")[1].split()[0])


async def test_missing_model_file_is_refused_before_launch(tmp_path, make_supervisor):
    supervisor = make_supervisor(fake_config(tmp_path))
    spec = ModelSpec(name="m", backend="llamacpp", model=str(tmp_path / "nope.gguf"))
    with pytest.raises(FailedPrecondition, match=r"model file not found: .*nope\.gguf"):
        await supervisor.start_model(spec)
    assert supervisor.list_models() == []


async def test_unknown_backend_is_invalid(tmp_path, make_supervisor):
    supervisor = make_supervisor(fake_config(tmp_path))
    with pytest.raises(InvalidArgument, match="unknown backend 'sglang'"):
        await supervisor.start_model(ModelSpec(name="m", backend="sglang", model="x"))


async def test_start_is_idempotent_and_refuses_a_different_spec(tmp_path, make_supervisor):
    supervisor = make_supervisor(fake_config(tmp_path))
    first = await supervisor.start_model(vllm_spec(), wait_ready_s=10)
    again = await supervisor.start_model(vllm_spec(), wait_ready_s=10)
    assert again.pid == first.pid
    different = ModelSpec(name="m", backend="vllm", model="org/other")
    with pytest.raises(FailedPrecondition, match="different spec: stop it first"):
        await supervisor.start_model(different)


async def test_an_unexpected_error_fails_the_model_not_the_agent(tmp_path, make_supervisor):
    from trinity.agent.backends.vllm import Vllm

    class Broken(Vllm):
        def env(self) -> dict[str, str]:
            raise RuntimeError("boom")

    config = fake_config(tmp_path)
    supervisor = make_supervisor(config, backends={"vllm": Broken(config.vllm)})
    status = await supervisor.start_model(vllm_spec(), wait_ready_s=5)
    assert status.state is ModelState.FAILED
    assert "RuntimeError('boom')" in status.last_error


async def test_unknown_model_name_is_not_found(tmp_path, make_supervisor):
    supervisor = make_supervisor(fake_config(tmp_path))
    with pytest.raises(NotFound, match="no model named ghost"):
        supervisor.status("ghost")
    with pytest.raises(NotFound):
        await supervisor.stop_model("ghost")


async def _sleep(seconds: float) -> None:
    await asyncio.sleep(seconds)


async def _until_ready(supervisor: Supervisor):
    return await _until(supervisor, lambda s: s.state is ModelState.READY)


async def _until(supervisor: Supervisor, done, within_s: float = 10.0):
    """Poll the status of model m until `done(status)` or the time is up; return it."""
    deadline = time.monotonic() + within_s
    status = supervisor.status("m")
    while not done(status) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        status = supervisor.status("m")
    return status
