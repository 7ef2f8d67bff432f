"""The generate proxy against the fake OpenAI server (tests/fakes/fake_openai.py) in both
flavours: what is sent, reasoning kept apart, TTFT after the role-only chunk, usage from
the server, batched deltas, and HTTP 500 / hang / refused as one-line Unavailable."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from trinity.agent.errors import Unavailable
from trinity.agent.generate import (
    ChatMessage,
    GenerateParams,
    _delta_of,
    _outcome,
    _Stream,
    generate,
    request_body,
)
from trinity.agent.spec import Endpoint
from trinity.agent.telemetry import RateCounter

from tests.fakes.fake_supervisor import FakeServers, free_port

HELLO = (ChatMessage(role="user", content="say something"),)


@pytest.fixture
def fake_server() -> Iterator[Callable[..., Endpoint]]:
    """fake_server(flavour, faults="") → the Endpoint of a ready fake server."""
    with FakeServers() as servers:
        yield servers.start


@pytest.fixture
async def client() -> httpx.AsyncClient:
    async with httpx.AsyncClient(trust_env=False) as http:
        yield http


def test_request_body_sends_only_what_was_set() -> None:
    endpoint = Endpoint(name="m", backend="vllm", base_url="http://x", served_name="qwen")
    bare = request_body(endpoint, GenerateParams(model="m", messages=HELLO))
    assert bare == {
        "model": "qwen",
        "messages": [{"role": "user", "content": "say something"}],
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    full = request_body(
        endpoint,
        GenerateParams(
            model="m",
            messages=HELLO,
            max_tokens=64,
            temperature=0.0,
            top_p=0.9,
            top_k=20,
            seed=7,
            stop=("\n\n",),
            enable_thinking=False,
            ignore_eos=True,
            min_p=0.05,
            presence_penalty=1.5,
        ),
    )
    assert full["chat_template_kwargs"] == {"enable_thinking": False}
    assert (full["max_tokens"], full["temperature"], full["top_p"], full["top_k"]) == (
        64,
        0.0,
        0.9,
        20,
    )
    assert (full["seed"], full["stop"], full["ignore_eos"]) == (7, ["\n\n"], True)
    assert (full["min_p"], full["presence_penalty"]) == (0.05, 1.5)


@pytest.mark.parametrize("flavour", ["llamacpp", "vllm"])
async def test_text_usage_and_finish_reason_from_the_server(fake_server, client, flavour) -> None:
    endpoint = fake_server(flavour)
    rates = RateCounter()
    outcome = await generate(
        client, endpoint, GenerateParams(model="m", messages=HELLO, max_tokens=8), rates=rates
    )
    assert outcome.text == "".join(f"tok{i} " for i in range(8))
    assert outcome.reasoning == ""
    assert outcome.finish_reason == "length"
    assert outcome.usage_from_server and outcome.completion_tokens == 8
    assert outcome.prompt_tokens == 2 and outcome.cached_tokens == 0
    assert outcome.chunks == 8  # the role-only first chunk is not counted
    assert rates.totals() == {"m": 8}


async def test_reasoning_is_kept_apart_from_the_answer(fake_server, client) -> None:
    endpoint = fake_server("vllm")
    deltas: list[tuple[str, str]] = []

    async def on_delta(text: str, reasoning: str) -> None:
        deltas.append((text, reasoning))

    params = GenerateParams(model="m", messages=HELLO, max_tokens=6, enable_thinking=True)
    outcome = await generate(client, endpoint, params, on_delta)
    assert outcome.reasoning == "think0 think1 think2 "
    assert outcome.text == "tok0 tok1 tok2 "
    assert outcome.completion_tokens == 6
    assert "".join(r for _, r in deltas) == outcome.reasoning
    assert "".join(t for t, _ in deltas) == outcome.text


async def test_ttft_waits_for_the_first_token_not_the_role_chunk(fake_server, client) -> None:
    # The fake sends the role-only chunk at once, then one token every 0.2 s.
    endpoint = fake_server("llamacpp", "tok_s=5")
    outcome = await generate(
        client, endpoint, GenerateParams(model="m", messages=HELLO, max_tokens=3)
    )
    assert outcome.ttft_s >= 0.15
    # (3 - 1) tokens over at least 2 × 0.2 s between the first and the last.
    assert 0 < outcome.decode_tok_s <= 5.5
    assert outcome.total_s >= outcome.ttft_s


async def test_deltas_are_batched_by_size(fake_server, client) -> None:
    endpoint = fake_server("llamacpp")
    calls: list[str] = []

    async def on_delta(text: str, reasoning: str) -> None:
        calls.append(text)

    params = GenerateParams(model="m", messages=HELLO, max_tokens=200)
    outcome = await generate(
        client, endpoint, params, on_delta, batch_interval_s=3600, batch_chars=256
    )
    assert outcome.chunks == 200
    assert "".join(calls) == outcome.text
    # The first token at once, then one call per 256 characters, then the rest.
    assert len(calls) <= 2 + len(outcome.text) // 256
    assert all(len(c) < 256 + 10 for c in calls)


async def test_without_batching_every_chunk_is_a_call(fake_server, client) -> None:
    endpoint = fake_server("llamacpp")
    calls: list[str] = []

    async def on_delta(text: str, reasoning: str) -> None:
        calls.append(text)

    params = GenerateParams(model="m", messages=HELLO, max_tokens=20)
    await generate(client, endpoint, params, on_delta, batch_interval_s=0)
    assert len(calls) == 20


async def test_http_500_is_unavailable_with_status_and_body(fake_server, client) -> None:
    endpoint = fake_server("vllm", "http_500=1")
    with pytest.raises(Unavailable) as info:
        await generate(client, endpoint, GenerateParams(model="m", messages=HELLO))
    assert str(info.value) == (
        'model m: server answered HTTP 500: {"error": {"message": "fake internal error"}}'
    )


async def test_hanging_server_times_out_as_unavailable(fake_server, client) -> None:
    endpoint = fake_server("llamacpp", "hang=1")
    params = GenerateParams(model="m", messages=HELLO, timeout_s=0.5)
    with pytest.raises(Unavailable) as info:
        await generate(client, endpoint, params)
    assert str(info.value) == "model m: generation timed out after 0.5s"


async def test_a_stream_cut_off_without_finish_reason_is_not_an_answer(fake_server, client):
    endpoint = fake_server("llamacpp", "cut_after=3")
    with pytest.raises(Unavailable) as info:
        await generate(client, endpoint, GenerateParams(model="m", messages=HELLO))
    assert "without a finish_reason after 3 chunks (cut off, not finished)" in str(info.value)


async def test_refused_connection_is_unavailable(client) -> None:
    endpoint = Endpoint(
        name="m", backend="llamacpp", base_url=f"http://127.0.0.1:{free_port()}", served_name="x"
    )
    with pytest.raises(Unavailable, match=r"^model m: cannot reach its server at .*refused"):
        await generate(client, endpoint, GenerateParams(model="m", messages=HELLO))


def test_reasoning_field_variants() -> None:
    def chunk(delta: dict) -> dict:
        return {"choices": [{"delta": delta}]}

    assert _delta_of(chunk({"reasoning_content": "a"})) == ("", "a")
    assert _delta_of(chunk({"reasoning": "b"})) == ("", "b")  # newer vLLM
    assert _delta_of(chunk({"content": "c", "role": "assistant"})) == ("c", "")
    assert _delta_of({"choices": [], "usage": {"completion_tokens": 3}}) == ("", "")


def test_without_server_usage_tokens_are_counted_and_flagged() -> None:
    state = _Stream(chunks=5, t_first=1.0, t_last=3.0, text=["x"] * 5)
    outcome = _outcome(state, t0=0.5, t_end=3.5)
    assert not outcome.usage_from_server
    assert outcome.completion_tokens == 5
    assert outcome.decode_tok_s == 2.0  # (5 - 1) / (3.0 - 1.0)
    assert outcome.ttft_s == 0.5


def test_server_usage_wins_over_chunk_count() -> None:
    # Speculative decoding / MTP: several tokens in one chunk.
    usage = {
        "prompt_tokens": 9,
        "completion_tokens": 9,
        "prompt_tokens_details": {"cached_tokens": 4},
    }
    state = _Stream(chunks=3, t_first=1.0, t_last=2.0, usage=usage)
    outcome = _outcome(state, t0=0.0, t_end=2.0)
    assert outcome.usage_from_server
    assert (outcome.completion_tokens, outcome.cached_tokens) == (9, 4)
    assert outcome.decode_tok_s == 8.0


def test_error_excerpt_is_short_and_one_line() -> None:
    from trinity.agent.generate import _excerpt

    text = _excerpt("line one\nline two " + "x" * 1000)
    assert "\n" not in text and len(text) <= 201 and text.endswith("…")


def test_a_conversation_longer_than_the_context_is_a_clear_invalid_argument():
    from trinity.agent.errors import InvalidArgument
    from trinity.agent.generate import CONTEXT_FULL, _http_error, context_full
    from trinity.agent.spec import Endpoint

    endpoint = Endpoint("m", "vllm", "http://127.0.0.1:1", "m")
    vllm = (b'{"object":"error","message":"This model\'s maximum context length is 2048 tokens. '
            b'However, you requested 2554 tokens."}')  # fmt: skip
    error = _http_error(endpoint, 400, vllm)
    assert isinstance(error, InvalidArgument) and CONTEXT_FULL in str(error)
    assert "larger context_length" in str(error) and "2554" in str(error)
    assert CONTEXT_FULL not in str(_http_error(endpoint, 400, b'{"error": "bad field"}'))
    log = ["llama_new_context_with_model: n_ctx = 2048",
           "Requested tokens (2554) exceed context window of 2048"]  # fmt: skip
    assert CONTEXT_FULL in str(context_full("m", log))
    assert context_full("m", log[:1]) is None
