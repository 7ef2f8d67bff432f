"""Throughput profiling: a closed-loop load generator that runs next to the model server.

Method. Warm-up requests (concurrency 1) are sent first and discarded. Each level of
concurrency c then runs c workers; a worker sends its next request when its previous
one ends. Every request is a streamed chat completion (`stream_options.include_usage`,
`max_tokens` = output_tokens, `ignore_eos`, temperature 0) whose prompt starts with a
unique random nonce, then filler words (~1 token each) up to about prompt_tokens, so no
prefix cache can serve it; cached prompt tokens are still recorded when the server
reports them (`usage.prompt_tokens_details.cached_tokens`, llama.cpp `timings.cache_n`).

Per request (times in ms; definitions as `vllm bench serve`):
- due: when it should have been sent (the level start for a worker's first request, the
  end of its previous one after that); queue = send − due (client-side delay);
- TTFT = first chunk carrying content, reasoning or a tool call − send (a role-only
  chunk is not a token);
- ITL = gaps between successive content-bearing chunks;
- E2EL = end of stream − send; E2EL_from_due = end − due;
- TPOT = (E2EL − TTFT) / (completion_tokens − 1);
- decode tok/s = (completion_tokens − 1) / (last − first content-bearing chunk).
Token counts come from the server's usage, never from chunk counts (speculative
decoding / MTP put several tokens in one chunk) — except from a server that sends no
usage at all (llama-cpp-python's), where chunks are counted and the level says
tokens_from_usage = false; tokens_per_chunk is the mean over the
level of completion_tokens / content chunks, and above 1 shows such batching.

Per level: p50/p90/p99 and mean over completed requests (ITL pooled over all gaps);
wall = first send → last end; output tok/s = Σ completion tokens / wall; request/s =
completed / wall. Failed requests (HTTP error, timeout, no finish_reason, no usage) are
counted with their message, never in the figures. A level is invalid when a client
process used more than 70 % of one core (its CPU time / wall), a request failed, or a
request generated other than output_tokens.

Load processes: one Python process streaming costs 120-180 µs of CPU per token when
tokens arrive one per read (httpx over asyncio; benchmarks/loadgen_cpu.py), so a single
process passes 70 % somewhere around 4,000-6,000 tok/s. A level's streams are therefore shared out over helper processes
(`python -m trinity.agent.loadgen --shard`, each its own event loop and connections):
LoadSpec.processes of them, or by default one per 16 streams, at most a quarter of the
machine's cores (the server needs the rest). Each runs a closed loop over its share of
the streams and requests and sends back its raw timelines and CPU seconds; figures are
computed over the union, and the client CPU is that of the busiest process (the parent
included). Timelines are comparable across processes because time.perf_counter is the
system-wide CLOCK_MONOTONIC on Linux (a unit test holds it to that).

Server check: /metrics scraped before and after each level (absent → None); after, again
every 0.1 s (at most 3 s) until the generated-token counter has caught up with the usage
(servers may count a request just after its last token). Generated
tokens: delta of `vllm:generation_tokens_total` or `llamacpp:tokens_predicted_total`
against the usage sum; vLLM TTFT and ITL means from histogram sum/count deltas
(`inter_token_latency_seconds`, older `time_per_output_token_seconds`), server decode
tok/s = 1000 / ITL mean; llama.cpp decode tok/s = mean of each response's
`timings.predicted_per_second` (its /metrics tok/s gauges reset per scrape: unused).
Relative differences are (server − ours) / ours.

GPU (NVML, every 0.25 s): memory used and power summed over the selected GPUs (max and
mean over samples), utilisation mean, lowest SM clock, energy = Δ total energy (J) and
J per output token. Throttled = any sample with a clock-event reason other than GPU idle
(0x1), applications clocks setting (0x2) or display clock setting (0x100); so SW power
cap, HW slowdown, sync boost, SW/HW thermal and power brake all count. No NVML → None.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import itertools
import json
import logging
import math
import os
import secrets
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx
from trinity.agent.backends import scrape_metrics
from trinity.agent.telemetry import load_nvml

log = logging.getLogger(__name__)

MAX_CPU_PERCENT = 70.0
MAX_ERRORS_KEPT = 5
GPU_INTERVAL_S = 0.25
EXCERPT_CHARS = 200
FILLER = (
    "the of and to in is it that for on was with as at be this have from or one had by "
    "but not what all were we when your can said there use an each which she do how "
    "their if will up other about out many then them these so some her would make like"
).split()

# NVML clock-event (throttle) reason bits; stable values from nvml.h.
CLOCK_REASONS = {
    0x1: "gpu_idle",
    0x2: "applications_clocks_setting",
    0x4: "sw_power_cap",
    0x8: "hw_slowdown",
    0x10: "sync_boost",
    0x20: "sw_thermal_slowdown",
    0x40: "hw_thermal_slowdown",
    0x80: "hw_power_brake_slowdown",
    0x100: "display_clock_setting",
}
BENIGN_REASONS = 0x1 | 0x2 | 0x100


@dataclass(frozen=True)
class LoadSpec:
    """What to measure: one server, a list of concurrency levels, request shape."""

    base_url: str  # e.g. "http://127.0.0.1:8080" (no /v1)
    model: str  # served model name
    concurrency: tuple[int, ...]  # levels, e.g. (1, 4, 16, 64)
    prompt_tokens: int = 256
    output_tokens: int = 128
    requests_per_level: int = 0  # 0 = max(8, 4 * concurrency) for that level
    warmup_requests: int = 2  # once, before the first level, at concurrency 1
    timeout_s: float = 600.0
    gpu_indices: tuple[int, ...] = ()  # NVML indices; () = all GPUs NVML sees
    processes: int = 0  # load processes per level; 0 = auto (see processes_for)

    def requests_at(self, concurrency: int) -> int:
        return self.requests_per_level or max(8, 4 * concurrency)


@dataclass(frozen=True)
class Percentiles:
    """Mean and percentiles of one latency (ms); None where nothing was measured."""

    mean: float | None = None
    p50: float | None = None
    p90: float | None = None
    p99: float | None = None


@dataclass(frozen=True)
class ServerCheck:
    """The server's own counters over a level next to ours; None when unknown."""

    generation_tokens: int | None = None  # /metrics delta
    usage_tokens: int | None = None  # Σ usage.completion_tokens of completed requests
    tokens_diff: float | None = None  # (generation − usage) / usage
    ttft_mean_ms: float | None = None  # vLLM histogram
    itl_mean_ms: float | None = None  # vLLM histogram
    decode_tok_s: float | None = None  # llama.cpp timings mean; vLLM 1000 / ITL mean
    decode_diff: float | None = None  # (server − ours) / ours


