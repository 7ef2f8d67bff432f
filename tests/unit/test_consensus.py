"""Consensus verdicts and per-model statistics."""

from __future__ import annotations

import pytest
from trinity.controller.consensus import Verdict, consensus, model_task_stats, verdict_of

MODELS = ["5090", "dgx1", "dgx2"]


def _scores(task: str, means: list[float], n: int = 1) -> dict[tuple[str, str], list[float]]:
    return {(task, m): [mean] * n for m, mean in zip(MODELS, means, strict=True)}


@pytest.mark.parametrize(
    ("task", "means", "verdict"),
    [
        ("EventEmitter", [98.8, 97.9, 97.7], Verdict.UNANIMOUS),
        ("Mini ORM", [100.0, 70.6, 100.0], Verdict.MAJORITY),
        ("B-Tree", [97.8, 39.0, 97.7], Verdict.MAJORITY),
        ("x", [95.0, 10.0, 20.0], Verdict.MINORITY),
        ("y", [89.9, 0.0, 50.0], Verdict.ALL_FAIL),
    ],
)
def test_issue_examples_and_each_verdict(task: str, means: list[float], verdict: Verdict) -> None:
    [got] = consensus(_scores(task, means), MODELS, n=1)
    assert got.task == task
    assert got.verdict is verdict


def test_missing_run_is_incomplete_even_if_the_rest_pass() -> None:
    scores = {("t", "5090"): [100, 100], ("t", "dgx1"): [100], ("t", "dgx2"): [100, 100]}
    [got] = consensus(scores, MODELS, n=2)
    assert got.verdict is Verdict.INCOMPLETE
    assert [s.complete for s in got.stats] == [True, False, True]
    assert got.stats[1].mean == 100.0  # figures are still there


def test_model_without_any_run_is_incomplete_with_empty_figures() -> None:
    scores = {("t", "5090"): [100.0], ("t", "dgx1"): [100.0]}
    [got] = consensus(scores, MODELS, n=1)
    assert got.verdict is Verdict.INCOMPLETE
    empty = got.stats[2]
    assert (empty.n_done, empty.mean, empty.std, empty.min, empty.max) == (
        0,
        None,
        None,
        None,
        None,
    )
    assert not empty.passed


def test_selected_task_with_no_scores_at_all_is_listed_as_incomplete() -> None:
    got = consensus(_scores("a", [100, 100, 100]), MODELS, n=1, tasks=["b", "a"])
    assert [(v.task, v.verdict) for v in got] == [
        ("b", Verdict.INCOMPLETE),
        ("a", Verdict.UNANIMOUS),
    ]


def test_tasks_default_to_sorted_keys() -> None:
    scores = {**_scores("zeta", [0, 0, 0]), **_scores("alpha", [0, 0, 0])}
    assert [v.task for v in consensus(scores, MODELS, n=1)] == ["alpha", "zeta"]


def test_statistics_use_population_std() -> None:
    stats = model_task_stats("t", "m", [100.0, 80.0, 90.0], n=3)
    assert stats.mean == pytest.approx(90.0)
    assert stats.std == pytest.approx((200 / 3) ** 0.5)  # population, not sample (10.0)
    assert (stats.min, stats.max, stats.n_done, stats.n_expected) == (80.0, 100.0, 3, 3)


def test_single_run_has_zero_std() -> None:
    assert model_task_stats("t", "m", [42.0], n=1).std == 0.0


def test_pass_is_mean_at_or_above_threshold() -> None:
    assert model_task_stats("t", "m", [90.0], n=1).passed
    assert model_task_stats("t", "m", [100.0, 80.0, 90.0], n=3).passed  # float mean 90.0
    assert not model_task_stats("t", "m", [89.99], n=1).passed
    assert model_task_stats("t", "m", [60.0], n=1, threshold=50).passed


def test_flaky_when_runs_fall_on_both_sides() -> None:
    assert model_task_stats("t", "m", [100.0, 50.0, 100.0], n=3).flaky
    assert not model_task_stats("t", "m", [100.0, 95.0], n=2).flaky
    assert not model_task_stats("t", "m", [10.0, 0.0], n=2).flaky
    assert model_task_stats("t", "m", [90.0, 89.0], n=2).flaky


def test_threshold_changes_the_verdict() -> None:
    scores = _scores("t", [85.0, 85.0, 85.0])
    assert consensus(scores, MODELS, n=1)[0].verdict is Verdict.ALL_FAIL
    assert consensus(scores, MODELS, n=1, threshold=80)[0].verdict is Verdict.UNANIMOUS


def test_half_is_not_a_majority() -> None:
    scores = {("t", "a"): [100.0], ("t", "b"): [0.0]}
    [got] = consensus(scores, ["a", "b"], n=1)
    assert (got.verdict, got.passed_models) == (Verdict.MINORITY, 1)


def test_stats_follow_the_given_model_order() -> None:
    [got] = consensus(_scores("t", [1.0, 2.0, 3.0]), ["dgx2", "5090", "dgx1"], n=1)
    assert [(s.model, s.mean) for s in got.stats] == [("dgx2", 3.0), ("5090", 1.0), ("dgx1", 2.0)]


def test_extra_runs_are_counted() -> None:
    stats = model_task_stats("t", "m", [100.0, 0.0, 100.0], n=2)
    assert stats.complete and stats.n_done == 3
    assert stats.mean == pytest.approx(200 / 3)


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match=r"^consensus needs at least one model$"):
        consensus({}, [], n=1)
    with pytest.raises(ValueError, match=r"^n must be at least 1, not 0$"):
        consensus({}, MODELS, n=0)
    with pytest.raises(ValueError, match=r"^a verdict needs at least one model$"):
        verdict_of([])


def test_each_models_statistics_name_their_task_model_and_threshold() -> None:
    scores = {("t", "5090"): [100.0], ("t", "dgx1"): [50.0]}
    [got] = consensus(scores, MODELS, n=1, threshold=75)
    assert [(s.task, s.model, s.threshold, s.n_expected) for s in got.stats] == [
        ("t", "5090", 75, 1),
        ("t", "dgx1", 75, 1),
        ("t", "dgx2", 75, 1),  # no run: still its task and threshold
    ]


def test_verdict_values_are_the_names_shown_in_reports() -> None:
    assert [v.value for v in Verdict] == [
        "UNANIMOUS",
        "MAJORITY",
        "MINORITY",
        "ALL_FAIL",
        "INCOMPLETE",
    ]
