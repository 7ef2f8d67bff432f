"""Run untrusted code (a model's solution) with its hidden tests, isolated, and score it.

Each run gets its own bubblewrap sandbox: new pid, network, IPC, UTS and cgroup namespaces
(no network at all), an unprivileged uid with no capabilities, a cleared environment, only
/usr and the interpreter's install visible (read-only), no /dev/nvidia*, and a private,
size-capped tmpfs for /work (the solution and tests, copied in) and /tmp, everything
else read-only: nothing is written to the host's disk and nothing is left to clean up.
Each process is capped by rlimits, the run's processes together by a sampled limit on
their summed memory (treememory.py). Inside, our check runner (checkrunner.py) applies
the rlimits, runs the declared checks and reports each one over an inherited pipe,
HMAC-signed with a per-run secret; stdout belongs to the solution and means nothing. A wall-clock timeout kills bubblewrap,
and with it the pid namespace: nothing the solution started survives the run.

Who runs the code. Linux never applies RLIMIT_NPROC to a process whose real uid is root,
and a user namespace made by root maps the sandbox's uid to root outside: a fork bomb there
runs free until the wall timeout (seen here: thousands of processes, a load average of
18,000). So when the agent is root, bubblewrap makes no user namespace, keeps only
CAP_SETUID/CAP_SETGID, and the runner's first act is to drop to this run's own uid
(`sandbox.run_uid_base` + slot, one per concurrent run, since NPROC counts per uid): the
solution runs as that uid with no capabilities at all. When the agent is not root (the
systemd unit), bubblewrap makes an unprivileged user namespace with uid 65534 inside, the
agent's uid outside, and no nested user namespaces; NPROC then counts per user namespace
(Linux >= 5.14), i.e. per run. On both paths a seccomp filter (seccomp.py) refuses the
solution a user namespace of its own (the kernel's usual attack surface; bubblewrap's
--disable-userns alone would need a user namespace of ours).

The score's denominator is the number of checks declared in the request, fixed before
anything runs: a crash at import or an early exit scores 0 of that, never 0/0.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from pathlib import Path, PurePosixPath
from typing import Any

from trinity.agent import seccomp
from trinity.agent.config import SandboxConfig, SandboxLimits, SandboxMaxima
from trinity.agent.errors import FailedPrecondition, InvalidArgument
from trinity.agent.process import kill_group
from trinity.agent.treememory import TreeWatch, watching

log = logging.getLogger(__name__)

RUNNER = Path(__file__).with_name("checkrunner.py")
RUNNER_IN_SANDBOX = "/opt/trinity/checkrunner.py"
WORK = "/work"
FALLBACK_PYTHON = "/usr/bin/python3"
PYTHON_FLAGS = ("-I", "-S", "-B")  # isolated, no site-packages, no .pyc writes
CHECK_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,99}")
PATH_PART = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]{0,99}")
TEST_FILE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*/)*[A-Za-z_][A-Za-z0-9_]*\.py")
MAX_FILES = 256
MAX_REPORT_BYTES = 4 * 1024 * 1024
MAX_VALUE_CHARS = 2000
DRAIN_S = 2.0  # after the process ends, how long its pipes may take to close
CPU_SIGNALS = (signal.SIGXCPU,)


class ExecuteStatus(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    TIMEOUT = "timeout"
    OUT_OF_MEMORY = "out_of_memory"
    KILLED = "killed"


@dataclass(frozen=True)
class Limits:
    """One run's limits; a zero means the node's default (agent.toml [sandbox.limits])."""

    wall_s: float = 0.0
    cpu_s: float = 0.0
    memory_bytes: int = 0
    processes: int = 0
    file_size_bytes: int = 0
    open_files: int = 0
    output_bytes: int = 0

    def over(self, defaults: SandboxLimits) -> Limits:
        """These limits, each zero replaced by the node's default."""
        return Limits(**{f.name: getattr(self, f.name) or getattr(defaults, f.name)
                         for f in fields(self)})  # fmt: skip

    def checked(self, defaults: SandboxLimits, maxima: SandboxMaxima) -> Limits:
        """A request's limits: zero takes the node's default, more than the node's
        maximum is capped to it; nan, infinity, a negative or a limit too small for a
        run to start is refused."""
        values = {}
        for f in fields(self):
            value = getattr(self, f.name)
            values[f.name] = min(
                _acceptable(f.name, value) or getattr(defaults, f.name),
                getattr(maxima, f.name),
            )
        return Limits(**values)


