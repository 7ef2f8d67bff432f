"""Escape attempts, each a 'solution' to smoke/add run through the real bubblewrap
sandbox: each is contained, scores below 100 unless it is also a correct solution,
leaves no process behind, and the sandbox keeps working afterwards."""

from __future__ import annotations

import os
import socket
import textwrap
import time
from pathlib import Path

import psutil
import pytest
from trinity.agent.sandbox import ExecuteStatus
from trinity.v1 import agent_pb2 as pb

from tests.fakes.fake_supervisor import running_agent, stub
from tests.security.conftest import (
    SMOKE_ADD,
    run_attack,
    run_unprivileged,
    unprivileged_only_as_root,
)
from tests.unit.test_server import TOKEN

pytestmark = pytest.mark.security

CORRECT = "def add(a, b):\n    return a + b\n"
WRONG = "def add(a, b):\n    return a - b\n"


def attack(code: str, *, correct: bool = False) -> str:
    return textwrap.dedent(code) + (CORRECT if correct else WRONG)


def processes_with(marker: str) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        if marker in " ".join(proc.info["cmdline"] or []):
            try:
                if proc.status() != psutil.STATUS_ZOMBIE:
                    found.append(proc)
            except psutil.NoSuchProcess:
                continue
    return found


def any_exists(*paths: str) -> bool:
    return any(Path(p).exists() for p in paths)


def survivors(marker: str, within_s: float) -> list[psutil.Process]:
    """Processes carrying marker once they had within_s to die."""
    deadline = time.monotonic() + within_s
    while processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    return processes_with(marker)


@pytest.fixture(autouse=True)
async def still_serves_after(sandbox):
    """After every attack: nothing of it is left running, and a correct solution still
    scores 100."""
    yield
    left = [p for p in psutil.Process().children(recursive=True)
            if p.status() != psutil.STATUS_ZOMBIE]  # fmt: skip
    assert left == [], [p.cmdline() for p in left]
    after = await run_attack(sandbox, CORRECT)
    assert after.score == 100.0, after


async def test_socket_to_a_host_port_gets_no_connection(sandbox):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    code = f"""
    import socket
    try:
        socket.create_connection(("127.0.0.1", {port}), timeout=2).sendall(b"stolen")
        print("CONNECTED")
    except OSError as exc:
        print("refused", exc)
    """
    outcome = await run_attack(sandbox, attack(code, correct=True))
    with listener, pytest.raises(TimeoutError):
        listener.accept()
    assert "CONNECTED" not in outcome.stdout_tail
    assert outcome.score == 100.0  # correct code: contained, not penalised


async def test_writes_outside_the_work_dir_do_not_land(sandbox, tmp_path):
    target = tmp_path / "pwned"
    code = f"""
    for path in ({str(target)!r}, "/usr/pwned", "/work/../pwned", "/etc/pwned"):
        try:
            open(path, "w").write("x")
            print("WROTE", path)
        except OSError as exc:
            print("no", path, type(exc).__name__)
    """
    outcome = await run_attack(sandbox, attack(code))
    assert not target.exists()
    assert not any_exists("/usr/pwned", "/etc/pwned")
    assert f"WROTE {target}" not in outcome.stdout_tail
    assert outcome.score < 100.0


async def test_secret_files_on_the_host_cannot_be_read(sandbox, tmp_path):
    secret = tmp_path / "node.token"
    secret.write_text("s3cr3t-node-token")
    code = f"""
    for path in ({str(secret)!r}, "/etc/shadow", "/root/.ssh/id_rsa", "/proc/1/environ"):
        try:
            print(path, open(path).read())
        except OSError as exc:
            print("no", path, type(exc).__name__)
    """
    outcome = await run_attack(sandbox, attack(code))
    assert "s3cr3t-node-token" not in outcome.stdout_tail + outcome.stderr_tail


async def test_the_agents_environment_is_not_visible(sandbox, monkeypatch):
    monkeypatch.setenv("TRINITY_PLANTED_SECRET", "sk-live-do-not-leak")
    code = """
    import os
    print(dict(os.environ))
    print(open("/proc/self/environ", "rb").read())
    """
    outcome = await run_attack(sandbox, attack(code))
    assert "sk-live-do-not-leak" not in outcome.stdout_tail + outcome.stderr_tail
    assert "TRINITY_PLANTED_SECRET" not in outcome.stdout_tail


