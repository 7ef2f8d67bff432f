"""trinity.agent.sandbox without attacks: scoring over the declared checks, the status of a
run from trusted facts only, request validation, expected values compared by type and
value, the refusal when the isolation is unavailable, and the runner's own JSON."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys

import pytest
from pydantic import ValidationError
from trinity.agent import checkrunner, seccomp
from trinity.agent.config import SandboxConfig, SandboxLimits, SandboxMaxima
from trinity.agent.errors import FailedPrecondition, InvalidArgument
from trinity.agent.sandbox import (
    CheckOutcome,
    ExecuteSpec,
    ExecuteStatus,
    Limits,
    Probe,
    RunOutput,
    Sandbox,
    bwrap_argv,
    python_prefix,
    refusal_fix,
    same_value,
    score,
    status_of,
    validate,
    verify,
)
from trinity.agent.treememory import TreeWatch, rss_anon, tree_bytes, watching

TEST = b"from solution import add\n\ndef check_small():\n    assert add(1, 2) == 3\n\n" \
    b"def check_value():\n    return add(-2, -3)\n"  # fmt: skip
CORRECT = b"def add(a, b):\n    return a + b\n"


def spec(solution: bytes = CORRECT, **kw) -> ExecuteSpec:
    base = dict(
        files=(("solution.py", solution), ("test_add.py", TEST)),
        test_file="test_add.py",
        checks=("small", "value"),
        expected={"value": "-5"},
        limits=Limits(wall_s=5),
    )
    return ExecuteSpec(**{**base, **kw})


def run(records=(), *, returncode=0, timed_out=False, forged=0) -> RunOutput:
    return RunOutput(returncode, timed_out, "", "", tuple(records), forged, 0.02)


def check(name, passed=True, **extra):
    return {"kind": "check", "name": name, "passed": passed, **extra}


END = {"kind": "end", "maxrss_kib": 9000}


# ---------------------------------------------------------------- scoring


def test_all_checks_reported_and_right_scores_100():
    outcome = score(spec(), run([check("small", value="null"), check("value", value="-5"), END]),
                    "bwrap")  # fmt: skip
    assert (outcome.score, outcome.passed, outcome.declared) == (100.0, 2, 2)
    assert outcome.status is ExecuteStatus.PASSED
    assert outcome.peak_memory_bytes == 9000 * 1024
    assert outcome.checks[1].value_json == "-5"


def test_exit_zero_before_checks_scores_zero_of_the_declared_checks():
    outcome = score(spec(), run([], returncode=0), "bwrap")
    assert (outcome.score, outcome.passed, outcome.declared) == (0.0, 0, 2)
    assert outcome.status is ExecuteStatus.ERROR
    assert all("process ended first" in c.message for c in outcome.checks)


def test_import_crash_fails_every_check_with_the_reason():
    records = [{"kind": "import_error", "message": "SyntaxError: invalid syntax"}, END]
    outcome = score(spec(), run(records), "bwrap")
    assert outcome.score == 0.0 and outcome.declared == 2
    assert outcome.status is ExecuteStatus.ERROR
    assert outcome.checks[0].message == "import failed: SyntaxError: invalid syntax"


def test_a_check_without_a_record_fails_even_when_the_others_pass():
    outcome = score(spec(), run([check("small"), END]), "bwrap")
    assert outcome.score == 50.0
    assert outcome.status is ExecuteStatus.FAILED
    assert not outcome.checks[1].passed


def test_records_for_undeclared_checks_do_not_count():
    records = [check("small"), check("value", value="-5"), check("bonus"), END]
    outcome = score(spec(), run(records), "bwrap")
    assert [c.name for c in outcome.checks] == ["small", "value"]
    assert outcome.declared == 2


def test_the_first_record_of_a_check_counts():
    records = [check("small", passed=False, message="boom"), check("small"), END]
    outcome = score(spec(), run(records), "bwrap")
    assert not outcome.checks[0].passed and outcome.checks[0].message == "boom"


def test_a_passing_check_with_the_wrong_value_fails():
    outcome = score(spec(), run([check("small"), check("value", value="-5.0"), END]), "bwrap")
    assert outcome.checks[1] == CheckOutcome("value", False, "expected -5, got -5.0", "-5.0", 0.0)


def test_a_value_that_is_not_plain_data_fails_a_value_check():
    records = [check("small"), check("value", value_type="Anything"), END]
    outcome = score(spec(), run(records), "bwrap")
    assert outcome.checks[1].message == "expected -5, got a Anything (not plain data)"


def test_what_is_not_plain_data_in_a_value_is_said():
    """'got a dict (not plain data)' read as if dicts were refused; the runner's reason
    says what in the dict was."""
    records = [
        check("small"),
        check("value", value_type="dict", value_why="a dict with a key twice"),
        END,
    ]
    outcome = score(spec(), run(records), "bwrap")
    assert outcome.checks[1].message == (
        "expected -5, got a dict (not plain data: a dict with a key twice)"
    )


def test_forged_records_are_counted_in_the_outcome():
    outcome = score(spec(), run([END], forged=3), "bwrap")
    assert outcome.forged_records == 3


# ---------------------------------------------------------------- status


@pytest.mark.parametrize(
    ("records", "returncode", "timed_out", "status"),
    [
        ([check("small"), check("value", value="-5"), END], 0, False, ExecuteStatus.PASSED),
        ([check("small", False), check("value", value="-5"), END], 0, False, ExecuteStatus.FAILED),
        ([check("small")], -9, True, ExecuteStatus.TIMEOUT),
        ([], 128 + signal.SIGXCPU, False, ExecuteStatus.TIMEOUT),
        ([], -signal.SIGXCPU, False, ExecuteStatus.TIMEOUT),
        ([check("small", False, oom=True), END], 0, False, ExecuteStatus.OUT_OF_MEMORY),
        ([{"kind": "import_error", "message": "MemoryError", "oom": True}, END], 0, False,
         ExecuteStatus.OUT_OF_MEMORY),
        ([check("small")], 137, False, ExecuteStatus.KILLED),
        ([], -9, False, ExecuteStatus.KILLED),
        ([check("small"), check("value", value="-5"), END], 137, False, ExecuteStatus.PASSED),
        ([], 0, False, ExecuteStatus.ERROR),
        ([], 1, False, ExecuteStatus.ERROR),
        ([{"kind": "import_error", "message": "SystemExit: 0"}, END], 0, False,
         ExecuteStatus.ERROR),
    ],
)  # fmt: skip
def test_status_comes_from_trusted_facts(records, returncode, timed_out, status):
    outcome = score(spec(), run(records, returncode=returncode, timed_out=timed_out), "bwrap")
    assert outcome.status is status


def test_printing_memoryerror_does_not_make_a_run_out_of_memory():
    raw = RunOutput(0, False, "MemoryError", "MemoryError", (check("small", False), END), 0, 0.1)
    checks = (CheckOutcome("small", False),)
    assert status_of(raw, checks, None, END, {"small": check("small", False)}) is (
        ExecuteStatus.FAILED
    )


def test_a_run_killed_for_its_summed_memory_is_out_of_memory():
    raw = RunOutput(-9, False, "", "", (), 0, 0.4, memory_exceeded=True,
                    tree_peak_bytes=3 << 30)  # fmt: skip
    outcome = score(spec(), raw, "bwrap")
    assert outcome.status is ExecuteStatus.OUT_OF_MEMORY
    assert outcome.score == 0.0 and outcome.peak_memory_bytes == 3 << 30
    assert all("together passed its memory" in c.message for c in outcome.checks)


async def test_tree_watch_kills_once_the_descendants_pass_the_limit():
    """A child of the watched root holding 80 MiB against a 40 MiB limit; the root itself
    (ours: bubblewrap) is not counted."""
    hold = "import time; b = bytearray(80 << 20); time.sleep(30)"
    root = await asyncio.create_subprocess_exec(
        "/bin/sh", "-c", f'{sys.executable} -c "{hold}"; true', start_new_session=True
    )
    killed = asyncio.Event()

    def kill() -> None:
        os.killpg(root.pid, signal.SIGKILL)
        killed.set()

    watch = TreeWatch(root.pid, 40 << 20, kill, interval_s=0.05)
    try:
        async with watching(watch):
            await asyncio.wait_for(killed.wait(), 10)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(root.pid, signal.SIGKILL)
        await root.wait()
    assert watch.exceeded and watch.peak_bytes > 40 << 20


def test_tree_bytes_of_a_gone_process_is_zero():
    assert tree_bytes(2**22 + 12345) == 0  # above pid_max's default: never a live pid
    assert rss_anon(2**22 + 12345) == 0


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "path",
    ["/etc/passwd", "../up.py", "a/../../b.py", "./x.py", "a//b.py", "", ".hidden.py",
     "a\0b.py", "a\\b.py", "-rf", "a/" * 9 + "deep.py", "sp ace.py"],
)  # fmt: skip
def test_bad_file_paths_are_refused(path):
    with pytest.raises(InvalidArgument, match="must be relative"):
        validate(spec(files=((path, b"x"), ("test_add.py", TEST))))


def test_nested_plain_paths_are_fine():
    validate(spec(files=(("pkg/solution.py", b""), ("test_add.py", TEST), ("data/in.txt", b""))))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"checks": ()}, "no checks declared"),
        ({"checks": ("small", "small")}, "declared twice"),
        ({"checks": ("small", "not-an-id")}, "not an identifier"),
        ({"test_file": "missing.py"}, "must be one of the files"),
        ({"files": (("test_add.txt", TEST),), "test_file": "test_add.txt"}, "a .py module"),
        ({"expected": {"other": "1"}}, "undeclared checks"),
        ({"expected": {"value": "not json"}}, "not JSON"),
        ({"files": (("a.py", b""), ("a.py", b""), ("test_add.py", TEST))}, "listed twice"),
        ({"files": (("a", b""), ("a/b.py", b""), ("test_add.py", TEST))}, "file and a folder"),
    ],
)
def test_requests_that_cannot_be_scored_honestly_are_refused(changes, message):
    with pytest.raises(InvalidArgument, match=message):
        validate(spec(**changes))


# ---------------------------------------------------------------- expected values


@pytest.mark.parametrize(
    ("actual", "expected", "same"),
    [
        ("1", "1", True),
        ("1", "1.0", False),  # an int is not a float
        ("true", "1", False),  # a bool is not an int
        ("1", "true", False),
        ("0.30000000000000004", "0.3", True),  # within 1e-9 relative
        ("0.31", "0.3", False),
        ("NaN", "NaN", True),
        ("Infinity", "Infinity", True),
        ("[1, 2]", "[1, 2]", True),
        ("[1, 2]", "[2, 1]", False),
        ('{"a": 1}', '{"a": 1.0}', False),
        ('{"a": [true]}', '{"a": [true]}', True),
        ("null", "null", True),
        ('"5"', "5", False),
        (None, "null", False),  # no value (not plain data) never matches
        ("garbage", "1", False),
    ],
)
def test_expected_values_compare_by_type_and_value(actual, expected, same):
    assert same_value(actual, expected) is same


# ---------------------------------------------------------------- the report channel


def test_only_records_signed_with_the_run_secret_verify():
    secret = b"k" * 32
    body = json.dumps(check("small")).encode()
    good = hmac.new(secret, body, hashlib.sha256).hexdigest().encode() + b" " + body
    other = hmac.new(b"x" * 32, body, hashlib.sha256).hexdigest().encode() + b" " + body
    bad_json = hmac.new(secret, b"{nope", hashlib.sha256).hexdigest().encode() + b" {nope"
    records, forged = verify(b"\n".join([good, other, b"0" * 64 + b" " + body, bad_json]), secret)
    assert records == [check("small")]
    assert forged == 3


def test_the_runner_signs_what_the_agent_verifies(monkeypatch):
    lines: list[bytes] = []
    monkeypatch.setattr(os, "write", lambda fd, data: lines.append(data) or len(data))
    report = checkrunner.make_reporter(5, b"s" * 32)
    monkeypatch.undo()
    record = {"kind": "check", "name": "small", "passed": True, "value": "[1,2]", "s": 0.5}
    report(record)
    assert verify(b"".join(lines), b"s" * 32) == ([record], 0)


def test_patching_os_write_later_does_not_reach_the_reporter(monkeypatch):
    written: list[bytes] = []
    monkeypatch.setattr(os, "write", lambda fd, data: written.append(data) or len(data))
    report = checkrunner.make_reporter(5, b"s" * 32)
    monkeypatch.setattr(os, "write", lambda fd, data: pytest.fail("patched write was used"))
    report({"kind": "end"})
    assert len(written) == 1


@pytest.mark.parametrize(
    "value",
    [None, True, False, 0, -7, 10**30, 1.5, -0.0, "naïve \"q\" \n", [1, [2, (3,)]],
     {"a": {"b": [None]}}, ()],
)  # fmt: skip
def test_runner_json_is_json(value):
    assert json.loads(checkrunner.to_json(value)) == json.loads(json.dumps(value))


def test_runner_json_keeps_nan_and_infinity():
    assert math.isnan(json.loads(checkrunner.to_json(float("nan"))))
    assert checkrunner.to_json([float("inf"), float("-inf")]) == "[Infinity,-Infinity]"


class Anything:
    def __eq__(self, other: object) -> bool:
        return True


@pytest.mark.parametrize(
    "value",
    [
        Anything(),
        {1: 2},
        {"a": Anything()},
        {1, 2},
        b"x",
        "\ud83d\ude00",  # two lone surrogates: JSON would turn them into the one emoji
        {"\ud800": 1},
    ],
)
def test_runner_json_refuses_what_is_not_plain_data(value):
    with pytest.raises(checkrunner.NotPlainData):
        checkrunner.to_json(value)


# ---------------------------------------------------------------- limits and argv


def test_zero_limits_take_the_nodes_defaults():
    defaults = SandboxLimits(wall_s=7, memory_bytes=256 * 2**20)
    merged = Limits(wall_s=2, processes=8).over(defaults)
    assert merged == Limits(2, defaults.cpu_s, 256 * 2**20, 8, defaults.file_size_bytes,
                            defaults.open_files, defaults.output_bytes)  # fmt: skip


@pytest.mark.parametrize("privileged", [True, False])
def test_bwrap_argv_shows_only_usr_and_the_interpreter_read_only(privileged):
    probe = Probe("bwrap", "/opt/py/bin/python3", disable_userns=True)
    argv = bwrap_argv(SandboxConfig(), probe, runner_fd=7, files=[("pkg/solution.py", 8)],
                      privileged=privileged)  # fmt: skip
    joined = " ".join(argv)
    for flag in ("--unshare-pid", "--unshare-net", "--die-with-parent", "--new-session",
                 "--clearenv"):  # fmt: skip
        assert flag in argv or (flag.startswith("--unshare") and "--unshare-all" in argv)
    assert argv[argv.index("--cap-drop") + 1] == "ALL"
    assert "--bind" not in argv  # nothing of the host is writable
    binds = [argv[i + 1] for i, a in enumerate(argv) if a == "--ro-bind"]
    assert binds == ["/usr", "/opt/py"]
    assert "nvidia" not in joined
    assert "--file 8 /work/pkg/solution.py" in joined
    assert "--dir /work/pkg" in joined
    assert "--ro-bind-data 7 /opt/trinity/checkrunner.py" in joined
    # bubblewrap's unsized / and /dev go read-only after every mount is made under them
    assert argv[-7:] == ["--remount-ro", "/dev", "--remount-ro", "/", "--chdir", "/work", "--"]


def test_a_root_agent_keeps_only_the_capabilities_to_drop_to_the_run_uid():
    argv = bwrap_argv(SandboxConfig(), Probe("bwrap", "/usr/bin/python3"), privileged=True)
    assert "--unshare-user" not in argv and "--unshare-all" not in argv
    added = [argv[i + 1] for i, a in enumerate(argv) if a == "--cap-add"]
    assert added == ["CAP_SETUID", "CAP_SETGID"]


def test_an_unprivileged_agent_uses_a_user_namespace_without_nesting():
    argv = bwrap_argv(SandboxConfig(), Probe("bwrap", "/usr/bin/python3", disable_userns=True),
                      privileged=False)  # fmt: skip
    assert "--unshare-user" in argv and "--disable-userns" in argv
    assert "--cap-add" not in argv
    assert argv[argv.index("--uid") + 1] == "65534"


def test_python_prefix_is_none_under_usr():
    assert python_prefix("/usr/bin/python3") is None


# ---------------------------------------------------------------- isolation unavailable


async def test_missing_bwrap_refuses_with_the_fix():
    sandbox = Sandbox(SandboxConfig(bwrap="/nonexistent/bwrap"))
    assert sandbox.isolation == "unavailable"
    with pytest.raises(FailedPrecondition) as info:
        await sandbox.execute(spec())
    assert "sandbox bwrap unavailable on this node" in str(info.value)
    assert "apt-get install bubblewrap" in str(info.value)
    assert "sandbox.allow_unsandboxed" in str(info.value)


async def test_a_bwrap_that_cannot_run_refuses_naming_namespaces_not_apt():
    sandbox = Sandbox(SandboxConfig(bwrap="false"))  # found, but every run fails
    assert sandbox.isolation == "unavailable"
    with pytest.raises(FailedPrecondition) as info:
        await sandbox.execute(spec())
    assert "cannot make its namespaces here" in str(info.value)
    assert "apt-get" not in str(info.value)


UNSHARE_AS_ROOT = os.geteuid() == 0 and all(
    shutil.which(tool) for tool in ("unshare", "setpriv", "mount")
)


@pytest.mark.skipif(not UNSHARE_AS_ROOT or not os.path.exists("/usr/bin/python3"),
                    reason="needs root, unshare, setpriv and /usr/bin/python3")  # fmt: skip
def test_a_locked_read_only_proc_sys_refuses_naming_the_systemd_settings():
    """What systemd's ProtectKernelTunables= does to a non-root agent, reproduced: a
    read-only /proc/sys in the agent's mount namespace; bubblewrap cannot mount /proc."""
    script = (
        "from trinity.agent.config import SandboxConfig\n"
        "from trinity.agent.sandbox import Sandbox\n"
        "box = Sandbox(SandboxConfig(python='/usr/bin/python3'))\n"
        "print(box.isolation)\n"
        "try:\n    box.require()\nexcept Exception as exc:\n    print(exc)\n"
    )
    shell = (
        "mount --bind /proc/sys /proc/sys && mount -o remount,bind,ro /proc/sys && "
        'exec setpriv --reuid 65534 --regid 65534 --clear-groups "$0" -c "$1"'
    )
    done = subprocess.run(
        ["unshare", "-m", "--propagation", "private", "sh", "-c", shell, sys.executable, script],
        capture_output=True, text=True, timeout=60, check=False,
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
    )  # fmt: skip
    assert done.stdout.startswith("unavailable\n"), done.stdout + done.stderr
    assert "mount proc" in done.stdout and "ProtectKernelTunables=" in done.stdout