# The smallest non-zero limit a run can start under (as agent.toml's [sandbox.limits]).
LIMIT_FLOORS = {"memory_bytes": 64 * 1024 * 1024, "processes": 2, "open_files": 16,
                "output_bytes": 1024}  # fmt: skip


def _acceptable(name: str, value: float) -> float:
    """`value` when it is 0 or a usable limit, else InvalidArgument naming it."""
    if not math.isfinite(value) or value < 0:
        raise InvalidArgument(
            f"execute: limits.{name} {value} is not a finite number of 0 or more "
            "(0 = the node's default)"
        )
    floor = LIMIT_FLOORS.get(name, 0)
    if 0 < value < floor:
        raise InvalidArgument(f"execute: limits.{name} {value:g} is below {floor} (or 0 = default)")
    return value


@dataclass(frozen=True)
class ExecuteSpec:
    """One run: the files (solution + hidden tests), which file holds the checks, the
    declared check names (the score's denominator) and expected values kept outside."""

    files: tuple[tuple[str, bytes], ...]
    test_file: str
    checks: tuple[str, ...]
    limits: Limits = field(default_factory=Limits)
    expected: Mapping[str, str] = field(default_factory=dict)  # check → JSON text


@dataclass(frozen=True)
class CheckOutcome:
    name: str
    passed: bool
    message: str = ""
    value_json: str = ""
    duration_s: float = 0.0


@dataclass(frozen=True)
class ExecuteOutcome:
    status: ExecuteStatus
    checks: tuple[CheckOutcome, ...]
    declared: int
    passed: int
    score: float
    duration_s: float
    peak_memory_bytes: int
    stdout_tail: str
    stderr_tail: str
    sandbox: str
    forged_records: int = 0


@dataclass(frozen=True)
class RunOutput:
    """What came back from one process: exit, output tails, verified report records."""

    returncode: int | None
    timed_out: bool
    stdout: str
    stderr: str
    records: tuple[dict[str, Any], ...]
    forged: int
    duration_s: float
    memory_exceeded: bool = False  # the whole tree passed the run's memory (treememory)
    tree_peak_bytes: int = 0


@dataclass(frozen=True)
class Probe:
    """What this node can run: isolation bwrap | none | unavailable, and with what."""

    isolation: str
    python: str = ""
    detail: str = ""
    disable_userns: bool = False  # bubblewrap >= 0.8 can forbid nested user namespaces


# ------------------------------------------------------------------------ the sandbox


