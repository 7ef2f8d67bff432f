"""A fake OpenAI-compatible model server (llama.cpp-like or vLLM-like) with fault knobs.

Run it as `python -m tests.fakes.fake_openai --flavour llamacpp|vllm [server args]`. It
accepts the argv our backends build for llama-server (`-m`, `--alias`, `-c`, `-ngl`),
`python -m llama_cpp.server` (`--model`, `--model_alias`, `--n_ctx`) and vLLM (`serve
MODEL` or `--model`, `--served-model-name`, `--max-model-len`); unknown flags are
ignored. So tests launch it through the production argument builder and supervisor with
only the executable swapped:
  - vLLM: set `VllmConfig.command` to
    `[sys.executable, "-m", "tests.fakes.fake_openai", "--flavour", "vllm"]`;
  - llama.cpp: `LlamaCppConfig.server_binary` must be one executable, so tests write a
    two-line wrapper in their tmp dir (see `write_llama_wrapper`) and set
    PYTHONPATH to the repo root through the backend's `env`.

Endpoints: GET /health (503 while loading), GET /v1/models, POST /v1/chat/completions
(plain or SSE stream; `stream_options.include_usage` adds a usage chunk whose
`prompt_tokens_details.cached_tokens` counts the words shared with the previous prompt,
like a prefix cache), GET /metrics (Prometheus text). Generated text is deterministic:
"tok0 tok1 ...", preceded in the vLLM flavour by `reasoning_content` "think0 ..." when
`chat_template_kwargs.enable_thinking` is true. The llama.cpp flavour adds `timings`.

Faults come from the TRINITY_FAKE environment variable (the supervisor passes a backend's
env from the node config, never extra flags) and from `--fault` flags (which win),
comma-separated:
  slow_start=S        /health answers 503 "loading" for S seconds
  loading_lines=1     while slow_start lasts, print a loading line every 0.25 s
  grow_mb=N           while slow_start lasts, grow resident memory to N MiB (steadily)
  tok_s=R             pace generated tokens at R per second (default: as fast as possible)
  crash_after=N       exit(1) on the chat request after the first N
  http_500=1          chat requests answer 500
  hang=1              chat requests are accepted and never answered
  hang_after=N        chat requests after the first N hang (/health still answers 200:
                      a wedged server)
  serial=1            one chat request at a time, the others wait their turn (as
                      llama_cpp.server does): a probe queues behind a long generation
  health_fail_after=S /health answers 500 once the server has run S seconds
  no_health=1         /health answers 404, as llama_cpp.server (llama-cpp-python) does
  no_metrics=1        /metrics answers 404 (llama-server without --metrics)
  cut_after=N         a stream sends N content chunks, then [DONE] with no finish_reason
                      (what llama_cpp.server does when another request interrupts it)
  tokens_per_chunk=K  a stream puts K content tokens in each chunk (speculative decoding
                      / MTP); usage still counts every token, pacing stays per token
  metrics_lag=S       a request's tokens reach the /metrics counters S seconds after it
                      ends (a server that records stats after streaming the last token)
  ignore_sigterm=1    SIGTERM is ignored (the supervisor must SIGKILL)
  exit_at_start=CODE  exit with CODE before listening
  bind_fail=1         print llama.cpp's "address already in use" and exit 1
  child=1             start a worker process in the server's process group (as vLLM's
                      engine core), which outlives the server unless the group is killed
  escape_child=1      start a worker in a session of its own, out of the group: nothing
                      that kills the group kills it (what "memory not released" is about)
Every request is logged to stderr, so the supervisor's ring buffer sees it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any, NoReturn

REPO_ROOT = Path(__file__).resolve().parents[2]


def parse_faults(text: str) -> dict[str, float]:
    """`"slow_start=2,tok_s=50"` → {"slow_start": 2.0, "tok_s": 50.0}."""
    faults: dict[str, float] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, _, value = item.partition("=")
        faults[key] = float(value or 1)
    return faults


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="fake_openai", add_help=False)
    parser.add_argument("--flavour", choices=["llamacpp", "vllm"], required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("-m", "--model", dest="model", default="")
    parser.add_argument("--alias", "--model_alias", "--served-model-name", dest="served")
    parser.add_argument("-c", "--ctx-size", "--n_ctx", "--max-model-len", dest="ctx", type=int)
    parser.add_argument("--fault", action="append", default=[], help="like TRINITY_FAKE")
    args, unknown = parser.parse_known_args(argv)
    if not args.model and "serve" in unknown:  # `vllm serve MODEL ...`
        rest = unknown[unknown.index("serve") + 1 :]
        args.model = rest[0] if rest and not rest[0].startswith("-") else ""
    args.served = args.served or args.model or "fake"
    args.ctx = args.ctx or 2048
    return args


@dataclass(frozen=True)
class RunningFake:
    proc: subprocess.Popen[bytes]
    url: str  # http://127.0.0.1:PORT, no /v1
    _stderr: IO[bytes]

    def stderr(self) -> str:
        """What the server wrote so far (a file, not a pipe: a pipe fills and blocks it)."""
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace")


@contextlib.contextmanager
def fake_server(flavour: str, *args: str, faults: str = "") -> Iterator[RunningFake]:
    """Run the fake on a free loopback port (without the supervisor); killed on exit."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "TRINITY_FAKE": faults, "PYTHONPATH": str(REPO_ROOT)}
    argv = [sys.executable, "-m", "tests.fakes.fake_openai", "--flavour", flavour, *args]
    with tempfile.TemporaryFile() as stderr:
        proc = subprocess.Popen(
            [*argv, "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=stderr
        )
        try:
            _wait_listening(proc, f"http://127.0.0.1:{port}/v1/models")
            yield RunningFake(proc, f"http://127.0.0.1:{port}", stderr)
        finally:
            proc.kill()
            proc.wait()


def _wait_listening(proc: subprocess.Popen[bytes], url: str, within_s: float = 10.0) -> None:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except urllib.error.HTTPError:
            return  # it answers, if not with 200 (a fault asked for)
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"fake server did not start (exit {proc.poll()})")


