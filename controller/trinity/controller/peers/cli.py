"""A coding tool (Claude Code, Codex, Gemini CLI, aider, or a command of your own) as a
peer: run here, on the controller's machine, as the user, with the user's own login.

Each question gets a fresh scratch folder holding PROMPT.md (the question, with the
conversation so far for a later turn) and, on a later turn of a multi-turn task, the
solution file as the previous turn left it. The tool runs there:
  - with stdin closed (an open stdin makes Claude Code and Codex wait for input);
  - with the parent's coding-tool session markers (CLAUDECODE, which stops Claude Code
    from starting inside another session, CODEX_SANDBOX, …) and the node tokens removed
    from its environment;
  - in a process group of its own, under a wall-clock limit (the peer's timeout_s) that
    kills the whole group; the group is killed on the way out whatever happened, and on
    Linux the tool also dies if the controller is killed (PR_SET_PDEATHSIG);
  - with the least permissions its preset allows (trinity.controller.peers.presets).
The answer is the task's solution file if the tool wrote it (or changed it) this turn,
else the code extracted from its final message; which one is stored with the run
(details.answer_source). The folder is removed afterwards. Output is bounded: the last
MAX_STDOUT bytes of stdout (the report comes last) and MAX_STDERR of stderr are kept.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import tempfile
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from trinity.controller.answerer import Answer, Question
from trinity.controller.config import CliPeer
from trinity.controller.errors import ConfigError
from trinity.controller.peers import PeerUnavailable, find_executable, presets
from trinity.controller.peers.presets import Invocation, ToolOutput

PROMPT_FILE = "PROMPT.md"
SESSION_MARKERS = frozenset({
    "CLAUDECODE", "CLAUDE_CODE_ENTRYPOINT", "CLAUDE_CODE_SSE_PORT",
    "CODEX_SANDBOX", "CODEX_SANDBOX_NETWORK_DISABLED", "CODEX_THREAD_ID",
    "GEMINI_CLI",
})  # fmt: skip
MAX_STDOUT = 64 * 2**20
MAX_STDERR = 64 * 2**10
MAX_SOLUTION = 2 * 2**20
READ_CHUNK = 65536
STOP_GRACE_S = 3.0
DRAIN_S = 2.0
VERSION_TIMEOUT_S = 15.0
# prctl(PR_SET_PDEATHSIG, SIGKILL), then exec the tool, unless the controller already
# died between fork and prctl (the parent pid changed).
_LAUNCHER = (
    "import ctypes,os,sys\n"
    "ctypes.CDLL(None, use_errno=True).prctl(1, 9, 0, 0, 0)\n"
    "if os.getppid() != int(sys.argv[1]): os._exit(1)\n"
    "os.execv(sys.argv[2], sys.argv[2:])\n"
)


@dataclass(frozen=True)
class ToolRun:
    """A finished tool process: its exit code and the output kept."""

    returncode: int
    stdout: list[str]
    stderr: str


class CliBackend:
    """One coding tool; `answer` runs it once in a fresh folder."""

    def __init__(self, peer: CliPeer, hidden_env: frozenset[str] = frozenset()) -> None:
        self.peer = peer
        self.program = find_executable(peer)
        self.hidden_env = hidden_env

    async def close(self) -> None:
        return None

    async def answer(self, question: Question) -> Answer:
        with tempfile.TemporaryDirectory(prefix=f"trinity-{self.peer.name}-") as base:
            run = self._prepare(Path(base), question)
            started = time.monotonic()
            done = await run_tool(
                presets.argv(self.peer, run), run.workdir, self._env(), self.peer.timeout_s,
                self.peer.name,
            )  # fmt: skip
            wall = time.monotonic() - started
            report = presets.parse(self.peer.preset, done.stdout, done.returncode, done.stderr,
                                   _read(run.last_message))  # fmt: skip
            if report.failure is not None:
                raise PeerUnavailable(self.peer.name, *report.failure, cost_usd=report.cost_usd)
            solution = None
            if question.task.runs_code:
                solution = _written(
                    run.workdir / question.task.solution_file, question.previous_code
                )
            return self._answer(report, solution, wall)

    def _prepare(self, base: Path, question: Question) -> Invocation:
        workdir = base / "work"
        workdir.mkdir()
        prompt = prompt_text(question)
        (workdir / PROMPT_FILE).write_text(prompt, "utf-8")
        if question.previous_code:
            (workdir / question.task.solution_file).write_text(question.previous_code, "utf-8")
        return Invocation(self.program, prompt, workdir / PROMPT_FILE, workdir,
                          question.task.solution_file, base / "last_message.txt")  # fmt: skip

    def _env(self) -> dict[str, str]:
        return tool_env(self.hidden_env)

    def _answer(self, report: ToolOutput, solution: str | None, wall: float) -> Answer:
        details = {
            "peer": "cli",
            "preset": self.peer.preset or "command",
            "input_tokens": report.input_tokens,
            "output_tokens": report.output_tokens,
            "reasoning_tokens": report.reasoning_tokens,
            "cached_tokens": report.cached_tokens,
            "cost_usd": report.cost_usd,
            "answer_source": "message" if solution is None else "file",
            "tool_turns": report.turns,
            "api_s": report.api_s,
            "wall_s": round(wall, 3),
        }
        return Answer(
            text=report.text,
            reasoning=report.reasoning,
            finish_reason=report.finish_reason,
            prompt_tokens=report.input_tokens,
            completion_tokens=report.output_tokens,
            solution=solution,
            details={k: v for k, v in details.items() if v is not None},
        )


def tool_env(hidden: frozenset[str] = frozenset()) -> dict[str, str]:
    """This process's environment without coding-tool session markers and `hidden`."""
    drop = SESSION_MARKERS | hidden
    return {k: v for k, v in os.environ.items() if k not in drop}


