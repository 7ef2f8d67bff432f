"""Fake Anthropic Messages and OpenAI Chat Completions APIs for the peer tests: a real HTTP
server on a loopback port (in a thread of the test process), answering from a script.

Each POST takes the next `Reply` of the script (the last one repeats): an HTTP status
with headers and a JSON error body, or a 200 with server-sent events, optionally paced,
optionally cut off, optionally hanging. The key is checked as each API does (x-api-key;
Authorization: Bearer) and a wrong one gets that API's 401. Every request is kept
(`requests`: path, headers, JSON body) so a test can see what the client sent.

Event builders follow the APIs' documented shapes: `anthropic_events` sends
message_start (usage), thinking and text deltas, a ping, message_delta (stop_reason and
the cumulative usage) and message_stop; `openai_events` sends a role chunk, reasoning and
content chunks, the finish_reason chunk and, with usage, the choices-less usage chunk.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Event = tuple[str | None, Any]  # (SSE event name or None, payload: dict or raw string)


@dataclass
class Reply:
    """One scripted response."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None  # JSON body of a non-200 reply
    events: Sequence[Event] = ()
    pace_s: float = 0.0  # between events
    hang: bool = False  # accept, then never answer


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


def anthropic_events(
    text: str,
    thinking: str = "",
    *,
    input_tokens: int = 12,
    output_tokens: int = 34,
    cache_read: int = 5,
    stop_reason: str = "end_turn",
    chunks: int = 4,
) -> list[Event]:
    start = {"type": "message_start", "message": {
        "id": "msg_fake", "type": "message", "role": "assistant", "content": [],
        "model": "claude-fake", "stop_reason": None,
        "usage": {"input_tokens": input_tokens, "cache_creation_input_tokens": 0,
                  "cache_read_input_tokens": cache_read, "output_tokens": 1}}}  # fmt: skip
    events: list[Event] = [("message_start", start), ("ping", {"type": "ping"})]
    index = 0
    if thinking:
        events.append(("content_block_start", {"type": "content_block_start", "index": 0,
                       "content_block": {"type": "thinking", "thinking": ""}}))  # fmt: skip
        events += [("content_block_delta", {"type": "content_block_delta", "index": 0,
                    "delta": {"type": "thinking_delta", "thinking": part}})
                   for part in _parts(thinking, chunks)]  # fmt: skip
        events.append(("content_block_delta", {"type": "content_block_delta", "index": 0,
                       "delta": {"type": "signature_delta", "signature": "c2ln"}}))  # fmt: skip
        events.append(("content_block_stop", {"type": "content_block_stop", "index": 0}))
        index = 1
    events.append(("content_block_start", {"type": "content_block_start", "index": index,
                   "content_block": {"type": "text", "text": ""}}))  # fmt: skip
    events += [("content_block_delta", {"type": "content_block_delta", "index": index,
                "delta": {"type": "text_delta", "text": part}})
               for part in _parts(text, chunks)]  # fmt: skip
    events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
    events.append(("message_delta", {"type": "message_delta",
                   "delta": {"stop_reason": stop_reason, "stop_sequence": None},
                   "usage": {"output_tokens": output_tokens}}))  # fmt: skip
    events.append(("message_stop", {"type": "message_stop"}))
    return events


def anthropic_error(kind: str, message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": kind, "message": message}}


def openai_events(
    text: str,
    reasoning: str = "",
    *,
    prompt_tokens: int = 20,
    completion_tokens: int = 30,
    cached_tokens: int = 4,
    reasoning_tokens: int | None = None,
    finish: str | None = "stop",
    usage: bool = True,
    chunks: int = 4,
) -> list[Event]:
    def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
        return {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "model": "fake",
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]}  # fmt: skip

    events: list[Event] = [(None, chunk({"role": "assistant", "content": ""}))]
    events += [(None, chunk({"reasoning_content": p})) for p in _parts(reasoning, chunks)]
    events += [(None, chunk({"content": p})) for p in _parts(text, chunks)]
    if finish is not None:
        events.append((None, chunk({}, finish)))
    if usage:
        details = {} if reasoning_tokens is None else {"reasoning_tokens": reasoning_tokens}
        events.append((None, {"id": "chatcmpl-fake", "object": "chat.completion.chunk",
                              "choices": [], "usage": {
                                  "prompt_tokens": prompt_tokens,
                                  "completion_tokens": completion_tokens,
                                  "total_tokens": prompt_tokens + completion_tokens,
                                  "prompt_tokens_details": {"cached_tokens": cached_tokens},
                                  "completion_tokens_details": details}}))  # fmt: skip
    events.append((None, "[DONE]"))
    return events


def _parts(text: str, n: int) -> list[str]:
    if not text:
        return []
    size = max(1, -(-len(text) // n))
    return [text[i : i + size] for i in range(0, len(text), size)]


def http_error(
    status: int, kind: str, message: str, *, flavour: str = "anthropic", **headers: str
) -> Reply:
    """A non-200 reply with each API's error body (Anthropic: type; OpenAI: code and type)."""
    if flavour == "anthropic":
        body: dict[str, Any] = anthropic_error(kind, message)
    else:
        body = {"error": {"message": message, "type": kind, "code": kind, "param": None}}
    return Reply(status=status, headers={k.replace("_", "-"): v for k, v in headers.items()},
                 body=body)  # fmt: skip


class FakeApi:
    """The server and its script; use `serving(...)`."""

    def __init__(self, flavour: str, script: Sequence[Reply], key: str | None) -> None:
        self.flavour = flavour
        self.script = list(script)
        self.key = key
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        self.url = ""

    def next_reply(self, request: Request) -> Reply:
        with self.lock:
            self.requests.append(request)
            return self.script.pop(0) if len(self.script) > 1 else self.script[0]

    def authorised(self, headers: dict[str, str]) -> bool:
        if self.key is None:
            return True
        if self.flavour == "anthropic":
            return headers.get("x-api-key") == self.key
        return headers.get("authorization") == f"Bearer {self.key}"


def _handler(api: FakeApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            return None

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length) or b"{}")
            headers = {k.lower(): v for k, v in self.headers.items()}
            reply = api.next_reply(Request(self.path, headers, body))
            if not api.authorised(headers):
                reply = http_error(401, "authentication_error", "invalid x-api-key",
                                   flavour=api.flavour)  # fmt: skip
            if reply.hang:
                time.sleep(3600)
                return
            if reply.status != 200:
                self._json(reply)
            else:
                self._events(reply)

        def _json(self, reply: Reply) -> None:
            data = json.dumps(reply.body).encode()
            self.send_response(reply.status)
            for name, value in {"content-type": "application/json", **reply.headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _events(self, reply: Reply) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            for name, payload in reply.events:
                data = payload if isinstance(payload, str) else json.dumps(payload)
                head = f"event: {name}\n" if name else ""
                self.wfile.write(f"{head}data: {data}\n\n".encode())
                self.wfile.flush()
                if reply.pace_s:
                    time.sleep(reply.pace_s)
            self.close_connection = True

    return Handler


@contextmanager
def serving(flavour: str, script: Sequence[Reply], key: str | None = None) -> Iterator[FakeApi]:
    """The fake on a free loopback port for the duration; `api.url` is its base URL."""
    api = FakeApi(flavour, script, key)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(api))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
