"""trinityctl through typer's CliRunner against a fake agent on loopback: JSON status,
one-line errors with exit code 2, exit code 1 when something failed, logs, --help."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import sys
from pathlib import Path

import psutil
import pytest
from trinity.controller import cli, cluster, demo
from trinity.controller.cli import app
from trinity.controller.demo import free_port
from typer.testing import CliRunner

from tests.fakes.fake_agent import FakeAgentServer, FakeBehaviour, write_cluster

REPO = Path(__file__).resolve().parents[2]
TOKEN = "tok-cli-9Fh3Jk2Lq8Ws"
runner = CliRunner()


@pytest.fixture(autouse=True)
def fast_polls(monkeypatch):
    monkeypatch.setattr(cluster, "POLL_S", 0.05)
    monkeypatch.setattr(cli.out, "width", 250)  # tables unwrapped, so cells can be matched
    monkeypatch.delenv("TRINITY_DEBUG", raising=False)


@pytest.fixture
def agent():
    server = FakeAgentServer(TOKEN, FakeBehaviour(fail={"broken": "model file missing"}))
    yield server
    server.stop()


@pytest.fixture
def config(agent, tmp_path):
    return write_cluster(
        tmp_path, {"local": (agent.address, TOKEN)}, [("local", "smollm2"), ("local", "broken")]
    )


def invoke(*args: str):
    return runner.invoke(app, list(args))


def _one_error_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("error: ")
    assert all(line.startswith(("hint: ", "  ")) for line in lines[1:])
    return lines[0]


def test_status_json_against_a_fake_agent(agent, config):
    assert invoke("up", "--config", str(config), "--models", "smollm2", "--json").exit_code == 0
    result = invoke("status", "--config", str(config), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["config"] == str(config)
    (node,) = data["nodes"]
    assert (node["node"], node["address"], node["ok"]) == ("local", agent.address, True)
    assert node["info"]["hostname"] == "fakehost"
    states = {m["name"]: m["state"] for m in node["models"]}
    assert states == {"smollm2": "ready", "broken": "not running"}
    assert TOKEN not in result.output


def test_status_json_says_how_a_failed_models_last_run_ended(agent, config):
    """An always-on node's failed model says why in --json too: its exit code or signal
    and its last lines, as the agent reports them."""
    assert invoke("up", "--config", str(config), "--json").exit_code == 1
    data = json.loads(invoke("status", "--config", str(config), "--json").stdout)
    broken = next(m for m in data["nodes"][0]["models"] if m["name"] == "broken")
    assert broken["state"] == "failed" and broken["last_error"] == "model file missing"
    assert (broken["exit_code"], broken["exit_signal"]) == (1, 0)
    assert broken["last_lines"] == ["error: model file missing"]


def test_status_table_shows_nodes_and_models(agent, config):
    result = invoke("status", "--config", str(config))
    assert result.exit_code == 0, result.output
    assert "serving" in result.stdout and "not running" in result.stdout


def test_status_wide_adds_the_host_each_agent_reports(agent, config):
    result = invoke("status", "--wide", "--config", str(config))
    assert result.exit_code == 0, result.output
    assert "fakehost" in result.stdout and "fakehost" not in invoke("status", "--config",
                                                                      str(config)).stdout  # fmt: skip


def test_unreachable_node_is_one_line_and_exit_2(tmp_path):
    dead = f"127.0.0.1:{free_port()}"
    config = write_cluster(tmp_path, {"local": (dead, TOKEN)}, [("local", "smollm2")])
    result = invoke("status", "--config", str(config))
    assert result.exit_code == 2
    assert _one_error_line(result) == (
        f"error: node local ({dead}) unreachable: is trinity-agent running? start it with "
        "`trinity-agent serve --config ~/.config/trinity/agent/agent.toml`"
    )
    assert "Traceback" not in result.output


def test_debug_env_adds_the_traceback(tmp_path, monkeypatch):
    config = write_cluster(tmp_path, {"local": (f"127.0.0.1:{free_port()}", TOKEN)}, [])
    monkeypatch.setenv("TRINITY_DEBUG", "1")
    result = invoke("status", "--config", str(config))
    assert result.exit_code == 2 and "Traceback" in result.stderr


def test_unknown_model_in_models_lists_valid_names(config):
    result = invoke("up", "--config", str(config), "--models", "qwen")
    assert result.exit_code == 2
    assert _one_error_line(result) == (
        "error: unknown model 'qwen' in --models; configured models: local/broken, local/smollm2"
    )


def test_bad_config_is_one_line_exit_2(tmp_path):
    path = tmp_path / "models.toml"
    path.write_text('[nodes.local]\naddress = "127.0.0.1:1"\ntoken_file = "t"\ncolour = 1\n')
    result = invoke("status", "--config", str(path))
    assert result.exit_code == 2
    assert _one_error_line(result).startswith(f"error: {path}: unknown key nodes.local.colour")


def test_missing_token_file_names_the_file_and_init(tmp_path, agent):
    config = write_cluster(tmp_path, {"local": (agent.address, TOKEN)}, [("local", "smollm2")])
    (tmp_path / "local.token").unlink()
    result = invoke("status", "--config", str(config))
    assert result.exit_code == 2
    assert f"token file {tmp_path / 'local.token'} not found" in _one_error_line(result)
    assert "trinity-agent init" in result.stderr


def test_up_with_a_failed_model_exits_1_and_shows_both(agent, config):
    result = invoke("up", "--config", str(config))
    assert result.exit_code == 1, result.output
    assert "local/smollm2" in result.stdout and "local/broken" in result.stdout
    assert "42.5" in result.stdout and "model file missing" in result.stdout
    assert TOKEN not in result.output


def test_up_then_down(agent, config):
    assert invoke("up", "--config", str(config), "-m", "smollm2").exit_code == 0
    result = invoke("down", "--config", str(config), "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["results"]
    assert [(r["name"], r["state"]) for r in rows] == [("smollm2", "stopped")]
    assert agent.agent.models == {}


def test_logs_prints_the_model_server_lines(agent, config):
    invoke("up", "--config", str(config), "-m", "smollm2", "--no-smoke")
    result = invoke("logs", "local", "smollm2", "--config", str(config), "--lines", "2")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["llama server listening", "slot 0: ready"]
    previous = invoke("logs", "local", "smollm2", "--previous", "--config", str(config))
    assert previous.exit_code == 0, previous.output
    assert previous.stdout.splitlines() == ["slot 0: out of memory", "exiting"]


def test_logs_unknown_node_lists_nodes(config):
    result = invoke("logs", "dgx9", "smollm2", "--config", str(config))
    assert result.exit_code == 2
    assert "unknown node 'dgx9'" in _one_error_line(result) and "local" in result.stderr


@pytest.mark.parametrize("command", [[], ["up"], ["down"], ["status"], ["logs"], ["demo"]])
def test_help_teaches_with_examples(command):
    result = invoke(*command, "--help")
    assert result.exit_code == 0
    assert "Usage" in result.stdout and "trinityctl" in result.stdout
    assert "Examples" in result.stdout


# ---------------------------------------------------------------- demo, with the fake agent
# spawned in place of `trinity-agent serve` (the real one is exercised in tests/integration)


@pytest.fixture
def fake_agent_process(monkeypatch):
    fake = (sys.executable, "-m", "tests.fakes.fake_agent", "serve")
    monkeypatch.setattr(demo, "AGENT_COMMAND", fake)
    monkeypatch.setattr(demo, "check_dependencies", lambda: None)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]))


def _folder_and_pid(output: str) -> tuple[Path, int]:
    folder = re.search(r"\(folder (\S+)\)", output)
    pid = re.search(r"agent \(pid (\d+)\) serving", output)
    assert folder and pid, output
    return Path(folder.group(1)), int(pid.group(1))


def test_demo_shows_status_and_tok_s_then_removes_everything(fake_agent_process):
    result = invoke("demo")
    assert result.exit_code == 0, result.output
    assert "Nodes" in result.stdout and "Models" in result.stdout and "ready" in result.stdout
    assert "'Hello from the fake agent.'" in result.stdout
    assert "decode 42.5 tok/s" in result.stdout and "demo done" in result.stdout
    folder, pid = _folder_and_pid(result.stdout)
    assert not folder.exists()
    assert not psutil.pid_exists(pid)


def test_demo_interrupted_stops_the_agent_and_exits_130(fake_agent_process, monkeypatch):
    def interrupt(self, statuses):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli._DemoUi, "status", interrupt)
    result = invoke("demo")
    assert result.exit_code == 130
    assert "interrupted, stopped everything" in result.stderr
    folder, pid = _folder_and_pid(result.stdout)
    assert not folder.exists()
    assert not psutil.pid_exists(pid)


def test_demo_agent_that_exits_early_is_one_line_with_its_log(monkeypatch):
    crash = (sys.executable, "-c", "import sys; print('cannot bind: port in use'); sys.exit(3)")
    monkeypatch.setattr(demo, "AGENT_COMMAND", crash)
    monkeypatch.setattr(demo, "check_dependencies", lambda: None)
    result = invoke("demo")
    assert result.exit_code == 2
    assert _one_error_line(result) == "error: the demo agent exited with code 3 before serving"
    assert "  cannot bind: port in use" in result.stderr


def test_demo_without_llama_cpp_names_the_pip_command(monkeypatch):
    real_find_spec = importlib.util.find_spec

    def find_spec(name):
        if name == "llama_cpp":
            return None
        return object() if name == "trinity.agent.__main__" else real_find_spec(name)

    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    result = invoke("demo")
    assert result.exit_code == 2
    assert "needs llama-cpp-python" in _one_error_line(result)
    assert "hint: pip install 'llama-cpp-python[server]" in result.stderr
