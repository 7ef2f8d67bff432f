"""The report's view of repeats: each cell's seeds, and the identical-replies flag (which
only means something when sampling was on). Bench-level runs through fake models are in
test_bench.py."""

from __future__ import annotations

from typing import Any

import pytest
from rich.console import Console
from trinity.controller import report as rep
from trinity.controller.consensus import consensus
from trinity.controller.store import BenchRun, RunRecord

TASK, MODEL = "smoke/add", "local/smollm2"
FLAG = "3 identical replies: fixed seed, or the server ignores sampling"


def run(repeat: int, reply: str, temperature: float | None = 0.8, **kw: Any) -> RunRecord:
    fields: dict[str, Any] = {
        "bench_run_id": "b",
        "task": TASK,
        "model": MODEL,
        "node": "local",
        "repeat": repeat,
        "outcome": "scored",
        "score": 100.0,
        "response": reply,
        "seed": 1000 + repeat,
        "model_config": {"sampling": {"temperature": temperature}},
    }
    return RunRecord(**{**fields, **kw})


def report_of(runs: list[RunRecord]) -> rep.Report:
    counted = [r for r in runs if r.outcome != "infra_error"]
    scores = {(TASK, MODEL): [r.score or 0.0 for r in sorted(counted, key=lambda r: r.repeat)]}
    bench = BenchRun("b", 0.0, (), {"n": 3}, {}, "finished")
    return rep.summarise(bench, runs, consensus(scores, [MODEL], 3), {MODEL: "SmolLM2"})


def cell(report: rep.Report) -> dict[str, Any]:
    return rep.as_json(report)["tasks"][0]["models"][MODEL]


def test_the_same_reply_three_times_while_sampling_is_flagged_in_every_format():
    report = report_of([run(k, "def add(a, b): return a + b") for k in (1, 2, 3)])
    assert cell(report)["identical_replies"] == 3
    assert f"≡ smoke/add, SmolLM2: {FLAG}" in rep.legend(report)
    assert "100.0 ≡" in rep.markdown(report) and FLAG in rep.markdown(report)
    assert "100.0 ≡</td>" in rep.html_page(report) and FLAG in rep.html_page(report)
    console = Console(width=200, record=True)
    console.print(rep.table(report))
    assert "100.0 ≡" in console.export_text()


def test_replies_that_differ_are_not_flagged():
    report = report_of([run(1, "return a + b"), run(2, "return a + b"), run(3, "return b + a")])
    assert cell(report)["identical_replies"] == 0
    assert not any("identical" in line for line in rep.legend(report))
    assert "≡" not in rep.markdown(report)


def test_identical_replies_at_temperature_zero_are_expected_and_not_flagged():
    report = report_of([run(k, "same", temperature=0.0) for k in (1, 2, 3)])
    assert cell(report)["identical_replies"] == 0


def test_one_run_at_zero_is_enough_to_expect_the_same_reply():
    runs = [run(1, "same", temperature=0.0), run(2, "same"), run(3, "same")]
    assert cell(report_of(runs))["identical_replies"] == 0


def test_unset_temperature_is_the_servers_default_which_samples():
    report = report_of([run(k, "same", temperature=None) for k in (1, 2, 3)])
    assert cell(report)["identical_replies"] == 3


@pytest.mark.parametrize(
    "runs",
    [
        [run(1, "same")],  # one reply cannot repeat
        [run(1, "same"), run(2, "", outcome="timeout", score=0.0)],  # one reply and a timeout
    ],
)
def test_fewer_than_two_replies_are_never_flagged(runs):
    assert cell(report_of(runs))["identical_replies"] == 0


def test_infra_errors_and_empty_replies_are_left_out_of_the_count():
    runs = [
        run(1, "same"),
        run(2, "", outcome="infra_error", score=None),
        run(3, "same"),
        run(4, "", outcome="timeout", score=0.0),
    ]
    assert cell(report_of(runs))["identical_replies"] == 2


def test_seeds_follow_the_scores_in_repeat_order_without_infra_errors():
    runs = [run(3, "c", score=0.0), run(1, "a"), run(2, "b", outcome="infra_error", score=None)]
    found = cell(report_of(runs))
    assert found["scores"] == [100.0, 0.0]
    assert found["seeds"] == [1001, 1003]
    assert "seeds 1001, 1003" in rep.html_page(report_of(runs))


def test_pair_rounds_are_not_the_benchs_repeats():
    runs = [run(k, "same") for k in (1, 2, 3)]
    runs += [run(k, "other", role="reviewer") for k in (1, 2, 3)]
    found = cell(report_of(runs))
    assert found["identical_replies"] == 3 and found["seeds"] == [1001, 1002, 1003]
