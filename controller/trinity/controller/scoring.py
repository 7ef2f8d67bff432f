"""Scoring a solution: the Execute request a task makes for it, and what came back.

Score = 100 × passed checks / declared checks, where the declared checks come from the
task when it loads (never from what ran), so a crash before the tests scores 0, not 0/0.
The controller only builds requests and reads results: the code runs on the node.
"""

from __future__ import annotations

from dataclasses import dataclass

from trinity.controller.client import AgentClient
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


def execute_request(task: Task, solution: bytes) -> pb.ExecuteRequest:
    """The solution under the task's solution_file name, beside its hidden tests."""
    known = pb.Limits.DESCRIPTOR.fields_by_name
    limits = pb.Limits()
    for key, value in task.limits.items():
        if key in known:  # seconds are doubles, sizes and counts integers
            setattr(limits, key, value if key.endswith("_s") else int(value))
    return pb.ExecuteRequest(
        files=[pb.File(path=task.solution_file, content=solution)]
        + [pb.File(path=name, content=content) for name, content in task.files],
        test_file=task.test_file,
        checks=list(task.checks),
        limits=limits,
        expected=[pb.ExpectedValue(check=k, json=v) for k, v in task.expected.items()],
    )


async def score_solution(client: AgentClient, task: Task, solution: bytes) -> Score:
    """Run it in the node's sandbox; the declared count is the task's, checked again here."""
    wall = float(task.limits.get("wall_s", 10.0))
    result = await client.execute(execute_request(task, solution), timeout_s=wall + RPC_SLACK_S)
    by_name = {c.name: c for c in result.checks}
    checks = tuple(
        CheckScore(name, by_name[name].passed, by_name[name].message, by_name[name].value_json)
        if name in by_name
        else CheckScore(name, False, "no result from the node")
        for name in task.checks
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
