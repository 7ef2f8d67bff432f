"""The throughput load generator: pure measurement on handcrafted chunk timelines, the
closed loop, Prometheus deltas, a fake NVML, and whole profiles against the fake OpenAI
server (tests/fakes/fake_openai.py) in both flavours."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from trinity.agent.backends import parse_prometheus
from trinity.agent.loadgen import (
    GpuReadings,
    GpuSampler,
    LevelInputs,
    LevelResult,
    LoadPool,
    LoadSpec,
    RequestMetrics,
    Timeline,
    closed_loop,
    gpu_usage,
    make_prompt,
    measure,
    percentiles,
    processes_for,
    profile,
    request_body,
    run,
    run_level,
    server_check,
    share,
    summarize,
    take_chunk,
)
from trinity.agent.spec import Endpoint

from tests.fakes.fake_supervisor import FakeServers

ROLE_ONLY = {"choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]}
FINAL = {"choices": [{"index": 0, "delta": {}, "finish_reason": "length"}]}


def content(text: str = "tok ") -> dict[str, Any]:
    return {"choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}]}


def usage_chunk(completion: int, prompt: int = 10, cached: int | None = None) -> dict[str, Any]:
    usage: dict[str, Any] = {"prompt_tokens": prompt, "completion_tokens": completion}
    if cached is not None:
        usage["prompt_tokens_details"] = {"cached_tokens": cached}
    return {"choices": [], "usage": usage}


def timeline(
    events: list[tuple[float, dict[str, Any]]], *, due: float = 0.0, sent: float = 0.0
) -> Timeline:
    """A finished timeline: each (time, chunk) folded in, ending at the last time."""
    t = Timeline(due=due, sent=sent)
    for now, chunk in events:
        take_chunk(t, chunk, now)
    t.end = events[-1][0]
    return t


def level_of(timelines: list[Timeline], *, output_tokens: int, cpu_s: float = 0.0) -> LevelResult:
    return summarize(
        LevelInputs(
            concurrency=1,
            output_tokens=output_tokens,
            timelines=tuple(timelines),
            cpu_s=(cpu_s,),
            metrics_before={},
            metrics_after={},
            gpu=None,
        )
    )


# ------------------------------------------------------------------ one request, pure


def test_ttft_skips_the_role_only_chunk() -> None:
    t = timeline(
        [
            (0.05, ROLE_ONLY),
            (0.2, content()),
            (0.3, content()),
            (0.3, FINAL),
            (0.31, usage_chunk(2)),
        ]
    )
    m = measure(t)
    assert m.ttft_ms == pytest.approx(200.0)
    assert m.chunks == 2


@pytest.mark.parametrize(
    "delta",
    [
        {"reasoning_content": "hm"},
        {"reasoning": "hm"},
        {"tool_calls": [{"index": 0, "function": {"name": "f"}}]},
    ],
)
def test_reasoning_or_a_tool_call_is_the_first_token(delta: dict[str, Any]) -> None:
    first = {"choices": [{"index": 0, "delta": delta}]}
    t = timeline([(0.05, ROLE_ONLY), (0.1, first), (0.4, content()), (0.4, FINAL)])
    t.usage = {"completion_tokens": 2}
    assert measure(t).ttft_ms == pytest.approx(100.0)


def test_tokens_come_from_usage_not_from_chunks() -> None:
    # 5 chunks of 2 tokens each (speculative decoding): usage says 10.
    events = [(0.1 * (i + 1), content("a b ")) for i in range(5)]
    t = timeline([*events, (0.5, FINAL), (0.5, usage_chunk(10))])
    level = level_of([t], output_tokens=10)
    assert (level.completion_tokens, level.chunks) == (10, 5)
    assert level.tokens_per_chunk == 2.0
    assert level.as_dict()["multi_token_chunks"] is True
    assert level.valid


def test_decode_tok_s_tpot_itl_and_e2el_follow_their_formulas() -> None:
    # 11 tokens; first content chunk at 1.0 s, last at 2.0 s; stream ends at 2.5 s.
    chunks = [(1.0 + 0.1 * i, content()) for i in range(11)]
    t = timeline([*chunks, (2.5, FINAL), (2.5, usage_chunk(11))], due=-0.5, sent=0.0)
    m = measure(t)
    assert m.decode_tok_s == pytest.approx(10 / 1.0)  # (tokens − 1) / (t_last − t_first)
    assert m.tpot_ms == pytest.approx((2500 - 1000) / 10)  # (e2el − ttft) / (tokens − 1)
    assert m.itl_ms == pytest.approx([100.0] * 10)
    assert m.e2el_ms == pytest.approx(2500.0)
    assert m.e2el_from_due_ms == pytest.approx(3000.0)
    assert m.queue_ms == pytest.approx(500.0)


def test_cached_tokens_from_usage_or_llama_timings_else_none() -> None:
    base = [(0.1, content()), (0.2, content()), (0.2, FINAL)]
    vllm = timeline([*base, (0.2, usage_chunk(2, cached=16))])
    llama = timeline([*base, (0.2, {"choices": [], "timings": {"cache_n": 7}})])
    llama.usage = {"completion_tokens": 2}
    bare = timeline([*base, (0.2, usage_chunk(2))])
    assert [measure(t).cached_tokens for t in (vllm, llama, bare)] == [16, 7, None]
    assert level_of([vllm, llama], output_tokens=2).cached_prompt_tokens == 23
    assert level_of([bare], output_tokens=2).cached_prompt_tokens is None


def test_failed_requests_are_counted_and_kept_out_of_the_figures() -> None:
    good = timeline([(0.1, content()), (0.2, content()), (0.2, FINAL), (0.2, usage_chunk(2))])
    cut = timeline([(0.1, content()), (0.15, content())])  # no finish_reason
    empty = timeline([(0.2, FINAL), (0.2, usage_chunk(0))])
    errored = Timeline(due=0.0, sent=0.0, end=5.0, error="HTTP 500: boom")
    level = level_of([good, cut, empty, errored], output_tokens=2)
    assert (level.requests, level.failed) == (4, 3)
    assert any("finish_reason" in e for e in level.errors)
    assert any("no content" in e for e in level.errors)
    assert "HTTP 500: boom" in level.errors
    assert level.e2el_ms.p99 == pytest.approx(200.0)  # only the good one
    assert not level.valid
    assert any("3 of 4 requests failed" in r for r in level.invalid_reasons)
    assert level.tokens_from_usage


def test_a_server_without_usage_has_its_chunks_counted_and_says_so() -> None:
    # llama-cpp-python's server ignores stream_options.include_usage.
    no_usage = timeline([(0.1, content()), (0.2, content()), (0.3, content()), (0.3, FINAL)])
    level = level_of([no_usage], output_tokens=3)
    assert level.failed == 0 and level.completion_tokens == 3
    assert not level.tokens_from_usage and level.as_dict()["tokens_from_usage"] is False


def test_a_request_shorter_than_output_tokens_invalidates_the_level() -> None:
    t = timeline([(0.1, content()), (0.2, content()), (0.2, FINAL), (0.2, usage_chunk(2))])
    level = level_of([t], output_tokens=128)
    assert not level.valid
    assert "ignore_eos" in level.invalid_reasons[0]


def test_mid_stream_error_fails_the_request() -> None:
    t = Timeline(due=0.0)
    with pytest.raises(Exception, match="mid-stream"):
        take_chunk(t, {"error": {"message": "out of memory"}}, 0.1)


# ------------------------------------------------------------------ level figures, pure


def test_percentiles_interpolate_between_ranks_and_empty_is_none() -> None:
    p = percentiles([4.0, 1.0, 3.0, 2.0])
    assert (p.mean, p.p50, p.p90, p.p99) == pytest.approx((2.5, 2.5, 3.7, 3.97))
    one = percentiles([7.0])
    assert (one.mean, one.p50, one.p99) == (7.0, 7.0, 7.0)
    empty = percentiles([])
    assert (empty.mean, empty.p50, empty.p90, empty.p99) == (None, None, None, None)


def test_output_tok_s_and_request_s_over_first_send_to_last_end() -> None:
    a = timeline([(0.5, content()), (1.0, content()), (1.0, FINAL), (1.0, usage_chunk(2))])
    b = timeline(
        [(1.5, content()), (2.0, content()), (2.0, FINAL), (2.0, usage_chunk(2))], sent=1.0
    )
    level = level_of([a, b], output_tokens=2)
    assert level.wall_s == pytest.approx(2.0)
    assert level.output_tok_s == pytest.approx(4 / 2.0)
    assert level.request_s == pytest.approx(2 / 2.0)
    assert level.itl_ms.mean == pytest.approx(500.0)


@pytest.mark.parametrize(("cpu_s", "valid"), [(0.5, True), (1.5, False)])
def test_client_cpu_over_70_percent_of_a_core_invalidates_the_level(
    cpu_s: float, valid: bool
) -> None:
    t = timeline([(1.0, content()), (2.0, content()), (2.0, FINAL), (2.0, usage_chunk(2))])
    level = level_of([t], output_tokens=2, cpu_s=cpu_s)  # wall 2 s
    assert level.client_cpu_percent == pytest.approx(cpu_s / 2.0 * 100)
    assert level.valid is valid
    assert any("CPU" in r for r in level.invalid_reasons) is not valid


def test_as_dict_is_json_ready() -> None:
    t = timeline([(0.1, content()), (0.2, content()), (0.2, FINAL), (0.2, usage_chunk(2))])
    data = json.loads(json.dumps(level_of([t], output_tokens=2).as_dict()))
    assert data["ttft_ms"]["p50"] == pytest.approx(100.0)
    assert data["server"]["generation_tokens"] is None
    assert data["gpu"]["throttled"] is None
    assert data["errors"] == []


# ------------------------------------------------------------------ prompts and requests


def test_prompts_differ_at_their_start_and_have_about_prompt_tokens_words() -> None:
    prompts = [make_prompt(256) for _ in range(50)]
    assert len({p.split()[0] for p in prompts}) == 50
    assert all(len(p.split()) == 256 for p in prompts)
    assert make_prompt(4, nonce="abc") == "abc the of and"


def test_request_body_streams_with_usage_ignore_eos_and_greedy() -> None:
    spec = LoadSpec(base_url="http://x", model="qwen", concurrency=(1,), output_tokens=64)
    body = request_body(spec, "hi")
    assert body == {
        "model": "qwen",
        "messages": [{"role": "user", "content": "hi"}],
        "stream": True,
        "stream_options": {"include_usage": True},
        "max_tokens": 64,
        "ignore_eos": True,
        "temperature": 0,
    }


async def test_closed_loop_keeps_concurrency_and_dues_each_request_at_the_last_end() -> None:
    in_flight, peak = 0, 0
    seen: list[Timeline] = []

    async def send(due: float) -> Timeline:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        t = Timeline(due=due, sent=asyncio.get_running_loop().time())
        await asyncio.sleep(0.01 * (len(seen) % 3 + 1))
        t.end = asyncio.get_running_loop().time()
        in_flight -= 1
        seen.append(t)
        return t

    clock = asyncio.get_running_loop().time
    done = await closed_loop(10, 3, send, clock=clock)
    assert len(done) == 10 and peak == 3
    start = min(t.due for t in done)
    assert sum(1 for t in done if t.due == start) == 3  # each worker's first request
    ends = {t.end for t in done}
    assert all(t.due in ends for t in done if t.due != start)


# ------------------------------------------------------------------ server counters


VLLM_BEFORE = """\
# HELP vllm:generation_tokens_total Number of generation tokens processed.
vllm:generation_tokens_total{model_name="a"} 100.0
vllm:generation_tokens_total{model_name="b"} 50.0
vllm:time_to_first_token_seconds_bucket{le="0.1",model_name="a"} 2.0
vllm:time_to_first_token_seconds_sum{model_name="a"} 1.0
vllm:time_to_first_token_seconds_count{model_name="a"} 10.0
vllm:time_per_output_token_seconds_sum{model_name="a"} 2.0
vllm:time_per_output_token_seconds_count{model_name="a"} 100.0
"""
VLLM_AFTER = """\
vllm:generation_tokens_total{model_name="a"} 180.0
vllm:generation_tokens_total{model_name="b"} 90.0
vllm:time_to_first_token_seconds_sum{model_name="a"} 1.5
vllm:time_to_first_token_seconds_count{model_name="a"} 20.0
vllm:time_per_output_token_seconds_sum{model_name="a"} 3.0
vllm:time_per_output_token_seconds_count{model_name="a"} 200.0
"""


def _measured(tokens: int, timings: float | None = None) -> RequestMetrics:
    chunks = [(0.1 * (i + 1), content()) for i in range(tokens)]
    t = timeline([*chunks, (0.1 * tokens, FINAL), (0.1 * tokens, usage_chunk(tokens))])
    if timings is not None:
        t.timings = {"predicted_per_second": timings}
    return measure(t)


def test_vllm_counters_sum_label_sets_and_give_ttft_and_itl_means() -> None:
    before, after = parse_prometheus(VLLM_BEFORE), parse_prometheus(VLLM_AFTER)
    check = server_check(before, after, [_measured(60), _measured(60)], our_decode_tok_s=10.0)
    assert check.generation_tokens == 120  # (180 − 100) + (90 − 50)
    assert check.usage_tokens == 120 and check.tokens_diff == 0.0
    assert check.ttft_mean_ms == pytest.approx(0.5 / 10 * 1000)
    assert check.itl_mean_ms == pytest.approx(1.0 / 100 * 1000)  # the older name, as fallback
    assert check.decode_tok_s == pytest.approx(100.0)
    assert check.decode_diff == pytest.approx((100.0 - 10.0) / 10.0)


def test_llamacpp_decode_is_the_mean_of_the_timings_and_missing_counters_are_none() -> None:
    before = parse_prometheus("llamacpp:tokens_predicted_total 10\n")
    after = parse_prometheus("llamacpp:tokens_predicted_total 32\n")
    measured = [_measured(10, timings=40.0), _measured(10, timings=60.0)]
    check = server_check(before, after, measured, our_decode_tok_s=40.0)
    assert check.generation_tokens == 22
    assert check.tokens_diff == pytest.approx((22 - 20) / 20)
    assert check.decode_tok_s == pytest.approx(50.0)
    assert check.decode_diff == pytest.approx(0.25)
    assert check.ttft_mean_ms is None and check.itl_mean_ms is None
    none = server_check({}, {}, measured, our_decode_tok_s=40.0)
    assert (none.generation_tokens, none.tokens_diff, none.ttft_mean_ms) == (None, None, None)


# ------------------------------------------------------------------ GPU through a fake NVML


class FakeNvml:
    """The pynvml calls the sampler makes, for `gpus` devices; errors where asked."""

    NVML_CLOCK_SM = 1

    def __init__(self, gpus: int = 1, *, energy: bool = True, legacy: bool = False) -> None:
        self.gpus = gpus
        self.energy_mj = [1_000_000 * (i + 1) for i in range(gpus)]
        self.reasons = 0x1  # GPU idle
        self.clock_mhz = 1980
        self._energy = energy
        if legacy:  # drivers before 535 only name it "throttle reasons"
            self.nvmlDeviceGetCurrentClocksThrottleReasons = self._reason_of
        else:
            self.nvmlDeviceGetCurrentClocksEventReasons = self._reason_of

    def nvmlDeviceGetCount(self) -> int:
        return self.gpus

    def nvmlDeviceGetHandleByIndex(self, index: int) -> int:
        return index

    def nvmlDeviceGetMemoryInfo(self, handle: int) -> Any:
        return SimpleNamespace(used=1000 * (handle + 1))

    def nvmlDeviceGetUtilizationRates(self, handle: int) -> Any:
        return SimpleNamespace(gpu=80, memory=30)

    def nvmlDeviceGetPowerUsage(self, handle: int) -> int:
        return 300_000  # mW

    def nvmlDeviceGetClockInfo(self, handle: int, kind: int) -> int:
        assert kind == self.NVML_CLOCK_SM
        return self.clock_mhz

    def _reason_of(self, handle: int) -> int:
        return self.reasons

    def nvmlDeviceGetTotalEnergyConsumption(self, handle: int) -> int:
        if not self._energy:
            raise RuntimeError("NVML_ERROR_NOT_SUPPORTED")
        return self.energy_mj[handle]


async def _level_with(nvml: FakeNvml, act: Callable[[], None], indices=()) -> GpuReadings:
    sampler = GpuSampler(nvml, indices, interval_s=0.01)
    async with sampler.level() as out:
        await asyncio.sleep(0.05)
        act()
    return out[0]


async def test_energy_delta_gives_joules_per_output_token() -> None:
    nvml = FakeNvml()

    def spend() -> None:
        nvml.energy_mj[0] += 64_000  # 64 J

    usage = gpu_usage(await _level_with(nvml, spend), output_tokens=128)
    assert usage.energy_j == pytest.approx(64.0)
    assert usage.j_per_token == pytest.approx(0.5)
    assert (usage.util_mean, usage.power_mean_w) == pytest.approx((80.0, 300.0))
    assert (usage.memory_used_max_bytes, usage.sm_clock_min_mhz) == (1000, 1980)
    assert usage.throttled is False and usage.reasons == ("gpu_idle",)


@pytest.mark.parametrize("legacy", [False, True])
async def test_a_power_cap_reason_marks_the_level_throttled(legacy: bool) -> None:
    nvml = FakeNvml(legacy=legacy)

    def cap() -> None:
        nvml.reasons = 0x4 | 0x2  # SW power cap (counts) + applications clocks (benign)
        nvml.clock_mhz = 1500

    usage = gpu_usage(await _level_with(nvml, cap), output_tokens=10)
    assert usage.throttled is True
    assert usage.reasons == ("gpu_idle", "applications_clocks_setting", "sw_power_cap")
    assert usage.sm_clock_min_mhz == 1500


async def test_benign_reasons_only_are_not_throttling() -> None:
    nvml = FakeNvml()

    def benign() -> None:
        nvml.reasons = 0x1 | 0x2 | 0x100

    assert gpu_usage(await _level_with(nvml, benign), output_tokens=10).throttled is False


async def test_gpu_indices_select_devices_and_energy_unsupported_is_none() -> None:
    nvml = FakeNvml(gpus=3, energy=False)
    usage = gpu_usage(await _level_with(nvml, lambda: None, indices=(1, 2)), output_tokens=10)
    assert usage.memory_used_max_bytes == 2000 + 3000  # GPUs 1 and 2, summed
    assert usage.power_mean_w == pytest.approx(600.0)
    assert (usage.energy_j, usage.j_per_token) == (None, None)


async def test_without_nvml_every_gpu_field_is_none() -> None:
    async with GpuSampler(None).level() as out:
        pass
    usage = gpu_usage(out[0] if out else None, output_tokens=10)
    assert all(value is None for value in vars(usage).values())


# ------------------------------------------------------------------ against the fake server


@pytest.fixture
def fake_server() -> Iterator[Callable[..., Endpoint]]:
    with FakeServers() as servers:
        yield servers.start


def spec_for(endpoint: Endpoint, **overrides: Any) -> LoadSpec:
    fields: dict[str, Any] = {
        "base_url": endpoint.base_url,
        "model": endpoint.served_name,
        "concurrency": (1, 4),
        "prompt_tokens": 64,
        "output_tokens": 16,
        "requests_per_level": 8,
        "warmup_requests": 2,
        "timeout_s": 30.0,
    }
    return LoadSpec(**{**fields, **overrides})


async def test_vllm_profile_warms_up_then_measures_each_level(fake_server) -> None:
    endpoint = fake_server("vllm", "tok_s=400")
    finished: list[int] = []

    async def on_level(result: LevelResult) -> None:
        finished.append(result.concurrency)

    results = await profile(spec_for(endpoint), nvml=None, on_level=on_level)
    assert [r.concurrency for r in results] == finished == [1, 4]
    for level in results:
        assert (level.requests, level.failed, level.errors) == (8, 0, ())
        assert level.completion_tokens == 8 * 16  # from usage
        assert level.prompt_tokens == 8 * 64  # the fake counts words
        assert level.cached_prompt_tokens == 0  # unique starts defeat its prefix cache
        assert level.tokens_per_chunk == 1.0
        assert level.server.generation_tokens == level.server.usage_tokens == 128
        assert level.server.tokens_diff == 0.0
        assert level.ttft_ms.p50 is not None and level.ttft_ms.p50 > 0
        assert level.e2el_from_due_ms.p50 is not None and level.e2el_ms.p50 is not None
        assert level.e2el_from_due_ms.p50 >= level.e2el_ms.p50
        assert level.gpu.energy_j is None and level.gpu.throttled is None
        assert level.valid, level.invalid_reasons
    async with httpx.AsyncClient(trust_env=False) as http:
        total = parse_prometheus((await http.get(f"{endpoint.base_url}/metrics")).text)
    # The warm-up requests reached the server but no level counted them.
    assert total["vllm:generation_tokens_total"] == (2 + 8 + 8) * 16


async def test_throughput_scales_with_concurrency_at_a_paced_decode_rate(fake_server) -> None:
    endpoint = fake_server("llamacpp", "tok_s=100")
    results = await profile(spec_for(endpoint, output_tokens=10, warmup_requests=0), nvml=None)
    one, four = results
    assert 70 < one.decode_tok_s <= 110  # 9 gaps of 10 ms (sleep overshoots a little)
    assert four.output_tok_s > 2.5 * one.output_tok_s
    # llama.cpp: server decode from each response's timings, counters from /metrics.
    assert one.server.decode_tok_s is not None and one.server.decode_diff is not None
    assert abs(one.server.decode_diff) < 0.3
    assert four.server.generation_tokens == 80 and four.server.tokens_diff == 0.0


@pytest.mark.parametrize("warmup", [0, 2])
async def test_a_counter_that_lags_the_stream_is_waited_for(fake_server, warmup) -> None:
    # The fake counts each request's tokens 0.4 s after it ends: an early scrape would
    # show tokens missing (and the warm-up's late ones inflating the first level).
    endpoint = fake_server("vllm", "metrics_lag=0.4")
    spec = spec_for(endpoint, concurrency=(2, 4), warmup_requests=warmup)
    for level in await profile(spec, nvml=None):
        assert level.server.generation_tokens == level.server.usage_tokens == 8 * 16
        assert level.server.tokens_diff == 0.0


async def test_several_tokens_per_chunk_are_counted_from_usage(fake_server) -> None:
    endpoint = fake_server("vllm", "tokens_per_chunk=2")
    (level,) = await profile(spec_for(endpoint, concurrency=(2,)), nvml=None)
    assert level.completion_tokens == 8 * 16
    assert level.chunks == 8 * 8
    assert level.tokens_per_chunk == 2.0
    assert level.as_dict()["multi_token_chunks"] is True


async def test_a_server_without_metrics_has_no_counters_and_is_no_error(fake_server) -> None:
    endpoint = fake_server("llamacpp", "no_metrics=1")
    (level,) = await profile(spec_for(endpoint, concurrency=(1,)), nvml=None)
    assert level.failed == 0
    assert (level.server.generation_tokens, level.server.tokens_diff) == (None, None)
    assert level.server.decode_tok_s is not None  # timings still come in the stream


@pytest.mark.parametrize(
    ("faults", "message"),
    [("http_500=1", "HTTP 500"), ("cut_after=3", "finish_reason"), ("hang=1", "timed out")],
)
async def test_failing_requests_are_counted_with_their_message(
    fake_server, faults: str, message: str
) -> None:
    endpoint = fake_server("vllm", faults)
    spec = spec_for(endpoint, concurrency=(2,), requests_per_level=4, timeout_s=0.5)
    (level,) = await profile(spec, nvml=None)
    assert (level.requests, level.failed) == (4, 4)
    assert message in level.errors[0]
    assert level.ttft_ms.p50 is None and level.completion_tokens == 0
    assert not level.valid


async def test_client_cpu_over_70_percent_is_measured_over_the_level(fake_server) -> None:
    endpoint = fake_server("vllm")
    spec = spec_for(endpoint, concurrency=(1,), requests_per_level=2)
    readings = iter([0.0, 1000.0])  # 1000 s of CPU in a sub-second level
    async with httpx.AsyncClient(trust_env=False) as http:
        level = await run_level(
            spec, 1, http, GpuSampler(None), process_time=lambda: next(readings)
        )
    assert level.client_cpu_percent > 70
    assert not level.valid and "CPU" in level.invalid_reasons[0]


def test_run_works_without_uvloop_installed(fake_server) -> None:
    endpoint = fake_server("vllm")
    results = run(spec_for(endpoint, concurrency=(1,), requests_per_level=1), nvml=None)
    assert results[0].completion_tokens == 16


# ------------------------------------------------------------------ load processes


def test_processes_auto_is_one_per_16_streams_within_a_quarter_of_the_cores() -> None:
    spec = LoadSpec(base_url="http://x", model="m", concurrency=(1,))
    assert [processes_for(spec, c, cpus=16) for c in (1, 16, 17, 64, 1024)] == [1, 1, 2, 4, 4]
    assert processes_for(spec, 64, cpus=2) == 1  # a small box keeps its cores for the server
    chosen = LoadSpec(base_url="http://x", model="m", concurrency=(1,), processes=8)
    assert [processes_for(chosen, c, cpus=2) for c in (1, 4, 64)] == [1, 4, 8]


def test_share_splits_in_proportion_and_loses_nothing() -> None:
    assert share(64, [1, 1, 1, 1]) == [16, 16, 16, 16]
    assert share(10, [1, 1, 1]) == [4, 3, 3]
    assert share(40, [4, 3, 3]) == [16, 12, 12]
    assert sum(share(1001, [5, 7, 11])) == 1001


def test_perf_counter_is_one_clock_across_processes() -> None:
    """Load processes' timelines are merged on perf_counter: it must be system-wide."""
    before = time.perf_counter()
    child = subprocess.run([sys.executable, "-c", "import time; print(time.perf_counter())"],
                           capture_output=True, text=True, check=True)  # fmt: skip
    after = time.perf_counter()
    assert before < float(child.stdout) < after


