"""The agent's /metrics against a real agent running SmolLM2 on llama.cpp: a generation and
a sandboxed run show up in the exposition, and the model's state reads ready."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from trinity.agent.ports import free_port
from trinity.v1 import agent_pb2 as pb

from tests.integration.agent_process import running_agent_process

pytestmark = pytest.mark.integration


def scrape(port: int) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", trust_env=False, timeout=10).text
    return {(s.name, frozenset(s.labels.items())): s.value
            for f in text_string_to_metric_families(text) for s in f.samples}  # fmt: skip


def test_a_generation_and_a_sandbox_run_are_in_the_metrics(tmp_path: Path) -> None:
    port = free_port()
    config = f'[metrics]\nlisten = "127.0.0.1:{port}"\n'
    with running_agent_process(tmp_path, config) as agent:
        spec = pb.ModelSpec(name="smollm2", backend="llamacpp", model="builtin:smollm2",
                            context_length=2048)  # fmt: skip
        status = agent.stub.StartModel(pb.StartModelRequest(spec=spec, wait_ready_s=300),
                                       metadata=agent.metadata, timeout=330)  # fmt: skip
        assert status.state == pb.MODEL_STATE_READY, status.last_error
        result = agent.generate("smollm2", "Say hello.", max_tokens=8)
        run = agent.stub.Execute(
            pb.ExecuteRequest(files=[pb.File(path="solution.py", content=b"X = 1\n"),
                                     pb.File(path="test_x.py", content=b"def check_x():\n"
                                             b"    from solution import X\n    assert X == 1\n")],
                              test_file="test_x.py", checks=["x"]),
            metadata=agent.metadata, timeout=60,
        )  # fmt: skip
        got = scrape(port)
    model = ("model", "smollm2")
    state = frozenset({model, ("backend", "llamacpp"), ("state", "ready")})
    assert got[("trinity_model_state", state)] == 1.0
    assert got[("trinity_model_ready_seconds", frozenset({model}))] > 0
    assert got[("trinity_generate_requests_total", frozenset({model, ("outcome", "ok")}))] >= 1
    completion = got[("trinity_tokens_total", frozenset({model, ("kind", "completion")}))]
    assert completion >= result.usage.completion_tokens > 0
    assert run.status == pb.EXECUTE_STATUS_PASSED
    assert got[("trinity_sandbox_runs_total", frozenset({("status", "passed")}))] == 1
