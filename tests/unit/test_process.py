"""ManagedProcess: own process group, bounded log, group stop, death with the agent."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time

import psutil
import pytest
from trinity.agent.process import MAX_LINE, LogBuffer, ManagedProcess

from tests.procs import gone


def test_log_buffer_keeps_the_last_lines_bounded():
    logs = LogBuffer(3)
    logs.feed(b"one\ntwo\nthr")
    logs.feed(b"ee\nfour\n" + b"x" * (MAX_LINE + 50) + b"\n\xff\xfebad\n")
    first, long_line, undecodable = logs.lines
    assert first == "four"
    assert long_line.endswith(" …") and len(long_line) == MAX_LINE + 2
    assert undecodable == "\ufffd\ufffdbad"
    assert logs.last() == "\ufffd\ufffdbad"


async def test_child_runs_in_its_own_group_and_output_is_captured():
    proc = ManagedProcess(
        [sys.executable, "-c", "print('hello'); import sys; print('oops', file=sys.stderr)"],
        {},
        LogBuffer(10),
    )
    await proc.start()
    assert await proc.wait() == 0
    await proc.stop(1.0)
    assert list(proc.logs.lines) == ["hello", "oops"]


async def test_stop_kills_grandchildren_and_ignores_sigterm_after_grace():
    script = (
        "import signal, subprocess, sys, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        "print(child.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    proc = ManagedProcess([sys.executable, "-c", script], {}, LogBuffer(10))
    await proc.start()
    assert os.getpgid(proc.pid) == proc.pid
    for _ in range(100):
        if proc.logs.lines:
            break
        await asyncio.sleep(0.05)
    grandchild = int(proc.logs.lines[0])
    started = time.monotonic()
    await proc.stop(0.3)
    assert time.monotonic() - started >= 0.3  # it waited the grace, then killed
    assert proc.returncode == -signal.SIGKILL
    assert gone(grandchild)


def test_server_dies_when_the_agent_is_sigkilled(tmp_path):
    pid_file = tmp_path / "pid"
    agent = (
        "import asyncio, sys\n"
        "from trinity.agent.process import LogBuffer, ManagedProcess\n"
        "async def main():\n"
        "    p = ManagedProcess([sys.executable, '-c', 'import time; time.sleep(60)'], {},"
        " LogBuffer(5))\n"
        "    await p.start()\n"
        f"    open({str(pid_file)!r}, 'w').write(str(p.pid))\n"
        "    await asyncio.sleep(60)\n"
        "asyncio.run(main())\n"
    )
    fake_agent = subprocess.Popen([sys.executable, "-c", agent])
    try:
        for _ in range(100):
            if pid_file.exists() and pid_file.read_text():
                break
            time.sleep(0.05)
        server = int(pid_file.read_text())
        time.sleep(0.3)  # let the launcher exec the server
        fake_agent.kill()
        fake_agent.wait()
        assert gone(server, within_s=5)
    finally:
        fake_agent.kill()


async def test_missing_executable_exits_with_the_reason_in_the_log():
    proc = ManagedProcess(["/nonexistent/llama-server"], {}, LogBuffer(5))
    await proc.start()  # the launcher starts; its exec fails and says why
    assert await proc.wait() != 0
    await proc.stop(0.1)
    assert "No such file" in proc.logs.last() or "FileNotFoundError" in "\n".join(proc.logs.lines)


@pytest.fixture(autouse=True)
def _no_leaks():
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    yield
    after = {
        p.pid
        for p in psutil.Process().children(recursive=True)
        if p.status() != psutil.STATUS_ZOMBIE
    }
    assert after <= before, f"children left behind: {after - before}"


def test_a_log_buffer_tells_what_came_after_a_mark_even_as_old_lines_fall_out():
    from trinity.agent.process import LogBuffer

    buffer = LogBuffer(3)
    buffer.feed(b"a\nb\n")
    mark = buffer.total
    assert buffer.since(mark) == []
    buffer.feed(b"c\nd\n")
    assert buffer.since(mark) == ["c", "d"]
    buffer.feed(b"e\nf\ng\n")  # more new lines than are kept: the kept ones
    assert buffer.since(mark) == ["e", "f", "g"]
