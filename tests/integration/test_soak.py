"""A short soak in CI: benchmarks/soak.py against a real agent and llama.cpp server, with
Generate streams and sandboxed Execute calls in flight together. The agent must make no
error, stay under 150 MiB and come back to its memory, threads and fds afterwards (the
full run, 64 + 64 for minutes, is the benchmark's default)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
SOAK = Path(__file__).resolve().parents[2] / "benchmarks" / "soak.py"


def test_short_soak_holds_every_target() -> None:
    done = subprocess.run(
        [sys.executable, str(SOAK), "--seconds", "10", "--streams", "8", "--executes", "8",
         "--json"],
        capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert done.stdout.strip(), done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["misses"] == [] and done.returncode == 0, report
    assert report["generations"] > 0 and report["executions"] > 0
    assert report["peak_fds"] > report["before"]["fds"]  # the watcher saw the load