def test_the_systemd_unit_leaves_bubblewrap_its_own_proc():
    """The shipped unit runs the agent as a user: nothing in it may lock part of /proc
    (see the test above) or forbid the user namespace bubblewrap makes."""
    from tests.unit.test_systemd import UNIT, parse_unit

    service = parse_unit(UNIT.read_text())["Service"]
    assert service["User"] != ["root"]
    for key in ("ProtectKernelTunables", "ProtectProc", "ProcSubset", "RestrictNamespaces",
                "PrivateUsers", "SystemCallFilter"):  # fmt: skip
        assert key not in service, f"{key}= breaks the sandbox of a non-root agent"


def test_refusal_fixes_name_what_failed():
    assert refusal_fix("bwrap not found") == "apt-get install bubblewrap"
    assert "ProtectKernelTunables" in refusal_fix(
        "bwrap: Can't mount proc on /newroot/proc: Operation not permitted"
    )
    assert "user namespaces" in refusal_fix("bwrap: setting up uid map: Permission denied")


async def test_a_bad_request_is_refused_before_the_isolation_question():
    sandbox = Sandbox(SandboxConfig(bwrap="/nonexistent/bwrap"))
    with pytest.raises(InvalidArgument):
        await sandbox.execute(spec(checks=()))


def test_isolation_none_needs_the_explicit_development_flag():
    with pytest.raises(ValidationError, match="allow_unsandboxed"):
        SandboxConfig(isolation="none")