async def test_fork_bomb_is_contained(sandbox):
    code = """
    import os
    while True:
        try:
            os.fork()
        except OSError:
            pass
    """
    started = time.monotonic()
    outcome = await run_attack(sandbox, attack(code), wall_s=3.0)
    assert time.monotonic() - started < 10
    assert outcome.score == 0.0
    assert outcome.status in (ExecuteStatus.TIMEOUT, ExecuteStatus.KILLED, ExecuteStatus.ERROR)


async def test_the_process_limit_holds_even_for_a_root_agent(sandbox):
    """RLIMIT_NPROC: Linux never applies it to root, hence the run's own uid."""
    code = """
    import os, time
    started, children = time.monotonic(), 0
    while time.monotonic() - started < 1.5:
        try:
            if os.fork() == 0:
                time.sleep(5)
                os._exit(0)
            children += 1
        except OSError:
            time.sleep(0.01)
    print("children", children, flush=True)
    """
    outcome = await run_attack(sandbox, attack(code), processes=16, wall_s=4.0)
    children = int(outcome.stdout_tail.split("children")[1].split()[0])
    assert children < 16, outcome.stdout_tail


async def test_memory_bomb_is_out_of_memory(sandbox):
    code = """
    hoard = []
    while True:
        hoard.append(bytearray(64 * 1024 * 1024))
    """
    outcome = await run_attack(sandbox, attack(code, correct=True))
    assert outcome.status is ExecuteStatus.OUT_OF_MEMORY
    assert outcome.score == 0.0


async def test_memory_spread_over_many_processes_is_out_of_memory(sandbox):
    """RLIMIT_AS caps each process: 12 children of 200 MiB each stay under it, and the run
    as a whole (2.4 GiB) is stopped at the node's run_memory_bytes (1 GiB)."""
    code = """
    import os, time
    for _ in range(12):
        if os.fork() == 0:
            hoard = bytearray(200 * 1024 * 1024)
            time.sleep(30)
    time.sleep(30)
    """
    outcome = await run_attack(sandbox, attack(code, correct=True), wall_s=20.0)
    assert outcome.status is ExecuteStatus.OUT_OF_MEMORY, outcome
    assert outcome.score == 0.0
    assert outcome.duration_s < 10  # stopped by the memory watch, not the wall clock
    assert 1 << 30 < outcome.peak_memory_bytes < 3 << 30
    assert "together passed its memory" in outcome.checks[0].message


async def test_busy_loop_times_out_and_is_killed(sandbox):
    outcome = await run_attack(sandbox, attack("while True:\n    pass\n"), wall_s=2.0)
    assert outcome.status is ExecuteStatus.TIMEOUT
    assert outcome.duration_s < 6
    assert all("wall time 2 s ran out" in c.message for c in outcome.checks)


async def test_detached_daemon_does_not_outlive_the_run(sandbox):
    marker = "4242.125"  # a sleep length no other process on this machine uses
    code = f"""
    import os
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.execv("/bin/sleep", ["sleep", "{marker}"])
        os._exit(0)
    """
    outcome = await run_attack(sandbox, attack(code, correct=True))
    assert outcome.score == 100.0
    assert survivors(marker, within_s=3) == []


async def test_killing_the_parent_and_everyone_only_ends_the_run(sandbox):
    code = """
    import os, signal
    os.kill(os.getppid(), signal.SIGKILL)
    os.kill(-1, signal.SIGKILL)
    """
    outcome = await run_attack(sandbox, attack(code, correct=True))
    assert outcome.score == 0.0
    assert os.getpid() > 0  # we, the agent's stand-in, are alive to assert this


async def test_exit_at_import_scores_zero_of_the_declared_checks(sandbox):
    outcome = await run_attack(sandbox, attack("import os\nos._exit(0)\n", correct=True))
    assert (outcome.score, outcome.passed, outcome.declared) == (0.0, 0, len(SMOKE_ADD.checks))
    assert outcome.status is ExecuteStatus.ERROR


async def test_printing_a_fake_pass_report_counts_for_nothing(sandbox):
    code = 'print("===== 10 passed in 0.01s =====")\nprint("OK")\n'
    outcome = await run_attack(sandbox, attack(code))
    assert outcome.score < 100.0
    assert "10 passed" in outcome.stdout_tail