class Sandbox:
    """Runs ExecuteSpecs under the isolation this node is configured for, probed once."""

    def __init__(self, config: SandboxConfig) -> None:
        self._config = config
        slots = config.max_concurrent or os.cpu_count() or 1
        # One uid per concurrent run (used when the agent is root), and the run limit.
        self._uids: asyncio.Queue[int] = asyncio.Queue()
        for slot in range(slots):
            self._uids.put_nowait(config.run_uid_base + slot)
        self.probe = probe(config)
        if self.probe.isolation == "none":
            log.warning("sandbox: UNTRUSTED CODE WILL RUN UNSANDBOXED: %s", self.probe.detail)
        elif self.probe.isolation == "unavailable":
            log.error("sandbox: Execute will refuse: %s", self.probe.detail)
        else:
            log.info("sandbox: %s", self.probe.detail)

    @property
    def isolation(self) -> str:
        """bwrap, none (development flag) or unavailable."""
        return self.probe.isolation

    def require(self) -> str:
        """The isolation runs will get, or a refusal naming the fix."""
        if self.probe.isolation == "unavailable":
            raise FailedPrecondition(
                f"sandbox bwrap unavailable on this node ({self.probe.detail}): "
                f"{refusal_fix(self.probe.detail)} "
                "(or set sandbox.allow_unsandboxed for development)"
            )
        return self.probe.isolation

    async def execute(self, spec: ExecuteSpec) -> ExecuteOutcome:
        validate(spec)
        limits = spec.limits.checked(self._config.limits, self._config.max_limits)
        isolation = self.require()
        spec = replace(spec, limits=limits)
        uid = await self._uids.get()
        try:
            if isolation == "bwrap":
                raw = await self._run_bwrap(spec, uid)
            else:
                log.warning("sandbox: running untrusted code WITHOUT A SANDBOX (development)")
                raw = await self._run_unsandboxed(spec)
        finally:
            self._uids.put_nowait(uid)
        return score(spec, raw, isolation)

    async def _run_bwrap(self, spec: ExecuteSpec, uid: int) -> RunOutput:
        command = sandboxed_command(self._config, self.probe, spec.files)
        try:
            return await _run(command.argv, spec, run_uid=uid if _privileged() else -1,
                              pass_fds=command.fds, tree_limit=self._tree_limit(spec))  # fmt: skip
        finally:
            command.close()

    async def _run_unsandboxed(self, spec: ExecuteSpec) -> RunOutput:
        work = Path(tempfile.mkdtemp(prefix="trinity-run-", dir=self._config.work_root))
        try:
            write_files(work, spec.files)
            return await _run(
                [self.probe.python, *PYTHON_FLAGS, str(RUNNER)],
                spec,
                run_uid=-1,  # no isolation at all, not even the uid: development only
                cwd=str(work),
                env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(work)},
                group_kill_after=True,
                tree_limit=self._tree_limit(spec),
            )
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _tree_limit(self, spec: ExecuteSpec) -> int:
        """The whole run's memory: the node's, or more when one process may have more."""
        return max(self._config.limits.run_memory_bytes, spec.limits.memory_bytes)


def refusal_fix(detail: str) -> str:
    """What to do about a bubblewrap that cannot run here, from why it failed."""
    if detail.endswith(" not found"):
        return "apt-get install bubblewrap"
    if "mount proc" in detail:
        # In a user namespace the kernel lets bubblewrap mount a /proc of its own only when
        # no locked mount hides part of the agent's (seen: a read-only /proc/sys).
        return (
            "the agent's /proc has read-only or hidden parts (systemd ProtectKernelTunables=, "
            "ProtectProc=, ProcSubset=), under which bubblewrap cannot mount its own: remove "
            "them from the agent's unit"
        )
    return (
        "bubblewrap is installed but cannot make its namespaces here: run the agent as root, "
        "or allow unprivileged user namespaces (Ubuntu >= 23.10: "
        "sysctl kernel.apparmor_restrict_unprivileged_userns=0)"
    )


def _privileged() -> bool:
    """A root agent: no user namespace, and the runner drops to the run's uid."""
    return os.geteuid() == 0


def _memfd(content: bytes) -> int:
    fd = os.memfd_create("trinity-file", os.MFD_CLOEXEC)
    os.write(fd, content)
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


@dataclass(frozen=True)
class Command:
    """A bubblewrap command line and the file descriptors it copies files from."""

    argv: list[str]
    fds: tuple[int, ...]

    def close(self) -> None:
        for fd in self.fds:
            os.close(fd)


