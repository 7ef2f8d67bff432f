"""Fanning runs out to models: every (task, model, thinking, repeat) is a run; each model
has its own concurrency (vLLM batches concurrent requests, so use them), so a slow node
never holds up the others. A run that failed for infrastructure reasons (node
unreachable, server restarting, timeout of the transport) is retried a bounded number of
times; a run that produced a low score is a result, never retried.
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
RETRY_DELAY_S = 2.0


@dataclass(frozen=True)
class RunKey:
    """One run of a bench: what its row in the results database is keyed by."""

    task: str
    model: str  # node/name
    thinking: bool | None
    repeat: int


class InfraError(Exception):
    """The run could not happen (not: the model did badly); worth another try."""


@dataclass(frozen=True)
class Finished(Generic[T]):
    """A run's result, or the infrastructure error it ended with after its retries."""

    key: RunKey
    result: T | None
    error: str = ""
    attempts: int = 1


async def schedule(
    keys: Iterable[RunKey],
    run: Callable[[RunKey, int], Awaitable[T]],
    concurrency: Mapping[str, int],
    *,
    on_finished: Callable[[Finished[T]], Awaitable[None]] | None = None,
    retries: int = DEFAULT_RETRIES,
    retry_delay_s: float = RETRY_DELAY_S,
) -> list[Finished[T]]:
    """Run every key, at most concurrency[model] at a time per model; `run(key, attempt)`.

    on_finished is awaited as each run ends (write it to the database there), so a
    controller killed mid-bench loses only runs still in flight.
    """
    slots = {model: asyncio.Semaphore(max(1, n)) for model, n in concurrency.items()}

    async def one(key: RunKey) -> Finished[T]:
        finished = await with_retries(key, run, slots[key.model], retries, retry_delay_s)
        if on_finished is not None:
            await on_finished(finished)
        return finished

    return list(await asyncio.gather(*(one(k) for k in keys)))


async def with_retries(
    key: RunKey,
    run: Callable[[RunKey, int], Awaitable[T]],
    slot: asyncio.Semaphore,
    retries: int = DEFAULT_RETRIES,
    retry_delay_s: float = RETRY_DELAY_S,
) -> Finished[T]:
    """One run, tried again after an InfraError up to `retries` times; each try holds a
    place in `slot` (its model's concurrency), never while waiting to retry."""
    finished: Finished[T] | None = None
    for attempt in range(1, retries + 2):
        async with slot:
            try:
                return Finished(key, await run(key, attempt), attempts=attempt)
            except InfraError as exc:
                log.warning("infra failure run=%s attempt=%d error=%s", key, attempt, exc)
                finished = Finished(key, None, str(exc), attempts=attempt)
        if attempt <= retries:
            await asyncio.sleep(retry_delay_s * attempt)
    assert finished is not None
    return finished
