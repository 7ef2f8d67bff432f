"""Memory on this node for model servers: whether a new one fits in what is free now, and
whether a stopped one gave its memory back.

Free means free now, by the device's own count (NVML: other processes' memory included;
on unified-memory boards, where NVML cannot say, the host's MemAvailable), less what
models still starting were promised and have not taken yet: two models started at once
must not both be admitted into the same free memory. A server's memory is back when none
of its processes lives and NVML lists none of them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import psutil
from trinity.agent.errors import ResourceExhausted

GiB = 1024**3
MiB = 1024**2
POLL_S = 0.2

GpuMemory = Callable[[set[int]], Awaitable[int]]


def admit(name: str, need: int, free: int, promised: int, where: str) -> None:
    """Refuse, in one line naming both numbers, a model that does not fit."""
    if need <= free - promised:
        return
    promise = f", {promised / GiB:.1f} GiB of it promised to models still starting" \
        if promised else ""  # fmt: skip
    raise ResourceExhausted(
        f"model {name} needs {need / GiB:.1f} GiB, the node has {free / GiB:.1f} GiB free "
        f"({where}){promise}: stop a model or lower gpu_memory_fraction"
    )


def tree(pid: int) -> list[psutil.Process]:
    """The server and every process under it, as they are now."""
    try:
        leader = psutil.Process(pid)
        return [leader, *leader.children(recursive=True)]
    except psutil.Error:
        return []


def kill_leftovers(processes: list[psutil.Process]) -> list[int]:
    """SIGKILL those still running (a worker that left the process group escaped the
    group kill); psutil checks each is the same process, not a reused pid."""
    killed = []
    for proc in processes:
        try:
            if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                proc.kill()
                killed.append(proc.pid)
        except psutil.Error:
            continue
    return killed


def alive(pids: set[int]) -> set[int]:
    """The pids that still run (a zombie holds no memory)."""
    running = set()
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                running.add(pid)
        except psutil.Error:
            continue
    return running


async def released(pids: set[int], gpu_memory: GpuMemory | None, within_s: float) -> str | None:
    """None once `pids` are gone and hold no GPU memory; else, after `within_s`, what
    still holds memory."""
    deadline = time.monotonic() + within_s
    while True:
        running = alive(pids)
        held = await gpu_memory(pids) if gpu_memory is not None and pids else 0
        if not running and not held:
            return None
        if time.monotonic() >= deadline:
            return _holding(running, held, within_s)
        await asyncio.sleep(POLL_S)


def _holding(running: set[int], held: int, within_s: float) -> str:
    parts = []
    if running:
        rss = sum(_rss(pid) for pid in running)
        listed = ", ".join(map(str, sorted(running)))
        parts.append(f"pid {listed} still running ({rss / MiB:.0f} MiB resident)")
    if held:
        parts.append(f"{held / GiB:.1f} GiB of GPU memory still held")
    return f"memory not released {within_s:g} s after the stop: {'; '.join(parts)}"


def _rss(pid: int) -> int:
    try:
        return psutil.Process(pid).memory_info().rss
    except psutil.Error:
        return 0