@dataclass(frozen=True)
class GpuUsage:
    """NVML over a level, summed over the selected GPUs; all None without NVML."""

    memory_used_max_bytes: int | None = None
    util_mean: float | None = None
    power_mean_w: float | None = None
    sm_clock_min_mhz: int | None = None
    energy_j: float | None = None
    j_per_token: float | None = None
    throttled: bool | None = None
    reasons: tuple[str, ...] | None = None


@dataclass(frozen=True)
class LevelResult:
    """Every metric of one concurrency level (see the module doc for definitions)."""

    concurrency: int
    requests: int
    failed: int
    errors: tuple[str, ...]
    wall_s: float
    output_tok_s: float
    request_s: float
    completion_tokens: int
    prompt_tokens: int
    cached_prompt_tokens: int | None
    chunks: int
    tokens_per_chunk: float
    ttft_ms: Percentiles
    tpot_ms: Percentiles
    itl_ms: Percentiles
    e2el_ms: Percentiles
    e2el_from_due_ms: Percentiles
    queue_ms: Percentiles
    decode_tok_s: float
    client_cpu_percent: float
    valid: bool
    invalid_reasons: tuple[str, ...]
    server: ServerCheck
    gpu: GpuUsage
    tokens_from_usage: bool = True  # False: some counts are chunk counts (no usage given)
    client_processes: int = 1  # processes that carried the load

    @property
    def multi_token_chunks(self) -> bool:
        """Chunks carried several tokens (speculative decoding / MTP)."""
        return self.tokens_per_chunk > 1.0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (tuples become lists)."""
        out = json.loads(json.dumps(asdict(self)))
        out["multi_token_chunks"] = self.multi_token_chunks
        return out  # type: ignore[no-any-return]


# --------------------------------------------------------------------- one request


@dataclass
class Timeline:
    """What the client saw of one request (perf_counter seconds)."""

    due: float
    sent: float = 0.0
    end: float = 0.0
    chunk_times: list[float] = field(default_factory=list)  # content-bearing chunks
    usage: dict[str, Any] | None = None
    timings: dict[str, Any] | None = None  # llama.cpp
    finish_reason: str = ""
    error: str = ""


@dataclass(frozen=True)
class RequestMetrics:
    """One completed request, measured."""

    ttft_ms: float
    tpot_ms: float | None
    itl_ms: tuple[float, ...]
    e2el_ms: float
    e2el_from_due_ms: float
    queue_ms: float
    decode_tok_s: float | None
    completion_tokens: int
    prompt_tokens: int
    cached_tokens: int | None
    chunks: int
    server_decode_tok_s: float | None
    tokens_from_usage: bool = True


class RequestFailed(Exception):
    """A request that produced no usable measurement; the message says why."""


def make_prompt(prompt_tokens: int, nonce: str | None = None) -> str:
    """A unique nonce first (defeats prefix caching), then filler to ~prompt_tokens."""
    nonce = nonce or secrets.token_hex(8)
    words = [FILLER[i % len(FILLER)] for i in range(max(prompt_tokens - 1, 0))]
    return " ".join([nonce, *words])


def request_body(spec: LoadSpec, prompt: str) -> dict[str, Any]:
    return {
        "model": spec.model,
        "messages": [{"role": "user", "content": prompt}],
        "stream": True,
        "stream_options": {"include_usage": True},
        "max_tokens": spec.output_tokens,
        "ignore_eos": True,
        "temperature": 0,
    }


def is_token_chunk(chunk: dict[str, Any]) -> bool:
    """True when the chunk carries content, reasoning or a tool call (not role-only)."""
    choices = chunk.get("choices") or []
    delta = (choices[0].get("delta") or {}) if choices else {}
    return bool(
        delta.get("content")
        or delta.get("reasoning_content")
        or delta.get("reasoning")
        or delta.get("tool_calls")
    )


def take_chunk(timeline: Timeline, chunk: dict[str, Any], now: float) -> None:
    """Fold one parsed stream chunk, received at `now`, into the timeline."""
    if "error" in chunk:
        raise RequestFailed(f"server error mid-stream: {_excerpt(chunk['error'])}")
    if chunk.get("usage"):
        timeline.usage = chunk["usage"]
    if chunk.get("timings"):
        timeline.timings = chunk["timings"]
    choices = chunk.get("choices") or []
    if choices and choices[0].get("finish_reason"):
        timeline.finish_reason = str(choices[0]["finish_reason"])
    if is_token_chunk(chunk):
        timeline.chunk_times.append(now)


def measure(t: Timeline) -> RequestMetrics:
    """The figures of one finished timeline; RequestFailed when it has none."""
    if t.error:
        raise RequestFailed(t.error)
    if not t.finish_reason:
        raise RequestFailed(
            f"stream ended without a finish_reason after {len(t.chunk_times)} chunks"
        )
    usage = t.usage or {}
    if not t.chunk_times:
        raise RequestFailed("stream carried no content, reasoning or tool call")
    # A server that ignores include_usage (llama-cpp-python's) leaves only the chunks to
    # count; the level says so (tokens_from_usage false), since chunks may hold several.
    from_usage = "completion_tokens" in usage
    tokens = int(usage["completion_tokens"]) if from_usage else len(t.chunk_times)
    first, last = t.chunk_times[0], t.chunk_times[-1]
    ttft = first - t.sent
    e2el = t.end - t.sent
    return RequestMetrics(
        ttft_ms=ttft * 1000,
        tpot_ms=(e2el - ttft) / (tokens - 1) * 1000 if tokens > 1 else None,
        itl_ms=tuple((b - a) * 1000 for a, b in itertools.pairwise(t.chunk_times)),
        e2el_ms=e2el * 1000,
        e2el_from_due_ms=(t.end - t.due) * 1000,
        queue_ms=(t.sent - t.due) * 1000,
        decode_tok_s=(tokens - 1) / (last - first) if tokens > 1 and last > first else None,
        completion_tokens=tokens,
        prompt_tokens=int(usage.get("prompt_tokens") or 0),
        cached_tokens=_cached_tokens(usage, t.timings),
        chunks=len(t.chunk_times),
        server_decode_tok_s=_number((t.timings or {}).get("predicted_per_second")),
        tokens_from_usage=from_usage,
    )


def _cached_tokens(usage: dict[str, Any], timings: dict[str, Any] | None) -> int | None:
    details = usage.get("prompt_tokens_details") or {}
    if details.get("cached_tokens") is not None:
        return int(details["cached_tokens"])
    if timings and timings.get("cache_n") is not None:
        return int(timings["cache_n"])
    return None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


async def send_one(
    client: httpx.AsyncClient,
    spec: LoadSpec,
    due: float,
    clock: Callable[[], float] = time.perf_counter,
) -> Timeline:
    """Stream one request; failures end up in `timeline.error`, never raised."""
    timeline = Timeline(due=due)
    body = request_body(spec, make_prompt(spec.prompt_tokens))
    url = f"{spec.base_url}/v1/chat/completions"
    timeline.sent = clock()
    try:
        async with asyncio.timeout(spec.timeout_s):
            async for chunk in stream_chunks(client, url, body):
                take_chunk(timeline, chunk, clock())
    except TimeoutError:
        timeline.error = f"timed out after {spec.timeout_s:g}s"
    except RequestFailed as exc:
        timeline.error = str(exc)
    except httpx.HTTPError as exc:
        timeline.error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    timeline.end = clock()
    return timeline


async def stream_chunks(
    client: httpx.AsyncClient, url: str, body: dict[str, Any]
) -> AsyncIterator[dict[str, Any]]:
    """Parsed SSE `data:` payloads until [DONE] or the end of the stream."""
    async with client.stream("POST", url, json=body) as response:
        if response.status_code >= 400:
            text = (await response.aread()).decode(errors="replace")
            raise RequestFailed(f"HTTP {response.status_code}: {_excerpt(text)}")
        async for line in response.aiter_lines():
            if not line.startswith("data:"):
                continue
            data = line[5:].strip()
            if data == "[DONE]":
                return
            try:
                chunk = json.loads(data)
            except json.JSONDecodeError:
                raise RequestFailed(f"stream chunk is not JSON: {_excerpt(data)}") from None
            if not isinstance(chunk, dict):
                raise RequestFailed("stream chunk is not a JSON object")
            yield chunk


def _excerpt(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS] + "…"


# --------------------------------------------------------------------- a level


Send = Callable[[float], Awaitable[Timeline]]  # due → the finished timeline


async def closed_loop(
    requests: int, concurrency: int, send: Send, clock: Callable[[], float] = time.perf_counter
) -> list[Timeline]:
    """`concurrency` workers share `requests`; each sends when its previous one ended."""
    remaining = requests
    done: list[Timeline] = []
    start = clock()

    async def worker() -> None:
        nonlocal remaining
        due = start
        while remaining > 0:
            remaining -= 1
            timeline = await send(due)
            done.append(timeline)
            due = timeline.end

    async with asyncio.TaskGroup() as group:
        for _ in range(min(concurrency, requests)):
            group.create_task(worker())
    return done


def percentiles(values: Sequence[float]) -> Percentiles:
    """Mean, p50, p90, p99 with linear interpolation between ranks (numpy's default)."""
    if not values:
        return Percentiles()
    ordered = sorted(values)
    return Percentiles(
        mean=sum(ordered) / len(ordered),
        p50=_rank(ordered, 50),
        p90=_rank(ordered, 90),
        p99=_rank(ordered, 99),
    )


def _rank(ordered: list[float], q: float) -> float:
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class LevelInputs:
    """Everything measured around one level, before it is reduced to a LevelResult."""

    concurrency: int
    output_tokens: int
    timelines: tuple[Timeline, ...]
    cpu_s: tuple[float, ...]  # CPU seconds of each client process over the level
    metrics_before: dict[str, float]
    metrics_after: dict[str, float]
    gpu: GpuReadings | None
    load_processes: int = 1  # processes that sent the requests


def summarize(inputs: LevelInputs) -> LevelResult:
    """Reduce one level's timelines and counters to its figures."""
    measured, errors = _measure_all(inputs.timelines)
    timelines = inputs.timelines
    wall = max(t.end for t in timelines) - min(t.sent for t in timelines) if timelines else 0.0
    tokens = sum(m.completion_tokens for m in measured)
    cpu_percent = max(inputs.cpu_s, default=0.0) / wall * 100 if wall > 0 else 0.0
    decodes = [m.decode_tok_s for m in measured if m.decode_tok_s is not None]
    decode = sum(decodes) / len(decodes) if decodes else 0.0
    cached = [m.cached_tokens for m in measured if m.cached_tokens is not None]
    ratios = [m.completion_tokens / m.chunks for m in measured]
    reasons = _invalid_reasons(inputs, measured, errors, cpu_percent)
    return LevelResult(
        concurrency=inputs.concurrency,
        requests=len(timelines),
        failed=len(errors),
        errors=tuple(errors[:MAX_ERRORS_KEPT]),
        wall_s=wall,
        output_tok_s=tokens / wall if wall > 0 else 0.0,
        request_s=len(measured) / wall if wall > 0 else 0.0,
        completion_tokens=tokens,
        prompt_tokens=sum(m.prompt_tokens for m in measured),
        cached_prompt_tokens=sum(cached) if cached else None,
        chunks=sum(m.chunks for m in measured),
        tokens_per_chunk=round(sum(ratios) / len(ratios), 2) if ratios else 0.0,
        ttft_ms=percentiles([m.ttft_ms for m in measured]),
        tpot_ms=percentiles([m.tpot_ms for m in measured if m.tpot_ms is not None]),
        itl_ms=percentiles([gap for m in measured for gap in m.itl_ms]),
        e2el_ms=percentiles([m.e2el_ms for m in measured]),
        e2el_from_due_ms=percentiles([m.e2el_from_due_ms for m in measured]),
        queue_ms=percentiles([m.queue_ms for m in measured]),
        decode_tok_s=decode,
        client_cpu_percent=cpu_percent,
        valid=not reasons,
        invalid_reasons=reasons,
        server=server_check(inputs.metrics_before, inputs.metrics_after, measured, decode),
        gpu=gpu_usage(inputs.gpu, tokens),
        tokens_from_usage=all(m.tokens_from_usage for m in measured),
        client_processes=inputs.load_processes,
    )


def _measure_all(timelines: Sequence[Timeline]) -> tuple[list[RequestMetrics], list[str]]:
    """(figures of the completed requests, messages of the failed ones)."""
    measured: list[RequestMetrics] = []
    errors: list[str] = []
    for timeline in timelines:
        try:
            measured.append(measure(timeline))
        except RequestFailed as exc:
            errors.append(str(exc))
    return measured, errors


def _invalid_reasons(
    inputs: LevelInputs, measured: list[RequestMetrics], errors: list[str], cpu_percent: float
) -> tuple[str, ...]:
    reasons = []
    if cpu_percent > MAX_CPU_PERCENT:
        reasons.append(
            f"client CPU {cpu_percent:.0f}% of one core > {MAX_CPU_PERCENT:.0f}%: "
            "the load generator, not the server, may be the bottleneck"
        )
    if errors:
        reasons.append(f"{len(errors)} of {len(inputs.timelines)} requests failed")
    short = sum(1 for m in measured if m.completion_tokens != inputs.output_tokens)
    if short:
        reasons.append(
            f"{short} requests generated other than {inputs.output_tokens} tokens "
            "(ignore_eos not honoured?)"
        )
    return tuple(reasons)


# --------------------------------------------------------------------- server counters


def counter_delta(before: dict[str, float], after: dict[str, float], name: str) -> float | None:
    """after − before of a counter (summed over label sets); None when either lacks it."""
    if name not in before or name not in after:
        return None
    return after[name] - before[name]


def _histogram_mean_ms(
    before: dict[str, float], after: dict[str, float], *names: str
) -> float | None:
    """Mean of the first histogram (of `names`) the server has, from sum/count deltas."""
    for name in names:
        total = counter_delta(before, after, f"{name}_sum")
        count = counter_delta(before, after, f"{name}_count")
        if total is not None and count:
            return total / count * 1000
    return None


def _relative(server: float | None, ours: float | None) -> float | None:
    return (server - ours) / ours if server is not None and ours else None


def server_check(
    before: dict[str, float],
    after: dict[str, float],
    measured: Sequence[RequestMetrics],
    our_decode_tok_s: float,
) -> ServerCheck:
    """The server's counters over the level, next to what the client measured."""
    generated = generated_delta(before, after)
    usage = sum(m.completion_tokens for m in measured)
    itl = _histogram_mean_ms(
        before,
        after,
        "vllm:inter_token_latency_seconds",
        "vllm:time_per_output_token_seconds",
    )
    timed = [m.server_decode_tok_s for m in measured if m.server_decode_tok_s is not None]
    if timed:
        decode: float | None = sum(timed) / len(timed)
    else:
        decode = 1000 / itl if itl else None
    return ServerCheck(
        generation_tokens=round(generated) if generated is not None else None,
        usage_tokens=usage,
        tokens_diff=_relative(generated, usage),
        ttft_mean_ms=_histogram_mean_ms(before, after, "vllm:time_to_first_token_seconds"),
        itl_mean_ms=itl,
        decode_tok_s=decode,
        decode_diff=_relative(decode, our_decode_tok_s),
    )


# --------------------------------------------------------------------- GPU


@dataclass(frozen=True)
class GpuSample:
    """One reading summed over the selected GPUs (None where NVML refused a field)."""

    memory_used_bytes: int | None
    util_mean: float | None
    power_w: float | None
    sm_clock_min_mhz: int | None
    reasons: int | None  # OR of the GPUs' clock-event reason bits


@dataclass(frozen=True)
class GpuReadings:
    samples: tuple[GpuSample, ...]
    energy_mj: float | None  # Σ over GPUs of end − start


class GpuSampler:
    """Samples the selected GPUs through NVML (`nvml` is injectable; None = no GPU)."""

    def __init__(
        self, nvml: Any, indices: tuple[int, ...] = (), interval_s: float = GPU_INTERVAL_S
    ) -> None:
        self._nv = nvml
        self._interval = interval_s
        self._handles: list[Any] = []
        if nvml is not None:
            chosen = indices or tuple(range(nvml.nvmlDeviceGetCount()))
            self._handles = [nvml.nvmlDeviceGetHandleByIndex(i) for i in chosen]

    @contextlib.asynccontextmanager
    async def level(self) -> AsyncIterator[list[GpuReadings]]:
        """Sample while the block runs; the readings land in the yielded list."""
        out: list[GpuReadings] = []
        if not self._handles:
            yield out
            return
        loop = asyncio.get_running_loop()
        samples: list[GpuSample] = []
        energy_start = await loop.run_in_executor(None, self._energy)
        task = asyncio.create_task(self._poll(samples))
        try:
            yield out
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            samples.append(await loop.run_in_executor(None, self.sample))
            energy_end = await loop.run_in_executor(None, self._energy)
            energy = (
                energy_end - energy_start
                if energy_start is not None and energy_end is not None
                else None
            )
            out.append(GpuReadings(tuple(samples), energy))

    async def _poll(self, samples: list[GpuSample]) -> None:
        loop = asyncio.get_running_loop()
        while True:
            samples.append(await loop.run_in_executor(None, self.sample))
            await asyncio.sleep(self._interval)

    def sample(self) -> GpuSample:
        """One blocking NVML reading of every selected GPU."""
        nv = self._nv
        sm = getattr(nv, "NVML_CLOCK_SM", 1)
        memory = self._each(lambda h: nv.nvmlDeviceGetMemoryInfo(h).used)
        power_mw = _sum_or_none(self._each(nv.nvmlDeviceGetPowerUsage))
        clocks = [
            c for c in self._each(lambda h: nv.nvmlDeviceGetClockInfo(h, sm)) if c is not None
        ]
        return GpuSample(
            memory_used_bytes=_sum_or_none(memory),
            util_mean=_mean_or_none(self._each(lambda h: nv.nvmlDeviceGetUtilizationRates(h).gpu)),
            power_w=power_mw / 1000 if power_mw is not None else None,
            sm_clock_min_mhz=int(min(clocks)) if clocks else None,
            reasons=_or_bits(self._each(self._reason_bits)),
        )

    def _each(self, fn: Callable[[Any], Any]) -> list[Any]:
        """fn(handle) for every selected GPU; None where NVML refuses (unsupported field)."""
        values = []
        for handle in self._handles:
            try:
                values.append(fn(handle))
            except Exception as exc:  # NVMLError and driver oddities alike
                log.debug("nvml field unavailable reason=%r", str(exc))
                values.append(None)
        return values

    def _reason_bits(self, handle: Any) -> int:
        read = getattr(self._nv, "nvmlDeviceGetCurrentClocksEventReasons", None)
        if read is None:
            read = self._nv.nvmlDeviceGetCurrentClocksThrottleReasons
        return int(read(handle))

    def _energy(self) -> float | None:
        """Σ total energy (mJ) of the selected GPUs; None when any GPU cannot say."""
        readings = self._each(self._nv.nvmlDeviceGetTotalEnergyConsumption)
        return float(sum(readings)) if readings and None not in readings else None


def _sum_or_none(values: list[Any]) -> Any:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def _mean_or_none(values: list[Any]) -> float | None:
    known = [float(v) for v in values if v is not None]
    return sum(known) / len(known) if known else None


def _or_bits(values: list[int | None]) -> int | None:
    known = [v for v in values if v is not None]
    bits = 0
    for value in known:
        bits |= value
    return bits if known else None


def reason_names(bits: int) -> tuple[str, ...]:
    """The names of the set clock-event reason bits (unknown bits as hex)."""
    names = [name for bit, name in CLOCK_REASONS.items() if bits & bit]
    unknown = bits & ~sum(CLOCK_REASONS)
    if unknown:
        names.append(hex(unknown))
    return tuple(names)


def gpu_usage(readings: GpuReadings | None, output_tokens: int) -> GpuUsage:
    """Reduce one level's samples; all None when there was no NVML."""
    if readings is None or not readings.samples:
        return GpuUsage()
    samples = readings.samples
    memory = [s.memory_used_bytes for s in samples if s.memory_used_bytes is not None]
    clocks = [s.sm_clock_min_mhz for s in samples if s.sm_clock_min_mhz is not None]
    bits = _or_bits([s.reasons for s in samples])
    energy_j = readings.energy_mj / 1000 if readings.energy_mj is not None else None
    return GpuUsage(
        memory_used_max_bytes=int(max(memory)) if memory else None,
        util_mean=_mean_or_none([s.util_mean for s in samples]),
        power_mean_w=_mean_or_none([s.power_w for s in samples]),
        sm_clock_min_mhz=int(min(clocks)) if clocks else None,
        energy_j=energy_j,
        j_per_token=energy_j / output_tokens if energy_j is not None and output_tokens else None,
        throttled=bool(bits & ~BENIGN_REASONS) if bits is not None else None,
        reasons=reason_names(bits) if bits is not None else None,
    )


# --------------------------------------------------------------------- the profile

_LOAD_NVML = object()  # the default: load_nvml() here, shut down at the end


async def run_level(
    spec: LoadSpec,
    concurrency: int,
    client: httpx.AsyncClient,
    gpus: GpuSampler,
    *,
    pool: LoadPool | None = None,
    process_time: Callable[[], float] = time.process_time,
) -> LevelResult:
    """One concurrency level: scrape, load (with GPU sampling), scrape, summarize. The
    load runs here, or over the pool's processes when processes_for says more than one."""
    requests = spec.requests_at(concurrency)
    processes = processes_for(spec, min(concurrency, requests)) if pool is not None else 1
    if pool is not None and processes > 1:
        await pool.ready(processes)  # started outside the measured level
    before = await scrape_metrics(client, spec.base_url)
    async with gpus.level() as gpu:
        cpu_start = process_time()
        if pool is not None and processes > 1:
            timelines, shard_cpu = await pool.run(concurrency, requests, processes)
        else:
            timelines = await closed_loop(
                requests, concurrency, lambda due: send_one(client, spec, due)
            )
            shard_cpu = []
        cpu_s = (process_time() - cpu_start, *shard_cpu)
    usage = sum(int((t.usage or {}).get("completion_tokens") or 0) for t in timelines)
    after = await scrape_settled(client, spec.base_url, before, usage)
    return summarize(
        LevelInputs(
            concurrency=concurrency,
            output_tokens=spec.output_tokens,
            timelines=tuple(timelines),
            cpu_s=cpu_s,
            metrics_before=before,
            metrics_after=after,
            gpu=gpu[0] if gpu else None,
            load_processes=len(shard_cpu) or 1,
        )
    )


SETTLE_LIMIT_S = 3.0
SETTLE_POLL_S = 0.1


async def scrape_settled(
    client: httpx.AsyncClient,
    base_url: str,
    before: dict[str, float],
    expected: int,
    limit_s: float = SETTLE_LIMIT_S,
) -> dict[str, float]:
    """/metrics after a level, scraped again (every 0.1 s, at most limit_s) until the
    generated-token counter has counted the `expected` tokens the usage reported: a
    server may record a request's stats just after streaming its last token, and an
    early scrape would show a difference that is not there. A real shortfall stays."""
    deadline = time.monotonic() + limit_s
    while True:
        after = await scrape_metrics(client, base_url)
        counted = generated_delta(before, after)
        if counted is None or counted >= expected or time.monotonic() >= deadline:
            return after
        await asyncio.sleep(SETTLE_POLL_S)


def generated_delta(before: dict[str, float], after: dict[str, float]) -> float | None:
    """Tokens the server says it generated between two scrapes (vLLM or llama.cpp)."""
    generated = counter_delta(before, after, "vllm:generation_tokens_total")
    if generated is None:
        generated = counter_delta(before, after, "llamacpp:tokens_predicted_total")
    return generated


# --------------------------------------------------------------------- load processes

STREAMS_PER_PROCESS = 16
SHARD_LINE_LIMIT = 64 * 2**20  # one request's timeline as a JSON line (~20 bytes a token)
SHARD_READY_S = 60.0  # a load process starts (imports) within this
STDERR_KEPT = 4096


def usable_cpus() -> int:
    """CPUs this process may run on (affinity and cpusets respected), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def processes_for(spec: LoadSpec, streams: int, cpus: int | None = None) -> int:
    """Processes that carry a level of `streams` concurrent requests: spec.processes (at
    most one per stream), else one per STREAMS_PER_PROCESS streams, at most a quarter of
    the cores (the server needs the rest), at least one."""
    if spec.processes:
        return max(1, min(spec.processes, streams))
    cpus = cpus if cpus is not None else usable_cpus()
    return max(1, min(math.ceil(streams / STREAMS_PER_PROCESS), cpus // 4))


def share(total: int, weights: Sequence[int]) -> list[int]:
    """`total` split in proportion to `weights` (largest remainders first); sums to total."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    parts = [math.floor(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: parts[i] - exact[i])
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


@dataclass
class _Helper:
    process: asyncio.subprocess.Process
    stderr: bytearray = field(default_factory=bytearray)
    drain: asyncio.Task[None] | None = None

    def last_error(self) -> str:
        lines = self.stderr.decode(errors="replace").strip().splitlines()
        return lines[-1] if lines else ""


class LoadPool:
    """Helper processes that each run part of a level's closed loop.

    Each is `python -m trinity.agent.loadgen --shard`: the spec as its first stdin line,
    then "ready" back once its client is up; per level, one order line
    {"concurrency", "requests"} in, one line per request's timeline and a last line
    {"cpu_s"} out. Started (and ready) before the level they serve is measured, reused
    across levels, killed on close. A helper also dies with its parent
    (PR_SET_PDEATHSIG) and when its stdin closes, mid-level too: no load outlives the
    profile."""

    def __init__(self, spec: LoadSpec) -> None:
        self._spec = spec
        self._helpers: list[_Helper] = []

    @property
    def pids(self) -> list[int]:
        return [h.process.pid for h in self._helpers]

    async def ready(self, processes: int) -> None:
        """At least `processes` helpers started and ready for an order."""
        while len(self._helpers) < processes:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "trinity.agent.loadgen", "--shard",
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE, limit=SHARD_LINE_LIMIT,
            )  # fmt: skip
            helper = _Helper(process)
            helper.drain = asyncio.ensure_future(self._keep_stderr(helper))
            self._helpers.append(helper)
            assert process.stdin is not None and process.stdout is not None
            process.stdin.write(json.dumps(asdict(self._spec)).encode() + b"\n")
            await process.stdin.drain()
            index = len(self._helpers)
            try:
                line = await asyncio.wait_for(process.stdout.readline(), SHARD_READY_S)
            except TimeoutError:
                line = b""
            if line.strip() != b'"ready"':
                await self._failed(index, helper, "at start")

    async def run(
        self, concurrency: int, requests: int, processes: int
    ) -> tuple[list[Timeline], list[float]]:
        """(every request's timeline, each process's CPU seconds) of one level."""
        await self.ready(processes)
        streams = share(min(concurrency, requests), [1] * processes)
        counts = share(requests, streams)
        helpers = self._helpers[:processes]
        for helper, c, r in zip(helpers, streams, counts, strict=True):
            assert helper.process.stdin is not None
            order = json.dumps({"concurrency": c, "requests": r}).encode() + b"\n"
            helper.process.stdin.write(order)
        waits = [asyncio.ensure_future(self._reply(i + 1, h)) for i, h in enumerate(helpers)]
        try:
            replies = await asyncio.gather(*waits)
        except BaseException:
            for wait in waits:  # one process failed (or we were cancelled): stop waiting
                wait.cancel()
            raise
        timelines = [t for got, _ in replies for t in got]
        return timelines, [cpu for _, cpu in replies]

    async def _reply(self, index: int, helper: _Helper) -> tuple[list[Timeline], float]:
        process = helper.process
        assert process.stdin is not None and process.stdout is not None
        with contextlib.suppress(ConnectionError):  # it died already: told below
            await process.stdin.drain()
        timelines: list[Timeline] = []
        while line := await process.stdout.readline():
            message = json.loads(line)
            if "cpu_s" in message:
                return timelines, float(message["cpu_s"])
            timelines.append(Timeline(**message["timeline"]))
        await self._failed(index, helper, "mid-level")
        raise AssertionError("unreachable")

    async def _failed(self, index: int, helper: _Helper, when: str) -> None:
        process = helper.process
        if process.returncode is None:
            process.kill()
        code = await process.wait()
        if helper.drain is not None:
            await asyncio.wait([helper.drain], timeout=1.0)
        why = helper.last_error()
        raise RuntimeError(
            f"load process {index} exited with code {code} {when}" + (f": {why}" if why else "")
        )

    @staticmethod
    async def _keep_stderr(helper: _Helper) -> None:
        """Its stderr, last STDERR_KEPT bytes (read all along, so the pipe never fills)."""
        stream = helper.process.stderr
        assert stream is not None
        while chunk := await stream.read(65536):
            helper.stderr += chunk
            del helper.stderr[:-STDERR_KEPT]

    async def close(self) -> None:
        for helper in self._helpers:
            if helper.process.returncode is None:
                helper.process.kill()
            await helper.process.wait()
            if helper.drain is not None:
                helper.drain.cancel()
        self._helpers.clear()


