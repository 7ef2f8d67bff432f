"""The agent's Prometheus metrics: live model state and GPU readings read at scrape time,
counters for Generate, tokens and sandbox runs, the exposition parsed back by
prometheus_client's own parser, and the tiny HTTP edge (GET /metrics, 404 otherwise)."""

from __future__ import annotations

from dataclasses import replace

import httpx
from prometheus_client.parser import text_string_to_metric_families
from trinity.agent.metrics import AgentMetrics, serve_metrics
from trinity.agent.ports import free_port
from trinity.agent.spec import ModelSpec, ModelState, ModelStatus
from trinity.agent.telemetry import GpuSampleData, TelemetrySampleData

SPEC = ModelSpec(name="qwen35-fp8", backend="vllm", model="Qwen/Qwen3.5-35B-A3B-FP8")


class StubTelemetry:
    def sample(self) -> TelemetrySampleData:
        gpu = GpuSampleData(0, "NVIDIA H100", 20 * 2**30, 80 * 2**30, 87.0, 310.5, 61.0, False)
        return TelemetrySampleData(1.0, "nvml", (gpu,), 9 * 2**30, 64 * 2**30, 12.0, ())


def samples(metrics: AgentMetrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = metrics.exposition().decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_model_state_restarts_and_ready_time_are_read_at_scrape_time() -> None:
    status = ModelStatus(SPEC, ModelState.STARTING, restarts=2, started_at=100.0)
    models = [status]
    metrics = AgentMetrics(lambda: models, None)
    first = samples(metrics)
    assert first[("trinity_model_state", (("backend", "vllm"), ("model", "qwen35-fp8"),
                                          ("state", "starting")))] == 1.0  # fmt: skip
    assert first[("trinity_model_restarts", (("model", "qwen35-fp8"),))] == 2.0
    assert not any(name == "trinity_model_ready_seconds" for name, _ in first)
    models[0] = replace(status, state=ModelState.READY, ready_at=142.5)
    second = samples(metrics)
    labels = (("backend", "vllm"), ("model", "qwen35-fp8"))
    assert second[("trinity_model_state", (*labels, ("state", "ready")))] == 1.0
    assert second[("trinity_model_state", (*labels, ("state", "starting")))] == 0.0
    assert second[("trinity_model_ready_seconds", (("model", "qwen35-fp8"),))] == 42.5


def test_gpu_readings_come_from_telemetry() -> None:
    got = samples(AgentMetrics(list, StubTelemetry()))  # type: ignore[arg-type]
    gpu = (("gpu", "0"), ("name", "NVIDIA H100"))
    assert got[("trinity_gpu_memory_used_bytes", gpu)] == 20 * 2**30
    assert got[("trinity_gpu_utilization_percent", gpu)] == 87.0
    assert got[("trinity_gpu_power_watts", gpu)] == 310.5
    assert got[("trinity_host_memory_used_bytes", ())] == 9 * 2**30


def test_requests_tokens_and_sandbox_runs_are_counted() -> None:
    metrics = AgentMetrics(list, None)
    metrics.generated("smollm2", 12, 30)
    metrics.generated("smollm2", 8, 10)
    metrics.generate_failed("smollm2")
    metrics.executed("passed", 0.2)
    metrics.executed("timeout", 10.0)
    got = samples(metrics)
    model = ("model", "smollm2")
    assert got[("trinity_generate_requests_total", (model, ("outcome", "ok")))] == 2
    assert got[("trinity_generate_requests_total", (model, ("outcome", "error")))] == 1
    assert got[("trinity_tokens_total", (("kind", "completion"), model))] == 40
    assert got[("trinity_tokens_total", (("kind", "prompt"), model))] == 20
    assert got[("trinity_sandbox_runs_total", (("status", "timeout"),))] == 1
    assert got[("trinity_sandbox_run_seconds_count", ())] == 2


async def test_metrics_are_served_on_their_port_and_nothing_else_is() -> None:
    metrics = AgentMetrics(list, None)
    metrics.executed("passed", 0.1)
    port = free_port()
    server = await serve_metrics(f"127.0.0.1:{port}", metrics)
    try:
        async with httpx.AsyncClient(trust_env=False) as http:
            ok = await http.get(f"http://127.0.0.1:{port}/metrics")
            missing = await http.get(f"http://127.0.0.1:{port}/")
            head = await http.head(f"http://127.0.0.1:{port}/metrics")
    finally:
        server.close()
        await server.wait_closed()
    assert ok.status_code == 200 and ok.headers["content-type"].startswith("text/plain")
    assert 'trinity_sandbox_runs_total{status="passed"} 1.0' in ok.text
    assert missing.status_code == 404 and head.status_code == 200 and head.content == b""