def _peak_overlap(timelines: list[Timeline]) -> int:
    events = sorted([(t.sent, 1) for t in timelines] + [(t.end, -1) for t in timelines])
    peak = now = 0
    for _, step in events:
        now += step
        peak = max(peak, now)
    return peak


async def test_a_level_shared_over_processes_keeps_its_concurrency_and_counts(
    fake_server,
) -> None:
    endpoint = fake_server("vllm", "tok_s=50")  # 16 tokens: about 320 ms a request
    spec = spec_for(endpoint, concurrency=(6,), requests_per_level=12, processes=3)
    pool = LoadPool(spec)
    try:
        timelines, cpu_s = await pool.run(6, 12, 3)
        assert len(pool.pids) == 3 and len(cpu_s) == 3
    finally:
        await pool.close()
    assert len(timelines) == 12 and not any(t.error for t in timelines)
    assert _peak_overlap(timelines) == 6  # 2 streams in each of 3 processes, at once
    (level,) = await profile(spec, nvml=None)
    assert (level.requests, level.failed, level.client_processes) == (12, 0, 3)
    assert level.completion_tokens == 12 * 16 == level.server.generation_tokens
    assert level.valid, level.invalid_reasons


def test_client_cpu_is_the_busiest_process_not_the_sum() -> None:
    t = timeline([(2.0, content()), (2.0, FINAL), (2.0, usage_chunk(2))], sent=0.0)
    t.chunk_times = [1.0, 2.0]
    level = summarize(
        LevelInputs(concurrency=1, output_tokens=2, timelines=(t,), cpu_s=(0.2, 1.0, 0.6),
                    metrics_before={}, metrics_after={}, gpu=None, load_processes=2)
    )  # fmt: skip
    assert level.client_cpu_percent == pytest.approx(50.0)  # 1.0 s of a 2 s level
    assert level.valid and level.client_processes == 2