async def test_development_flag_runs_unsandboxed_and_says_so(caplog):
    sandbox = Sandbox(SandboxConfig(bwrap="/nonexistent/bwrap", allow_unsandboxed=True))
    assert "UNSANDBOXED" in caplog.text
    assert sandbox.isolation == "none"
    outcome = await sandbox.execute(spec())
    assert (outcome.score, outcome.sandbox) == (100.0, "none")
    wrong = await sandbox.execute(spec(b"def add(a, b):\n    return a - b\n"))
    assert wrong.score == 0.0 and wrong.status is ExecuteStatus.FAILED


async def test_concurrent_runs_are_bounded_by_max_concurrent(monkeypatch):
    sandbox = Sandbox(SandboxConfig(bwrap="/nonexistent/bwrap", allow_unsandboxed=True,
                                    max_concurrent=1))  # fmt: skip
    slow = b"import time\ntime.sleep(0.3)\n" + CORRECT
    started = asyncio.get_running_loop().time()
    outcomes = await asyncio.gather(*(sandbox.execute(spec(slow)) for _ in range(2)))
    assert [o.score for o in outcomes] == [100.0, 100.0]
    assert asyncio.get_running_loop().time() - started >= 0.6  # one after the other


# ---------------------------------------------------------------- the real thing


