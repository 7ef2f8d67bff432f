"""`trinityctl demo` for real: a local agent, SmolLM2 on llama-cpp-python, a smoke
generation with its tok/s, and nothing left behind — also when interrupted."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.procs import gone

pytestmark = pytest.mark.integration


def _pids(output: str) -> set[int]:
    """The agent and model server pids the demo announced ("agent (pid N)", "pid M")."""
    return {int(pid) for pid in re.findall(r"\bpid (\d+)", output)}


def test_demo_prints_status_and_a_real_tok_s_and_cleans_up():
    done = subprocess.run(
        [sys.executable, "-m", "trinity.controller", "demo"],
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ready" in done.stdout and "smollm2" in done.stdout
    rate = re.search(r"decode ([0-9.]+) tok/s", done.stdout)
    assert rate and float(rate.group(1)) > 0
    folder = re.search(r"folder (\S+)\)", done.stdout)
    assert folder and not Path(folder.group(1)).exists()
    pids = _pids(done.stdout)
    assert len(pids) >= 2, done.stdout  # the agent and the model server
    assert all(gone(pid, within_s=10) for pid in pids)


def test_interrupted_demo_stops_everything_and_exits_130():
    demo = subprocess.Popen(
        [sys.executable, "-m", "trinity.controller", "demo"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert demo.stdout is not None
    seen = ""
    for line in demo.stdout:
        seen += line
        if "starting SmolLM2" in line:
            break
    demo.send_signal(signal.SIGINT)
    rest = demo.stdout.read()
    assert demo.wait(timeout=60) == 130
    assert "interrupted, stopped everything" in rest
    pids = _pids(seen + rest)
    assert pids, seen  # at least the agent had started
    assert all(gone(pid, within_s=10) for pid in pids)