async def test_one_process_levels_run_in_place_and_say_so(fake_server) -> None:
    endpoint = fake_server("vllm")
    results = await profile(spec_for(endpoint, concurrency=(1, 4), processes=0), nvml=None)
    assert [r.client_processes for r in results] == [1, 1]  # 4 streams: one process


async def test_a_load_process_that_dies_fails_the_level_and_leaves_no_load(fake_server) -> None:
    endpoint = fake_server("vllm", "tok_s=20")
    spec = spec_for(endpoint, concurrency=(4,), output_tokens=2000, requests_per_level=4,
                    processes=2)  # fmt: skip
    pool = LoadPool(spec)
    level = asyncio.ensure_future(pool.run(4, 4, 2))
    for _ in range(200):
        if await _running(endpoint.base_url) == 4:
            break
        await asyncio.sleep(0.05)
    os.kill(pool.pids[1], signal.SIGKILL)
    # Its exit code is not pinned: in a test process where something else reaps children,
    # asyncio may report 255 for it ("Unknown child process").
    with pytest.raises(RuntimeError, match=r"load process 2 exited with code -?\d+ mid-level"):
        await level
    await pool.close()  # what profile() does on the way out
    for _ in range(100):  # the fake notices at its next token write
        if await _running(endpoint.base_url) == 0:
            break
        await asyncio.sleep(0.05)
    assert await _running(endpoint.base_url) == 0


