"""Fake coding CLIs: `python -m tests.fakes.fake_cli claude|codex|aider|gemini ARGS…`
imitates each tool's command line, its output format and its known failure modes
(shared/PEERS.md). `write_fake_clis(folder)` puts executables named after the real tools
in a folder, for a PATH or a peer's `executable`.

Behaviour comes from the FAKE_CLI environment variable, comma-separated knobs (and
FAKE_CLI_CLAUDE, FAKE_CLI_CODEX, … for one tool only, which win):
  code=NAME        what it answers: add (a + b), operator (operator.add), wrong (a - b)
  message_only=1   answer only in its final message (a ```python block), write no file
  sleep=S          take S seconds before answering
  is_error=STATUS  claude: a result with "subtype": "success", "is_error": true,
                   api_error_status STATUS and exit 0 (401, 402 credit balance, 429, 529)
  empty_result=1   claude: `result` is "" while the last assistant message has the text
  turn_failed=1    codex: turn.failed (error.message) and exit 0
  error_event=1    codex: an `error` event and no turn completed, exit 1
  api_error=NAME   aider: prints `litellm.NAME: …` and exits 0 (RateLimitError, …)
  exit=CODE        gemini: exit CODE with an error object (41 auth, 1 API error)
  hang=1           start a child, write both pids to $FAKE_CLI_PIDS, sleep until killed
Always, as the real tools do: an open stdin is read until it closes (an open pipe makes
it wait); claude refuses to start when CLAUDECODE is set, and exits 1 when stream-json
is asked for without --verbose. Each run appends its argv and cwd, as JSON, to
$FAKE_CLI_LOG when set. `--version` prints a version.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
TOOLS = ("claude", "codex", "aider", "gemini")
CODE = {
    "add": "def add(a, b):\n    return a + b\n",
    "operator": "import operator\n\n\ndef add(a, b):\n    return operator.add(a, b)\n",
    "wrong": "def add(a, b):\n    return a - b\n",
}


def knobs(tool: str) -> dict[str, str]:
    out = {}
    text = os.environ.get("FAKE_CLI", "") + "," + os.environ.get(f"FAKE_CLI_{tool.upper()}", "")
    for item in filter(None, text.split(",")):
        key, _, value = item.partition("=")
        out[key.strip()] = value.strip() or "1"
    return out


def write_fake_clis(folder: Path) -> Path:
    """Executables claude, codex, aider and gemini in `folder` that run this fake."""
    folder.mkdir(parents=True, exist_ok=True)
    for tool in TOOLS:
        path = folder / tool
        path.write_text(
            f"#!/bin/sh\nPYTHONPATH={REPO_ROOT} exec {sys.executable} -m tests.fakes.fake_cli "
            f'{tool} "$@"\n'
        )
        path.chmod(0o755)
    return folder


def solution_name(prompt: str) -> str:
    found = re.search(r"to the file (\S+) there", prompt)
    return found.group(1) if found else "solution.py"


def answer(k: dict[str, str], prompt: str, folder: Path) -> tuple[str, str]:
    """(final message, code) after writing the solution file unless message_only."""
    code = CODE[k.get("code", "add")]
    if k.get("message_only"):
        return f"Here it is:\n\n```python\n{code}```\n", code
    (folder / solution_name(prompt)).write_text(code)
    return f"I wrote {solution_name(prompt)}.", code


def hang(pids: str) -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)"])
    Path(pids).write_text(f"{os.getpid()} {child.pid}\n")
    time.sleep(3600)


def emit(event: dict[str, Any]) -> None:
    print(json.dumps(event), flush=True)


def claude(args: list[str], k: dict[str, str]) -> int:
    if os.environ.get("CLAUDECODE"):
        print("Error: Claude Code cannot be launched inside another Claude Code session.",
              file=sys.stderr)  # fmt: skip
        return 1
    stream = "stream-json" in args
    if stream and "--verbose" not in args:
        print("Error: When using --print, --output-format=stream-json requires --verbose",
              file=sys.stderr)  # fmt: skip
        return 1
    prompt = args[-1]
    text, _ = answer(k, prompt, Path.cwd())
    emit({"type": "system", "subtype": "init", "model": "claude-fake", "tools": ["Edit"]})
    emit({"type": "assistant", "message": {"id": "m1", "content": [{"type": "text", "text": text}],
          "usage": {"input_tokens": 10, "output_tokens": 20}}})  # fmt: skip
    status = int(k["is_error"]) if "is_error" in k else None
    messages = {401: "Invalid API key · Please run /login", 402: "Credit balance is too low",
                429: "API Error: 429 rate_limit_error", 529: "API Error: 529 Overloaded"}  # fmt: skip
    result: dict[str, Any] = {
        "type": "result", "subtype": "success", "is_error": status is not None,
        "result": "" if k.get("empty_result") else (messages.get(status or 0) or text),
        "duration_ms": 1200, "duration_api_ms": 900, "num_turns": 2, "session_id": "s1",
        "total_cost_usd": float(k.get("cost", "0.0123")),
        "usage": {"input_tokens": 100, "cache_creation_input_tokens": 10,
                  "cache_read_input_tokens": 50, "output_tokens": 40},
        "modelUsage": {"claude-fake": {"inputTokens": 100, "outputTokens": 40, "costUSD": 0.0123}},
    }  # fmt: skip
    if status is not None:
        result["api_error_status"] = status
    emit(result)
    return 0


def codex(args: list[str], k: dict[str, str]) -> int:
    folder = Path(args[args.index("-C") + 1])
    last = Path(args[args.index("-o") + 1])
    emit({"type": "thread.started", "thread_id": "t1"})
    emit({"type": "turn.started"})
    if k.get("turn_failed"):
        emit({"type": "error", "message": "Reconnecting... 1/5"})
        emit({"type": "turn.failed", "error": {"message": "stream error: 429 Too Many Requests"}})
        return 0
    if k.get("error_event"):
        emit({"type": "error", "message": "You've hit your usage limit. Try again later."})
        return 1
    text, _ = answer(k, args[-1], folder)
    emit({"type": "item.completed", "item": {"id": "i0", "type": "reasoning", "text": "Plan it."}})
    emit({"type": "item.completed", "item": {"id": "i1", "type": "agent_message", "text": text}})
    emit({"type": "turn.completed", "usage": {"input_tokens": 300, "cached_input_tokens": 120,
          "output_tokens": 60, "reasoning_output_tokens": 25}})  # fmt: skip
    last.write_text(text)
    return 0


def aider(args: list[str], k: dict[str, str]) -> int:
    if "api_error" in k:
        print(f"litellm.{k['api_error']}: AnthropicException - the API said no")
        print("Retrying in 0.2 seconds...")
        return 0
    prompt = args[args.index("--message") + 1]
    text, _code = answer(k, prompt, Path.cwd())
    print(f"Applied edit to {args[-1]}\n{text}")
    print(
        "Tokens: 2.5k sent, 1.2k cache hit, 345 received. Cost: $0.0042 message, $0.0042 session."
    )
    return 0


def gemini(args: list[str], k: dict[str, str]) -> int:
    if "exit" in k:
        code = int(k["exit"])
        print(json.dumps({"error": {"type": "FatalAuthenticationError" if code == 41 else "Error",
                                    "message": "auth failed" if code == 41 else "API error 503",
                                    "code": code}}))  # fmt: skip
        return code
    text, _ = answer(k, args[args.index("-p") + 1], Path.cwd())
    print(json.dumps({"response": text, "stats": {"models": {"gemini-fake": {"tokens": {
        "input": 70, "prompt": 80, "candidates": 30, "total": 110, "cached": 10,
        "thoughts": 12, "tool": 0}}}}}))  # fmt: skip
    return 0


def main() -> int:
    tool, args = sys.argv[1], sys.argv[2:]
    if args == ["--version"]:
        print(f"{tool} 9.9.9 (fake)")
        return 0
    if log := os.environ.get("FAKE_CLI_LOG"):
        with open(log, "a") as handle:
            handle.write(json.dumps({"tool": tool, "argv": args, "cwd": os.getcwd(),
                                     "env_claudecode": os.environ.get("CLAUDECODE")}) + "\n")  # fmt: skip
    sys.stdin.read()  # an open stdin keeps the real tools waiting; so does it this one
    k = knobs(tool)
    if k.get("hang"):
        hang(os.environ["FAKE_CLI_PIDS"])
    time.sleep(float(k.get("sleep", 0)))
    return {"claude": claude, "codex": codex, "aider": aider, "gemini": gemini}[tool](args, k)


if __name__ == "__main__":
    sys.exit(main())