def _die_with_parent() -> None:
    """PR_SET_PDEATHSIG(SIGKILL) on Linux; exit at once if the parent is already gone."""
    parent = os.getppid()
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, 9, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


def shard_main() -> int:
    """A load process (see LoadPool): the spec, then one level per stdin line."""
    _die_with_parent()
    spec = spec_from_json(sys.stdin.readline())

    def send(message: Any) -> None:
        sys.stdout.write(json.dumps(message) + "\n")

    async def level(http: httpx.AsyncClient, order: dict[str, Any]) -> None:
        cpu_start = time.process_time()
        timelines = await closed_loop(
            order["requests"], order["concurrency"], lambda due: send_one(http, spec, due)
        )
        cpu_s = time.process_time() - cpu_start
        for timeline in timelines:
            send({"timeline": asdict(timeline)})
        send({"cpu_s": cpu_s})
        sys.stdout.flush()

    async def serve() -> None:
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader(limit=SHARD_LINE_LIMIT)
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        async with _client(spec, None) as http:
            send("ready")
            sys.stdout.flush()
            while line := await reader.readline():
                # The order runs while stdin is watched: its end (the parent gone) stops
                # the level at once rather than after it.
                running = asyncio.ensure_future(level(http, json.loads(line)))
                closed = asyncio.ensure_future(reader.read(1))
                done, _ = await asyncio.wait({running, closed}, return_when="FIRST_COMPLETED")
                if running not in done:
                    running.cancel()
                    if closed.result():  # not the end of stdin: data mid-level
                        raise RuntimeError("an order arrived before the level ended")
                    return
                closed.cancel()
                running.result()

    with asyncio.Runner(loop_factory=_loop_factory(True)) as runner:
        runner.run(serve())
    return 0


