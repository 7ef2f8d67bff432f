"""The coding tools Trinity knows: the argv each is run with, and what its output means.

A tool's exit code is not its verdict (the facts are in shared/PEERS.md): Claude Code
reports API errors as `"subtype": "success"` with `"is_error": true` and exit 0, Codex
exits 0 after `turn.failed`, aider exits 0 on API errors. So each parser reads the
tool's own report and returns a `ToolOutput`; `failure` is set (kind, message) when the
answer could not be had for reasons that are not the model's, classified as the HTTP
peers are (rate_limit, overloaded, server, timeout: retried; auth, billing, quota,
invalid_request, config: the peer stops; tool: the tool failed some other way, retried).

Permissions, least first: claude-code edits inside its folder (acceptEdits) with Bash
disallowed unless allow_shell; codex runs in its own workspace-write sandbox (writes in
the folder only, no network; it has no mode without commands); gemini approves edits
only (auto_edit) unless allow_shell (yolo); aider edits the solution file and is told
not to suggest shell commands unless allow_shell.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from trinity.controller.config import CliPeer
from trinity.controller.peers.http import BY_STATUS

PROGRAMS = {"claude-code": "claude", "codex": "codex", "gemini": "gemini", "aider": "aider"}
MESSAGE_CHARS = 300

# First match wins: a billing message often also says "429" or "rate".
_PATTERNS = (
    ("billing", r"credit balance|billing|insufficient_quota|exceeded your current quota|"
                r"payment required|\b402\b"),
    ("auth", r"invalid api key|invalid x-api-key|authentication|unauthori[sz]ed|\b401\b|\b403\b|"
             r"/login|not logged in|log ?in again|oauth token"),
    ("overloaded", r"overloaded|\b529\b"),
    ("rate_limit", r"rate.?limit|too many requests|\b429\b|quota exceeded|resource.?exhausted|"
                   r"usage limit"),
    ("timeout", r"timed? ?out|timeout|deadline exceeded"),
    ("server", r"internal server error|api ?error|server error|service unavailable|bad gateway|"
               r"\b50[0-4]\b|connection (?:error|reset|refused)|network error|stream disconnected"),
)  # fmt: skip
_AIDER_ERRORS = {
    "RateLimitError": "rate_limit",
    "AuthenticationError": "auth",
    "PermissionDeniedError": "auth",
    "NotFoundError": "invalid_request",
    "BadRequestError": "invalid_request",
    "ContextWindowExceededError": "invalid_request",
    "ServiceUnavailableError": "server",
    "InternalServerError": "server",
    "APIConnectionError": "server",
    "APIError": "server",
    "Timeout": "timeout",
}
_AIDER_ERROR = re.compile(r"litellm\.(\w+)|^(\w*Error):|API provider", re.MULTILINE)
_COUNT = r"([\d.,]+)\s*([kKmM]?)"
_AIDER_SENT = re.compile(_COUNT + r" sent")
_AIDER_RECEIVED = re.compile(_COUNT + r" received")
_AIDER_CACHE_HIT = re.compile(_COUNT + r" cache hit")
_AIDER_SESSION = re.compile(r"Cost: \$([\d.]+) message, \$([\d.]+) session")


@dataclass(frozen=True)
class Invocation:
    """What one run of a tool is given."""

    program: str  # full path
    prompt: str
    prompt_file: Path
    workdir: Path
    solution_file: str
    last_message: Path  # where codex writes its final message (-o), outside the folder


@dataclass(frozen=True)
class ToolOutput:
    """A tool's run as its own report tells it; numbers it does not report are None."""

    text: str = ""
    reasoning: str = ""
    finish_reason: str = "stop"
    input_tokens: int | None = None
    output_tokens: int | None = None
    reasoning_tokens: int | None = None
    cached_tokens: int | None = None
    cost_usd: float | None = None
    turns: int | None = None
    api_s: float | None = None
    failure: tuple[str, str] | None = None  # (kind, message) when it did not answer


def argv(peer: CliPeer, run: Invocation) -> list[str]:
    """The command line: the preset's, or the peer's own command with placeholders filled."""
    if peer.preset is None:
        return _template(peer, run)
    return _BUILDERS[peer.preset](peer, run)