def sandboxed_command(
    config: SandboxConfig,
    probe: Probe,
    files: Sequence[tuple[str, bytes]],
    privileged: bool | None = None,
) -> Command:
    """bubblewrap + the interpreter + our runner, with `files` copied into /work."""
    fds = [_memfd(RUNNER.read_bytes())]
    try:
        fds += [_memfd(content) for _, content in files]
    except BaseException:
        Command([], tuple(fds)).close()
        raise
    placed = [(path, fd) for (path, _), fd in zip(files, fds[1:], strict=True)]
    program = seccomp.no_user_namespaces()
    if program is not None:
        fds.append(_memfd(program))
    argv = bwrap_argv(config, probe, runner_fd=fds[0], files=placed, privileged=privileged,
                      seccomp_fd=fds[-1] if program is not None else None)  # fmt: skip
    return Command([*argv, probe.python, *PYTHON_FLAGS, RUNNER_IN_SANDBOX], tuple(fds))


# ------------------------------------------------------------------------ bubblewrap


def bwrap_argv(
    config: SandboxConfig,
    probe: Probe,
    *,
    runner_fd: int | None = None,
    files: Sequence[tuple[str, int]] = (),
    privileged: bool | None = None,
    seccomp_fd: int | None = None,
) -> list[str]:
    """The bubblewrap command line up to (not including) the interpreter."""
    privileged = _privileged() if privileged is None else privileged
    if privileged:  # see the module docstring: the runner drops to the run's uid
        identity = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
                    "--unshare-cgroup-try", "--cap-drop", "ALL",
                    "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]  # fmt: skip
    else:
        identity = ["--unshare-all", "--unshare-user", "--cap-drop", "ALL",
                    "--uid", "65534", "--gid", "65534"]  # fmt: skip
        identity += ["--disable-userns"] if probe.disable_userns else []
    work_bytes = str(config.limits.work_bytes)
    argv = [
        shutil.which(config.bwrap) or config.bwrap, *identity,
        "--die-with-parent", "--new-session", "--hostname", "sandbox",
        "--clearenv", "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "LANG", "C.UTF-8",
        "--setenv", "HOME", WORK, "--setenv", "TMPDIR", "/tmp",
        "--ro-bind", "/usr", "/usr",
        "--symlink", "usr/lib", "/lib", "--symlink", "usr/bin", "/bin",
        "--symlink", "usr/sbin", "/sbin",
    ]  # fmt: skip
    if os.path.isdir("/usr/lib64"):
        argv += ["--symlink", "usr/lib64", "/lib64"]
    prefix = python_prefix(probe.python)
    if prefix is not None:
        # Folders bwrap makes on the way to a bind are root's own (0700 under a root
        # agent): the run's uid must be able to walk to the Python install.
        for parent in reversed(PurePosixPath(prefix).parents[:-1]):
            argv += ["--perms", "0755", "--dir", str(parent)]
        argv += ["--ro-bind", prefix, prefix]
    argv += ["--proc", "/proc", "--dev", "/dev",
             "--perms", "1777", "--size", work_bytes, "--tmpfs", "/tmp",
             "--perms", "0777", "--size", work_bytes, "--tmpfs", WORK]  # fmt: skip
    folders = sorted({str(parent) for path, _ in files
                      for parent in PurePosixPath(path).parents if str(parent) != "."})  # fmt: skip
    for folder in folders:
        argv += ["--perms", "0777", "--dir", f"{WORK}/{folder}"]
    for path, fd in files:
        argv += ["--perms", "0666", "--file", str(fd), f"{WORK}/{path}"]
    if runner_fd is not None:
        argv += ["--perms", "0444", "--ro-bind-data", str(runner_fd), RUNNER_IN_SANDBOX]
    if seccomp_fd is not None:
        argv += ["--seccomp", str(seccomp_fd)]
    # bubblewrap's / and /dev are tmpfs without a size, and in a user namespace they belong
    # to the run's uid: a solution could fill the node's RAM there (seen: / and /dev/shm
    # writable on the non-root path). Read-only, not recursively: /work and /tmp stay
    # writable and capped, and /dev/null still takes writes.
    argv += ["--remount-ro", "/dev", "--remount-ro", "/"]
    return [*argv, "--chdir", WORK, "--"]


