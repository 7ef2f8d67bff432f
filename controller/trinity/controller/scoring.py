"""Scoring a solution: the Execute request a task makes for it, and what came back.

Score = 100 × passed checks / declared checks, where the declared checks come from the
task when it loads (never from what ran), so a crash before the tests scores 0, not 0/0.
The controller only builds requests and reads results: the code runs on the node.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from trinity.controller.answers import matches
from trinity.controller.client import AgentClient
from trinity.controller.rubric import Check, judge
from trinity.controller.suites import Task
from trinity.v1 import agent_pb2 as pb

STATUS = {
    pb.EXECUTE_STATUS_PASSED: "passed",
    pb.EXECUTE_STATUS_FAILED: "failed",
    pb.EXECUTE_STATUS_ERROR: "error",
    pb.EXECUTE_STATUS_TIMEOUT: "timeout",
    pb.EXECUTE_STATUS_OUT_OF_MEMORY: "out_of_memory",
    pb.EXECUTE_STATUS_KILLED: "killed",
}
# Beyond the sandbox's own wall limit: the transfer and the node's queue.
RPC_SLACK_S = 60.0


@dataclass(frozen=True)
class CheckScore:
    name: str
    passed: bool
    message: str
    value_json: str = ""  # what the check returned, as JSON, when plain data


@dataclass(frozen=True)
class Score:
    """One solution scored against one task on one node."""

    task: str
    status: str
    score: float
    passed: int
    declared: int
    checks: tuple[CheckScore, ...]
    duration_s: float
    peak_memory_bytes: int
    stdout_tail: str
    stderr_tail: str
    sandbox: str
    forged_records: int = 0  # report lines that failed the node's verification


def execute_request(task: Task, solution: bytes, checks: Sequence[str] = ()) -> pb.ExecuteRequest:
    """The solution under the task's solution_file name, beside its hidden tests; `checks`
    (default: all the task declares) are the ones the node runs, with their expected values."""
    run = list(checks or task.checks)
    known = pb.Limits.DESCRIPTOR.fields_by_name
    limits = pb.Limits()
    for key, value in task.limits.items():
        if key in known:  # seconds are doubles, sizes and counts integers
            setattr(limits, key, value if key.endswith("_s") else int(value))
    return pb.ExecuteRequest(
        files=[pb.File(path=task.solution_file, content=solution)]
        + [pb.File(path=name, content=content) for name, content in task.files],
        test_file=task.test_file,
        checks=run,
        limits=limits,
        expected=[pb.ExpectedValue(check=k, json=v) for k, v in task.expected.items() if k in run],
    )


async def score_solution(
    client: AgentClient, task: Task, solution: bytes, checks_subset: Sequence[str] = ()
) -> Score:
    """Run it in the node's sandbox; the declared count is the task's, checked again here.

    checks_subset: run only these (one turn of a multi_turn task); the score is still
    over the task's declared checks, the others counted as not passed.
    """
    wall = float(task.limits.get("wall_s", 10.0))
    request = execute_request(task, solution, checks_subset)
    result = await client.execute(request, timeout_s=wall + RPC_SLACK_S)
    by_name = {c.name: c for c in result.checks}
    wanted = checks_subset or task.checks
    checks = tuple(
        CheckScore(name, by_name[name].passed, by_name[name].message, by_name[name].value_json)
        if name in by_name
        else CheckScore(name, False, "no result from the node")
        for name in wanted
    )
    passed = sum(c.passed for c in checks)
    return Score(
        task=task.id,
        status=STATUS.get(result.status, "error"),
        score=100.0 * passed / len(task.checks),
        passed=passed,
        declared=len(task.checks),
        checks=checks,
        duration_s=result.duration_s,
        peak_memory_bytes=result.peak_memory_bytes,
        stdout_tail=result.stdout_tail,
        stderr_tail=result.stderr_tail,
        sandbox=result.sandbox,
        forged_records=result.forged_records,
    )


def score_reply(task: Task, answer: str) -> Score:
    """An answer, review or design task, scored from the reply's text (reasoning removed):
    nothing runs, so this happens on the controller."""
    if task.kind == "answer":
        checks: tuple[CheckScore, ...] = (_answer_check(task, answer),)
    else:
        checks = tuple(_rubric_check(name, check, answer) for name, check in task.rubric.items())
    passed = sum(c.passed for c in checks)
    return Score(
        task=task.id,
        status="passed" if passed == len(checks) else "failed",
        score=100.0 * passed / len(task.checks),
        passed=passed,
        declared=len(task.checks),
        checks=checks,
        duration_s=0.0,
        peak_memory_bytes=0,
        stdout_tail="",
        stderr_tail="",
        sandbox="none",
    )


def _rubric_check(name: str, check: Check, answer: str) -> CheckScore:
    """One check of a review or design rubric (trinity.controller.rubric has the rules)."""
    found = judge(check, answer)
    return CheckScore(name, found.passed, found.message)


def _answer_check(task: Task, answer: str) -> CheckScore:
    """The one check of an answer task (trinity.controller.answers has every rule)."""
    match = matches(
        answer,
        task.answers,
        numeric_tolerance=task.numeric_tolerance,
        unit=task.unit,
        conversions=task.conversions,
        competing=task.competing,
        wrong=task.wrong,
    )
    if task.answer_line_required and match.rule.startswith("full:"):
        return CheckScore("answer", False, "no Answer: line or boxed{} (this task requires one)")
    if match.ok:
        return CheckScore("answer", True, f"matched {match.matched!r} ({match.rule})")
    why = f" ({match.why})" if match.why else ""
    return CheckScore("answer", False, f"got {match.normalised[:200]!r}{why}")


def merge_turns(task: Task, turns: Sequence[Score]) -> Score:
    """The turns of a multi_turn run as one score over every declared check."""
    checks = tuple(c for t in turns for c in t.checks)
    by_name = {c.name: c for c in checks}
    ordered = tuple(by_name.get(n, CheckScore(n, False, "turn not reached")) for n in task.checks)
    passed = sum(c.passed for c in ordered)
    worst = next((t.status for t in turns if t.status != "passed"), "passed")
    return Score(
        task=task.id,
        status=worst if turns else "error",
        score=100.0 * passed / len(task.checks),
        passed=passed,
        declared=len(task.checks),
        checks=ordered,
        duration_s=sum(t.duration_s for t in turns),
        peak_memory_bytes=max((t.peak_memory_bytes for t in turns), default=0),
        stdout_tail=turns[-1].stdout_tail if turns else "",
        stderr_tail=turns[-1].stderr_tail if turns else "",
        sandbox=turns[-1].sandbox if turns else "",
        forged_records=sum(t.forged_records for t in turns),
    )
