"""GPU energy per generation from the node's telemetry: the integral, the split between
runs in flight at once, no figure without power readings, and the price in crosscheck."""

from __future__ import annotations

import asyncio

import pytest
from trinity.controller import crosscheck as cc
from trinity.controller.bench import Plan, run_bench
from trinity.controller.config import parse_config
from trinity.controller.energy import Reading, share
from trinity.controller.report import summarise
from trinity.controller.store import Store
from trinity.controller.suites import load_task
from trinity.v1 import agent_pb2 as pb

from tests.unit.test_bench import GOOD, FakeNode, install, result


def test_power_is_held_from_reading_to_reading_and_split_between_runs_in_flight():
    readings = [Reading(0.0, 100.0, 1), Reading(1.0, 200.0, 2), Reading(2.0, 100.0, 1)]
    assert share(readings, 0.5, 2.5) == pytest.approx(100 * 0.5 + 200 * 1 / 2 + 100 * 0.5)


def test_no_reading_or_only_a_stale_one_is_no_figure():
    assert share([], 0.0, 1.0) is None
    assert share([Reading(0.0, 300.0, 1)], 10.0, 11.0) is None  # the node went quiet
    assert share([Reading(5.0, 300.0, 1)], 0.0, 1.0) is None  # nothing before it ended


class PoweredNode(FakeNode):
    """A node whose GPUs draw `watts` (psutil-only nodes send no power: watts = 0)."""

    def __init__(self, watts: float) -> None:
        super().__init__("a", self.slow)
        self.watts = watts

    @staticmethod
    def slow(_request: pb.GenerateRequest) -> pb.GenerateResult:
        return result(GOOD)

    async def generate(self, request: pb.GenerateRequest) -> pb.GenerateResult:
        await asyncio.sleep(0.5)
        return await super().generate(request)

    async def watch_telemetry(self, interval_s: float = 1.0, count: int = 0):
        while True:
            gpu = pb.GpuSample(index=0, name="fake", power_w=self.watts)
            yield pb.TelemetrySample(source="nvml", gpus=[gpu, gpu])
            await asyncio.sleep(0.05)


CONFIG = """
[nodes.a]
address = "127.0.0.1:1"
token_env = "T"

[[models]]
name = "m"
node = "a"
backend = "llamacpp"
model = "builtin:smollm2"

[defaults]
electricity_price_per_kwh = 0.30
"""


@pytest.mark.parametrize("watts", [150.0, 0.0])
def test_a_local_models_generation_energy_is_stored_and_priced(tmp_path, monkeypatch, watts):
    install(monkeypatch, {"a": PoweredNode(watts)})
    config = parse_config(CONFIG, "models.toml", base=tmp_path)
    plan = Plan((load_task("smoke/add"),), config.models, 2, (None,), 90.0, "crosscheck")
    with Store(tmp_path / "r.db") as store:
        outcome = asyncio.run(run_bench(config, store, plan, retry_delay_s=0))
        runs = store.runs(outcome.bench_run_id)
        bench = store.bench_run(outcome.bench_run_id)
    titles = {c: t for c, t in bench.selection["columns"]}
    check = cc.summarise(summarise(bench, runs, outcome.verdicts, titles), runs)
    (model,) = check.models
    if not watts:  # no power readings: no figure, never a guess
        assert all("energy_wh" not in r.details for r in runs)
        assert model.energy_kwh is None and model.cost_usd is None
        return
    for run in runs:  # two GPUs at 150 W for about half a second each
        assert run.details["energy_wh"] == pytest.approx(300 * 0.5 / 3600, rel=0.3)
    kwh = sum(r.details["energy_wh"] for r in runs) / 1000
    assert model.energy_kwh == pytest.approx(kwh)
    assert model.cost_usd == pytest.approx(kwh * 0.30)
