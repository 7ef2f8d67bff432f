"""The scheduler: per-model concurrency, no head-of-line blocking, bounded retries of
infrastructure failures only."""

from __future__ import annotations

import asyncio
import time

import pytest
from trinity.controller.scheduler import Finished, InfraError, RunKey, schedule


def keys(model: str, n: int) -> list[RunKey]:
    return [RunKey("t", model, None, i) for i in range(n)]


async def test_each_model_runs_at_most_its_concurrency():
    running = {"a": 0, "b": 0}
    peak = {"a": 0, "b": 0}

    async def run(key: RunKey, attempt: int) -> int:
        running[key.model] += 1
        peak[key.model] = max(peak[key.model], running[key.model])
        await asyncio.sleep(0.01)
        running[key.model] -= 1
        return 1

    done = await schedule(keys("a", 10) + keys("b", 10), run, {"a": 4, "b": 1})
    assert len(done) == 20 and all(f.result == 1 for f in done)
    assert peak == {"a": 4, "b": 1}


async def test_a_slow_model_does_not_hold_up_another():
    finished_at: dict[str, float] = {}
    start = time.monotonic()

    async def run(key: RunKey, attempt: int) -> None:
        await asyncio.sleep(0.3 if key.model == "slow" else 0.001)
        finished_at[key.model] = time.monotonic() - start

    await schedule(keys("slow", 2) + keys("fast", 20), run, {"slow": 1, "fast": 2})
    assert finished_at["fast"] < 0.3 < finished_at["slow"]


async def test_infra_failures_are_retried_a_bounded_number_of_times():
    attempts: list[int] = []

    async def run(key: RunKey, attempt: int) -> str:
        attempts.append(attempt)
        raise InfraError("node unreachable")

    (finished,) = await schedule(keys("a", 1), run, {"a": 1}, retries=2, retry_delay_s=0)
    assert attempts == [1, 2, 3]
    assert finished.result is None and finished.error == "node unreachable"
    assert finished.attempts == 3


async def test_a_low_score_is_a_result_and_never_retried():
    calls = 0

    async def run(key: RunKey, attempt: int) -> float:
        nonlocal calls
        calls += 1
        return 0.0

    (finished,) = await schedule(keys("a", 1), run, {"a": 1}, retry_delay_s=0)
    assert calls == 1 and finished.result == 0.0 and finished.error == ""


async def test_a_bug_is_not_swallowed_as_a_retry():
    async def run(key: RunKey, attempt: int) -> None:
        raise ValueError("harness bug")

    with pytest.raises(ValueError, match="harness bug"):
        await schedule(keys("a", 1), run, {"a": 1}, retry_delay_s=0)


async def test_each_run_is_reported_as_it_finishes():
    seen: list[Finished[int]] = []

    async def run(key: RunKey, attempt: int) -> int:
        await asyncio.sleep(0.001 * key.repeat)
        return key.repeat

    async def record(finished: Finished[int]) -> None:
        seen.append(finished)

    await schedule(keys("a", 5), run, {"a": 5}, on_finished=record)
    assert [f.result for f in seen] == [0, 1, 2, 3, 4]


async def test_each_result_carries_its_key_and_the_attempt_that_made_it():
    async def run(key: RunKey, attempt: int) -> int:
        if attempt < 2:
            raise InfraError("restarting")
        return key.repeat

    done = await schedule(keys("a", 2), run, {"a": 2}, retry_delay_s=0)
    assert [(f.key, f.result, f.attempts, f.error) for f in done] == [
        (RunKey("t", "a", None, 0), 0, 2, ""),
        (RunKey("t", "a", None, 1), 1, 2, ""),
    ]


async def test_a_run_that_never_got_through_keeps_its_key():
    async def run(key: RunKey, attempt: int) -> None:
        raise InfraError("down")

    (finished,) = await schedule(keys("b", 1), run, {"b": 1}, retries=0, retry_delay_s=0)
    assert (finished.key, finished.attempts, finished.error) == (
        RunKey("t", "b", None, 0),
        1,
        "down",
    )


async def test_retries_back_off_linearly_and_not_after_the_last_try(monkeypatch):
    import trinity.controller.scheduler as scheduler_module

    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(scheduler_module.asyncio, "sleep", sleep)

    async def run(key: RunKey, attempt: int) -> None:
        raise InfraError("down")

    await schedule(keys("a", 1), run, {"a": 1}, retries=3, retry_delay_s=0.5)
    assert slept == [0.5, 1.0, 1.5]


async def test_each_infra_failure_is_logged_with_its_run_attempt_and_error(caplog):
    async def run(key: RunKey, attempt: int) -> int:
        if attempt == 1:
            raise InfraError("node a unreachable")
        return 1

    with caplog.at_level("WARNING", logger="trinity.controller.scheduler"):
        await schedule(keys("a", 1), run, {"a": 1}, retry_delay_s=0)
    (record,) = caplog.records
    assert record.getMessage() == (
        f"infra failure run={RunKey('t', 'a', None, 0)} attempt=1 error=node a unreachable"
    )
