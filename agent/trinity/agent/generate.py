"""One chat completion against a local OpenAI-compatible server, streamed and timed.

The agent measures next to the server so the network does not distort the figures:
- TTFT: request sent → first chunk carrying content or reasoning (a role-only first
  chunk is not a token);
- decode tok/s = (completion_tokens − 1) / (t_last − t_first), with completion_tokens
  from the server's usage (`stream_options.include_usage`), never from chunk counts
  (speculative decoding puts several tokens in one chunk); counting chunks is only the
  fallback, and says so (`usage_from_server=False`).
Deltas reach the caller batched (every ~50 ms or ~256 characters) so a fast model does
not turn into one gRPC message per token.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from trinity.agent.errors import InvalidArgument, Unavailable
from trinity.agent.spec import Endpoint
from trinity.agent.telemetry import RateCounter

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 600.0
# What each server says when a conversation is longer than the context it was started
# with (llama_cpp.server only in its log; llama-server and vLLM in an HTTP 400).
_CONTEXT_FULL = re.compile(
    r"exceed(?:s|ed)? (?:the )?context window|maximum context length|"
    r"exceeds? the available context size|context length exceeded",
    re.IGNORECASE,
)
CONTEXT_FULL = "does not fit the model's context window"  # the controller reads this
GENERATION_TIMED_OUT = "generation timed out after"  # the model's own time ran out
BATCH_INTERVAL_S = 0.05
BATCH_CHARS = 256
EXCERPT_CHARS = 200

OnDelta = Callable[[str, str], Awaitable[None]]  # (text, reasoning)


@dataclass(frozen=True)
class ChatMessage:
    role: str  # system | user | assistant
    content: str


@dataclass(frozen=True)
class GenerateParams:
    """A chat request for a model on this node; mirrors trinity.v1.GenerateRequest.

    None (or 0 for max_tokens) means "not sent": the server's own default applies.
    """

    model: str
    messages: tuple[ChatMessage, ...]
    max_tokens: int = 0
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    seed: int | None = None
    stop: tuple[str, ...] = ()
    enable_thinking: bool | None = None
    timeout_s: float = 0.0
    ignore_eos: bool = False
    min_p: float | None = None
    presence_penalty: float | None = None


@dataclass(frozen=True)
class GenerateOutcome:
    """What came back, with the agent's own timings; mirrors trinity.v1.GenerateResult."""

    text: str
    reasoning: str
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int
    ttft_s: float
    decode_tok_s: float
    total_s: float
    chunks: int
    usage_from_server: bool


SAMPLING_FIELDS = ("temperature", "top_p", "top_k", "seed", "min_p", "presence_penalty")


