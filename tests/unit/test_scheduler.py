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


class Outage:
    """A model that is down until `back` is set: every run fails meanwhile; `recover` is
    what bench gives the scheduler (it returns once the model is ready again)."""

    def __init__(self) -> None:
        self.down = False
        self.back = asyncio.Event()
        self.recoveries = 0

    async def recover(self, model: str) -> None:
        self.recoveries += 1
        await self.back.wait()
        self.down = False


async def test_queued_runs_wait_for_the_model_instead_of_spending_attempts():
    outage = Outage()
    attempts: dict[int, list[int]] = {}

    async def run(key: RunKey, attempt: int) -> int:
        attempts.setdefault(key.repeat, []).append(attempt)
        if key.repeat == 1 and attempt == 1:
            outage.down = True  # the server crashes under the second run
            asyncio.get_running_loop().call_later(0.3, outage.back.set)
        if outage.down:
            raise InfraError("model m is starting, not ready")
        await asyncio.sleep(0.001)
        return key.repeat

    done = await schedule(keys("a", 6), run, {"a": 1}, retry_delay_s=0, recover=outage.recover)
    assert [f.result for f in done] == list(range(6)), [f.error for f in done]
    # The run the crash hit tried twice; every run queued behind it tried once, later.
    assert attempts == {0: [1], 1: [1, 2], 2: [1], 3: [1], 4: [1], 5: [1]}
    assert outage.recoveries == 1


async def test_an_outage_longer_than_every_retry_delay_costs_no_run():
    # The defect: retries burnt on a clock (2 s, 4 s) while the model took 8 s to return.
    outage = Outage()
    outage.down = True

    async def run(key: RunKey, attempt: int) -> int:
        if outage.down:
            raise InfraError("cannot reach its server")
        return 1

    asyncio.get_running_loop().call_later(0.5, outage.back.set)
    done = await schedule(
        keys("a", 4) + keys("b", 1), run, {"a": 2, "b": 1}, retry_delay_s=0.01,
        recover=outage.recover,
    )  # fmt: skip
    assert all(f.result == 1 for f in done), [f.error for f in done]


async def test_a_model_that_will_not_come_back_ends_its_runs_at_once_and_says_why():
    calls: list[RunKey] = []

    async def run(key: RunKey, attempt: int) -> int:
        calls.append(key)
        if key.model == "a":
            raise InfraError("model a is starting, not ready")
        return 1

    async def recover(model: str) -> None:
        raise InfraError(f"model {model} is failed: gave up after 5 restarts")

    start = time.monotonic()
    done = await schedule(keys("a", 5) + keys("b", 2), run, {"a": 1, "b": 1},
                          retry_delay_s=0, recover=recover)  # fmt: skip
    failed = [f for f in done if f.key.model == "a"]
    assert all(f.result is None and "gave up after 5 restarts" in f.error for f in failed)
    assert [c.model for c in calls].count("a") == 1  # one try, then none: no waiting per run
    assert [f.attempts for f in failed] == [1, 0, 0, 0, 0]
    assert [f.result for f in done if f.key.model == "b"] == [1, 1]
    assert time.monotonic() - start < 1.0


async def test_a_failed_write_stops_every_run_and_propagates():
    started: list[int] = []

    async def run(key: RunKey, attempt: int) -> int:
        started.append(key.repeat)
        await asyncio.sleep(0.01)
        return key.repeat

    async def record(finished: Finished[int]) -> None:
        if finished.result == 1:
            raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        await schedule(keys("a", 10), run, {"a": 1}, on_finished=record)
    await asyncio.sleep(0.05)
    assert started[:2] == [0, 1] and len(started) <= 3  # cancelled, not run on regardless


async def test_a_failure_that_would_repeat_is_tried_once_and_the_model_stays_open():
    tries: list[RunKey] = []
    recoveries: list[str] = []

    async def run(key: RunKey, attempt: int) -> int:
        tries.append(key)
        if key.repeat == 0:
            raise InfraError("Generate: does not fit the model's context window", retry=False)
        return 1

    async def recover(model: str) -> None:
        recoveries.append(model)

    done = await schedule(keys("a", 3), run, {"a": 1}, retry_delay_s=0, recover=recover)
    first = next(f for f in done if f.key.repeat == 0)
    assert (first.result, first.attempts) == (None, 1) and "context window" in first.error
    assert len(tries) == 3 and recoveries == []  # no retry, no recovery of a healthy model
    assert [f.result for f in done if f.key.repeat] == [1, 1]


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


async def test_each_failure_pauses_its_models_lane_once_the_last_one_too(monkeypatch):
    """Without a way to see the model recover, each infrastructure failure closes the
    model's lane for retry_delay_s (the runs queued behind it wait out the outage too,
    so the last try's failure pauses the lane like the others)."""
    import trinity.controller.scheduler as scheduler_module

    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(scheduler_module.asyncio, "sleep", sleep)

    async def run(key: RunKey, attempt: int) -> None:
        raise InfraError("down")

    (finished,) = await schedule(keys("a", 1), run, {"a": 1}, retries=3, retry_delay_s=0.5)
    assert slept == [0.5] * 4 and finished.attempts == 4


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


async def test_the_model_that_failed_is_the_one_recovered():
    recovered: list[str] = []

    async def run(key: RunKey, attempt: int) -> int:
        if key.model == "node/a" and attempt == 1:
            raise InfraError("node/a is restarting")
        return 1

    async def recover(model: str) -> None:
        recovered.append(model)

    done = await schedule(keys("node/a", 1) + keys("node/b", 1), run,
                          {"node/a": 1, "node/b": 1}, retry_delay_s=0, recover=recover)  # fmt: skip
    assert recovered == ["node/a"] and [f.result for f in done] == [1, 1]


async def test_a_model_given_up_on_is_logged_with_its_name_and_why(caplog):
    async def run(key: RunKey, attempt: int) -> int:
        raise InfraError("cannot reach its server")

    async def recover(model: str) -> None:
        raise InfraError("failed: gave up after 5 restarts")

    with caplog.at_level("WARNING", logger="trinity.controller.scheduler"):
        await schedule(keys("node/a", 2), run, {"node/a": 1}, retry_delay_s=0, recover=recover)
    given_up = [r.getMessage() for r in caplog.records if "given up" in r.getMessage()]
    assert given_up == ["model given up model=node/a error=failed: gave up after 5 restarts"]


async def test_a_stopped_bench_returns_only_once_every_run_in_flight_has_wound_down():
    """A bug in one run stops the others; schedule raises after they have cleaned up
    (closed their streams), so nothing of the bench is left running behind it."""
    wound_down: list[int] = []

    async def run(key: RunKey, attempt: int) -> int:
        if key.repeat == 0:
            await asyncio.sleep(0.01)
            raise ValueError("harness bug")
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            await asyncio.sleep(0.01)  # e.g. closing the generation stream
            wound_down.append(key.repeat)
            raise
        return 1

    with pytest.raises(ValueError, match="harness bug"):
        await schedule(keys("a", 3), run, {"a": 3})
    assert wound_down == [1, 2]
