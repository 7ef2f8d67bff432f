"""One child process the agent owns: its own process group, output into a bounded ring
buffer, stopped as a group (SIGTERM, a grace period, SIGKILL), always reaped.

The child is started through a tiny exec launcher that sets PR_SET_PDEATHSIG, so a model
server dies with the agent even when the agent is SIGKILLed (a forked child would
otherwise keep holding GPU memory). preexec_fn is not used: the agent has gRPC threads,
and preexec_fn is unsafe in a threaded parent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections import deque
from collections.abc import Mapping

log = logging.getLogger(__name__)

MAX_LINE = 2000
READ_CHUNK = 65536
# prctl(PR_SET_PDEATHSIG, SIGKILL); then exec the real server, unless the agent already
# died between fork and prctl (the parent pid changed).
_LAUNCHER = (
    "import ctypes,os,sys\n"
    "ctypes.CDLL(None, use_errno=True).prctl(1, 9, 0, 0, 0)\n"
    "if os.getppid() != int(sys.argv[1]): os._exit(1)\n"
    "os.execvp(sys.argv[2], sys.argv[2:])\n"
)


class LogBuffer:
    """The last N lines a process wrote, decoded leniently, each line bounded.

    `news` counts what the process said of its own accord: lines without any of the
    `quiet` words (the access log of our own probes), and progress-bar redraws ("\r").
    """

    def __init__(self, lines: int, quiet: tuple[str, ...] = ()) -> None:
        self.lines: deque[str] = deque(maxlen=lines)
        self._partial = b""
        self._quiet = quiet
        self.news = 0
        self.total = 0  # lines ever appended: `since(total)` is what came after

    def feed(self, data: bytes) -> None:
        self.news += data.count(b"\r")
        parts = (self._partial + data).split(b"\n")
        self._partial = parts.pop()[-READ_CHUNK:]
        for part in parts:
            self.append(part)

    def append(self, raw: bytes) -> None:
        text = raw.decode("utf-8", errors="replace").rstrip("\r")
        self.lines.append(text if len(text) <= MAX_LINE else text[:MAX_LINE] + " …")
        self.total += 1
        if not any(word in text for word in self._quiet):
            self.news += 1

    def since(self, total: int) -> list[str]:
        """The lines appended after the buffer held `total`, as far as they are kept."""
        new = min(self.total - total, len(self.lines))
        return list(self.lines)[-new:] if new > 0 else []

    def flush(self) -> None:
        if self._partial:
            self.append(self._partial)
            self._partial = b""

    def last(self) -> str:
        """The last non-empty line, for error messages."""
        return next((line for line in reversed(self.lines) if line.strip()), "")


class ManagedProcess:
    """A child in its own session and process group, its output kept in `logs`."""

    def __init__(
        self, argv: list[str], env: Mapping[str, str], logs: LogBuffer, cwd: str | None = None
    ) -> None:
        self.argv = argv
        self._env = {**os.environ, **env}
        self._cwd = cwd
        self.logs = logs
        self._proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None

    @property
    def pid(self) -> int:
        return self._proc.pid if self._proc else 0

    @property
    def returncode(self) -> int | None:
        return self._proc.returncode if self._proc else None

    async def start(self) -> None:
        """Launch through the launcher; a missing server executable shows as an exit
        with the reason in the log (OSError only when Python itself cannot start)."""
        self._proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-I",
            "-S",
            "-c",
            _LAUNCHER,
            str(os.getpid()),
            *self.argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env=self._env,
            cwd=self._cwd,
            start_new_session=True,
        )
        self._reader = asyncio.create_task(self._read(self._proc.stdout))

    async def _read(self, stream: asyncio.StreamReader | None) -> None:
        if stream is None:
            return
        while data := await stream.read(READ_CHUNK):
            self.logs.feed(data)
        self.logs.flush()

    async def wait(self) -> int:
        assert self._proc is not None
        return await self._proc.wait()

    def _signal_group(self, sig: signal.Signals) -> None:
        kill_group(self.pid, sig)

    async def stop(self, grace_s: float) -> None:
        """SIGTERM the group, wait up to grace_s, SIGKILL the group, reap, drain output.

        The SIGKILL goes to the group even when the leader exited in time: servers that
        spawn workers (vLLM's engine core) can leave them behind.
        """
        if self._proc is None:
            return
        if self._proc.returncode is None:
            self._signal_group(signal.SIGTERM)
            try:
                await asyncio.wait_for(self._proc.wait(), grace_s)
            except TimeoutError:
                log.warning("grace expired, killing group pid=%d grace_s=%s", self.pid, grace_s)
        self._signal_group(signal.SIGKILL)
        await self._proc.wait()
        if self._reader is not None:
            # A grandchild that escaped the group could hold the pipe open: don't hang.
            try:
                await asyncio.wait_for(self._reader, 2.0)
            except TimeoutError:
                self._reader.cancel()


def kill_group(pgid: int, sig: int = signal.SIGKILL) -> None:
    """Signal a whole process group; one already gone (or no longer ours) is no error."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)