async def profile(
    spec: LoadSpec,
    *,
    client: httpx.AsyncClient | None = None,
    nvml: Any = _LOAD_NVML,
    on_level: Callable[[LevelResult], Awaitable[None] | None] | None = None,
) -> list[LevelResult]:
    """Warm-up, then each level in order; on_level called as each finishes."""
    own_nvml = nvml is _LOAD_NVML
    nv = load_nvml() if own_nvml else nvml
    pool = LoadPool(spec)
    try:
        async with _client(spec, client) as http:
            gpus = GpuSampler(nv, spec.gpu_indices)
            before = await scrape_metrics(http, spec.base_url)
            used = await warm_up(spec, http)
            # The warm-up's tokens counted before the first level's own scrape.
            await scrape_settled(http, spec.base_url, before, used)
            results = []
            for concurrency in spec.concurrency:
                result = await run_level(spec, concurrency, http, gpus, pool=pool)
                log.info(
                    "profile level concurrency=%d output_tok_s=%.1f failed=%d valid=%s "
                    "processes=%d",
                    concurrency,
                    result.output_tok_s,
                    result.failed,
                    result.valid,
                    result.client_processes,
                )
                results.append(result)
                if on_level is not None:
                    maybe = on_level(result)
                    if inspect.isawaitable(maybe):
                        await maybe
            return results
    finally:
        await pool.close()
        if own_nvml and nv is not None:
            with contextlib.suppress(Exception):
                nv.nvmlShutdown()