def _template(peer: CliPeer, run: Invocation) -> list[str]:
    values = {
        "prompt": run.prompt,
        "prompt_file": str(run.prompt_file),
        "workdir": str(run.workdir),
        "solution_file": run.solution_file,
        "model": peer.model,
    }
    parts = [part.format(**values) for part in peer.command]
    return [run.program, *parts[1:]]


def _claude(peer: CliPeer, run: Invocation) -> list[str]:
    tools = "--allowedTools=Bash" if peer.allow_shell else "--disallowedTools=Bash"
    out = [run.program, "-p", "--output-format", "stream-json", "--verbose",
           "--no-session-persistence", "--permission-mode", "acceptEdits", tools]  # fmt: skip
    out += _option("--model", peer.model) + _option("--max-turns", peer.max_turns)
    out += _option("--max-budget-usd", peer.max_budget_usd)
    return [*out, _positional(run.prompt)]


def _codex(peer: CliPeer, run: Invocation) -> list[str]:
    out = [run.program, "exec", "--json", "--skip-git-repo-check", "--ephemeral",
           "--sandbox", "workspace-write", "-C", str(run.workdir), "-o", str(run.last_message)]  # fmt: skip
    return [*out, *_option("-m", peer.model), _positional(run.prompt)]


def _gemini(peer: CliPeer, run: Invocation) -> list[str]:
    approval = "yolo" if peer.allow_shell else "auto_edit"
    out = [run.program, "-p", run.prompt, "--output-format", "json", "--approval-mode", approval]
    return [*out, *_option("-m", peer.model)]


def _aider(peer: CliPeer, run: Invocation) -> list[str]:
    out = [run.program, "--message", run.prompt, "--yes-always", "--no-auto-commits",
           "--no-stream", "--no-pretty", "--no-git"]  # fmt: skip
    if not peer.allow_shell:
        out.append("--no-suggest-shell-commands")
    return [*out, *_option("--model", peer.model), run.solution_file]


_BUILDERS: dict[str, Callable[[CliPeer, Invocation], list[str]]] = {
    "claude-code": _claude,
    "codex": _codex,
    "gemini": _gemini,
    "aider": _aider,
}


def _option(flag: str, value: Any) -> list[str]:
    return [] if value in (None, "") else [flag, str(value)]


def _positional(prompt: str) -> str:
    """A prompt passed as a positional argument must not read as an option."""
    return " " + prompt if prompt.startswith("-") else prompt


# ---------------------------------------------------------------- reading the output


def parse(
    preset: str | None,
    stdout: Sequence[str],
    returncode: int,
    stderr: str,
    last_message: str | None = None,
) -> ToolOutput:
    """The tool's report, read as its preset says (no preset: stdout is the answer)."""
    if preset == "claude-code":
        return parse_claude(stdout, returncode, stderr)
    if preset == "codex":
        return parse_codex(stdout, returncode, stderr, last_message)
    if preset == "gemini":
        return parse_gemini("\n".join(stdout), returncode, stderr)
    if preset == "aider":
        return parse_aider("\n".join(stdout), returncode, stderr)
    return parse_plain("\n".join(stdout), returncode, stderr)


def classify(text: str, status: int | None = None, default: str = "tool") -> str:
    """The kind of a failure from an HTTP status, else from the words of its message."""
    if status:
        return BY_STATUS.get(status) or ("server" if status >= 500 else "invalid_request")
    for kind, pattern in _PATTERNS:
        if re.search(pattern, text, re.IGNORECASE):
            return kind
    return default


def _failure(text: str, status: int | None = None, default: str = "tool") -> tuple[str, str]:
    line = " ".join(text.split())
    short = line if len(line) <= MESSAGE_CHARS else line[:MESSAGE_CHARS] + " …"
    return classify(text, status, default), short or "no message"


def _json_lines(lines: Iterable[str]) -> Iterable[dict[str, Any]]:
    for line in lines:
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            yield value


def _no_report(returncode: int, stderr: str) -> tuple[str, str]:
    """A tool that printed no report of its own: why, from what it wrote on stderr."""
    tail = stderr.strip().splitlines()[-3:]
    text = " ".join(tail) or f"exited with {returncode} and no report"
    if "--verbose" in text and "stream-json" in text:
        return "config", f"stream-json output needs --verbose ({text[:MESSAGE_CHARS]})"
    return _failure(f"exit {returncode}: {text}")