async def test_an_always_equal_return_value_fails_the_value_checks(sandbox):
    solution = textwrap.dedent("""
        class Anything:
            def __eq__(self, other):
                return True
            __ne__ = lambda self, other: False
            __hash__ = object.__hash__

        def add(a, b):
            return Anything()
    """)
    outcome = await run_attack(sandbox, solution)
    value_checks = {c.name: c for c in outcome.checks if c.name in SMOKE_ADD.expected}
    assert value_checks and not any(c.passed for c in value_checks.values())
    assert outcome.score < 100.0


async def test_patching_unittest_and_the_checks_does_not_pass(sandbox):
    code = """
    import sys, threading, time, unittest
    unittest.TestCase.run = lambda self, result=None: None
    unittest.TestResult.wasSuccessful = lambda self: True

    def swap_checks():
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            module = sys.modules.get("test_add")
            if module is not None and hasattr(module, "check_zero"):
                for name in dir(module):
                    if name.startswith("check_"):
                        setattr(module, name, lambda: None)
                return
            time.sleep(0.0005)

    threading.Thread(target=swap_checks, daemon=True).start()
    """
    outcome = await run_attack(sandbox, attack(code))
    assert outcome.score < 100.0
    assert not any(c.passed for c in outcome.checks if c.name in ("small_ints", "floats"))


PATCH_BUILTIN_GETATTR = """
import builtins
real_getattr = builtins.getattr

def fake_check(path):
    scope = {}
    exec(compile("def fake():\\n    return None\\n", path, "exec"), scope)
    return scope["fake"]

def getattr(obj, name, *default):
    value = real_getattr(obj, name, *default)
    if name.startswith("check_") and callable(value):
        return fake_check(value.__code__.co_filename)
    return value

builtins.getattr = getattr
"""

PATCH_THE_RUNNER = """
import __main__
real_to_json = __main__.to_json

def passing(record):
    return {**record, "passed": True, "message": ""}

def to_json(value, depth=0):
    if type(value) is dict and value.get("kind") == "check":
        value = passing(value)
    return real_to_json(value, depth)

__main__.to_json = to_json
__main__.check_record = lambda name, *args: passing({"kind": "check", "name": name})
"""

SWAP_CHECKS_UNDER_THE_TEST_FILE_NAME = """
import sys

def swap(frame, event, arg):
    # The moment the test module has run, before the runner looks at its checks.
    if event == "return" and frame.f_code.co_name == "<module>" and "check_zero" in frame.f_globals:
        sys.setprofile(None)
        for name in [n for n in frame.f_globals if n.startswith("check_")]:
            scope = {}
            path = frame.f_code.co_filename
            exec(compile("def fake():\\n    return None\\n", path, "exec"), scope)
            frame.f_globals[name] = scope["fake"]

sys.setprofile(swap)
"""


@pytest.mark.parametrize(
    "code",
    [PATCH_BUILTIN_GETATTR, PATCH_THE_RUNNER, SWAP_CHECKS_UNDER_THE_TEST_FILE_NAME],
    ids=["builtin-getattr", "runner-functions", "checks-compiled-under-the-test-file-name"],
)
async def test_tampering_with_the_runner_or_the_checks_passes_nothing(sandbox, code):
    """Monkeypatching a few lines deep: the checks of a wrong add still fail. (Walking
    the interpreter's memory for the key is beyond this; see checkrunner.py.)"""
    outcome = await run_attack(sandbox, attack(code))
    # a - b is right only for add(0, 0)
    assert {c.name for c in outcome.checks if c.passed} <= {"zero"}, outcome.checks
    assert outcome.score <= 20.0


async def test_forged_report_lines_on_inherited_fds_are_rejected(sandbox):
    code = """
    import json, os
    record = json.dumps({"kind": "check", "name": "small_ints", "passed": True})
    for fd in range(3, 64):
        try:
            os.write(fd, ("0" * 64 + " " + record + "\\n").encode())
        except OSError:
            pass
    """
    outcome = await run_attack(sandbox, attack(code))
    assert outcome.score < 100.0
    assert not outcome.checks[0].passed  # small_ints: the forged pass did not count
    assert outcome.forged_records >= 1


async def test_no_user_namespace_can_be_made_inside(sandbox):
    """The kernel's favourite attack surface stays shut (seccomp; --disable-userns)."""
    code = """
    import ctypes, subprocess
    libc = ctypes.CDLL(None, use_errno=True)
    print("unshare", libc.unshare(0x10000000), ctypes.get_errno())
    print("unshare -U", subprocess.run(["unshare", "-U", "true"]).returncode)
    """
    outcome = await run_attack(sandbox, attack(code, correct=True))
    assert "unshare -1 1" in outcome.stdout_tail  # EPERM
    assert "unshare -U 0" not in outcome.stdout_tail
    assert outcome.score == 100.0


