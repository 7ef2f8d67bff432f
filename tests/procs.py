"""Process checks shared by the tests."""

from __future__ import annotations

import time

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