def parse_claude(lines: Sequence[str], returncode: int, stderr: str) -> ToolOutput:
    """stream-json: the `result` event is the report; the last assistant text stands in
    for an empty `result`; is_error (even with subtype success and exit 0) is a failure;
    running out of turns or budget is the model's limit ("length"), not a failure."""
    result: dict[str, Any] | None = None
    last_text, rejected = "", False
    for event in _json_lines(lines):
        kind = event.get("type")
        if kind == "result":
            result = event
        elif kind == "assistant":
            last_text = _assistant_text(event.get("message")) or last_text
        elif kind == "rate_limit_event":
            info = event.get("rate_limit_info") or event
            rejected = rejected or info.get("status") == "rejected"
    if result is None:
        return ToolOutput(text=last_text, failure=_no_report(returncode, stderr))
    text = result.get("result") if isinstance(result.get("result"), str) else ""
    out = _claude_numbers(result, text or last_text)
    subtype = result.get("subtype")
    if subtype in ("error_max_turns", "error_max_budget_usd"):
        return _replace(out, finish_reason="length")
    if result.get("is_error") or subtype not in ("success", None):
        status = result.get("api_error_status")
        message = text or str(subtype or "error")
        default = "rate_limit" if rejected else "tool"
        failure = _failure(message, status if isinstance(status, int) else None, default)
        return _replace(out, failure=failure)
    return out


def _assistant_text(message: Any) -> str:
    if not isinstance(message, dict) or not isinstance(message.get("content"), list):
        return ""
    parts = [b.get("text", "") for b in message["content"] if isinstance(b, dict)
             and b.get("type") == "text"]  # fmt: skip
    return "".join(parts)


def _claude_numbers(result: dict[str, Any], text: str) -> ToolOutput:
    usage: dict[str, Any] = result["usage"] if isinstance(result.get("usage"), dict) else {}
    fresh = _int(usage.get("input_tokens"))
    cached = _int(usage.get("cache_read_input_tokens"))
    written = _int(usage.get("cache_creation_input_tokens"))
    api_ms = result.get("duration_api_ms")
    return ToolOutput(
        text=text,
        input_tokens=None if fresh is None else fresh + (cached or 0) + (written or 0),
        output_tokens=_int(usage.get("output_tokens")),
        cached_tokens=cached,
        cost_usd=_float(result.get("total_cost_usd")),
        turns=_int(result.get("num_turns")),
        api_s=api_ms / 1000 if isinstance(api_ms, int | float) else None,
    )


def parse_codex(
    lines: Sequence[str], returncode: int, stderr: str, last_message: str | None
) -> ToolOutput:
    """--json events: the last agent_message (or the -o file) is the answer; the last
    turn.completed's usage the counts (cumulative); turn.failed, or an error event with
    no turn completed, the failure, whatever the exit code."""
    texts: list[str] = []
    reasoning: list[str] = []
    errors: list[str] = []
    usage: Any = None
    turns = 0
    failed: str | None = None
    for event in _json_lines(lines):
        kind = event.get("type")
        item: dict[str, Any] = event["item"] if isinstance(event.get("item"), dict) else {}
        if kind == "item.completed" and item.get("type") == "agent_message":
            texts.append(str(item.get("text", "")))
        elif kind == "item.completed" and item.get("type") == "reasoning":
            reasoning.append(str(item.get("text", "")))
        elif kind == "turn.completed":
            usage, turns = event.get("usage"), turns + 1
        elif kind == "turn.failed":
            failed = str((event.get("error") or {}).get("message") or "turn failed")
        elif kind == "error":
            errors.append(str(event.get("message") or "error"))
    text = last_message if last_message else (texts[-1] if texts else "")
    out = _codex_numbers(usage, text, "\n\n".join(reasoning), turns)
    if failed is not None:
        return _replace(out, failure=_failure(failed))
    if usage is None and errors:
        return _replace(out, failure=_failure(errors[-1]))
    if usage is None and not texts and not last_message:
        return _replace(out, failure=_no_report(returncode, stderr))
    return out