def python_prefix(python: str) -> str | None:
    """The install folder to show read-only beside /usr (None when it is under /usr)."""
    real = Path(python).resolve()
    prefix = real.parent.parent if real.parent.name == "bin" else real.parent
    return None if str(real).startswith("/usr/") else str(prefix)


def agent_python() -> str:
    """The agent's base interpreter: a virtualenv's python is a symlink into a folder the
    sandbox does not show, and the solution needs no site-packages."""
    return os.path.realpath(getattr(sys, "_base_executable", sys.executable))


PROBE_TEST = b"def check_ok():\n    return 1\n"


def probe(config: SandboxConfig) -> Probe:
    """Try the configured isolation once, with a real run of the runner: what runs, or why
    nothing can."""
    python = config.python or agent_python()
    if config.isolation == "none":
        return Probe("none", python, 'isolation = "none" (allow_unsandboxed)')
    found = _try_bwrap(config, python)
    if isinstance(found, Probe):
        return found
    if config.allow_unsandboxed:
        return Probe("none", python, f"bwrap unavailable ({found}); allow_unsandboxed")
    return Probe("unavailable", "", found)


def _try_bwrap(config: SandboxConfig, python: str) -> Probe | str:
    """A working Probe, or why bubblewrap cannot run our runner here."""
    bwrap = shutil.which(config.bwrap)
    if bwrap is None:
        return f"{config.bwrap} not found"
    try:
        usage = subprocess.run([bwrap, "--help"], capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{bwrap} --help: {exc}"
    candidate = Probe("bwrap", python, "", b"--disable-userns" in usage.stdout)
    spec = ExecuteSpec((("probe_test.py", PROBE_TEST),), "probe_test.py", ("ok",),
                       Limits().over(config.limits))  # fmt: skip
    command = sandboxed_command(config, candidate, spec.files)
    pipes = _Pipes.open()
    uid = config.run_uid_base if _privileged() else -1
    try:
        done = subprocess.run(
            [*command.argv, *pipes.runner_args(uid, spec)], capture_output=True, timeout=30,
            check=False, pass_fds=(*command.fds, pipes.report_w, pipes.secret_r),
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{bwrap}: {exc}"
    finally:
        command.close()
        pipes.close_child_ends()
    with os.fdopen(pipes.report_r, "rb") as report:
        records, _ = verify(report.read(MAX_REPORT_BYTES), pipes.secret)
    if {"kind": "end"}.items() <= (records[-1] if records else {}).items():
        who = f"root dropping to uid {uid}+" if _privileged() else "a user namespace"
        userns = "no new user namespaces" if seccomp.no_user_namespaces() else "NO SECCOMP FILTER"
        detail = f"bwrap ({bwrap}, {who}, {userns}), python {python}"
        return replace(candidate, detail=detail)
    lines = done.stderr.decode(errors="replace").strip().splitlines()
    return lines[-1] if lines else f"a probe run exited {done.returncode} without reporting"


# ------------------------------------------------------------------------ input


def validate(spec: ExecuteSpec) -> None:
    """Refuse a request that cannot be scored honestly or names files badly."""
    if not spec.checks:
        raise InvalidArgument("execute: no checks declared (the score needs a denominator)")
    for name in spec.checks:
        if not CHECK_NAME.fullmatch(name):
            raise InvalidArgument(f"execute: check name {name!r} is not an identifier")
    if len(set(spec.checks)) != len(spec.checks):
        raise InvalidArgument("execute: a check is declared twice")
    if len(spec.files) > MAX_FILES:
        raise InvalidArgument(f"execute: {len(spec.files)} files; at most {MAX_FILES}")
    paths = [safe_path(p) for p, _ in spec.files]
    _no_clashes(paths)
    if not TEST_FILE.fullmatch(spec.test_file) or PurePosixPath(spec.test_file) not in paths:
        raise InvalidArgument(
            f"execute: test_file {spec.test_file!r} must be one of the files, a .py module"
        )
    unknown = set(spec.expected) - set(spec.checks)
    if unknown:
        raise InvalidArgument(f"execute: expected values for undeclared checks {sorted(unknown)}")
    for check, text in spec.expected.items():
        try:
            json.loads(text)
        except ValueError:
            raise InvalidArgument(f"execute: expected value of {check} is not JSON") from None


def safe_path(path: str) -> PurePosixPath:
    """A relative path of plain names: no absolute path, '..', '.', hidden or odd names."""
    parts = path.split("/")
    if len(parts) > 8 or not all(PATH_PART.fullmatch(p) and p not in (".", "..") for p in parts):
        raise InvalidArgument(
            f"execute: file path {path!r} must be relative, made of plain names "
            "(letters, digits, _ . -), without '..'"
        )
    return PurePosixPath(path)


def _no_clashes(paths: Sequence[PurePosixPath]) -> None:
    if len(set(paths)) != len(paths):
        raise InvalidArgument("execute: a file is listed twice")
    folders = {parent for p in paths for parent in p.parents}
    clash = folders.intersection(paths)
    if clash:
        raise InvalidArgument(f"execute: {sorted(map(str, clash))[0]} is both a file and a folder")


def write_files(work: Path, files: Sequence[tuple[str, bytes]]) -> None:
    """Write validated files under `work` (unsandboxed runs only)."""
    for path, content in files:
        target = work / safe_path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL|O_NOFOLLOW: a file listed twice or a symlink planted earlier is refused.
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)


# ------------------------------------------------------------------------ the process


def _limits_arg(limits: Limits) -> str:
    """cpu_s=10,memory_bytes=... for the runner, which applies them."""
    values = {
        "cpu_s": math.ceil(limits.cpu_s),
        "memory_bytes": limits.memory_bytes,
        "processes": limits.processes,
        "file_size_bytes": limits.file_size_bytes,
        "open_files": limits.open_files,
    }
    return ",".join(f"{k}={int(v)}" for k, v in values.items())


@dataclass(frozen=True)
class _Pipes:
    """A run's secret (written into a pipe the runner reads once) and its report pipe."""

    secret: bytes
    secret_r: int
    report_r: int
    report_w: int

    @classmethod
    def open(cls) -> _Pipes:
        secret = os.urandom(32)
        secret_r, secret_w = os.pipe()
        os.write(secret_w, secret)
        os.close(secret_w)
        report_r, report_w = os.pipe()
        return cls(secret, secret_r, report_r, report_w)

    def runner_args(self, run_uid: int, spec: ExecuteSpec) -> list[str]:
        """REPORT_FD SECRET_FD RUN_UID LIMITS TEST_MODULE CHECK... (checkrunner.py)."""
        module = PurePosixPath(spec.test_file).with_suffix("").as_posix().replace("/", ".")
        return [str(self.report_w), str(self.secret_r), str(run_uid),
                _limits_arg(spec.limits), module, *spec.checks]  # fmt: skip

    def close_child_ends(self) -> None:
        os.close(self.report_w)
        os.close(self.secret_r)


async def _run(
    argv: list[str],
    spec: ExecuteSpec,
    *,
    run_uid: int,
    pass_fds: Sequence[int] = (),
    cwd: str | None = None,
    env: Mapping[str, str] | None = None,
    group_kill_after: bool = False,
    tree_limit: int = 0,
) -> RunOutput:
    """Start the runner with a fresh secret and report pipe; collect what it says."""
    pipes = _Pipes.open()
    started = time.monotonic()
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv, *pipes.runner_args(run_uid, spec),
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            pass_fds=(pipes.report_w, pipes.secret_r, *pass_fds),
            start_new_session=True, cwd=cwd, env=dict(env or {}),
        )  # fmt: skip
    except BaseException:
        os.close(pipes.report_r)
        raise
    finally:
        pipes.close_child_ends()
    return await _collect(proc, pipes, spec.limits, started, group_kill_after, tree_limit)


