"""Prometheus metrics of a node: what its models are doing, what the agent proxied and ran,
and the GPU readings it already takes, in the text format on `[metrics] listen`.

States, restarts, ready times and GPU readings are read when Prometheus scrapes (nothing
polls between scrapes); requests, tokens and sandbox runs are counted as they finish.
Exposition by prometheus_client, from a registry of our own (no process-wide globals);
served by a few lines of asyncio on the agent's event loop, so no thread reads the
supervisor while it changes. A stock scrape config is in docs/metrics.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterator, Sequence

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from trinity.agent.spec import ModelState, ModelStatus
from trinity.agent.telemetry import Telemetry

log = logging.getLogger(__name__)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
STATES = tuple(s.name.lower() for s in ModelState if s.name != "UNSPECIFIED")
_REQUEST_LIMIT = 8192  # bytes of a scrape's request head we read


class AgentMetrics:
    """The agent's counters, and the registry that also reads live state at scrape time."""

    def __init__(
        self, models: Callable[[], Sequence[ModelStatus]], telemetry: Telemetry | None
    ) -> None:
        # auto_describe off: describing would read the supervisor and NVML at start-up.
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(_LiveState(models, telemetry))
        self.requests = Counter("trinity_generate_requests", "Generate calls finished, by "
                                "model and outcome (ok, error).", ["model", "outcome"],
                                registry=self.registry)  # fmt: skip
        self.tokens = Counter("trinity_tokens", "Tokens proxied by Generate, by model and "
                              "kind (prompt, completion).", ["model", "kind"],
                              registry=self.registry)  # fmt: skip
        self.sandbox_runs = Counter("trinity_sandbox_runs", "Execute runs finished, by "
                                    "status (passed, failed, error, timeout, ...).", ["status"],
                                    registry=self.registry)  # fmt: skip
        self.sandbox_seconds = Histogram("trinity_sandbox_run_seconds", "Wall time of Execute "
                                         "runs.", registry=self.registry,
                                         buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60))  # fmt: skip

    def generated(self, model: str, prompt_tokens: int, completion_tokens: int) -> None:
        self.requests.labels(model, "ok").inc()
        self.tokens.labels(model, "prompt").inc(prompt_tokens)
        self.tokens.labels(model, "completion").inc(completion_tokens)

    def generate_failed(self, model: str) -> None:
        self.requests.labels(model, "error").inc()

    def executed(self, status: str, seconds: float) -> None:
        self.sandbox_runs.labels(status).inc()
        self.sandbox_seconds.observe(seconds)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class _LiveState(Collector):
    """Model states, restarts, ready times and GPU readings, read at scrape time."""

    def __init__(
        self, models: Callable[[], Sequence[ModelStatus]], telemetry: Telemetry | None
    ) -> None:
        self._models, self._telemetry = models, telemetry

    def collect(self) -> Iterator[Metric]:
        yield from self._model_metrics(self._models())
        if self._telemetry is not None:
            yield from self._gpu_metrics(self._telemetry)

    def _model_metrics(self, models: Sequence[ModelStatus]) -> Iterator[Metric]:
        state = GaugeMetricFamily("trinity_model_state", "1 for the state each model is in.",
                                  labels=["model", "backend", "state"])  # fmt: skip
        restarts = GaugeMetricFamily("trinity_model_restarts", "Restarts of the model's "
                                     "server since it last ran well.", labels=["model"])  # fmt: skip
        ready = GaugeMetricFamily("trinity_model_ready_seconds", "How long the server took "
                                  "to become ready, last start.", labels=["model"])  # fmt: skip
        for m in models:
            for name in STATES:
                state.add_metric([m.spec.name, m.spec.backend, name],
                                 1.0 if m.state.name.lower() == name else 0.0)  # fmt: skip
            restarts.add_metric([m.spec.name], m.restarts)
            if m.ready_at and m.started_at:
                ready.add_metric([m.spec.name], max(0.0, m.ready_at - m.started_at))
        yield from (state, restarts, ready)

    def _gpu_metrics(self, telemetry: Telemetry) -> Iterator[Metric]:
        sample = telemetry.sample()
        labels = ["gpu", "name"]
        families = {
            "memory_used_bytes": GaugeMetricFamily("trinity_gpu_memory_used_bytes",
                                                   "GPU memory in use.", labels=labels),
            "memory_total_bytes": GaugeMetricFamily("trinity_gpu_memory_total_bytes",
                                                    "GPU memory in all.", labels=labels),
            "utilization_pct": GaugeMetricFamily("trinity_gpu_utilization_percent", "Share of "
                                                 "the last sample period a kernel ran.", labels=labels),
            "power_w": GaugeMetricFamily("trinity_gpu_power_watts", "Power draw.", labels=labels),
            "temperature_c": GaugeMetricFamily("trinity_gpu_temperature_celsius",
                                               "GPU temperature.", labels=labels),
        }  # fmt: skip
        for gpu in sample.gpus:
            for field, family in families.items():
                family.add_metric([str(gpu.index), gpu.name], float(getattr(gpu, field)))
        host = GaugeMetricFamily("trinity_host_memory_used_bytes", "Host memory in use.")
        host.add_metric([], sample.system_memory_used_bytes)
        yield from (*families.values(), host)


async def serve_metrics(listen: str, metrics: AgentMetrics) -> asyncio.Server:
    """GET /metrics on `listen` (host:port); anything else is 404. Returns the server."""
    host, _, port = listen.rpartition(":")

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError,
                                 asyncio.LimitOverrunError, TimeoutError):  # fmt: skip
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=10)
            method, path, *_ = [*head.split(b"\r\n", 1)[0].split(b" "), b"", b""]
            if method in (b"GET", b"HEAD") and path.split(b"?")[0] == b"/metrics":
                body = metrics.exposition()
                writer.write(_response(b"200 OK", CONTENT_TYPE, body, method == b"HEAD"))
            else:
                writer.write(_response(b"404 Not Found", "text/plain", b"try /metrics\n"))
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, host.strip("[]") or None, int(port),
                                        limit=_REQUEST_LIMIT)  # fmt: skip
    log.info("metrics listening address=%s", listen)
    return server


def _response(status: bytes, kind: str, body: bytes, head_only: bool = False) -> bytes:
    head = (b"HTTP/1.1 " + status + b"\r\nContent-Type: " + kind.encode()
            + b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n")  # fmt: skip
    return head + (b"" if head_only else body)
