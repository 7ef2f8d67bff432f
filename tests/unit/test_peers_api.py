"""HTTP peers against fake Anthropic and OpenAI servers (real HTTP on loopback, scripted):
what is recorded, and how each failure is treated. Scoring runs on an in-memory node."""

from __future__ import annotations

import asyncio
import time

import pytest
from trinity.controller import crosscheck as cc
from trinity.controller.bench import Plan, run_bench
from trinity.controller.config import parse_config
from trinity.controller.errors import ConfigError
from trinity.controller.generation import run_seed
from trinity.controller.report import summarise
from trinity.controller.store import Store
from trinity.controller.suites import load_task

from tests.fakes.fake_openai import fake_server
from tests.fakes.fake_peer_apis import (
    Reply,
    anthropic_error,
    anthropic_events,
    http_error,
    openai_events,
    serving,
)
from tests.unit.test_bench import FakeNode, install

KEY = "sk-ant-api03-unit-test-key-do-not-leak-0123456789"
GOOD = "```python\ndef add(a, b):\n    return a + b\n```"
NODE = '[nodes.a]\naddress = "127.0.0.1:1"\ntoken_env = "T"\n'


def anthropic_config(url: str, extra: str = "") -> str:
    return NODE + (
        f'[[peers]]\nname = "claude-api"\nbackend = "anthropic"\nmodel = "claude-fake"\n'
        f'base_url = "{url}"\napi_key_env = "FAKE_ANTHROPIC_KEY"\n{extra}'
    )


def openai_config(url: str, extra: str = "") -> str:
    return NODE + (
        f'[[peers]]\nname = "gpt"\nbackend = "openai"\nmodel = "fake"\nbase_url = "{url}/v1"\n'
        f'api_key_env = "FAKE_OPENAI_KEY"\n{extra}'
    )


@pytest.fixture
def keys(monkeypatch):
    monkeypatch.setenv("FAKE_ANTHROPIC_KEY", KEY)
    monkeypatch.setenv("FAKE_OPENAI_KEY", KEY)


@pytest.fixture
def node(monkeypatch):
    fake = FakeNode("a", lambda r: None)
    install(monkeypatch, {"a": fake})
    return fake


def bench(text, tmp_path, n=1, retries=2, max_cost=None):
    config = parse_config(text, "models.toml", base=tmp_path)
    plan = Plan((load_task("smoke/add"),), config.peers, n, (None,), 90.0, "crosscheck", max_cost)
    store = Store(tmp_path / "results.db")
    outcome = asyncio.run(run_bench(config, store, plan, retries=retries, retry_delay_s=0))
    return store, outcome, store.runs(outcome.bench_run_id)


def test_anthropic_stream_gives_text_thinking_usage_cost_and_timings(tmp_path, keys, node):
    script = [Reply(events=anthropic_events(GOOD, "Let me think.", input_tokens=12,
                                            output_tokens=34, cache_read=5), pace_s=0.01)]  # fmt: skip
    prices = "prices = { input_usd_per_mtok = 3, output_usd_per_mtok = 15, cached_input_usd_per_mtok = 0.3 }\n"
    with serving("anthropic", script, key=KEY) as api:
        _store, _, runs = bench(
            anthropic_config(api.url, "thinking_budget = 2048\n" + prices), tmp_path
        )
    (run,) = runs
    assert (run.outcome, run.score, run.node, run.model) == ("scored", 100.0, "", "claude-api")
    assert run.reasoning == "Let me think." and run.code.strip().endswith("return a + b")
    assert (run.prompt_tokens, run.completion_tokens) == (17, 34)
    assert run.details["cached_tokens"] == 5 and run.details["answer_source"] == "message"
    assert run.details["cost_usd"] == pytest.approx((12 * 3 + 5 * 0.3 + 34 * 15) / 1e6)
    assert run.ttft_s and run.ttft_s > 0 and run.decode_tok_s and run.decode_tok_s > 0
    (request,) = api.requests
    assert request.path == "/v1/messages" and request.headers["anthropic-version"]
    assert request.body["thinking"] == {"type": "enabled", "budget_tokens": 2048}
    assert request.body["max_tokens"] > 2048 and request.body["stream"] is True
    assert node.executed, "the answer was scored in the node's sandbox"


def test_anthropic_max_tokens_stop_marks_the_run_truncated(tmp_path, keys, node):
    script = [Reply(events=anthropic_events(GOOD, stop_reason="max_tokens"))]
    with serving("anthropic", script, key=KEY) as api:
        _, _, (run,) = bench(anthropic_config(api.url), tmp_path)
    assert run.outcome == "truncated" and run.score == 100.0


