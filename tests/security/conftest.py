"""Shared pieces for attacks on the sandbox: each attack is a 'solution' to smoke/add."""

from __future__ import annotations

import pytest
from trinity.agent.config import SandboxConfig
from trinity.agent.sandbox import ExecuteOutcome, ExecuteSpec, Limits, Sandbox
from trinity.controller.suites import load_task

SMOKE_ADD = load_task("smoke/add")


def smoke_spec(solution: str, **limits: float) -> ExecuteSpec:
    """The attack under smoke/add's solution file name, beside its hidden tests."""
    return ExecuteSpec(
        files=((SMOKE_ADD.solution_file, solution.encode()), *SMOKE_ADD.files),
        test_file=SMOKE_ADD.test_file,
        checks=SMOKE_ADD.checks,
        limits=Limits(**{"wall_s": 10.0, **limits}),
        expected=dict(SMOKE_ADD.expected),
    )


@pytest.fixture(scope="session")
def sandbox() -> Sandbox:
    box = Sandbox(SandboxConfig())
    if box.isolation != "bwrap":
        pytest.fail(f"the security tests need bubblewrap: {box.probe.detail}")
    return box


async def run_attack(sandbox: Sandbox, solution: str, **limits: float) -> ExecuteOutcome:
    return await sandbox.execute(smoke_spec(solution, **limits))
