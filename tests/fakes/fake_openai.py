"""A fake OpenAI-compatible model server (llama.cpp-like or vLLM-like) with fault knobs.

Run it as `python -m tests.fakes.fake_openai --flavour llamacpp|vllm [server args]`. It
accepts the argv our backends build for llama-server, `python -m llama_cpp.server` and
vLLM (unknown flags are ignored), so tests launch it through the production argument
builder and supervisor with only the executable swapped.

Faults come from the TRINITY_FAKE environment variable (the supervisor passes a backend's
env from the node config, never extra flags), comma-separated:
  slow_start=S        /health answers 503 "loading" for S seconds
  tok_s=R             pace generated tokens at R per second (default: as fast as possible)
  crash_after=N       exit(1) on the (N+1)th chat request
  http_500=1          chat requests answer 500
  hang=1              chat requests are accepted and never answered
  health_fail_after=S /health answers 500 once the server has run S seconds
  ignore_sigterm=1    SIGTERM is ignored (the supervisor must SIGKILL)
  exit_at_start=CODE  exit with CODE before listening
  bind_fail=1         print llama.cpp's "address already in use" and exit 1
Every request is logged to stderr, so the supervisor's ring buffer sees it.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def parse_faults(text: str) -> dict[str, float]:
    """`"slow_start=2,tok_s=50"` → {"slow_start": 2.0, "tok_s": 50.0}."""
    faults: dict[str, float] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, _, value = item.partition("=")
        faults[key] = float(value or 1)
    return faults


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--flavour", choices=["llamacpp", "vllm"], required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("-m", "--model", dest="model", default="")
    parser.add_argument("--alias", "--model_alias", "--served-model-name", dest="served")
    parser.add_argument("positional", nargs="*")
    args, _unknown = parser.parse_known_args(argv)
    if not args.model and args.positional:
        args.model = args.positional[-1]  # `vllm serve MODEL`
    args.served = args.served or args.model or "fake"
    return args


class FakeModel:
    """Server state shared by the request threads."""

    def __init__(self, flavour: str, served: str, faults: dict[str, float]) -> None:
        self.flavour = flavour
        self.served = served
        self.faults = faults
        self.started = time.monotonic()
        self.lock = threading.Lock()
        self.chat_requests = 0
        self.generated_total = 0
        self.prompt_total = 0
        self.running = 0

    def uptime(self) -> float:
        return time.monotonic() - self.started

    def health(self) -> tuple[int, dict[str, str]]:
        if self.uptime() < self.faults.get("slow_start", 0):
            return 503, {"status": "loading model"}
        fail_after = self.faults.get("health_fail_after")
        if fail_after is not None and self.uptime() > fail_after:
            return 500, {"status": "error"}
        return 200, {"status": "ok"}

    def metrics(self) -> str:
        if self.flavour == "vllm":
            return (
                f'vllm:generation_tokens_total{{model_name="{self.served}"}} '
                f"{float(self.generated_total)}\n"
                f'vllm:prompt_tokens_total{{model_name="{self.served}"}} '
                f"{float(self.prompt_total)}\n"
                f'vllm:num_requests_running{{model_name="{self.served}"}} '
                f"{float(self.running)}\n"
            )
        return (
            f"llamacpp:tokens_predicted_total {float(self.generated_total)}\n"
            f"llamacpp:prompt_tokens_total {float(self.prompt_total)}\n"
        )

    def admit_chat(self) -> None:
        """Count a chat request, applying the crash fault."""
        with self.lock:
            self.chat_requests += 1
            crash_after = self.faults.get("crash_after")
            if crash_after is not None and self.chat_requests > crash_after:
                print("fake: crashing as asked (crash_after)", file=sys.stderr, flush=True)
                os._exit(1)


def prompt_tokens(body: dict[str, Any]) -> int:
    words = sum(len(str(m.get("content", "")).split()) for m in body.get("messages", []))
    return max(1, words)


def chunk(model: FakeModel, delta: dict[str, Any], finish: str | None = None) -> dict:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "model": model.served,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


class Handler(BaseHTTPRequestHandler):
    server_version = "fake-openai"
    protocol_version = "HTTP/1.1"
    model: FakeModel  # set on the subclass built in main()

    def log_message(self, format: str, *args: Any) -> None:
        print(f"fake: {self.address_string()} {format % args}", file=sys.stderr, flush=True)

    def _json(self, status: int, payload: Any) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _text(self, status: int, text: str) -> None:
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path == "/health":
            self._json(*self.model.health())
        elif self.path == "/v1/models":
            self._json(200, {"object": "list", "data": [{"id": self.model.served}]})
        elif self.path == "/metrics":
            self._text(200, self.model.metrics())
        else:
            self._json(404, {"error": "not found"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length) or b"{}")
        if self.path != "/v1/chat/completions":
            self._json(404, {"error": "not found"})
            return
        model = self.model
        model.admit_chat()
        if model.faults.get("hang"):
            time.sleep(3600)
            return
        if model.faults.get("http_500"):
            self._json(500, {"error": {"message": "fake internal error"}})
            return
        if body.get("model") not in (model.served, None):
            self._json(404, {"error": {"message": f"model {body.get('model')} not found"}})
            return
        with model.lock:
            model.running += 1
        try:
            if body.get("stream"):
                self._stream(body)
            else:
                self._complete(body)
        finally:
            with model.lock:
                model.running -= 1

    def _plan(self, body: dict[str, Any]) -> tuple[list[str], list[str], int]:
        """Reasoning words, content words and the prompt size for one request."""
        n = int(body.get("max_tokens") or 16)
        thinking = (body.get("chat_template_kwargs") or {}).get("enable_thinking")
        reasoning = []
        if self.model.flavour == "vllm" and thinking:
            reasoning = [f"think{i} " for i in range(min(3, n))]
        content = [f"tok{i} " for i in range(n - len(reasoning))]
        return reasoning, content, prompt_tokens(body)

    def _account(self, prompt: int, generated: int) -> None:
        with self.model.lock:
            self.model.prompt_total += prompt
            self.model.generated_total += generated

    def _pace(self) -> None:
        rate = self.model.faults.get("tok_s")
        if rate:
            time.sleep(1.0 / rate)

    def _complete(self, body: dict[str, Any]) -> None:
        reasoning, content, prompt = self._plan(body)
        for _ in reasoning + content:
            self._pace()
        message: dict[str, Any] = {"role": "assistant", "content": "".join(content)}
        if reasoning:
            message["reasoning_content"] = "".join(reasoning)
        generated = len(reasoning) + len(content)
        self._account(prompt, generated)
        self._json(
            200,
            {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "model": self.model.served,
                "choices": [{"index": 0, "message": message, "finish_reason": "length"}],
                "usage": {
                    "prompt_tokens": prompt,
                    "completion_tokens": generated,
                    "total_tokens": prompt + generated,
                },
            },
        )

    def _send_event(self, payload: Any) -> None:
        data = payload if isinstance(payload, str) else json.dumps(payload)
        line = f"data: {data}\n\n".encode()
        self.wfile.write(f"{len(line):x}\r\n".encode() + line + b"\r\n")
        self.wfile.flush()

    def _stream(self, body: dict[str, Any]) -> None:
        reasoning, content, prompt = self._plan(body)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        started = time.monotonic()
        self._send_event(chunk(self.model, {"role": "assistant", "content": ""}))
        for word in reasoning:
            self._pace()
            self._send_event(chunk(self.model, {"reasoning_content": word}))
        for word in content:
            self._pace()
            self._send_event(chunk(self.model, {"content": word}))
        generated = len(reasoning) + len(content)
        final = chunk(self.model, {}, finish="length")
        if self.model.flavour == "llamacpp":
            elapsed = max(time.monotonic() - started, 1e-6)
            final["timings"] = {
                "predicted_n": generated,
                "predicted_per_second": generated / elapsed,
            }
        self._send_event(final)
        if (body.get("stream_options") or {}).get("include_usage"):
            usage_chunk = chunk(self.model, {})
            usage_chunk["choices"] = []
            usage_chunk["usage"] = {
                "prompt_tokens": prompt,
                "completion_tokens": generated,
                "total_tokens": prompt + generated,
                "prompt_tokens_details": {"cached_tokens": 0},
            }
            self._send_event(usage_chunk)
        self._account(prompt, generated)
        self._send_event("[DONE]")
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


def main(argv: list[str] | None = None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    faults = parse_faults(os.environ.get("TRINITY_FAKE", ""))
    print(f"fake: {args.flavour} server for {args.served} faults={faults}", file=sys.stderr)
    if "exit_at_start" in faults:
        print("fake: exiting at start as asked", file=sys.stderr, flush=True)
        sys.exit(int(faults["exit_at_start"]))
    if faults.get("bind_fail"):
        print(
            f"error: couldn't bind to {args.host}:{args.port}: address already in use",
            file=sys.stderr,
            flush=True,
        )
        sys.exit(1)
    if faults.get("ignore_sigterm"):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    handler = type(
        "BoundHandler", (Handler,), {"model": FakeModel(args.flavour, args.served, faults)}
    )
    server = ThreadingHTTPServer((args.host, args.port), handler)
    server.daemon_threads = True
    print(f"fake: listening on http://{args.host}:{args.port}", file=sys.stderr, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