def test_error_event_after_http_200_is_retried_not_scored(tmp_path, keys, node):
    broken = [
        *anthropic_events(GOOD)[:3],
        ("error", anthropic_error("overloaded_error", "Overloaded")),
    ]
    script = [Reply(events=broken), Reply(events=anthropic_events(GOOD))]
    with serving("anthropic", script, key=KEY) as api:
        _, _, (run,) = bench(anthropic_config(api.url), tmp_path)
    assert (run.outcome, run.attempt, run.score) == ("scored", 2, 100.0)
    assert len(api.requests) == 2


def test_429_retry_after_is_honoured_before_the_next_request(tmp_path, keys, node):
    script = [http_error(429, "rate_limit_error", "slow down", retry_after="1"),
              Reply(events=anthropic_events(GOOD))]  # fmt: skip
    with serving("anthropic", script, key=KEY) as api:
        started = time.monotonic()
        _, _, (run,) = bench(anthropic_config(api.url), tmp_path)
    assert (run.outcome, run.attempt) == ("scored", 2)
    # retry_delay_s is 0 here: only the server's retry-after explains the wait
    assert time.monotonic() - started >= 1.0 and len(api.requests) == 2


def test_overload_529_every_time_is_incomplete_never_a_zero(tmp_path, keys, node):
    script = [http_error(529, "overloaded_error", "Overloaded")]
    with serving("anthropic", script, key=KEY) as api:
        _store, outcome, (run,) = bench(anthropic_config(api.url), tmp_path, retries=1)
    assert (run.outcome, run.score, run.attempt) == ("infra_error", None, 2)
    assert "overloaded" in run.sandbox["error"] and len(api.requests) == 2
    (verdict,) = outcome.verdicts
    assert verdict.verdict.value == "INCOMPLETE"


def test_billing_error_stops_the_peer_with_one_line_and_no_retry_loop(tmp_path, keys, node):
    script = [http_error(402, "billing_error", "Your credit balance is too low")]
    with serving("anthropic", script, key=KEY) as api:
        store, outcome, runs = bench(anthropic_config(api.url), tmp_path, n=3)
    assert len(api.requests) == 1, "one request, then the peer is stopped"
    assert [r.outcome for r in runs] == ["infra_error"] * 3
    check = cc.summarise(_report(store, outcome), runs)
    (line,) = cc.stopped_lines(check)
    assert line.startswith("claude-api stopped: billing: HTTP 402: Your credit balance is too low")
    assert "INCOMPLETE" in line


def test_a_refused_key_stops_the_peer_and_the_key_is_never_echoed(tmp_path, keys, node):
    script = [http_error(401, "authentication_error", f"invalid x-api-key {KEY}")]
    with serving("anthropic", script, key=KEY) as api:
        store, _outcome, (run,) = bench(anthropic_config(api.url), tmp_path)
    assert run.outcome == "infra_error" and "auth" in run.sandbox["error"]
    assert KEY not in run.sandbox["error"] and "[redacted]" in run.sandbox["error"]
    assert api.requests[0].headers["x-api-key"] == KEY
    store.close()
    for path in tmp_path.iterdir():
        assert KEY.encode() not in path.read_bytes(), path


def test_missing_key_variable_is_a_one_line_error_before_anything_runs(tmp_path, node, monkeypatch):
    monkeypatch.delenv("FAKE_ANTHROPIC_KEY", raising=False)
    with pytest.raises(ConfigError, match=r"environment variable FAKE_ANTHROPIC_KEY .* is not set"):
        bench(anthropic_config("http://127.0.0.1:9"), tmp_path)
    assert not node.executed


def test_openai_stream_records_reasoning_cached_and_reasoning_tokens(tmp_path, keys, node):
    events = openai_events(GOOD, "hmm", prompt_tokens=20, completion_tokens=30,
                           cached_tokens=4, reasoning_tokens=7)  # fmt: skip
    with serving("openai", [Reply(events=events, pace_s=0.01)], key=KEY) as api:
        _, _, (run,) = bench(
            openai_config(api.url, "sampling = { seed = 3, top_k = 5 }\n"), tmp_path
        )
    assert (run.outcome, run.score, run.reasoning) == ("scored", 100.0, "hmm")
    assert (run.prompt_tokens, run.completion_tokens) == (20, 30)
    assert run.details["reasoning_tokens"] == 7 and run.details["cached_tokens"] == 4
    body = api.requests[0].body
    assert body["stream_options"] == {"include_usage": True}
    assert body["seed"] == run.seed == run_seed(3, run.task, run.repeat) != 3  # its own, from 3
    assert "top_k" not in body, "only standard parameters go to an OpenAI API"
    assert api.requests[0].headers["authorization"] == f"Bearer {KEY}"


