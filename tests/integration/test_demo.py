"""`trinityctl demo` for real: a local agent, SmolLM2 on llama-cpp-python, a smoke
generation with its tok/s, and nothing left behind — also when interrupted."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

pytestmark = pytest.mark.integration


def _servers() -> set[int]:
    found = set()
    for proc in psutil.process_iter(["cmdline"]):
        cmdline = " ".join(proc.info["cmdline"] or [])
        if "llama_cpp.server" in cmdline or "trinity.agent serve" in cmdline:
            found.add(proc.pid)
    return found


def test_demo_prints_status_and_a_real_tok_s_and_cleans_up():
    before = _servers()
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
    time.sleep(0.5)
    assert _servers() <= before


def test_interrupted_demo_stops_everything_and_exits_130():
    before = _servers()
    demo = subprocess.Popen(
        [sys.executable, "-m", "trinity.controller", "demo"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert demo.stdout is not None
    for line in demo.stdout:
        if "starting SmolLM2" in line:
            break
    demo.send_signal(signal.SIGINT)
    rest = demo.stdout.read()
    assert demo.wait(timeout=60) == 130
    assert "interrupted, stopped everything" in rest
    time.sleep(0.5)
    assert _servers() <= before