async def _collect(
    proc: asyncio.subprocess.Process,
    pipes: _Pipes,
    limits: Limits,
    started: float,
    group_kill_after: bool,
    tree_limit: int = 0,
) -> RunOutput:
    out, err, report = _Tail(limits.output_bytes), _Tail(limits.output_bytes), _Tail(0)
    readers = [asyncio.ensure_future(out.drain(proc.stdout)),
               asyncio.ensure_future(err.drain(proc.stderr)),
               asyncio.ensure_future(report.drain_fd(pipes.report_r, MAX_REPORT_BYTES))]  # fmt: skip
    timed_out = False
    watch = TreeWatch(proc.pid, tree_limit, lambda: kill_group(proc.pid))
    try:
        async with watching(watch):
            await asyncio.wait_for(proc.wait(), limits.wall_s)
    except TimeoutError:
        timed_out = True
        # Still unreaped, so the group id is still ours: bwrap dies, and with it the pid
        # namespace's init and everything in it (--die-with-parent).
        kill_group(proc.pid)
    finally:
        if proc.returncode is None:
            kill_group(proc.pid)  # cancelled: nothing outlives the run
            await asyncio.shield(proc.wait())
    duration = time.monotonic() - started
    if group_kill_after:  # unsandboxed: whatever stayed in the group
        kill_group(proc.pid)
    # A pipe held open by an escaped process (possible only unsandboxed) must not hang us.
    await asyncio.wait(readers, timeout=DRAIN_S)
    for reader in readers:
        reader.cancel()
    records, forged = verify(report.data, pipes.secret)
    return RunOutput(proc.returncode, timed_out, out.text(), err.text(), tuple(records),
                     forged, duration, watch.exceeded, watch.peak_bytes)  # fmt: skip