def _codex_numbers(given: Any, text: str, reasoning: str, turns: int) -> ToolOutput:
    usage: dict[str, Any] = given if isinstance(given, dict) else {}
    output = _int(usage.get("output_tokens"))
    thought = _int(usage.get("reasoning_output_tokens"))
    return ToolOutput(
        text=text,
        reasoning=reasoning,
        input_tokens=_int(usage.get("input_tokens")),
        # completion counts reasoning, as the OpenAI API's completion_tokens does
        output_tokens=None if output is None else output + (thought or 0),
        reasoning_tokens=thought,
        cached_tokens=_int(usage.get("cached_input_tokens")),
        turns=turns or None,
    )


_GEMINI_EXITS = {41: "auth", 42: "invalid_request", 52: "config"}


def parse_gemini(stdout: str, returncode: int, stderr: str) -> ToolOutput:
    """--output-format json: `response`, `stats.models.*.tokens`, `error`; exit 41 is
    auth, 42 bad input, 52 bad config (permanent), 1 an API error (classified)."""
    report = _first_object(stdout)
    error = report.get("error") if isinstance(report.get("error"), dict) else None
    out = _gemini_numbers(report)
    if error is not None or returncode != 0:
        message = str((error or {}).get("message") or stderr.strip()[-MESSAGE_CHARS:])
        code = (error or {}).get("code")
        if returncode in _GEMINI_EXITS:
            return _replace(out, failure=(_GEMINI_EXITS[returncode], message or "no message"))
        status = code if isinstance(code, int) and 400 <= code < 600 else None
        return _replace(out, failure=_failure(message or f"exit {returncode}", status))
    return out


def _first_object(text: str) -> dict[str, Any]:
    start = text.find("{")
    if start < 0:
        return {}
    try:
        value, _ = json.JSONDecoder().raw_decode(text[start:])
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _gemini_numbers(report: dict[str, Any]) -> ToolOutput:
    models = (report.get("stats") or {}).get("models") or {}
    tokens = [m.get("tokens") or {} for m in models.values() if isinstance(m, dict)]

    def total(name: str) -> int | None:
        values = [_int(t.get(name)) for t in tokens]
        known = [v for v in values if v is not None]
        return sum(known) if known else None

    return ToolOutput(
        text=str(report.get("response") or ""),
        input_tokens=total("prompt"),
        output_tokens=total("candidates"),
        reasoning_tokens=total("thoughts"),
        cached_tokens=total("cached"),
    )


def parse_aider(stdout: str, returncode: int, stderr: str) -> ToolOutput:
    """Text only: tokens and cost from its `Tokens: … Cost: …` lines; it exits 0 after API
    errors, so an error line with no Tokens line (no call succeeded) is the failure."""
    sent = [_count(m) for m in _AIDER_SENT.finditer(stdout)]
    received = [_count(m) for m in _AIDER_RECEIVED.finditer(stdout)]
    cached = [_count(m) for m in _AIDER_CACHE_HIT.finditer(stdout)]
    sessions = _AIDER_SESSION.findall(stdout)
    out = ToolOutput(
        text=stdout,
        input_tokens=sum(sent) if sent else None,
        output_tokens=sum(received) if received else None,
        cached_tokens=sum(cached) if cached else None,
        cost_usd=float(sessions[-1][1]) if sessions else None,
    )
    errors = list(_AIDER_ERROR.finditer(stdout + "\n" + stderr))
    if errors and not sent:
        name = errors[-1].group(1) or errors[-1].group(2) or ""
        line = _line_at(stdout + "\n" + stderr, errors[-1].start())
        kind = _AIDER_ERRORS.get(name) or classify(line, default="server")
        return _replace(out, failure=(kind, _failure(line)[1]))
    if returncode != 0 and not sent:
        return _replace(out, failure=_no_report(returncode, stderr))
    return out


def _line_at(text: str, index: int) -> str:
    end = text.find("\n", index)
    return text[text.rfind("\n", 0, index) + 1 : end if end >= 0 else len(text)]


def parse_plain(stdout: str, returncode: int, stderr: str) -> ToolOutput:
    """A command of the user's own: stdout is the answer; a non-zero exit a failure."""
    if returncode != 0:
        return ToolOutput(text=stdout, failure=_no_report(returncode, stderr))
    return ToolOutput(text=stdout)


def _count(match: re.Match[str]) -> int:
    number = float(match.group(1).replace(",", ""))
    return round(number * {"": 1, "k": 1e3, "m": 1e6}[match.group(2).lower()])


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _replace(out: ToolOutput, **changes: Any) -> ToolOutput:
    return replace(out, **changes)
