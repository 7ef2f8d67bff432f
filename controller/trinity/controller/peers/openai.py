"""Any OpenAI-compatible Chat Completions endpoint as a peer (OpenAI, OpenRouter, a vLLM
or llama.cpp server someone else runs), streamed, with no agent in between.

Chunks: `choices[0].delta.content` is the answer; `delta.reasoning_content` (vLLM,
llama.cpp, DeepSeek) or `delta.reasoning` (OpenRouter) the reasoning; `finish_reason`
(stop, length, tool_calls, content_filter) ends the choice. With `include_usage` the
server adds a last chunk with `choices: []` and `usage` (prompt_tokens,
completion_tokens, prompt_tokens_details.cached_tokens,
completion_tokens_details.reasoning_tokens, the last counted inside completion_tokens);
an interrupted stream (or a server that ignores the option, as llama-cpp-python's does)
loses it: then the completion is counted as the content-bearing chunks received (one
token each on llama.cpp and vLLM; `details.usage_from_server` is false) and the prompt
stays unknown. A chunk
with an `error` key is a failure after HTTP 200; a stream that ends with no
finish_reason was cut off: both are the infrastructure's, not the model's.

Only standard parameters are sent (max_tokens, temperature, top_p, presence_penalty,
seed): OpenAI refuses parameters it does not know.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from trinity.controller.answerer import Answer, Question
from trinity.controller.config import OpenAIPeer, Sampling
from trinity.controller.generation import DEFAULT_MAX_TOKENS
from trinity.controller.peers import PeerUnavailable, cost_usd, decode_rate
from trinity.controller.peers.http import (
    events,
    failure_from_body,
    failure_from_status,
    failure_from_transport,
    parse,
)

STANDARD = ("temperature", "top_p", "presence_penalty")


@dataclass
class _Stream:
    text: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    usage: dict[str, Any] = field(default_factory=dict)
    finish: str = ""
    first: float | None = None
    last: float | None = None
    chunks: int = 0  # content- or reasoning-bearing


class OpenAIBackend:
    """One peer's HTTP client; `answer` is one streamed chat completion."""

    def __init__(self, peer: OpenAIPeer, key: str | None, sampling: Sampling) -> None:
        self.peer = peer
        self.key = key
        self.sampling = sampling
        self.client = httpx.AsyncClient(timeout=httpx.Timeout(peer.timeout_s, connect=15.0))

    async def close(self) -> None:
        await self.client.aclose()

    async def answer(self, question: Question) -> Answer:
        started = time.monotonic()
        state = _Stream()
        try:
            async with asyncio.timeout(self.peer.timeout_s):
                await self._stream(self.body(question), state)
        except TimeoutError:
            raise PeerUnavailable(
                self.peer.name, "timeout", f"no complete answer within {self.peer.timeout_s:g} s"
            ) from None
        except httpx.RequestError as exc:
            raise failure_from_transport(self.peer.name, exc) from exc
        if not state.finish:
            raise PeerUnavailable(
                self.peer.name, "network", "the stream ended with no finish_reason"
            )
        return self._answer(state, started)

    def body(self, question: Question) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.peer.model,
            "messages": [{"role": r, "content": c} for r, c in question.messages],
            "max_tokens": self.sampling.max_tokens or DEFAULT_MAX_TOKENS,
            "stream": True,
        }
        if self.peer.include_usage:
            body["stream_options"] = {"include_usage": True}
        for name in STANDARD:
            if getattr(self.sampling, name) is not None:
                body[name] = getattr(self.sampling, name)
        if question.seed is not None:  # this repeat's own, from the configured base
            body["seed"] = question.seed
        return body

    async def _stream(self, body: dict[str, Any], state: _Stream) -> None:
        url = f"{self.peer.base_url}/chat/completions"
        headers = {"authorization": f"Bearer {self.key}"} if self.key else {}
        async with self.client.stream("POST", url, json=body, headers=headers) as response:
            if response.status_code != 200:
                content = await response.aread()
                raise failure_from_status(
                    self.peer.name, response.status_code, response.headers, content, self.key
                )
            async for _name, data in events(response):
                if data.strip() == "[DONE]":
                    break
                self._take(parse(self.peer.name, data), state)

    def _take(self, chunk: dict[str, Any], state: _Stream) -> None:
        if "error" in chunk:
            raise failure_from_body(self.peer.name, chunk, self.key)
        if isinstance(chunk.get("usage"), dict):
            state.usage = chunk["usage"]
        for choice in (chunk.get("choices") or [])[:1]:
            delta = choice.get("delta") or {}
            content = delta.get("content") or ""
            reasoning = delta.get("reasoning_content") or delta.get("reasoning") or ""
            if content or reasoning:
                now = time.monotonic()
                state.first = now if state.first is None else state.first
                state.last = now
                state.chunks += 1
            state.text.append(content)
            state.reasoning.append(reasoning)
            state.finish = choice.get("finish_reason") or state.finish

    def _answer(self, state: _Stream, started: float) -> Answer:
        usage = state.usage
        prompt = _int(usage.get("prompt_tokens"))
        output = _int(usage.get("completion_tokens"))
        if output is None and state.chunks:
            output = state.chunks
        cached = _int((usage.get("prompt_tokens_details") or {}).get("cached_tokens"))
        reasoning = _int((usage.get("completion_tokens_details") or {}).get("reasoning_tokens"))
        fresh = None if prompt is None else prompt - (cached or 0)
        details = {
            "peer": "openai",
            "input_tokens": prompt,
            "output_tokens": output,
            "cached_tokens": cached,
            "reasoning_tokens": reasoning,
            "cost_usd": cost_usd(self.peer.prices, fresh, cached, output),
            "answer_source": "message",
            "usage_from_server": bool(usage),
        }
        return Answer(
            text="".join(state.text),
            reasoning="".join(state.reasoning),
            finish_reason=state.finish,
            ttft_s=None if state.first is None else state.first - started,
            decode_tok_s=decode_rate(output, state.first, state.last),
            prompt_tokens=prompt,
            completion_tokens=output,
            details={k: v for k, v in details.items() if v is not None},
        )


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