async def test_a_load_process_error_is_in_the_message(fake_server) -> None:
    pool = LoadPool(spec_for(fake_server("vllm")))
    try:
        await pool.ready(1)
        helper = pool._helpers[0]
        assert helper.process.stdin is not None
        helper.process.stdin.write(b"not an order\n")
        with pytest.raises(
            RuntimeError, match=r"load process 1 exited with code -?\d+ mid-level: .*JSON"
        ):
            await pool._reply(1, helper)
    finally:
        await pool.close()


async def test_a_load_process_stops_mid_level_when_its_parent_goes(fake_server) -> None:
    """Its stdin closing (the parent gone) ends the level at once, not after it."""
    endpoint = fake_server("vllm", "tok_s=20")
    spec = spec_for(endpoint, concurrency=(2,), output_tokens=2000, requests_per_level=2)
    pool = LoadPool(spec)
    try:
        await pool.ready(1)
        process = pool._helpers[0].process
        assert process.stdin is not None
        process.stdin.write(b'{"concurrency": 2, "requests": 2}\n')
        for _ in range(200):
            if await _running(endpoint.base_url) == 2:
                break
            await asyncio.sleep(0.05)
        process.stdin.close()
        await asyncio.wait_for(process.wait(), 10)  # 2000 tokens at 20/s would be 100 s
        for _ in range(100):
            if await _running(endpoint.base_url) == 0:
                break
            await asyncio.sleep(0.05)
        assert await _running(endpoint.base_url) == 0
    finally:
        await pool.close()


async def _running(base_url: str) -> float:
    async with httpx.AsyncClient(trust_env=False) as http:
        metrics = parse_prometheus((await http.get(f"{base_url}/metrics")).text)
    return metrics["vllm:num_requests_running"]