async def warm_up(spec: LoadSpec, client: httpx.AsyncClient) -> int:
    """Send spec.warmup_requests one at a time and discard them; the tokens they used."""
    used = 0
    for _ in range(spec.warmup_requests):
        timeline = await send_one(client, spec, due=time.perf_counter())
        if timeline.error:
            log.warning("profile warm-up request failed reason=%r", timeline.error)
        used += int((timeline.usage or {}).get("completion_tokens") or 0)
    return used


@contextlib.asynccontextmanager
async def _client(
    spec: LoadSpec, client: httpx.AsyncClient | None
) -> AsyncIterator[httpx.AsyncClient]:
    if client is not None:
        yield client
        return
    # keepalive_expiry: an idle connection is dropped before the server's keep-alive
    # timeout can close it under a request (llama-server does after a few seconds).
    limits = httpx.Limits(
        max_connections=max(spec.concurrency, default=1) + 4, keepalive_expiry=1.0
    )
    async with httpx.AsyncClient(
        limits=limits, timeout=httpx.Timeout(spec.timeout_s), trust_env=False
    ) as http:
        yield http


def _loop_factory(use_uvloop: bool) -> Callable[[], asyncio.AbstractEventLoop] | None:
    if use_uvloop:
        try:
            import uvloop

            return uvloop.new_event_loop  # type: ignore[no-any-return]
        except ImportError:
            log.info("uvloop not installed, using asyncio's loop")
    return None


def run(spec: LoadSpec, *, use_uvloop: bool = True, **kwargs: Any) -> list[LevelResult]:
    """profile() on a fresh event loop, uvloop's when asked and installed (less client CPU)."""
    with asyncio.Runner(loop_factory=_loop_factory(use_uvloop)) as runner:
        return runner.run(profile(spec, **kwargs))


def spec_from_json(text: str) -> LoadSpec:
    raw = json.loads(text)
    raw["concurrency"] = tuple(raw["concurrency"])
    raw["gpu_indices"] = tuple(raw.get("gpu_indices", ()))
    return LoadSpec(**raw)


def main() -> int:
    """`python -m trinity.agent.loadgen`: a LoadSpec as JSON on stdin, one JSON line per
    level on stdout as each finishes. The agent runs the load in this child process, so
    the client's CPU is its own (and measured alone) and the agent keeps answering.
    With --shard: a load process of LoadPool."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    if sys.argv[1:] == ["--shard"]:
        return shard_main()
    spec = spec_from_json(sys.stdin.read())

    def emit(level: LevelResult) -> None:
        sys.stdout.write(json.dumps(level.as_dict()) + "\n")
        sys.stdout.flush()

    run(spec, on_level=emit)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