def write_llama_wrapper(folder: Path) -> Path:
    """An executable `llama-server` in `folder` that runs this fake (llama.cpp flavour)."""
    wrapper = folder / "llama-server"
    wrapper.write_text(
        f'#!/bin/sh\nexec {sys.executable} -m tests.fakes.fake_openai --flavour llamacpp "$@"\n'
    )
    wrapper.chmod(0o755)
    return wrapper


class FakeModel:
    """Server state shared by the request threads."""

    def __init__(self, flavour: str, served: str, ctx: int, faults: dict[str, float]) -> None:
        self.flavour = flavour
        self.served = served
        self.ctx = ctx
        self.faults = faults
        self.started = time.monotonic()
        self.lock = threading.Lock()
        self.chat_requests = 0
        self.serial = threading.Lock()
        self.decoded_total = 0  # per token as it is made, like llama-server's n_decode
        self.generated_total = 0
        self.prompt_total = 0
        self.running = 0
        self.last_prompt: list[str] = []

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
            f"llamacpp:n_decode_total {float(self.decoded_total)}\n"
        )

    def admit_chat(self) -> bool:
        """Count a chat request, applying the crash fault; False when it should hang."""
        with self.lock:
            self.chat_requests += 1
            crash_after = self.faults.get("crash_after")
            if crash_after is not None and self.chat_requests > crash_after:
                print("fake: crashing as asked (crash_after)", file=sys.stderr, flush=True)
                os._exit(1)
            hang_after = self.faults.get("hang_after")
            if hang_after is not None and self.chat_requests > hang_after:
                return False
        return not self.faults.get("hang")

    def cached(self, prompt: list[str]) -> int:
        """Words shared with the previous prompt's start: a crude prefix cache."""
        with self.lock:
            shared = 0
            for old, new in zip(self.last_prompt, prompt, strict=False):
                if old != new:
                    break
                shared += 1
            self.last_prompt = prompt
        return shared

    def models(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"id": self.served, "object": "model", "owned_by": "fake"}
        if self.flavour == "vllm":
            entry["max_model_len"] = self.ctx
        else:
            entry["meta"] = {"n_ctx_train": self.ctx}
        return {"object": "list", "data": [entry]}