def prompt_text(question: Question) -> str:
    """The question as a tool reads it: the conversation so far on a later turn, and for
    a code task where its answer goes."""
    *earlier, (_, current) = question.messages
    parts = []
    if earlier:
        parts.append("Earlier in this conversation:")
        for role, content in earlier:
            who = "You were asked" if role == "user" else "You answered"
            parts.append(f"## {who}\n\n{content.strip()}")
        parts.append("## Now\n")
    parts.append(current.strip())
    if question.task.runs_code:
        name = question.task.solution_file
        held = " (it holds your previous answer)" if question.previous_code else ""
        parts.append(
            f"You are working in a folder of your own. Write the complete solution to the "
            f"file {name} there{held}, or reply with the code."
        )
    return "\n\n".join(parts) + "\n"


def _read(path: Path) -> str | None:
    try:
        return path.read_text("utf-8", errors="replace")
    except OSError:
        return None


def _written(path: Path, previous: str) -> str | None:
    """The solution file if the tool wrote or changed it (a regular file, not a link)."""
    if path.is_symlink() or not path.is_file():
        return None
    with path.open("rb") as handle:
        text = handle.read(MAX_SOLUTION).decode("utf-8", errors="replace")
    return None if text == previous else text


# ---------------------------------------------------------------- the process


class _Lines:
    """The last `limit` bytes of a stream, as lines."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.lines: deque[bytes] = deque()
        self.size = 0
        self.partial = b""

    def feed(self, data: bytes) -> None:
        parts = (self.partial + data).split(b"\n")
        self.partial = parts.pop()[-self.limit :]
        for part in parts:
            self.lines.append(part)
            self.size += len(part)
        while self.size > self.limit and self.lines:
            self.size -= len(self.lines.popleft())

    def text_lines(self) -> list[str]:
        rest = [self.partial] if self.partial else []
        return [line.decode("utf-8", errors="replace") for line in [*self.lines, *rest]]


async def _pump(stream: asyncio.StreamReader | None, sink: _Lines) -> None:
    if stream is None:
        return
    while data := await stream.read(READ_CHUNK):
        sink.feed(data)


def _launch(argv: list[str]) -> list[str]:
    if sys.platform.startswith("linux"):
        return [sys.executable, "-I", "-S", "-c", _LAUNCHER, str(os.getpid()), *argv]
    return argv


def _kill_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


async def _stop(proc: asyncio.subprocess.Process) -> None:
    """SIGTERM the group, a grace period, SIGKILL the group (stragglers too), reap."""
    if proc.returncode is None:
        _kill_group(proc.pid, signal.SIGTERM)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(proc.wait(), STOP_GRACE_S)
    _kill_group(proc.pid, signal.SIGKILL)
    await proc.wait()


async def run_tool(
    argv: list[str], cwd: Path, env: dict[str, str], timeout_s: float, peer: str
) -> ToolRun:
    """Run one tool to its end, within timeout_s (then PeerUnavailable "timeout"); its
    whole process group is gone when this returns or raises, Ctrl-C included."""
    proc = await asyncio.create_subprocess_exec(
        *_launch(argv), cwd=cwd, env=env, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    out, err = _Lines(MAX_STDOUT), _Lines(MAX_STDERR)
    readers = [asyncio.create_task(_pump(proc.stdout, out)),
               asyncio.create_task(_pump(proc.stderr, err))]  # fmt: skip
    try:
        async with asyncio.timeout(timeout_s):
            returncode = await proc.wait()
    except TimeoutError:
        raise PeerUnavailable(
            peer, "timeout", f"no answer within {timeout_s:g} s; its process group was killed"
        ) from None
    finally:
        await _stop(proc)
        _, pending = await asyncio.wait(readers, timeout=DRAIN_S)
        for reader in pending:
            reader.cancel()
    return ToolRun(returncode, out.text_lines(), "\n".join(err.text_lines()))


async def version(peer: CliPeer) -> str:
    """`TOOL --version`'s first line, and where the tool is; ConfigError when it fails."""
    program = find_executable(peer)
    try:
        done = await run_tool([program, "--version"], Path.cwd(), tool_env(),
                              VERSION_TIMEOUT_S, peer.name)  # fmt: skip
    except PeerUnavailable as exc:
        raise ConfigError(f"peer {peer.name}: {program} --version: {exc.detail}") from None
    first = next((line.strip() for line in done.stdout if line.strip()), "")
    if done.returncode != 0 or not first:
        tail = done.stderr.strip().splitlines()[-1:] or [f"exit {done.returncode}"]
        raise ConfigError(f"peer {peer.name}: {program} --version failed: {tail[0][:200]}")
    return f"{first[:80]} ({program})"
