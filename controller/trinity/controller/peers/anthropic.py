"""The Anthropic Messages API as a peer, streamed, so TTFT and tok/s are measured here.

Events, in order: message_start (message.usage: input, cache creation and cache read
tokens), content_block_start/delta/stop (text_delta → the answer, thinking_delta → the
reasoning; signatures and tool input are ignored), message_delta (delta.stop_reason and
the cumulative usage: the last one counts), message_stop; ping and unknown events are
ignored. An `error` event can arrive after HTTP 200 (overloaded_error mid-stream): it is
classified like an HTTP error (trinity.controller.peers.http). Thinking is billed inside
output_tokens; the API reports no separate count for it.

stop_reason → finish reason: end_turn and stop_sequence are "stop"; max_tokens and
model_context_window_exceeded are "length" (the run is marked truncated); others
(refusal, tool_use, pause_turn) are kept as they are.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from trinity.controller.answerer import Answer, Question
from trinity.controller.config import AnthropicPeer, Sampling
from trinity.controller.generation import DEFAULT_MAX_TOKENS
from trinity.controller.peers import PeerUnavailable, cost_usd, decode_rate
from trinity.controller.peers.http import (
    events,
    failure_from_body,
    failure_from_status,
    failure_from_transport,
    parse,
)

API_VERSION = "2023-06-01"
THINKING_DEFAULT = 1024  # budget when a run turns thinking on and the peer sets none
_FINISH = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
}


@dataclass
class _Stream:
    """What the events told so far."""

    text: list[str] = field(default_factory=list)
    thinking: list[str] = field(default_factory=list)
    usage: dict[str, int] = field(default_factory=dict)
    stop_reason: str = ""
    first: float | None = None
    last: float | None = None
    ended: bool = False

    def took_delta(self, now: float) -> None:
        self.first = now if self.first is None else self.first
        self.last = now


class AnthropicBackend:
    """One peer's HTTP client; `answer` is one streamed Messages request."""

    def __init__(self, peer: AnthropicPeer, key: str | None, sampling: Sampling) -> None:
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
        if not state.ended:
            raise PeerUnavailable(self.peer.name, "network", "the stream ended before message_stop")
        return self._answer(state, started)

    def body(self, question: Question) -> dict[str, Any]:
        """The request: the conversation, the sampling settings, thinking if on."""
        budget = self._thinking_budget(question.key.thinking)
        max_tokens = self.sampling.max_tokens or DEFAULT_MAX_TOKENS
        body: dict[str, Any] = {
            "model": self.peer.model,
            # The API needs budget_tokens < max_tokens: room for the answer after thinking.
            "max_tokens": max(max_tokens, budget + DEFAULT_MAX_TOKENS) if budget else max_tokens,
            "messages": [
                {"role": role, "content": content or "(no answer)"}
                for role, content in question.messages
            ],
            "stream": True,
        }
        for name in ("temperature", "top_p", "top_k"):
            if getattr(self.sampling, name) is not None:
                body[name] = getattr(self.sampling, name)
        if budget:
            body["thinking"] = {"type": "enabled", "budget_tokens": budget}
        return body

    def _thinking_budget(self, switch: bool | None) -> int:
        if switch is False:
            return 0
        if switch is True:
            return self.peer.thinking_budget or THINKING_DEFAULT
        return self.peer.thinking_budget

    def _headers(self) -> dict[str, str]:
        headers = {"anthropic-version": API_VERSION, "accept": "text/event-stream"}
        if self.key:
            headers["x-api-key"] = self.key
        return headers

    async def _stream(self, body: dict[str, Any], state: _Stream) -> None:
        url = f"{self.peer.base_url}/v1/messages"
        async with self.client.stream("POST", url, json=body, headers=self._headers()) as response:
            if response.status_code != 200:
                content = await response.aread()
                raise failure_from_status(
                    self.peer.name, response.status_code, response.headers, content, self.key
                )
            async for _name, data in events(response):
                self._take(parse(self.peer.name, data), state)

    def _take(self, event: dict[str, Any], state: _Stream) -> None:
        kind = event.get("type")
        if kind == "error":
            raise failure_from_body(self.peer.name, event, self.key)
        if kind == "message_start":
            state.usage.update(_counts(event.get("message", {}).get("usage")))
        elif kind == "content_block_delta":
            delta = event.get("delta", {})
            if delta.get("type") == "text_delta":
                state.text.append(delta.get("text", ""))
                state.took_delta(time.monotonic())
            elif delta.get("type") == "thinking_delta":
                state.thinking.append(delta.get("thinking", ""))
                state.took_delta(time.monotonic())
        elif kind == "message_delta":
            state.stop_reason = event.get("delta", {}).get("stop_reason") or state.stop_reason
            state.usage.update(_counts(event.get("usage")))
        elif kind == "message_stop":
            state.ended = True

    def _answer(self, state: _Stream, started: float) -> Answer:
        usage = state.usage
        fresh = usage.get("input_tokens")
        cached = usage.get("cache_read_input_tokens")
        written = usage.get("cache_creation_input_tokens")
        output = usage.get("output_tokens")
        total_in = None if fresh is None else fresh + (cached or 0) + (written or 0)
        details = {
            "peer": "anthropic",
            "input_tokens": total_in,
            "output_tokens": output,
            "cached_tokens": cached,
            "cost_usd": cost_usd(self.peer.prices, _sum(fresh, written), cached, output),
            "answer_source": "message",
            "stop_reason": state.stop_reason,
        }
        return Answer(
            text="".join(state.text),
            reasoning="".join(state.thinking),
            finish_reason=_FINISH.get(state.stop_reason, state.stop_reason or "stop"),
            ttft_s=None if state.first is None else state.first - started,
            decode_tok_s=decode_rate(output, state.first, state.last),
            prompt_tokens=total_in,
            completion_tokens=output,
            details={k: v for k, v in details.items() if v is not None},
        )


def _counts(usage: Any) -> dict[str, int]:
    if not isinstance(usage, dict):
        return {}
    return {k: int(v) for k, v in usage.items() if isinstance(v, int) and not isinstance(v, bool)}


def _sum(a: int | None, b: int | None) -> int | None:
    return None if a is None else a + (b or 0)