def test_the_probe_runs_the_real_runner_once():
    sandbox = Sandbox(SandboxConfig())
    assert sandbox.isolation == "bwrap", sandbox.probe.detail
    assert sandbox.probe.python and "bwrap" in sandbox.probe.detail


@pytest.mark.skipif(os.geteuid() != 0, reason="not root: every run already takes this path")
@pytest.mark.skipif(not os.path.exists("/usr/bin/python3"), reason="needs /usr/bin/python3")
def test_the_unprivileged_path_runs_checks_in_a_user_namespace():
    """What a non-root agent (the systemd unit) does, run here as uid 65534."""
    from tests.security.conftest import run_unprivileged

    outcome = run_unprivileged("import os\nprint('uid', os.getuid())\n" + CORRECT.decode())
    assert outcome.score == 100.0, outcome
    assert outcome.stdout_tail == "uid 65534\n"


def test_the_seccomp_program_is_whole_bpf_instructions_for_known_machines():
    for machine in ("x86_64", "aarch64"):
        program = seccomp.no_user_namespaces(machine)
        assert program is not None and len(program) % 8 == 0 and len(program) // 8 == 14
    assert seccomp.no_user_namespaces("riscv64") is None


@pytest.mark.parametrize(
    ("limits", "message"),
    [
        (Limits(wall_s=math.inf), "limits.wall_s inf is not a finite number"),
        (Limits(wall_s=math.nan), "limits.wall_s nan is not a finite number"),
        (Limits(wall_s=-1), "limits.wall_s -1 is not a finite number of 0 or more"),
        (Limits(cpu_s=math.inf), "limits.cpu_s inf"),
        (Limits(cpu_s=math.nan), "limits.cpu_s nan"),
        (Limits(memory_bytes=1024), "limits.memory_bytes 1024 is below 67108864"),
        (Limits(processes=1), "limits.processes 1 is below 2"),
    ],
)
def test_limits_no_run_can_honour_are_refused(limits, message):
    with pytest.raises(InvalidArgument, match=re.escape(message)):
        limits.checked(SandboxLimits(), SandboxMaxima())


def test_limits_beyond_the_nodes_maxima_are_capped():
    maxima = SandboxMaxima(wall_s=30, memory_bytes=2**30)
    huge = Limits(wall_s=1e300, cpu_s=1e12, memory_bytes=2**63, processes=2**32 - 1,
                  file_size_bytes=2**64 - 1, open_files=2**32 - 1, output_bytes=2**64 - 1)  # fmt: skip
    assert huge.checked(SandboxLimits(), maxima) == Limits(
        30, maxima.cpu_s, 2**30, maxima.processes, maxima.file_size_bytes,
        maxima.open_files, maxima.output_bytes,
    )  # fmt: skip
    assert Limits().checked(SandboxLimits(wall_s=7), maxima).wall_s == 7


def test_node_defaults_above_the_maxima_are_a_config_error():
    with pytest.raises(ValueError, match=r"limits.wall_s 60 is above max_limits.wall_s 30"):
        SandboxConfig(limits=SandboxLimits(wall_s=60), max_limits=SandboxMaxima(wall_s=30))
