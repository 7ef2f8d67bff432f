"""The fake OpenAI-compatible server speaks what the tests rely on, in both flavours."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.fakes.fake_openai import RunningFake, fake_server, parse_args, parse_faults

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fakes() -> Iterator[Callable[..., RunningFake]]:
    """Start fake servers by calling the fixture; all are killed after the test."""
    with contextlib.ExitStack() as stack:
        yield lambda *args, **kwargs: stack.enter_context(fake_server(*args, **kwargs))


def sse(response: httpx.Response) -> list[dict | str]:
    events: list[dict | str] = []
    for line in response.iter_lines():
        if line.startswith("data: "):
            data = line[len("data: ") :]
            events.append(data if data == "[DONE]" else json.loads(data))
    return events


def chat(url: str, **body: object) -> httpx.Response:
    payload = {"messages": [{"role": "user", "content": "say hi please"}], **body}
    return httpx.post(f"{url}/v1/chat/completions", json=payload, timeout=10)


def stream(url: str, **body: object) -> list[dict | str]:
    payload = {"messages": [{"role": "user", "content": "say hi please"}], "stream": True}
    with httpx.stream(
        "POST", f"{url}/v1/chat/completions", json={**payload, **body}, timeout=10
    ) as response:
        assert response.status_code == 200
        return sse(response)


def test_argv_of_every_launcher_is_understood():
    llama = parse_args(
        "--flavour llamacpp -m /m.gguf --host 127.0.0.1 --port 9 --alias q -ngl 99 "
        "--metrics -c 4096 -np 4 --no-mmap".split()
    )
    assert (llama.model, llama.served, llama.port, llama.ctx) == ("/m.gguf", "q", 9, 4096)
    python = parse_args(
        "--flavour llamacpp --model /m.gguf --port 9 --model_alias s --n_gpu_layers 0 "
        "--n_ctx 2048 --n_threads 2".split()
    )
    assert (python.served, python.ctx) == ("s", 2048)
    vllm = parse_args(
        "--flavour vllm serve org/m --host 127.0.0.1 --port 9 --max-model-len 8192 "
        "--gpu-memory-utilization 0.5 --enable-prefix-caching".split()
    )
    assert (vllm.model, vllm.served, vllm.ctx) == ("org/m", "org/m", 8192)
    module = parse_args("--flavour vllm --model /f --port 9 --served-model-name x".split())
    assert (module.model, module.served) == ("/f", "x")


def test_faults_parse_from_the_env_string():
    assert parse_faults(" slow_start=2, tok_s=50,http_500") == {
        "slow_start": 2.0,
        "tok_s": 50.0,
        "http_500": 1.0,
    }


def test_vllm_flavour_streams_reasoning_then_content_with_usage_and_metrics(fakes):
    fake = fakes("vllm", "serve", "org/m", "--served-model-name", "smol")
    assert httpx.get(f"{fake.url}/health").json() == {"status": "ok"}
    assert [m["id"] for m in httpx.get(f"{fake.url}/v1/models").json()["data"]] == ["smol"]
    events = stream(
        fake.url,
        model="smol",
        max_tokens=5,
        stream_options={"include_usage": True},
        chat_template_kwargs={"enable_thinking": True},
    )
    assert events[-1] == "[DONE]"
    deltas = [e["choices"][0]["delta"] for e in events[:-1] if isinstance(e, dict) and e["choices"]]
    assert deltas[0] == {"role": "assistant", "content": ""}
    reasoning = "".join(d.get("reasoning_content", "") for d in deltas)
    content = "".join(d.get("content") or "" for d in deltas)
    assert (reasoning, content) == ("think0 think1 think2 ", "tok0 tok1 ")
    usage = events[-2]["usage"]  # type: ignore[index]
    assert usage["completion_tokens"] == 5 and usage["prompt_tokens"] == 3
    metrics = httpx.get(f"{fake.url}/metrics").text
    assert 'vllm:generation_tokens_total{model_name="smol"} 5.0' in metrics
    assert 'vllm:prompt_tokens_total{model_name="smol"} 3.0' in metrics
    assert "vllm:num_requests_running" in metrics
    assert '"POST /v1/chat/completions HTTP/1.1" 200' in fake.stderr()  # one line a request


def test_llamacpp_flavour_streams_timings_and_counts_cached_prefix(fakes):
    fake = fakes("llamacpp", "-m", "/m.gguf", "--alias", "q")
    events = stream(fake.url, max_tokens=4, stream_options={"include_usage": True})
    chunks = [e for e in events if isinstance(e, dict)]
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": None}
    finals = [c for c in chunks if c["choices"] and c["choices"][0]["finish_reason"]]
    assert finals[0]["timings"]["predicted_n"] == 4
    assert finals[0]["timings"]["predicted_per_second"] > 0
    assert chunks[-1]["usage"]["prompt_tokens_details"]["cached_tokens"] == 0
    again = stream(fake.url, max_tokens=1, stream_options={"include_usage": True})
    assert again[-2]["usage"]["prompt_tokens_details"]["cached_tokens"] == 3  # type: ignore[index]
    metrics = httpx.get(f"{fake.url}/metrics").text
    assert "llamacpp:tokens_predicted_total 5.0" in metrics
    assert "llamacpp:prompt_tokens_total 6.0" in metrics


def test_non_stream_honours_max_tokens_and_the_model_name(fakes):
    fake = fakes("vllm", "--model", "/f", "--served-model-name", "x")
    body = chat(fake.url, model="x", max_tokens=3).json()
    assert body["choices"][0]["message"]["content"] == "tok0 tok1 tok2 "
    assert body["usage"]["completion_tokens"] == 3
    assert chat(fake.url, model="other").status_code == 404


def test_slow_start_answers_503_while_loading(fakes):
    fake = fakes("llamacpp", "--fault", "slow_start=30", faults="slow_start=0")
    response = httpx.get(f"{fake.url}/health")
    assert response.status_code == 503 and response.json()["status"] == "loading model"


def test_http_500_and_crash_after_faults(fakes):
    failing = fakes("vllm", faults="http_500=1")
    assert chat(failing.url).status_code == 500
    crashing = fakes("vllm", faults="crash_after=1")
    assert chat(crashing.url).status_code == 200
    with pytest.raises(httpx.TransportError):
        chat(crashing.url)
    assert crashing.proc.wait(timeout=5) == 1
    assert "crashing as asked" in crashing.stderr()


def test_hang_after_leaves_the_request_unanswered(fakes):
    fake = fakes("vllm", faults="hang_after=1")
    assert chat(fake.url).status_code == 200
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(
            f"{fake.url}/v1/chat/completions",
            json={"messages": [{"role": "user", "content": "hi"}]},
            timeout=0.5,
        )
    assert httpx.get(f"{fake.url}/health").status_code == 200  # the server itself lives


def test_port_in_use_exits_with_llama_servers_message():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        argv = [sys.executable, "-m", "tests.fakes.fake_openai", "--flavour", "llamacpp"]
        done = subprocess.run(
            [*argv, "--port", str(port)],
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            timeout=20,
            check=False,
        )
    assert done.returncode == 1
    assert b"address already in use" in done.stderr