def prompt_words(body: dict[str, Any]) -> list[str]:
    """The prompt as "tokens": one per whitespace-separated word, at least one."""
    words = [w for m in body.get("messages", []) for w in str(m.get("content", "")).split()]
    return words or ["<empty>"]


def usage(prompt: int, generated: int, cached: int) -> dict[str, Any]:
    return {
        "prompt_tokens": prompt,
        "completion_tokens": generated,
        "total_tokens": prompt + generated,
        "prompt_tokens_details": {"cached_tokens": cached},
    }


def chunk(model: FakeModel, delta: dict[str, Any], finish: str | None = None) -> dict:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "model": model.served,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


class _Server(ThreadingHTTPServer):
    # The default listen backlog (5) resets connections beyond it: 64 concurrent clients
    # would see ReadErrors no real model server gives them.
    request_queue_size = 1024


class Handler(BaseHTTPRequestHandler):
    # Streamed chunks are small writes: without TCP_NODELAY, Nagle and the client's
    # delayed ACK hold every chunk after the first ~40 ms on a kept-alive connection, and
    # the fake would look 4x slower than it is (real servers set it too).
    disable_nagle_algorithm = True
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
        if self.path == "/health" and not self.model.faults.get("no_health"):
            self._json(*self.model.health())
        elif self.path == "/openapi.json":
            self._json(200, {"openapi": "3.1.0", "info": {"title": "fake"}})
        elif self.path == "/v1/models":
            self._json(200, self.model.models())
        elif self.path == "/metrics" and not self.model.faults.get("no_metrics"):
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
        if not model.admit_chat():
            print(f"fake: hanging as asked on {self.path}", file=sys.stderr, flush=True)
            time.sleep(3600)
            return
        if model.faults.get("http_500"):
            self._json(500, {"error": {"message": "fake internal error"}})
            return
        if body.get("model") not in (model.served, None):
            self._json(404, {"error": {"message": f"model {body.get('model')} not found"}})
            return
        serial = model.serial if model.faults.get("serial") else contextlib.nullcontext()
        with serial:
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

    def _plan(self, body: dict[str, Any]) -> tuple[list[str], list[str], int, int]:
        """Reasoning words, content words, prompt size and cached prompt size."""
        n = int(body.get("max_tokens") or body.get("max_completion_tokens") or 16)
        thinking = (body.get("chat_template_kwargs") or {}).get("enable_thinking")
        reasoning = []
        if self.model.flavour == "vllm" and thinking:
            reasoning = [f"think{i} " for i in range(min(3, n))]
        content = [f"tok{i} " for i in range(n - len(reasoning))]
        prompt = prompt_words(body)
        return reasoning, content, len(prompt), self.model.cached(prompt)

    def _account(self, prompt: int, generated: int) -> None:
        lag = self.model.faults.get("metrics_lag")
        if lag:
            threading.Timer(lag, self._count, (prompt, generated)).start()
        else:
            self._count(prompt, generated)

    def _count(self, prompt: int, generated: int) -> None:
        with self.model.lock:
            self.model.prompt_total += prompt
            self.model.generated_total += generated

    def _pace(self) -> None:
        rate = self.model.faults.get("tok_s")
        if rate:
            time.sleep(1.0 / rate)
        with self.model.lock:
            self.model.decoded_total += 1

    def _timings(self, generated: int, started: float) -> dict[str, float]:
        elapsed = max(time.monotonic() - started, 1e-6)
        return {"predicted_n": generated, "predicted_per_second": generated / elapsed}

    def _complete(self, body: dict[str, Any]) -> None:
        reasoning, content, prompt, cached = self._plan(body)
        started = time.monotonic()
        for _ in reasoning + content:
            self._pace()
        message: dict[str, Any] = {"role": "assistant", "content": "".join(content)}
        if reasoning:
            message["reasoning_content"] = "".join(reasoning)
        generated = len(reasoning) + len(content)
        self._account(prompt, generated)
        payload: dict[str, Any] = {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "model": self.model.served,
            "choices": [{"index": 0, "message": message, "finish_reason": "length"}],
            "usage": usage(prompt, generated, cached),
        }
        if self.model.flavour == "llamacpp":
            payload["timings"] = self._timings(generated, started)
        self._json(200, payload)

    def _send_event(self, payload: Any) -> None:
        data = payload if isinstance(payload, str) else json.dumps(payload)
        line = f"data: {data}\n\n".encode()
        self.wfile.write(f"{len(line):x}\r\n".encode() + line + b"\r\n")
        self.wfile.flush()

    def _stream(self, body: dict[str, Any]) -> None:
        reasoning, content, prompt, cached = self._plan(body)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        started = time.monotonic()
        # The role-only first chunk, as each server sends it (vLLM "", llama.cpp null).
        empty = "" if self.model.flavour == "vllm" else None
        self._send_event(chunk(self.model, {"role": "assistant", "content": empty}))
        for word in reasoning:
            self._pace()
            self._send_event(chunk(self.model, {"reasoning_content": word}))
        cut_after = self.model.faults.get("cut_after")
        per_chunk = max(1, int(self.model.faults.get("tokens_per_chunk", 1)))
        groups = [content[i : i + per_chunk] for i in range(0, len(content), per_chunk)]
        for i, words in enumerate(groups):
            if cut_after is not None and i >= cut_after:
                self._send_event("[DONE]")
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
                return
            for _ in words:
                self._pace()
            self._send_event(chunk(self.model, {"content": "".join(words)}))
        generated = len(reasoning) + len(content)
        final = chunk(self.model, {}, finish="length")
        if self.model.flavour == "llamacpp":
            final["timings"] = self._timings(generated, started)
        self._send_event(final)
        if (body.get("stream_options") or {}).get("include_usage"):
            usage_chunk = chunk(self.model, {})
            usage_chunk["choices"] = []
            usage_chunk["usage"] = usage(prompt, generated, cached)
            self._send_event(usage_chunk)
        self._account(prompt, generated)
        self._send_event("[DONE]")
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