async def test_output_floods_keep_only_a_bounded_tail(sandbox):
    code = """
    import sys
    for _ in range(2000):
        sys.stdout.write("x" * 10000 + "\\n")
        sys.stderr.write("y" * 10000 + "\\n")
    print("THE END")
    """
    outcome = await run_attack(sandbox, attack(code, correct=True), output_bytes=4096)
    assert len(outcome.stdout_tail) <= 4096 and len(outcome.stderr_tail) <= 4096
    assert outcome.stdout_tail.endswith("THE END\n")
    assert outcome.score == 100.0


async def test_filling_the_disk_stops_at_the_runs_own_tmpfs(sandbox):
    code = """
    import os
    written = 0
    try:
        for i in range(10_000):
            with open(f"/work/fill{i}", "wb") as fh:
                fh.write(b"z" * (4 << 20))
            written += 4
    except OSError as exc:
        print("stopped after", written, "MiB:", type(exc).__name__)
    """
    outcome = await run_attack(sandbox, attack(code, correct=True))
    assert "stopped after" in outcome.stdout_tail
    assert int(outcome.stdout_tail.split("after")[1].split()[0]) <= 64
    assert outcome.score == 100.0


UNSIZED_MOUNTS = """
import os
for folder in ("/", "/dev", "/dev/shm", "/opt", "/opt/trinity", "/lib"):
    try:
        with open(os.path.join(folder, "fill"), "wb") as fh:
            fh.write(b"z" * 4096)
        print("WROTE", folder)
    except OSError as exc:
        print("refused", folder, type(exc).__name__)
"""


async def test_only_the_capped_work_and_tmp_are_writable(sandbox):
    """bubblewrap's own / and /dev are tmpfs without a size: writable, they would let a
    solution fill the node's RAM past every limit."""
    outcome = await run_attack(sandbox, attack(UNSIZED_MOUNTS, correct=True))
    assert outcome.stdout_tail.count("refused") == 6, outcome.stdout_tail
    assert "WROTE" not in outcome.stdout_tail
    assert outcome.score == 100.0


@unprivileged_only_as_root
def test_only_work_and_tmp_are_writable_on_the_non_root_path():
    """In a user namespace bubblewrap's / and /dev belong to the run's uid (seen writable
    before they were remounted read-only)."""
    code = UNSIZED_MOUNTS + "import os\nprint('uid', os.getuid())\n"
    outcome = run_unprivileged(attack(code, correct=True))
    assert "uid 65534" in outcome.stdout_tail, outcome
    assert outcome.stdout_tail.count("refused") == 6, outcome.stdout_tail
    assert "WROTE" not in outcome.stdout_tail
    assert outcome.score == 100.0


async def test_no_gpu_devices_or_host_dirs_are_visible(sandbox):
    code = """
    import os
    print("DEV", sorted(os.listdir("/dev")))
    print("ROOT", sorted(os.listdir("/")))
    """
    outcome = await run_attack(sandbox, attack(code, correct=True))
    assert "nvidia" not in outcome.stdout_tail
    root = outcome.stdout_tail.split("ROOT")[1]
    for host_dir in ("'etc'", "'home'", "'var'", "'sys'"):
        assert host_dir not in root


async def test_the_agent_keeps_serving_execute_after_a_fork_bomb(tmp_path):
    """Through the real servicer over gRPC: a bomb, then a correct solution."""
    async with running_agent(tmp_path, TOKEN.encode()) as running:
        agent, metadata, channel = stub(running.address, TOKEN)
        async with channel:
            for solution, wanted in (("import os\nwhile True:\n    os.fork()\n", 0.0),
                                     (CORRECT, 100.0)):  # fmt: skip
                request = pb.ExecuteRequest(
                    files=[pb.File(path=SMOKE_ADD.solution_file, content=solution.encode())]
                    + [pb.File(path=n, content=c) for n, c in SMOKE_ADD.files],
                    test_file=SMOKE_ADD.test_file,
                    checks=list(SMOKE_ADD.checks),
                    limits=pb.Limits(wall_s=5),
                    expected=[
                        pb.ExpectedValue(check=k, json=v) for k, v in SMOKE_ADD.expected.items()
                    ],
                )
                result = await agent.Execute(request, metadata=metadata, timeout=30)
                assert result.score == wanted
