"""End to end on loopback: a real trinity-agent process running real llama-cpp-python
servers with SmolLM2, driven through the real `trinityctl` command line.

The tests in this module share one agent (and so one model server) and run in order:
up → status → logs → kill -9 and restart → bad input → down.
"""

from __future__ import annotations

import json
import os
import signal
import time

import psutil
import pytest
from trinity.v1 import agent_pb2 as pb

from tests.integration.conftest import trinityctl
from tests.procs import gone

pytestmark = pytest.mark.integration


def status_json(node) -> dict:
    done = trinityctl("status", "--json", "--config", node.models_toml)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def model_entry(node, name: str = "smollm2") -> dict:
    for entry in status_json(node)["nodes"][0]["models"]:
        if entry["name"] == name:
            return entry
    raise AssertionError(f"{name} not in status")


def test_up_starts_smollm2_and_reports_a_real_tok_s(llama_node):
    done = trinityctl("up", "--config", llama_node.models_toml, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "smollm2" in done.stdout and "ready" in done.stdout
    entry = model_entry(llama_node)
    assert entry["state"] == "ready" and entry["pid"] > 0
    # The smoke generation went through the agent to the real server.
    reply = llama_node.generate("smollm2", "What is the capital of South Korea?", 16)
    assert reply.text.strip()
    assert reply.usage.completion_tokens > 0 and reply.decode_tok_s > 0 and reply.ttft_s > 0


def test_status_json_has_the_running_server(llama_node):
    entry = model_entry(llama_node)
    assert entry["backend"] == "llamacpp"
    assert psutil.Process(entry["pid"]).is_running()
    assert entry["port"] > 0 and entry["restarts"] == 0


def test_logs_show_the_server_output(llama_node):
    done = trinityctl("logs", "local", "smollm2", "--config", llama_node.models_toml)
    assert done.returncode == 0, done.stderr
    assert "chat/completions" in done.stdout  # the readiness probe's 1-token completion


def test_killed_server_is_restarted_and_status_shows_it(llama_node):
    old_pid = model_entry(llama_node)["pid"]
    os.kill(old_pid, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        entry = model_entry(llama_node)
        if entry["restarts"] == 1 and entry["state"] == "ready":
            break
        time.sleep(0.5)
    assert entry["restarts"] == 1 and entry["state"] == "ready", entry
    assert entry["pid"] != old_pid
    assert "killed by signal 9" in entry["last_error"]
    done = trinityctl("status", "--config", llama_node.models_toml)
    assert "smollm2" in done.stdout and "ready" in done.stdout


def test_missing_model_file_is_one_line_and_nothing_is_left_running(llama_node, tmp_path):
    absent = llama_node.folder / "models" / "absent.gguf"  # under the node's model roots
    models = llama_node.write_models(tmp_path, model_path=str(absent))
    done = trinityctl("up", "--config", models, "--models", "broken", timeout=60)
    assert done.returncode != 0
    problem = [line for line in (done.stdout + done.stderr).splitlines() if "absent.gguf" in line]
    assert problem and "model file not found" in problem[0]
    listed = llama_node.stub.ListModels(pb.ListModelsRequest(), metadata=llama_node.metadata)
    assert "broken" not in {m.spec.name for m in listed.models if m.pid}


def test_unknown_backend_in_models_toml_is_one_line_naming_file_and_key(llama_node, tmp_path):
    models = llama_node.write_models(tmp_path, backend="sglang")
    done = trinityctl("up", "--config", models, timeout=30)
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert str(models) in lines[0] and "backend" in lines[0]
    assert model_entry(llama_node)["state"] == "ready"  # the running model is untouched


def test_second_agent_on_a_port_in_use_is_refused_in_one_line(llama_node):
    done = llama_node.run_agent_cli("serve", "--config", llama_node.agent_toml)
    assert done.returncode == 2
    assert "address already in use" in done.stderr
    assert len([line for line in done.stderr.splitlines() if "error" in line]) == 1


def test_down_stops_the_server_and_leaves_no_process(llama_node):
    pid = model_entry(llama_node)["pid"]
    done = trinityctl("down", "--config", llama_node.models_toml, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert gone(pid)
    assert model_entry(llama_node)["state"] == "stopped"


def test_agent_restart_brings_the_desired_model_back(restartable_node):
    node = restartable_node
    assert trinityctl("up", "--config", node.models_toml, timeout=180).returncode == 0
    pid = model_entry(node)["pid"]
    node.stop_agent(signal.SIGTERM)
    assert gone(pid), "the model server outlived the agent"
    node.start_agent()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and model_entry(node)["state"] != "ready":
        time.sleep(0.5)
    assert model_entry(node)["state"] == "ready"


def test_sigkilled_agent_leaves_no_server_behind(restartable_node):
    node = restartable_node
    assert trinityctl("up", "--config", node.models_toml, timeout=180).returncode == 0
    pid = model_entry(node)["pid"]
    node.stop_agent(signal.SIGKILL)
    assert gone(pid), "the model server outlived a SIGKILLed agent"
