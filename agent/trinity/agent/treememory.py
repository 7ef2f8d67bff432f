"""The memory of a whole sandboxed run: every process under the run's root, summed.

RLIMIT_AS caps each process, not a run: a solution may fork up to the process limit and
fill each child to the cap (64 × 512 MiB by default), enough to starve the model servers
beside it. cgroups would cap the sum exactly, but are not delegated everywhere the agent
runs (cgroup v1 here, v2 under systemd only with Delegate=); so the agent samples the
tree's anonymous resident memory (RssAnon: heap and stacks, the memory a bomb makes; not
the shared interpreter text) and kills the run when the sum passes the node's limit.

A sampled limit, honestly: between two samples the tree can grow by what it faults in
during one interval (a few hundred MiB on two cores at 0.1 s); each process still stops
at RLIMIT_AS. Every orphan in the run stays in the tree: bubblewrap's pid namespace
reparents it to the namespace's init, a child of the run's root.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import psutil

log = logging.getLogger(__name__)

INTERVAL_S = 0.1


def rss_anon(pid: int) -> int:
    """RssAnon of one process in bytes; 0 once it is gone (or a kernel thread)."""
    try:
        with open(f"/proc/{pid}/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"RssAnon:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def tree_bytes(root_pid: int) -> int:
    """RssAnon summed over every descendant of root_pid (root_pid itself excluded: it is
    bubblewrap or the runner's launcher, ours, not the solution's)."""
    try:
        children = psutil.Process(root_pid).children(recursive=True)
    except psutil.Error:
        return 0
    return sum(rss_anon(child.pid) for child in children)


@dataclass
class TreeWatch:
    """Samples a run's tree until stopped; calls on_exceeded once when the sum passes
    limit_bytes. `peak_bytes` is the largest sum seen."""

    root_pid: int
    limit_bytes: int
    on_exceeded: Callable[[], None]
    interval_s: float = INTERVAL_S
    peak_bytes: int = 0
    exceeded: bool = False

    async def run(self) -> None:
        while not self.exceeded:
            await asyncio.sleep(self.interval_s)
            used = tree_bytes(self.root_pid)
            self.peak_bytes = max(self.peak_bytes, used)
            if self.limit_bytes and used > self.limit_bytes:
                self.exceeded = True
                log.info("sandbox: run over its memory (%d > %d bytes): killed",
                         used, self.limit_bytes)  # fmt: skip
                self.on_exceeded()


@contextlib.asynccontextmanager
async def watching(watch: TreeWatch) -> AsyncIterator[TreeWatch]:
    """Run `watch` for the duration of the block."""
    task = asyncio.ensure_future(watch.run())
    try:
        yield watch
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
