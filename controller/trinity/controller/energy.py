"""Energy a node's GPUs spent while a model answered, from the agent's telemetry.

While a bench runs, one `EnergyMeter` per node that runs a model of the bench streams
WatchTelemetry (one sample a second) and keeps each sample's GPU power (the sum over the
node's GPUs, as NVML reports it) with the time it arrived here (the node's clock is not
ours) and how many generations were in flight on the node then. A generation's energy is
the power, held from each sample to the next, integrated over the generation's own time,
each sample's share divided among the generations in flight at it: concurrent runs on one
node split the node's power instead of each counting all of it. It includes the GPUs'
idle floor and whatever else runs on them; that is what the electricity bill sees.

No power readings (a node without NVML: psutil only; an agent without WatchTelemetry; a
node that stopped answering) means no energy figure, never a guessed one; a meter failing
never touches the bench.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

INTERVAL_S = 1.0
STALE_S = 5.0  # a reading older than this says nothing about now


@dataclass(frozen=True)
class Reading:
    at: float
    watts: float
    busy: int  # generations in flight on the node when it arrived


class EnergyMeter:
    """One node's power readings; `begin`/`end` around each generation."""

    def __init__(self, client: Any, interval_s: float = INTERVAL_S) -> None:
        self.client = client
        self.interval_s = interval_s
        self.readings: list[Reading] = []
        self.times: list[float] = []  # the readings' times, for bisect
        self.busy = 0

    async def watch(self) -> None:
        """Keep readings until cancelled; any failure ends the readings, nothing else."""
        try:
            async for sample in self.client.watch_telemetry(interval_s=self.interval_s):
                watts = [g.power_w for g in sample.gpus if g.power_w > 0]
                if watts:
                    now = time.time()
                    self.readings.append(Reading(now, sum(watts), self.busy))
                    self.times.append(now)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a diagnostic: never stop the bench
            log.debug("energy meter stopped error=%s", exc)

    def begin(self) -> float:
        self.busy += 1
        return time.time()

    def end(self, started: float) -> float | None:
        """Joules this generation's share of the node's power came to; None without readings."""
        self.busy = max(0, self.busy - 1)
        return share(self.readings, started, time.time(), self.times)


def share(
    readings: Sequence[Reading], start: float, end: float, times: Sequence[float] | None = None
) -> float | None:
    """∫ power / in-flight over [start, end], each reading held until the next one (for
    at most STALE_S); None when no reading covers any of it."""
    times = [r.at for r in readings] if times is None else times
    first = max(0, bisect.bisect_right(times, start) - 1)
    joules, covered = 0.0, False
    for i in range(first, bisect.bisect_left(times, end)):
        reading = readings[i]
        following = times[i + 1] if i + 1 < len(times) else end
        held_from = max(start, reading.at)
        held_to = min(end, following, reading.at + STALE_S)
        if held_to > held_from:
            joules += reading.watts * (held_to - held_from) / max(1, reading.busy)
            covered = True
    return joules if covered else None


@contextlib.asynccontextmanager
async def meters(
    conns: Mapping[str, Any], nodes: Sequence[str]
) -> AsyncIterator[dict[str, EnergyMeter]]:
    """A running meter for each of `nodes`, stopped on the way out."""
    made = {node: EnergyMeter(conns[node]) for node in nodes}
    tasks = [asyncio.create_task(m.watch()) for m in made.values()]
    try:
        yield made
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
