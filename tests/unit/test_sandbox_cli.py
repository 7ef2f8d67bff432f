"""`trinityctl exec` and `trinityctl validate` through typer's CliRunner against an
in-process agent: the real servicer and the real bubblewrap sandbox (over a fake
supervisor), on a loopback port served from a thread of its own."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from trinity.agent import sandbox
from trinity.controller import cli, suites
from trinity.controller.cli import app
from typer.testing import CliRunner

from tests.fakes.fake_agent import write_cluster
from tests.fakes.fake_supervisor import running_agent

TOKEN = "tok-sandbox-cli-7Qe2Lw9Zp"
CORRECT = "def add(a, b):\n    return a + b\n"
runner = CliRunner()


@contextlib.contextmanager
def agent_in_a_thread(folder: Path) -> Iterator[str]:
    """A real agent servicer with the real sandbox, served from its own event loop."""
    loop = asyncio.new_event_loop()
    ready, stop, found = threading.Event(), asyncio.Event(), {}

    async def serve() -> None:
        async with running_agent(folder, TOKEN.encode()) as agent:
            found["address"] = agent.address
            ready.set()
            await stop.wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    assert ready.wait(30), "the in-process agent did not start"
    try:
        yield found["address"]
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(30)


@pytest.fixture(scope="module")
def agent_address(tmp_path_factory) -> Iterator[str]:
    with agent_in_a_thread(tmp_path_factory.mktemp("agent")) as address:
        yield address


@pytest.fixture
def config(agent_address, tmp_path, monkeypatch) -> str:
    monkeypatch.setattr(cli.out, "width", 250)
    monkeypatch.delenv("TRINITY_DEBUG", raising=False)
    return str(write_cluster(tmp_path, {"local": (agent_address, TOKEN)}, []))


def invoke(*args: str):
    return runner.invoke(app, list(args))


def solution(tmp_path: Path, code: str) -> str:
    path = tmp_path / "answer.py"
    path.write_text(code)
    return str(path)


def test_validate_smoke_proves_its_task_through_the_agents_sandbox(config):
    result = invoke("validate", "smoke", "--config", config)
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if "smoke/add" in line)
    assert "local" in row and "ok" in row
    assert row.count("3/3") == 2  # 3 mutants caught, 3 cheats at 0


def test_validate_json_lists_every_probe(config):
    result = invoke("validate", "smoke", "--json", "--config", config)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    probes = report["tasks"][0]["probes"]
    assert report["ok"] is True
    assert {p["role"] for p in probes} == {"reference", "mutant", "cheat"}
    assert all(p["score"] == 0.0 for p in probes if p["role"] == "cheat")
    assert all(p["score"] == 100.0 for p in probes if p["role"] == "reference")


def test_validate_flags_a_task_whose_checks_reject_its_own_reference(config, tmp_path,
                                                                    monkeypatch):  # fmt: skip
    folder = tmp_path / "suites" / "broken" / "add"
    (folder / "mutants").mkdir(parents=True)
    (folder / "task.toml").write_text(
        'kind = "code"\nprompt = "add"\ntest_file = "test_add.py"\nchecks = ["sum"]\n'
        '[expected]\nsum = "5.0"\n'  # wrong: add(2, 3) is the int 5
    )
    (folder / "test_add.py").write_text("from solution import add\n\n"
                                        "def check_sum():\n    return add(2, 3)\n")  # fmt: skip
    (folder / "reference.py").write_text(CORRECT)
    (folder / "mutants" / "minus.py").write_text("def add(a, b):\n    return a - b\n")
    monkeypatch.setattr(suites, "BUILTIN", tmp_path / "suites")
    result = invoke("validate", "broken", "--config", config)
    assert result.exit_code == 1
    assert "INVALID" in result.stdout
    assert "reference reference.py scored 0 (a reference must score 100)" in result.stdout


def test_exec_scores_a_correct_file_100(config, tmp_path):
    result = invoke("exec", "--node", "local", "smoke/add", solution(tmp_path, CORRECT),
                    "--config", config)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "smoke/add: 100.0 (5/5 checks, passed" in result.stdout
    assert "sandbox bwrap" in result.stdout


def test_exec_json_shows_values_and_why_each_check_failed(config, tmp_path):
    code = "print('10 passed')\ndef add(a, b):\n    return float(a + b)\n"
    result = invoke("exec", "--node", "local", "smoke/add", solution(tmp_path, code), "--json",
                    "--config", config)  # fmt: skip
    assert result.exit_code == 1
    score = json.loads(result.stdout)
    checks = {c["name"]: c for c in score["checks"]}
    assert (score["declared"], score["status"]) == (5, "failed")
    assert checks["negatives"]["message"] == "expected -5, got -5.0"
    assert checks["negatives"]["value_json"] == "-5.0"
    assert score["stdout_tail"] == "10 passed\n"


def test_exec_of_an_early_exit_scores_zero_of_five(config, tmp_path):
    code = "import sys\nsys.exit(0)\n" + CORRECT
    result = invoke("exec", "--node", "local", "smoke/add", solution(tmp_path, code), "--json",
                    "--config", config)  # fmt: skip
    score = json.loads(result.stdout)
    assert (score["score"], score["passed"], score["declared"]) == (0.0, 0, 5)
    assert score["status"] == "error"


def test_exec_on_a_node_without_bubblewrap_is_refused_in_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr(sandbox, "_try_bwrap", lambda config, python: "bwrap not found")
    monkeypatch.delenv("TRINITY_DEBUG", raising=False)
    with agent_in_a_thread(tmp_path) as address:
        config = str(write_cluster(tmp_path, {"local": (address, TOKEN)}, []))
        result = invoke("exec", "--node", "local", "smoke/add", solution(tmp_path, CORRECT),
                        "--config", config)  # fmt: skip
    assert result.exit_code == 2
    first = result.stderr.strip().splitlines()[0]
    assert "sandbox bwrap unavailable on this node (bwrap not found): apt-get install " \
        "bubblewrap (or set sandbox.allow_unsandboxed for development)" in first  # fmt: skip