class _Tail:
    """Read a stream to EOF keeping the last `limit` bytes (or the first, for the report)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.data = b""

    async def drain(self, stream: asyncio.StreamReader | None) -> None:
        while stream is not None and (chunk := await stream.read(65536)):
            self.data = (self.data + chunk)[-self.limit :]

    async def drain_fd(self, fd: int, limit: int) -> None:
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader(limit=limit)
        pipe = os.fdopen(fd, "rb", buffering=0)
        transport, _ = await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(reader), pipe
        )
        try:
            while (chunk := await reader.read(65536)) and len(self.data) < limit:
                self.data = (self.data + chunk)[:limit]
        finally:
            transport.close()

    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")


def verify(report: bytes, secret: bytes) -> tuple[list[dict[str, Any]], int]:
    """Records whose HMAC verifies; the count of lines that did not."""
    records, forged = [], 0
    for line in report.splitlines():
        digest, _, body = line.partition(b" ")
        expected = hmac.new(secret, body, hashlib.sha256).hexdigest().encode()
        if not hmac.compare_digest(digest, expected):
            forged += 1
            continue
        try:
            record = json.loads(body)
        except ValueError:
            forged += 1
            continue
        if isinstance(record, dict):
            records.append(record)
    return records, forged


# ------------------------------------------------------------------------ scoring


def same_value(actual_json: str | None, expected_json: str) -> bool:
    """Plain data equal in type and value: True is not 1, 1 is not 1.0, a tuple is a list
    (JSON has no tuples), NaN equals NaN, floats within 1e-9 relative. Anything that is
    not JSON never matches."""
    if actual_json is None:
        return False
    try:
        return _same(json.loads(actual_json), json.loads(expected_json))
    except (ValueError, RecursionError):
        return False


def _same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return bool(a == b)


def score(spec: ExecuteSpec, raw: RunOutput, isolation: str) -> ExecuteOutcome:
    """Every declared check gets an outcome; missing or unverified ones failed."""
    reported: dict[str, dict[str, Any]] = {}
    for record in raw.records:
        if record.get("kind") == "check":
            reported.setdefault(str(record.get("name")), record)  # the first one counts
    import_error = _first(raw.records, "import_error")
    end = _first(raw.records, "end")
    checks = tuple(_check_outcome(name, reported.get(name), spec, import_error, raw)
                   for name in spec.checks)  # fmt: skip
    passed = sum(c.passed for c in checks)
    return ExecuteOutcome(
        status=status_of(raw, checks, import_error, end, reported),
        checks=checks,
        declared=len(spec.checks),
        passed=passed,
        score=100.0 * passed / len(spec.checks),
        duration_s=raw.duration_s,
        peak_memory_bytes=max(
            int(end.get("maxrss_kib", 0)) * 1024 if end else 0, raw.tree_peak_bytes
        ),
        stdout_tail=raw.stdout,
        stderr_tail=raw.stderr,
        sandbox=isolation,
        forged_records=raw.forged,
    )


def _first(records: Sequence[dict[str, Any]], kind: str) -> dict[str, Any] | None:
    return next((r for r in records if r.get("kind") == kind), None)


def _check_outcome(
    name: str,
    record: dict[str, Any] | None,
    spec: ExecuteSpec,
    import_error: dict[str, Any] | None,
    raw: RunOutput,
) -> CheckOutcome:
    if record is None:
        if import_error is not None:
            return CheckOutcome(name, False, f"import failed: {import_error.get('message', '')}")
        if raw.timed_out:
            return CheckOutcome(name, False, f"not run: wall time {spec.limits.wall_s:g} s ran out")
        if raw.memory_exceeded:
            return CheckOutcome(name, False, "not run: the run's processes together passed "
                                f"its memory ({raw.tree_peak_bytes} bytes)")  # fmt: skip
        return CheckOutcome(
            name, False, f"not run: the process ended first (exit code {raw.returncode})"
        )
    value = record.get("value")
    shown = str(value)[:MAX_VALUE_CHARS] if isinstance(value, str) else ""
    seconds = float(record.get("seconds", 0.0) or 0.0)
    if not record.get("passed"):
        return CheckOutcome(name, False, str(record.get("message", ""))[:MAX_VALUE_CHARS])
    if name in spec.expected and not same_value(value if isinstance(value, str) else None,
                                                spec.expected[name]):  # fmt: skip
        got = shown or not_plain(record)
        return CheckOutcome(name, False, f"expected {spec.expected[name]}, got {got}", shown,
                            seconds)  # fmt: skip
    return CheckOutcome(name, True, "", shown, seconds)


def not_plain(record: Mapping[str, Any]) -> str:
    """'a dict (not plain data: a dict with a key twice)': the returned value's type, and
    what in it the check runner could not write, where that is more than its type."""
    kind = str(record.get("value_type", "?"))
    why = str(record.get("value_why", ""))
    return f"a {kind} (not plain data{': ' + why if why and why != kind else ''})"


def status_of(
    raw: RunOutput,
    checks: Sequence[CheckOutcome],
    import_error: dict[str, Any] | None,
    end: dict[str, Any] | None,
    reported: Mapping[str, dict[str, Any]],
) -> ExecuteStatus:
    """timeout > out of memory > killed > error > passed/failed, from trusted facts only
    (our clock, the exit code, verified records; never the solution's output)."""
    code = raw.returncode
    signalled = code is not None and (code < 0 or code > 128)
    signal_no = -code if code is not None and code < 0 else (code or 0) - 128
    if raw.timed_out or (signalled and signal_no in CPU_SIGNALS):
        return ExecuteStatus.TIMEOUT
    oom = raw.memory_exceeded or bool((import_error or {}).get("oom"))
    if oom or any(r.get("oom") for r in reported.values()):
        return ExecuteStatus.OUT_OF_MEMORY
    if end is None and signalled:
        return ExecuteStatus.KILLED
    if import_error is not None or end is None:
        return ExecuteStatus.ERROR
    return ExecuteStatus.PASSED if all(c.passed for c in checks) else ExecuteStatus.FAILED