def bind_failed(args: argparse.Namespace) -> NoReturn:
    """Say it the way llama-server does, and exit 1."""
    print(
        f"error: couldn't bind HTTP server socket, hostname: {args.host}, port: {args.port}: "
        "address already in use",
        file=sys.stderr,
        flush=True,
    )
    sys.exit(1)


def load(faults: dict[str, float]) -> None:
    """What a loading server shows while slow_start lasts: lines, growing memory."""
    until = time.monotonic() + faults.get("slow_start", 0)
    target, held = int(faults.get("grow_mb", 0)) << 20, []
    step = max(target // max(1, int(faults.get("slow_start", 1) * 4)), 1 << 20)
    while time.monotonic() < until:
        if faults.get("loading_lines"):
            print(f"fake: loading tensors, {until - time.monotonic():.1f} s to go",
                  file=sys.stderr, flush=True)  # fmt: skip
        if target and sum(map(len, held)) < target:
            held.append(b"x" * step)  # touched, so resident
        time.sleep(0.25)
    LOADED.extend(held)  # keep it, as a loaded model does


LOADED: list[bytes] = []


def main(argv: list[str] | None = None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    faults = parse_faults(",".join([os.environ.get("TRINITY_FAKE", ""), *args.fault]))
    print(f"fake: {args.flavour} server for {args.served} faults={faults}", file=sys.stderr)
    if "exit_at_start" in faults:
        print("fake: exiting at start as asked", file=sys.stderr, flush=True)
        sys.exit(int(faults["exit_at_start"]))
    if faults.get("bind_fail"):
        bind_failed(args)
    if faults.get("ignore_sigterm"):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    for knob, own_session in (("child", False), ("escape_child", True)):
        if faults.get(knob):
            worker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"],
                                      start_new_session=own_session)  # fmt: skip
            print(f"fake: worker pid {worker.pid} ({knob})", file=sys.stderr, flush=True)
    model = FakeModel(args.flavour, args.served, args.ctx, faults)
    threading.Thread(target=load, args=(faults,), daemon=True).start()
    handler = type("BoundHandler", (Handler,), {"model": model})
    try:
        server = _Server((args.host, args.port), handler)
    except OSError:
        bind_failed(args)
    server.daemon_threads = True
    print(f"fake: listening on http://{args.host}:{args.port}", file=sys.stderr, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
