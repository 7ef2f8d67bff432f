"""Process checks shared by the tests, and the runs a controller process has stored."""

from __future__ import annotations

import sqlite3
import subprocess
import time
from pathlib import Path

import psutil


def gone(pid: int, within_s: float = 15.0) -> bool:
    """True once pid has exited (a zombie counts: it holds no memory)."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return False


def stored_runs(db: Path) -> int:
    """Runs in a results database so far (0 before it exists, or while it is locked)."""
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=1) as conn:
            return int(conn.execute("SELECT count(*) FROM runs").fetchone()[0])
    except sqlite3.Error:
        return 0


def wait_for_runs(
    controller: subprocess.Popen, db: Path, count: int, within_s: float = 300
) -> None:
    """Return once a running controller (bench, duo) has stored `count` runs."""
    deadline = time.monotonic() + within_s
    while stored_runs(db) < count:
        if controller.poll() is not None:
            raise AssertionError("the controller ended early:\n"
                                 + str(controller.communicate()[1] or "")[-2000:])  # fmt: skip
        assert time.monotonic() < deadline, f"fewer than {count} runs stored in {within_s:g} s"
        time.sleep(0.1)
