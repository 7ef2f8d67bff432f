"""Pre-flight: a task proves itself before it scores a model. In the sandbox of every node
taking part, each reference solution must score 100, each mutant below 100, and each
cheat (an empty file, `pass`, `exit(0)`) 0. A task that fails its own check is not run.
Text-scored tasks (answer, review, design) prove themselves the same way with their
good and bad sample replies and three cheats (an empty reply, "I don't know.", and the
prompt echoed back, which a rubric naming the prompt's own words would pass), matched on
the controller.

Every check must also be failed by at least one mutant that ran (it passed some check, or
failed normally rather than crashing before its checks): a check that no wrong solution
fails may assert nothing, and a harness that cannot fail is no harness. A text-scored
task's check must be the only check some bad reply fails (a near miss: for a rubric, every
other finding asserted and this one mentioned only to deny it or get it wrong), which
proves the check cannot be passed by a denial and fails on its own, not only beside the
others in a reply that says nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from trinity.controller.client import AgentClient
from trinity.controller.scoring import Score, score_reply, score_solution
from trinity.controller.suites import CHEATS, Task

DEFAULT_CONCURRENCY = 4


@dataclass(frozen=True)
class Probe:
    """One solution of a task's own (reference, mutant or cheat) and what it scored."""

    task: str
    role: str  # reference | mutant | cheat
    name: str
    score: float
    status: str
    ok: bool
    why: str = ""
    failed_checks: tuple[str, ...] = ()  # the checks this solution did not pass
    passed_checks: int = 0


@dataclass(frozen=True)
class TaskValidation:
    task: str
    node: str
    probes: tuple[Probe, ...]
    unproven: tuple[str, ...] = ()  # checks that no mutant failed
    text: bool = False  # scored from a reply's text: proven by bad replies

    @property
    def ok(self) -> bool:
        return all(p.ok for p in self.probes) and not self.unproven

    def problems(self) -> list[str]:
        scored = [
            f"{p.role} {p.name} scored {p.score:g} ({p.why})" for p in self.probes if not p.ok
        ]
        why = (
            "is failed alone by no bad reply, so it may be fooled by a denial or assert "
            "nothing: add a bad reply that fails it and passes every other check"
            if self.text
            else "is failed by no mutant, so it may assert nothing: add a mutant that fails it"
        )
        return scored + [f"check {name} {why}" for name in self.unproven]


def _judge(role: str, score: Score) -> tuple[bool, str]:
    if role == "reference":
        return score.score == 100.0, "a reference must score 100"
    if role == "mutant":
        return score.score < 100.0, "a mutant must score below 100"
    return score.score == 0.0, "a cheat must score 0"


TEXT_CHEATS = ("", "I don't know.")


def _turn_of(task: Task, role: str, name: str) -> int:
    return next((t for t, n, _ in task.turn_references if role == "reference" and n == name), 0)


def _solutions(task: Task) -> list[tuple[str, str, bytes]]:
    if not task.runs_code:
        return (
            [
                ("reference", f"good reply {i + 1}", r.encode())
                for i, r in enumerate(task.good_replies)
            ]
            + [("mutant", f"bad reply {i + 1}", r.encode()) for i, r in enumerate(task.bad_replies)]
            + [("cheat", repr(c), c.encode()) for c in TEXT_CHEATS]
            + [("cheat", "the prompt echoed", task.prompt.encode())]
        )
    return (
        [("reference", name, code) for name, code in task.references]
        + [("reference", name, code) for _, name, code in task.turn_references]
        + [("mutant", name, code) for name, code in task.mutants]
        + [("cheat", name, code) for name, code in CHEATS]
    )


async def validate(
    client: AgentClient,
    tasks: Sequence[Task],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    progress: Callable[[Probe], None] | None = None,
) -> list[TaskValidation]:
    """Every task's own solutions through one node's sandbox, a few at a time."""
    slots = asyncio.Semaphore(concurrency)

    async def probe(task: Task, role: str, name: str, code: bytes) -> Probe:
        turn = _turn_of(task, role, name)
        if turn:  # an answer at an earlier turn: that turn's checks and the ones before
            subset = [c for _, checks in task.turns[:turn] for c in checks]
            async with slots:
                score = await score_solution(client, task, code, subset)
            ok = score.passed == len(subset)
            why = f"a turn-{turn} reference must pass turns 1..{turn}'s {len(subset)} checks"
            shown = 100.0 * score.passed / len(subset)
        else:
            if task.runs_code:
                async with slots:
                    score = await score_solution(client, task, code)
            else:
                score = score_reply(task, code.decode())
            ok, why = _judge(role, score)
            shown = score.score
        failed = tuple(c.name for c in score.checks if not c.passed)
        result = Probe(task.id, role, name, shown, score.status, ok, "" if ok else why, failed,
                       score.passed)  # fmt: skip
        if progress is not None:
            progress(result)
        return result

    validations = []
    runs = [[probe(t, *s) for s in _solutions(t)] for t in tasks]
    results = await asyncio.gather(*(asyncio.gather(*r) for r in runs))
    for task, probes in zip(tasks, results, strict=True):
        if task.runs_code and not task.references:
            probes = [*probes, Probe(task.id, "reference", "(none)", 0.0, "missing", False,
                                     "a task needs at least one reference")]  # fmt: skip
        killed = _proven(task, probes)
        unproven = tuple(c for c in task.checks if c not in killed)
        validations.append(TaskValidation(task.id, client.name, tuple(probes), unproven,
                                          text=not task.runs_code))  # fmt: skip
    return validations


def _proven(task: Task, probes: Sequence[Probe]) -> set[str]:
    """The checks some mutant (bad reply) proves; see the module doc."""
    mutants = [p for p in probes if p.role == "mutant"]
    if not task.runs_code:
        return {p.failed_checks[0] for p in mutants if len(p.failed_checks) == 1}
    # A mutant that never ran its checks (a crash at import: status error, nothing
    # passed) fails them all without telling anything about any of them.
    ran = [p for p in mutants if p.status == "failed" or p.passed_checks]
    return {c for p in ran for c in p.failed_checks}


def probe_count(tasks: Sequence[Task]) -> int:
    """How many sandbox runs validate() makes, for a progress bar."""
    return sum(len(_solutions(t)) for t in tasks)
