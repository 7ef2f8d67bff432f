"""Whether a starting server is getting anywhere: what it writes, the resident memory of
its processes, and their GPU memory.

A fixed ready timeout either kills a big model that is still loading or waits the whole
timeout for one that died quietly. So a start is judged by its progress instead: the
deadline (ready_timeout_s) is extended while the server shows progress, up to
ready_timeout_max_s, and a start that shows none for stall_timeout_s fails early, before
the deadline or after it. Our own probes' access-log lines are not progress.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import psutil
from trinity.agent.config import SupervisorConfig
from trinity.agent.process import LogBuffer

MiB = 1024 * 1024
SAMPLE_S = 1.0
GROWTH_BYTES = 4 * MiB  # less than this above the last peak is noise, not loading
# Paths our readiness and liveness probes ask for: a server's access log of them is ours.
PROBE_PATHS = ("/health", "/v1/models", "/openapi.json", "/v1/chat/completions", "/metrics")

GpuMemory = Callable[[set[int]], Awaitable[int]]


def group_pids(pid: int) -> set[int]:
    """The server and every process under it (vLLM's engine core holds the GPU)."""
    try:
        leader = psutil.Process(pid)
        return {pid, *(child.pid for child in leader.children(recursive=True))}
    except psutil.Error:
        return set()


def resident_bytes(pids: set[int]) -> int:
    total = 0
    for pid in pids:
        try:
            total += psutil.Process(pid).memory_info().rss
        except psutil.Error:
            continue
    return total


@dataclass
class StartWatch:
    """One start of one server: when it last showed progress, and what it was."""

    pid: int
    logs: LogBuffer
    policy: SupervisorConfig
    gpu_memory: GpuMemory | None = None
    began: float = field(default_factory=time.monotonic)
    last_at: float = field(default_factory=time.monotonic)
    last_sign: str = "launched"
    news: int = 0
    rss_peak: int = 0
    gpu_peak: int = 0

    async def sample(self) -> None:
        """Look once; a new log line, or RSS or GPU memory above its peak, is progress."""
        pids = group_pids(self.pid)
        rss = resident_bytes(pids)
        gpu = await self.gpu_memory(pids) if self.gpu_memory is not None and pids else 0
        signs = []
        if self.logs.news > self.news:
            signs.append(f"{self.logs.news - self.news} new log lines")
        if rss > self.rss_peak + GROWTH_BYTES:
            signs.append(f"RSS up to {rss / MiB:.0f} MiB")
        if gpu > self.gpu_peak + GROWTH_BYTES:
            signs.append(f"GPU memory up to {gpu / MiB:.0f} MiB")
        self.news, self.rss_peak, self.gpu_peak = (
            self.logs.news,
            max(rss, self.rss_peak),
            max(gpu, self.gpu_peak),
        )
        if signs:
            self.last_at, self.last_sign = time.monotonic(), ", ".join(signs)

    def verdict(self) -> str | None:
        """Why the start has failed (stalled, or past the longest start), or None."""
        now = time.monotonic()
        elapsed, idle = now - self.began, now - self.last_at
        if elapsed >= self.policy.ready_timeout_max_s:
            return (f"not ready after {elapsed:.0f} s, the longest a start may take even while "
                    f"it progresses (ready_timeout_max_s; last: {self.last_sign})")  # fmt: skip
        if idle < self.policy.stall_timeout_s:
            return None
        if elapsed < self.policy.ready_timeout_s:
            return (f"stalled while starting: no new log line, RSS or GPU memory growth for "
                    f"{idle:.0f} s (stall_timeout_s), {elapsed:.0f} s after launch")  # fmt: skip
        return (f"not ready after {elapsed:.0f} s and no progress for {idle:.0f} s (the "
                f"{self.policy.ready_timeout_s:g} s deadline was extended while it progressed)")  # fmt: skip

    def describe(self) -> str:
        """What a status shows while the server starts."""
        now = time.monotonic()
        elapsed, idle = now - self.began, now - self.last_at
        extended = (f", past the {self.policy.ready_timeout_s:g} s ready timeout, extended "
                    "while it progresses" if elapsed >= self.policy.ready_timeout_s else "")  # fmt: skip
        return (f"loading for {elapsed:.0f} s{extended}; last progress {idle:.0f} s ago "
                f"({self.last_sign}); RSS {self.rss_peak / MiB:.0f} MiB"
                + (f", GPU {self.gpu_peak / MiB:.0f} MiB" if self.gpu_peak else ""))  # fmt: skip

    async def until_failed(self, on_sample: Callable[[str], None]) -> str:
        """Sample until the start fails; its reason. Cancelled once the server is ready."""
        while True:
            await self.sample()
            on_sample(self.describe())
            if (reason := self.verdict()) is not None:
                return reason
            await asyncio.sleep(SAMPLE_S)
