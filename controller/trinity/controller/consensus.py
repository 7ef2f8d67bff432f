"""Consensus across models: per task, each model's statistics over n runs and one verdict.

A model passes a task when the mean of its scores is at least the threshold (default 90;
a 1e-9 slack absorbs float error in means such as 90.0). Its runs are *flaky* when some
scored at or above the threshold and some below. The standard deviation is the
population one (statistics.pstdev): it describes the n runs that were made, not an
estimate for runs never made, and is 0 for a single run.

Verdicts, per task, over the models taking part:
  INCOMPLETE  any model has fewer than n scores (a run missing, still running, or failed
              for infrastructure reasons); the other figures are still shown;
  UNANIMOUS   every model passes;
  MAJORITY    more than half pass (2 of 3; with 2 models, 1 of 2 is not a majority);
  MINORITY    at least one passes, but not more than half;
  ALL_FAIL    none passes.
Runs beyond n (a bigger n on a resumed bench) are counted, not dropped.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

DEFAULT_THRESHOLD = 90.0
_SLACK = 1e-9


class Verdict(StrEnum):
    UNANIMOUS = "UNANIMOUS"
    MAJORITY = "MAJORITY"
    MINORITY = "MINORITY"
    ALL_FAIL = "ALL_FAIL"
    INCOMPLETE = "INCOMPLETE"


@dataclass(frozen=True)
class ModelTaskStats:
    """One model's scores on one task over its repeats; figures are None with no run."""

    task: str
    model: str
    scores: tuple[float, ...]
    n_expected: int
    threshold: float
    mean: float | None
    std: float | None
    min: float | None
    max: float | None

    @property
    def n_done(self) -> int:
        return len(self.scores)

    @property
    def complete(self) -> bool:
        return self.n_done >= self.n_expected

    @property
    def passed(self) -> bool:
        return self.mean is not None and self.mean >= self.threshold - _SLACK

    @property
    def flaky(self) -> bool:
        above = [s >= self.threshold - _SLACK for s in self.scores]
        return any(above) and not all(above)


@dataclass(frozen=True)
class TaskVerdict:
    """A task's verdict and each model's statistics, in the order the models were given."""

    task: str
    verdict: Verdict
    stats: tuple[ModelTaskStats, ...]

    @property
    def passed_models(self) -> int:
        return sum(s.passed for s in self.stats)


def model_task_stats(
    task: str, model: str, scores: Sequence[float], n: int, threshold: float = DEFAULT_THRESHOLD
) -> ModelTaskStats:
    """Mean, population std, min and max of one model's scores on one task."""
    values = tuple(float(s) for s in scores)
    if not values:
        return ModelTaskStats(task, model, (), n, threshold, None, None, None, None)
    return ModelTaskStats(
        task,
        model,
        values,
        n,
        threshold,
        statistics.fmean(values),
        statistics.pstdev(values),
        min(values),
        max(values),
    )


def verdict_of(stats: Sequence[ModelTaskStats]) -> Verdict:
    """The verdict over the models' statistics for one task (see the module doc)."""
    if not stats:
        raise ValueError("a verdict needs at least one model")
    if not all(s.complete for s in stats):
        return Verdict.INCOMPLETE
    passed = sum(s.passed for s in stats)
    if passed == len(stats):
        return Verdict.UNANIMOUS
    if passed * 2 > len(stats):
        return Verdict.MAJORITY
    return Verdict.MINORITY if passed else Verdict.ALL_FAIL


def consensus(
    scores: Mapping[tuple[str, str], Sequence[float]],
    models: Sequence[str],
    n: int,
    threshold: float = DEFAULT_THRESHOLD,
    *,
    tasks: Sequence[str] | None = None,
) -> list[TaskVerdict]:
    """One TaskVerdict per task; scores are keyed by (task, model).

    tasks: the tasks the bench selected, in display order (a task with no score yet is
    INCOMPLETE rather than missing); default: every task in scores, sorted.
    """
    if not models:
        raise ValueError("consensus needs at least one model")
    if n < 1:
        raise ValueError(f"n must be at least 1, not {n}")
    names = list(tasks) if tasks is not None else sorted({task for task, _ in scores})
    verdicts = []
    for task in names:
        stats = tuple(
            model_task_stats(task, model, scores.get((task, model), ()), n, threshold)
            for model in models
        )
        verdicts.append(TaskVerdict(task, verdict_of(stats), stats))
    return verdicts