def test_openai_without_usage_counts_chunks_and_leaves_the_prompt_unknown(tmp_path, keys, node):
    events = openai_events(GOOD, usage=False, chunks=5)
    with serving("openai", [Reply(events=events, pace_s=0.01)], key=KEY) as api:
        _, _, (run,) = bench(openai_config(api.url, "include_usage = false\n"), tmp_path)
    assert run.outcome == "scored" and run.prompt_tokens is None
    assert run.completion_tokens == 5 and run.details["usage_from_server"] is False
    assert run.decode_tok_s and run.decode_tok_s > 0
    assert "stream_options" not in api.requests[0].body


def test_openai_mid_stream_error_and_cut_stream_are_retried(tmp_path, keys, node):
    failure = {"error": {"message": "upstream died", "type": "server_error"}}
    error = [*openai_events(GOOD)[:2], (None, failure)]
    cut = openai_events(GOOD, finish=None, usage=False)
    script = [Reply(events=error), Reply(events=cut), Reply(events=openai_events(GOOD))]
    with serving("openai", script, key=KEY) as api:
        _, _, (run,) = bench(openai_config(api.url), tmp_path)
    assert (run.outcome, run.attempt) == ("scored", 3) and len(api.requests) == 3


def test_openai_insufficient_quota_429_is_permanent(tmp_path, keys, node):
    script = [http_error(429, "insufficient_quota", "You exceeded your current quota",
                         flavour="openai")]  # fmt: skip
    with serving("openai", script, key=KEY) as api:
        _, _, runs = bench(openai_config(api.url), tmp_path, n=2)
    assert len(api.requests) == 1 and all(r.outcome == "infra_error" for r in runs)
    assert "gpt stopped: quota: HTTP 429" in runs[0].sandbox["error"]


def test_openai_timeout_is_infrastructure(tmp_path, keys, node):
    with serving("openai", [Reply(hang=True)], key=KEY) as api:
        _, _, (run,) = bench(openai_config(api.url, "timeout_s = 0.5\n"), tmp_path, retries=0)
    assert run.outcome == "infra_error" and "timeout" in run.sandbox["error"]


def test_max_cost_stops_new_runs_once_reported_cost_reaches_it(tmp_path, keys, node):
    prices = "prices = { input_usd_per_mtok = 1000, output_usd_per_mtok = 1000 }\n"
    with serving("anthropic", [Reply(events=anthropic_events(GOOD))], key=KEY) as api:
        _, _, runs = bench(anthropic_config(api.url, prices), tmp_path, n=3, max_cost=0.05)
    # each run reports (12 + 5 + 34) tokens × $1000/M = $0.051 ≥ the $0.05 budget
    assert [r.outcome for r in runs] == ["scored", "infra_error", "infra_error"]
    assert runs[1].sandbox["error"].startswith("not run: --max-cost $0.05 reached ($0.05")
    assert len(api.requests) == 1


def _report(store, outcome):
    bench_run = store.bench_run(outcome.bench_run_id)
    titles = {c: t for c, t in bench_run.selection["columns"]}
    return summarise(bench_run, store.runs(outcome.bench_run_id), outcome.verdicts, titles)


def test_the_fake_vllm_server_as_a_peer_usage_and_an_http_500(tmp_path, keys, node):
    with fake_server("vllm", "--served-model-name", "fake") as server:
        _, _, (run,) = bench(openai_config(server.url, "sampling = { max_tokens = 8 }\n"), tmp_path)
    # "tok0 tok1 …" cut at max_tokens (finish_reason length): the model's result, a 0 with
    # the mark that says why, not an infrastructure failure
    assert (run.outcome, run.score) == ("truncated", 0.0)
    assert (run.completion_tokens, run.details["usage_from_server"]) == (8, True)
    assert run.prompt_tokens and run.details["cached_tokens"] == 0
    with fake_server("vllm", "--served-model-name", "fake", faults="http_500=1") as server:
        _, _, (run,) = bench(openai_config(server.url), tmp_path / "again", retries=1)
    assert (run.outcome, run.score) == ("infra_error", None) and "server: HTTP 500" in run.sandbox[
        "error"
    ]