def request_body(endpoint: Endpoint, params: GenerateParams) -> dict[str, Any]:
    """The /v1/chat/completions JSON: only what the caller set, always streamed."""
    body: dict[str, Any] = {
        "model": endpoint.served_name,
        "messages": [{"role": m.role, "content": m.content} for m in params.messages],
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    if params.max_tokens:
        body["max_tokens"] = params.max_tokens
    for name in SAMPLING_FIELDS:
        value = getattr(params, name)
        if value is not None:
            body[name] = value
    if params.stop:
        body["stop"] = list(params.stop)
    if params.enable_thinking is not None:
        body["chat_template_kwargs"] = {"enable_thinking": params.enable_thinking}
    if params.ignore_eos:
        body["ignore_eos"] = True
    return body


class _Batcher:
    """Collects deltas and hands them on at most every interval or every `chars`."""

    def __init__(self, on_delta: OnDelta | None, interval_s: float, chars: int) -> None:
        self._on_delta, self._interval, self._chars = on_delta, interval_s, chars
        self._text: list[str] = []
        self._reasoning: list[str] = []
        self._size = 0
        self._last = float("-inf")  # the first delta goes out at once

    async def add(self, text: str, reasoning: str) -> None:
        if self._on_delta is None:
            return
        self._text.append(text)
        self._reasoning.append(reasoning)
        self._size += len(text) + len(reasoning)
        if self._size >= self._chars or time.monotonic() - self._last >= self._interval:
            await self.flush()

    async def flush(self) -> None:
        if self._on_delta is None or not self._size:
            return
        text, reasoning = "".join(self._text), "".join(self._reasoning)
        self._text.clear()
        self._reasoning.clear()
        self._size = 0
        self._last = time.monotonic()
        await self._on_delta(text, reasoning)


@dataclass
class _Stream:
    """Running state while chunks arrive."""

    text: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    finish_reason: str = ""
    usage: dict[str, Any] | None = None
    chunks: int = 0
    t_first: float = 0.0
    t_last: float = 0.0


async def generate(
    client: httpx.AsyncClient,
    endpoint: Endpoint,
    request: GenerateParams,
    on_delta: OnDelta | None = None,
    *,
    rates: RateCounter | None = None,
    default_timeout_s: float = DEFAULT_TIMEOUT_S,
    batch_interval_s: float = BATCH_INTERVAL_S,
    batch_chars: int = BATCH_CHARS,
) -> GenerateOutcome:
    """Stream one chat completion; errors are Unavailable (or InvalidArgument on 4xx)."""
    timeout_s = request.timeout_s or default_timeout_s
    batcher = _Batcher(on_delta, batch_interval_s, batch_chars)
    state = _Stream()
    t0 = time.monotonic()
    fed = 0
    try:
        async with asyncio.timeout(timeout_s):
            # aclosing: whatever stops us (timeout, a cancelled client), the HTTP stream
            # closes now, so the model server stops generating for nobody.
            chunks = _chunks(client, endpoint, request_body(endpoint, request))
            async with contextlib.aclosing(chunks):
                async for chunk in chunks:
                    if _take(chunk, state):
                        await batcher.add(*_delta_of(chunk))
                        if rates is not None:
                            rates.add(request.model, 1)
                            fed += 1
    except TimeoutError:
        raise Unavailable(f"model {request.model}: {GENERATION_TIMED_OUT} {timeout_s:g}s") from None
    except httpx.TimeoutException:
        raise Unavailable(
            f"model {request.model}: server at {endpoint.base_url} stopped answering "
            f"(timed out after {timeout_s:g}s)"
        ) from None
    except httpx.TransportError as exc:
        raise Unavailable(
            f"model {request.model}: cannot reach its server at {endpoint.base_url}: "
            f"{_describe_transport(exc)}"
        ) from None
    await batcher.flush()
    if not state.finish_reason:
        # Every OpenAI-compatible server ends a finished choice with a finish_reason; a
        # stream without one was cut off (llama_cpp.server sends [DONE] when another
        # request interrupts it). A truncated answer must never be scored as an answer.
        raise Unavailable(
            f"model {request.model}: the server ended the stream without a finish_reason "
            f"after {state.chunks} chunks (cut off, not finished)"
        )
    outcome = _outcome(state, t0, time.monotonic())
    if rates is not None:
        # Chunks fed the live rate; the server's usage is the true count.
        rates.add(request.model, outcome.completion_tokens - fed)
    return outcome


async def _chunks(client: httpx.AsyncClient, endpoint: Endpoint, body: dict[str, Any]):
    """Parsed SSE `data:` payloads until [DONE] or the end of the stream."""
    url = f"{endpoint.base_url}/v1/chat/completions"
    async with client.stream("POST", url, json=body, timeout=None) as response:
        if response.status_code >= 400:
            raise _http_error(endpoint, response.status_code, await response.aread())
        async for line in response.aiter_lines():
            if not line.startswith("data:"):
                continue  # blank separators, comments (":"), event: lines
            data = line[5:].strip()
            if data == "[DONE]":
                return
            chunk = _parse(endpoint, data)
            if "error" in chunk:
                raise Unavailable(
                    f"model {endpoint.name}: server error mid-stream: {_excerpt(chunk['error'])}"
                )
            yield chunk


def _parse(endpoint: Endpoint, data: str) -> dict[str, Any]:
    try:
        chunk = json.loads(data)
    except json.JSONDecodeError:
        raise Unavailable(
            f"model {endpoint.name}: server sent a stream chunk that is not JSON: {_excerpt(data)}"
        ) from None
    if not isinstance(chunk, dict):
        raise Unavailable(f"model {endpoint.name}: server sent a non-object chunk")
    return chunk


def _delta_of(chunk: dict[str, Any]) -> tuple[str, str]:
    """(content, reasoning) of a chunk; reasoning is `reasoning_content` or `reasoning`."""
    choices = chunk.get("choices") or []
    delta = (choices[0].get("delta") or {}) if choices else {}
    text = delta.get("content") or ""
    reasoning = delta.get("reasoning_content") or delta.get("reasoning") or ""
    return text, reasoning


def _take(chunk: dict[str, Any], state: _Stream) -> bool:
    """Fold a chunk into the state; True when it carried content or reasoning."""
    if chunk.get("usage"):
        state.usage = chunk["usage"]
    choices = chunk.get("choices") or []
    if choices and choices[0].get("finish_reason"):
        state.finish_reason = choices[0]["finish_reason"]
    text, reasoning = _delta_of(chunk)
    if not (text or reasoning):
        return False
    now = time.monotonic()
    if not state.chunks:
        state.t_first = now
    state.t_last = now
    state.chunks += 1
    state.text.append(text)
    state.reasoning.append(reasoning)
    return True


def _outcome(state: _Stream, t0: float, t_end: float) -> GenerateOutcome:
    usage = state.usage or {}
    from_server = "completion_tokens" in usage
    completion = int(usage["completion_tokens"]) if from_server else state.chunks
    details = usage.get("prompt_tokens_details") or {}
    span = state.t_last - state.t_first
    return GenerateOutcome(
        text="".join(state.text),
        reasoning="".join(state.reasoning),
        finish_reason=state.finish_reason,
        prompt_tokens=int(usage.get("prompt_tokens") or 0),
        completion_tokens=completion,
        cached_tokens=int(details.get("cached_tokens") or 0),
        ttft_s=state.t_first - t0 if state.chunks else 0.0,
        decode_tok_s=(completion - 1) / span if completion > 1 and span > 0 else 0.0,
        total_s=t_end - t0,
        chunks=state.chunks,
        usage_from_server=from_server,
    )


def context_full(model: str, lines: list[str]) -> InvalidArgument | None:
    """The error to give when one of the server's lines says the conversation was longer
    than its context: no retry helps; a larger context_length does."""
    said = next((line for line in reversed(lines) if _CONTEXT_FULL.search(line)), None)
    if said is None:
        return None
    return InvalidArgument(
        f"model {model}: the conversation {CONTEXT_FULL} (the server said: "
        f"{_excerpt(said)}); give the model a larger context_length"
    )


def _http_error(endpoint: Endpoint, status: int, body: bytes) -> Exception:
    excerpt = _excerpt(body.decode(errors="replace"))
    full = context_full(endpoint.name, [excerpt]) if status == 400 else None
    if full is not None:
        return full
    message = f"model {endpoint.name}: server answered HTTP {status}: {excerpt}"
    # 4xx: the server refused this request (too long a prompt, a bad field); retrying
    # the same request will not help. 5xx: the server is in trouble.
    if 400 <= status < 500 and status not in (404, 408, 429):
        return InvalidArgument(message)
    return Unavailable(message)


def _excerpt(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS] + "…"


def _describe_transport(exc: httpx.TransportError) -> str:
    if isinstance(exc, httpx.ConnectError):
        return "connection refused (is the model server running?)"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
