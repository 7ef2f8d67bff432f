"""Fanning runs out to models: every (task, model, thinking, repeat) is a run; each model
has its own concurrency (vLLM batches concurrent requests, so use them), so a slow node
never holds up the others. A run that failed for infrastructure reasons (node
unreachable, server restarting, the agent frozen past the controller's deadline) is
retried a bounded number of times; a run that produced a low score is a result, never
retried.

A retry waits for the model rather than for a clock. The first infrastructure failure of
a model closes its lane: no run of that model starts until one recovery (a short pause,
then `recover(model)`, which returns once the model is ready again) has finished. So a
crash costs the runs in flight one attempt each, and the runs still queued none: a
server that takes longer to come back than a fixed retry delay no longer turns the rest
of a bench into infrastructure errors. When `recover` gives up (the model failed for
good, or stayed away past its bound), the model's remaining runs end at once as
infrastructure errors that name why, for `--resume` to try again later.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
DEFAULT_RETRIES = 2
RETRY_DELAY_S = 2.0  # before asking whether the model is back: its node needs a moment
# to notice a crash (until then it may still call the dead server ready)

Recover = Callable[[str], Awaitable[None]]


@dataclass(frozen=True)
class RunKey:
    """One run of a bench: what its row in the results database is keyed by."""

    task: str
    model: str  # node/name
    thinking: bool | None
    repeat: int


class InfraError(Exception):
    """The run could not happen (not: the model did badly); worth another try, unless
    `retry` is False: the same request would fail the same way (a conversation longer
    than the model's context window), and the model itself is fine."""

    def __init__(self, message: str, *, retry: bool = True) -> None:
        super().__init__(message)
        self.retry = retry


@dataclass(frozen=True)
class Finished(Generic[T]):
    """A run's result, or the infrastructure error it ended with after its retries."""

    key: RunKey
    result: T | None
    error: str = ""
    attempts: int = 1


class Lane:
    """One model's runs: its concurrency slots, and a gate that stays closed while the
    model recovers from an infrastructure failure."""

    def __init__(self, model: str, concurrency: int, recover: Recover | None, delay_s: float):
        self.model = model
        self.slots = asyncio.Semaphore(max(1, concurrency))
        self.down = ""  # why the model was given up on; its runs then end at once
        self._recover = recover
        self._delay_s = delay_s
        self._recovery: asyncio.Future[None] | None = None

    def failed(self) -> None:
        """A run of this model hit an infrastructure failure: start one recovery."""
        if self._recovery is None or self._recovery.done():
            self._recovery = asyncio.ensure_future(self._recover_model())

    async def gate(self) -> None:
        """Wait out a recovery in progress (shielded: one caller cancelled stops no one)."""
        while self._recovery is not None and not self._recovery.done():
            await asyncio.shield(self._recovery)

    def close(self) -> None:
        if self._recovery is not None:
            self._recovery.cancel()

    async def _recover_model(self) -> None:
        await asyncio.sleep(self._delay_s)
        if self._recover is None:
            return
        try:
            await self._recover(self.model)
        except InfraError as exc:
            log.warning("model given up model=%s error=%s", self.model, exc)
            self.down = str(exc)


async def schedule(
    keys: Iterable[RunKey],
    run: Callable[[RunKey, int], Awaitable[T]],
    concurrency: Mapping[str, int],
    *,
    on_finished: Callable[[Finished[T]], Awaitable[None]] | None = None,
    retries: int = DEFAULT_RETRIES,
    retry_delay_s: float = RETRY_DELAY_S,
    recover: Recover | None = None,
) -> list[Finished[T]]:
    """Run every key, at most concurrency[model] at a time per model; `run(key, attempt)`.

    on_finished is awaited as each run ends (write it to the database there), so a
    controller killed mid-bench loses only runs still in flight. recover(model) returns
    once the model can take runs again, or raises InfraError when it will not (see the
    module doc); without it a retry only waits retry_delay_s. An exception other than
    InfraError (a bug, a failed write in on_finished) cancels every run and propagates.
    """
    lanes = {model: Lane(model, n, recover, retry_delay_s) for model, n in concurrency.items()}

    async def one(key: RunKey) -> Finished[T]:
        finished = await with_retries(key, run, lanes[key.model], retries)
        if on_finished is not None:
            await on_finished(finished)
        return finished

    tasks = [asyncio.ensure_future(one(k)) for k in keys]
    try:
        return list(await asyncio.gather(*tasks))
    finally:
        for task in tasks:
            task.cancel()
        for lane in lanes.values():
            lane.close()
        await asyncio.gather(*tasks, return_exceptions=True)


async def with_retries(
    key: RunKey,
    run: Callable[[RunKey, int], Awaitable[T]],
    lane: Lane,
    retries: int = DEFAULT_RETRIES,
) -> Finished[T]:
    """One run, tried up to retries + 1 times, each try once its model's lane is open
    (schedule's loop for one key; pair mode's steps use it one at a time)."""
    for attempt in range(1, retries + 1):
        finished, again = await _attempt(key, run, lane, attempt)
        if not again:
            return finished
    finished, _ = await _attempt(key, run, lane, retries + 1)
    return finished


async def _attempt(
    key: RunKey, run: Callable[[RunKey, int], Awaitable[T]], lane: Lane, attempt: int
) -> tuple[Finished[T], bool]:
    """One try, once the lane is open: how it ended, and whether another try may help."""
    async with lane.slots:
        await lane.gate()
        if lane.down:
            return Finished(key, None, lane.down, attempts=attempt - 1), False
        try:
            return Finished(key, await run(key, attempt), attempts=attempt), False
        except InfraError as exc:
            log.warning("infra failure run=%s attempt=%d error=%s", key, attempt, exc)
            if exc.retry:
                lane.failed()
            return Finished(key, None, str(exc), attempts=attempt), exc.retry
