"""Faults injected into a real bench (issue 11): a real agent and SmolLM2 on llama.cpp on
loopback, the real `trinityctl`. The model server SIGKILLed mid-bench, the agent
SIGKILLed and restarted, the agent frozen (SIGSTOP) past the controller's deadline, the
results database refusing writes mid-bench, the agent killed mid-profile. Each checks
that no run is stored wrongly (an infrastructure failure as infra_error while the model
comes back, or as the model's 0) and that what the user sees is one true line.

Small on purpose (CI has 2 cores): smoke/add only, n of 2 or 3, short replies.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from trinity.controller import generation
from trinity.controller.cli import app
from trinity.controller.client import AgentClient
from trinity.controller.store import Store
from trinity.v1 import agent_pb2 as pb
from typer.testing import CliRunner

from tests.integration.agent_process import AgentProcess
from tests.integration.conftest import AGENT_TOML, AgentNode, trinityctl
from tests.procs import wait_for_runs

pytestmark = pytest.mark.integration

MODELS = """
[nodes.local]
address = "{address}"
token_file = "{token}"
timeout_s = {timeout_s}

[[models]]
name = "smollm2"
node = "local"
backend = "llamacpp"
model = "builtin:smollm2"
context_length = 2048
sampling = {{ max_tokens = {max_tokens} }}
"""
# The old scheduler retried after 2 s and 4 s: an outage longer than that, with room.
OLD_RETRIES_S = 6.0
# The supervisor restarts a killed server after this long (then it loads for a few s).
SLOW_RESTART_TOML = AGENT_TOML.replace("backoff_initial_s = 0.5", "backoff_initial_s = 8.0")


@contextlib.contextmanager
def agent_node(folder: Path, agent_toml: str, *, timeout_s: float = 30, max_tokens: int = 64
               ) -> Iterator[AgentNode]:  # fmt: skip
    """A real agent with its model up, and a models.toml for it with short replies."""
    node = AgentNode(folder)
    node.agent = AgentProcess(folder, agent_toml)
    node.init()
    Path(node.models_toml).write_text(MODELS.format(
        address=node.address, token=node.token_file, timeout_s=timeout_s, max_tokens=max_tokens))  # fmt: skip
    node.start_agent()
    try:
        up = trinityctl("up", "--config", node.models_toml, "--no-smoke", timeout=180)
        assert up.returncode == 0, up.stdout + up.stderr
        yield node
    finally:
        node.stop_agent()


def model_status(node: AgentNode) -> pb.ModelStatus:
    (status,) = node.stub.ListModels(pb.ListModelsRequest(), metadata=node.metadata).models
    return status


def start_bench(node: AgentNode, db: Path, *args: str) -> subprocess.Popen[str]:
    argv = [sys.executable, "-m", "trinity.controller", "bench", *args, "--json",
            "--db", str(db), "--config", node.models_toml]  # fmt: skip
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL, env={**os.environ, "COLUMNS": "200"})  # fmt: skip


def finish(bench: subprocess.Popen[str], within_s: float = 300) -> tuple[str, str]:
    try:
        return bench.communicate(timeout=within_s)
    finally:
        if bench.poll() is None:
            bench.kill()
            bench.wait()


def runs_of(db: Path) -> list:
    with Store(db) as store:
        (bench,) = store.bench_runs()
        return store.runs(bench.id)


def test_model_server_killed_mid_bench_costs_no_run(tmp_path):
    with agent_node(tmp_path, SLOW_RESTART_TOML) as node:
        db = tmp_path / "results.db"
        bench = start_bench(node, db, "smoke", "-n", "3")
        wait_for_runs(bench, db, 1)
        os.kill(model_status(node).pid, signal.SIGKILL)
        killed_at = time.time()
        out, err = finish(bench)
        back = model_status(node)
    assert bench.returncode == 0, err[-3000:]
    runs = runs_of(db)
    assert [r.outcome for r in runs if r.outcome == "infra_error"] == [], [
        r.sandbox for r in runs]  # fmt: skip
    assert len(runs) == 3 and json.loads(out)["tasks"][0]["verdict"] != "INCOMPLETE"
    # The outage was real and outlasted the old fixed retries; runs went on after it.
    assert back.restarts == 1 and back.ready_at - killed_at > OLD_RETRIES_S
    assert any(r.finished_at > back.ready_at for r in runs)


def test_agent_killed_and_restarted_mid_bench_costs_no_run(restartable_node, tmp_path):
    node = restartable_node
    Path(node.models_toml).write_text(MODELS.format(
        address=node.address, token=node.token_file, timeout_s=5, max_tokens=64))  # fmt: skip
    up = trinityctl("up", "--config", node.models_toml, "--no-smoke", timeout=180)
    assert up.returncode == 0, up.stdout + up.stderr
    db = tmp_path / "results.db"
    bench = start_bench(node, db, "smoke", "-n", "2")
    wait_for_runs(bench, db, 1)
    node.stop_agent(signal.SIGKILL)
    time.sleep(OLD_RETRIES_S + 1)  # the agent stays away longer than the old retries
    node.start_agent()  # it kills the orphaned server and starts the model again
    _, err = finish(bench)
    assert bench.returncode == 0, err[-3000:]
    runs = runs_of(db)
    assert len(runs) == 2 and all(r.outcome != "infra_error" for r in runs), [
        r.sandbox for r in runs]  # fmt: skip


def test_frozen_agent_is_retried_never_scored_zero(tmp_path, monkeypatch):
    """The agent SIGSTOPped during a Generate, past the controller's deadline for it, then
    continued: the run is tried again and scored as what the model wrote."""
    # Short replies and a short generation deadline, so the controller gives up on the
    # frozen agent within seconds (its deadline: max(8, 2 × 12 / 5) + timeout_s 2 = 10 s).
    monkeypatch.setattr(generation, "TIMEOUT_FLOOR_S", 8.0)
    with agent_node(tmp_path, AGENT_TOML, timeout_s=2, max_tokens=12) as node:
        assert node.process is not None
        pid = node.process.pid
        thaw = threading.Timer(13.0, os.kill, (pid, signal.SIGCONT))
        frozen = threading.Event()
        real_generate = AgentClient.generate

        async def freeze_first(self, request, on_delta=None):
            if not frozen.is_set():
                frozen.set()
                os.kill(pid, signal.SIGSTOP)  # frozen before the call reaches it
                thaw.start()
                # The retry gets the usual deadline: a busy CI machine may be slow.
                monkeypatch.setattr(generation, "TIMEOUT_FLOOR_S", 60.0)
            return await real_generate(self, request, on_delta)

        monkeypatch.setattr(AgentClient, "generate", freeze_first)
        db = tmp_path / "results.db"
        try:
            result = CliRunner().invoke(app, ["bench", "smoke", "--json", "--db", str(db),
                                              "--config", node.models_toml])  # fmt: skip
        finally:
            thaw.cancel()
            os.kill(pid, signal.SIGCONT)
    assert frozen.is_set(), "the agent was never frozen"
    assert result.exit_code == 0, result.output
    (run,) = runs_of(db)
    assert run.outcome in ("scored", "truncated", "extraction_failed"), run.sandbox
    assert run.attempt == 2 and run.response  # the second try, after the agent came back


def test_results_database_refusing_writes_mid_bench_stops_with_the_resume_command(tmp_path):
    with agent_node(tmp_path, AGENT_TOML) as node:
        db = tmp_path / "results.db"
        bench = start_bench(node, db, "smoke", "-n", "3")
        wait_for_runs(bench, db, 1)
        # From now on no file of the bench may grow: the next write fails as on a full
        # disk (Python ignores SIGXFSZ, so SQLite sees the write fail).
        size = max(p.stat().st_size for p in (db, db.with_name(db.name + "-wal")))
        psutil.Process(bench.pid).rlimit(psutil.RLIMIT_FSIZE, (size, psutil.RLIM_INFINITY))
        _, err = finish(bench)
        with Store(db) as store:
            (killed,) = store.bench_runs()
            before = {r.key: r for r in store.runs(killed.id)}
        assert bench.returncode == 2, err[-3000:]
        first, hint = err.strip().splitlines()[-2:]
        assert first.startswith(f"error: bench {killed.id} stopped: results database {db}")
        assert first.endswith("the runs stored before are kept")
        assert hint == f"hint: when it can be written again: trinityctl bench --resume " \
            f"{killed.id} --db {db}"  # fmt: skip
        assert 1 <= len(before) < 3
        done = trinityctl("bench", "--resume", killed.id, "--json", "--db", str(db),
                          "--config", node.models_toml, timeout=300)  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]
    after = {r.key: r for r in runs_of(db)}
    assert len(after) == 3
    for key, run in before.items():  # what was stored before the failure, untouched
        assert (after[key].finished_at, after[key].response) == (run.finished_at, run.response)


def test_agent_killed_mid_profile_says_the_connection_dropped(restartable_node, tmp_path):
    node = restartable_node
    Path(node.models_toml).write_text(MODELS.format(
        address=node.address, token=node.token_file, timeout_s=5, max_tokens=64))  # fmt: skip
    up = trinityctl("up", "--config", node.models_toml, "--no-smoke", timeout=180)
    assert up.returncode == 0, up.stdout + up.stderr
    server_pid = model_status(node).pid
    argv = [sys.executable, "-m", "trinity.controller", "profile", "--concurrency", "1",
            "--requests", "12", "--output-tokens", "32", "--warmup", "0",
            "--db", str(tmp_path / "r.db"), "--config", node.models_toml]  # fmt: skip
    profile = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               stdin=subprocess.DEVNULL, env={**os.environ, "COLUMNS": "200"})  # fmt: skip
    assert node.process is not None
    agent = psutil.Process(node.process.pid)
    load: list[psutil.Process] = []
    deadline = time.monotonic() + 60
    while not load:  # the Profile call is in flight once the agent runs its load generator
        assert profile.poll() is None and time.monotonic() < deadline, profile.stderr
        load = [p for p in agent.children(recursive=True) if p.pid != server_pid]
        time.sleep(0.05)
    node.stop_agent(signal.SIGKILL)
    _, err = finish(profile, within_s=60)
    for process in load:  # orphaned by the kill; ours to end
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
    node.start_agent()  # it ends the orphaned model server; the fixture then stops it all
    assert profile.returncode == 2, err
    line = next(x for x in err.splitlines() if x.startswith("error: "))
    assert f"node local ({node.address}) dropped the connection mid-call" in line, err
    assert "TLS" not in err
