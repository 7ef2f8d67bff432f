"""Shared pieces for attacks on the sandbox: each attack is a 'solution' to smoke/add."""

from __future__ import annotations

import os
import subprocess
from dataclasses import replace

import pytest
from trinity.agent.config import SandboxConfig
from trinity.agent.sandbox import (
    ExecuteOutcome,
    ExecuteSpec,
    Limits,
    Probe,
    RunOutput,
    Sandbox,
    _Pipes,
    sandboxed_command,
    score,
    verify,
)
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


def run_unprivileged(solution: str) -> ExecuteOutcome:
    """The non-root agent's path (the systemd unit: a user namespace, uid 65534 inside),
    taken here by running bubblewrap as uid 65534 from this root test process."""
    config = SandboxConfig(python="/usr/bin/python3")  # the venv's may sit under /root
    probe = Probe("bwrap", config.python, disable_userns=True)
    spec = replace(smoke_spec(solution), limits=Limits(wall_s=10.0).over(config.limits))
    command = sandboxed_command(config, probe, spec.files, privileged=False)
    pipes = _Pipes.open()
    try:
        done = subprocess.run(
            [*command.argv, *pipes.runner_args(-1, spec)], capture_output=True, timeout=30,
            check=False, pass_fds=(*command.fds, pipes.report_w, pipes.secret_r),
            user=65534, group=65534, extra_groups=[],
        )  # fmt: skip
    finally:
        command.close()
        pipes.close_child_ends()
    with os.fdopen(pipes.report_r, "rb") as report:
        records, forged = verify(report.read(), pipes.secret)
    raw = RunOutput(done.returncode, False, done.stdout.decode(), done.stderr.decode(),
                    tuple(records), forged, 0.0)  # fmt: skip
    return score(spec, raw, "bwrap")


unprivileged_only_as_root = pytest.mark.skipif(
    os.geteuid() != 0 or not os.path.exists("/usr/bin/python3"),
    reason="needs root (to become uid 65534) and /usr/bin/python3",
)
