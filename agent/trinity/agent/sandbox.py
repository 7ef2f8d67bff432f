"""Run untrusted code (a model's solution) with its hidden tests, isolated, and score it.

Each run gets a fresh work dir and a bubblewrap sandbox: new user, pid, network, IPC and
UTS namespaces (no network at all), uid 65534 with no capabilities, a cleared
environment, only /usr and the Python install visible (read-only), a private /tmp, the
work dir read-write and no /dev/nvidia*. Inside, our check runner (checkrunner.py) applies
rlimits (CPU, address space, processes, file size, open files), runs the declared checks
and reports each one over an inherited pipe, HMAC-signed with a per-run secret; stdout
belongs to the solution and means nothing. A wall-clock timeout kills bubblewrap, and
with it the pid namespace: nothing the solution started survives the run.

The score's denominator is the number of checks declared in the request, fixed before
anything runs: a crash at import or an early exit scores 0 of that, never 0/0.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
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
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path, PurePosixPath
from typing import Any

from trinity.agent.config import SandboxConfig
from trinity.agent.errors import FailedPrecondition, InvalidArgument

log = logging.getLogger(__name__)

RUNNER = Path(__file__).with_name("checkrunner.py")
RUNNER_IN_SANDBOX = "/opt/trinity/checkrunner.py"
WORK_IN_SANDBOX = "/work"
CHECK_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,99}")
MiB = 1024 * 1024
MAX_REPORT_BYTES = 4 * MiB
TMPFS_BYTES = 64 * MiB
# The order checkrunner.py reads its LIMITS argument in.
RUNNER_LIMITS = ("cpu_s", "memory_bytes", "processes", "file_size_bytes", "open_files")
RUN_UID_BASE = 61000  # uids no account uses; one per concurrent run


def _privileged() -> bool:
    """Root agent: bwrap runs without a user namespace and the runner drops to a run uid."""
    return os.geteuid() == 0


class ExecuteStatus(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    TIMEOUT = "timeout"
    OUT_OF_MEMORY = "out_of_memory"
    KILLED = "killed"


@dataclass(frozen=True)
class Limits:
    """Per-run limits; a zero in a request means this default."""

    wall_s: float = 10.0
    cpu_s: float = 10.0
    memory_bytes: int = 512 * MiB
    processes: int = 64
    file_size_bytes: int = 16 * MiB
    open_files: int = 256
    output_bytes: int = 64 * 1024

    def merged(self, **requested: float) -> Limits:
        """These defaults, overridden by every non-zero requested value."""
        return Limits(**{**self.__dict__, **{k: v for k, v in requested.items() if v}})


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


@dataclass
class _Raw:
    """What came back from one process: exit, output tails, verified report records."""

    returncode: int | None
    timed_out: bool
    stdout: str
    stderr: str
    records: list[dict[str, Any]]
    forged: int
    duration_s: float


class Sandbox:
    """Runs ExecuteSpecs under the isolation this node is configured for."""

    def __init__(self, config: SandboxConfig) -> None:
        self._config = config
        slots = config.max_concurrent or os.cpu_count() or 1
        # One uid per concurrent run: RLIMIT_NPROC counts processes per uid, so each run
        # gets its own budget and one run's fork bomb cannot starve another's.
        self._uids: asyncio.Queue[int] = asyncio.Queue()
        for slot in range(slots):
            self._uids.put_nowait(RUN_UID_BASE + slot)

    @property
    def isolation(self) -> str:
        """bwrap when it works here; "none" only under the development flag."""
        if self._bwrap_works():
            return "bwrap"
        return "none" if self._config.allow_unsandboxed else "unavailable"

    def require(self) -> str:
        """The isolation runs will get, or a refusal naming the fix."""
        isolation = self.isolation
        if isolation == "unavailable":
            raise FailedPrecondition(
                f"sandbox bwrap unavailable on this node ({self._probe_error()}): "
                "apt-get install bubblewrap (or set sandbox.allow_unsandboxed for development)"
            )
        return isolation

    async def execute(self, spec: ExecuteSpec) -> ExecuteOutcome:
        _validate(spec)
        isolation = self.require()
        if isolation == "none":
            log.warning("RUNNING UNTRUSTED CODE WITHOUT A SANDBOX (sandbox.allow_unsandboxed)")
        uid = await self._uids.get()
        work = Path(tempfile.mkdtemp(prefix="trinity-run-", dir=self._config.work_root))
        try:
            _write_files(work, spec.files)
            if _privileged():
                # The run's uid owns its dir; bwrap (root without DAC override) may enter.
                os.chown(work, uid, uid)
                os.chmod(work, 0o711)
            raw = await self._run(work, spec, isolation, uid)
        finally:
            shutil.rmtree(work, ignore_errors=True)
            self._uids.put_nowait(uid)
        return score(spec, raw, isolation)

    # ---------------------------------------------------------------- the process

    async def _run(self, work: Path, spec: ExecuteSpec, isolation: str, uid: int) -> _Raw:
        secret = os.urandom(32)
        secret_r, secret_w = os.pipe()
        report_r, report_w = os.pipe()
        os.write(secret_w, secret)
        os.close(secret_w)
        module = PurePosixPath(spec.test_file).with_suffix("").as_posix().replace("/", ".")
        limits = spec.limits
        runner_args = [
            str(report_w), str(secret_r), str(uid if _privileged() else -1),
            ",".join(str(getattr(limits, k)) for k in RUNNER_LIMITS),
            module, *spec.checks,
        ]  # fmt: skip
        if isolation == "bwrap":
            argv = [*self._bwrap_argv(work), RUNNER_IN_SANDBOX, *runner_args]
            cwd = None
        else:
            argv = [self._python(), "-I", "-S", str(RUNNER), *runner_args]
            cwd = str(work)
        started = time.monotonic()
        try:
            proc = await asyncio.create_subprocess_exec(
                *argv,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                pass_fds=(report_w, secret_r),
                start_new_session=True,
                cwd=cwd,
                env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(work)}
                if isolation == "none"
                else {},
            )
        finally:
            os.close(report_w)
            os.close(secret_r)
        reading = asyncio.gather(
            _tail(proc.stdout, limits.output_bytes),
            _tail(proc.stderr, limits.output_bytes),
            _read_fd(report_r, MAX_REPORT_BYTES),
        )
        timed_out = False
        try:
            await asyncio.wait_for(proc.wait(), limits.wall_s)
        except TimeoutError:
            timed_out = True
        finally:
            # The whole group, always: bwrap's own children die with it (--die-with-parent
            # on the namespace's init), and an unsandboxed run leaves nothing either.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            await proc.wait()
        stdout, stderr, report = await reading
        records, forged = _verify(report, secret)
        return _Raw(proc.returncode, timed_out, stdout, stderr, records, forged,
                    time.monotonic() - started)  # fmt: skip

    def _bwrap_argv(self, work: Path) -> list[str]:
        python = self._python()
        prefix = sys.base_prefix
        if _privileged():
            # No user namespace: RLIMIT_NPROC is not enforced inside one. The runner keeps
            # only the capabilities to drop to its run uid, and does so before anything.
            identity = [
                "--unshare-ipc",
                "--unshare-pid",
                "--unshare-net",
                "--unshare-uts",
                "--unshare-cgroup-try",
                "--cap-drop",
                "ALL",
                "--cap-add",
                "CAP_SETUID",
                "--cap-add",
                "CAP_SETGID",
            ]
        else:
            identity = ["--unshare-all", "--cap-drop", "ALL", "--uid", "65534", "--gid", "65534"]
        argv = [
            self._config.bwrap, *identity,
            "--die-with-parent", "--new-session", "--clearenv",
            "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "LANG", "C.UTF-8",
            "--setenv", "HOME", WORK_IN_SANDBOX, "--setenv", "PYTHONDONTWRITEBYTECODE", "1",
            "--ro-bind", "/usr", "/usr",
            "--symlink", "usr/lib", "/lib", "--symlink", "usr/bin", "/bin",
            "--symlink", "usr/sbin", "/sbin",
        ]  # fmt: skip
        if os.path.isdir("/usr/lib64"):
            argv += ["--symlink", "usr/lib64", "/lib64"]
        if not prefix.startswith("/usr/"):
            # Folders bwrap makes on the way to a bind are private to root by default;
            # the run's uid must be able to walk to the Python install.
            for parent in reversed(PurePosixPath(prefix).parents[:-1]):
                argv += ["--perms", "0755", "--dir", str(parent)]
            argv += ["--ro-bind", prefix, prefix]
        argv += [
            "--proc", "/proc", "--dev", "/dev",
            "--size", str(TMPFS_BYTES), "--tmpfs", "/tmp",
            "--bind", str(work), WORK_IN_SANDBOX, "--chdir", WORK_IN_SANDBOX,
            "--ro-bind", str(RUNNER), RUNNER_IN_SANDBOX,
            "--", python, "-I", "-S",
        ]  # fmt: skip
        return argv

    def _python(self) -> str:
        # The base interpreter: a virtualenv's python is a symlink into a folder the
        # sandbox does not show, and the solution needs no site-packages.
        base = getattr(sys, "_base_executable", sys.executable)
        return self._config.python or os.path.realpath(base)

    @functools.cache  # noqa: B019 - one Sandbox per agent; the probe runs once
    def _probe(self) -> str:
        """Empty when bwrap starts a sandboxed Python here, else why not."""
        if shutil.which(self._config.bwrap) is None:
            return f"{self._config.bwrap} not found"
        with tempfile.TemporaryDirectory(prefix="trinity-probe-") as work:
            argv = [*self._bwrap_argv(Path(work)), "-c", "pass"]
            try:
                done = subprocess.run(argv, capture_output=True, timeout=30, check=False)
            except (OSError, subprocess.TimeoutExpired) as exc:
                return str(exc)
        if done.returncode != 0:
            return done.stderr.decode(errors="replace").strip().splitlines()[-1:][0]
        return ""

    def _bwrap_works(self) -> bool:
        return self._probe() == ""

    def _probe_error(self) -> str:
        return self._probe() or "ok"


# -------------------------------------------------------------------- input


def _validate(spec: ExecuteSpec) -> None:
    if not spec.checks:
        raise InvalidArgument("execute: no checks declared (the score needs a denominator)")
    for name in spec.checks:
        if not CHECK_NAME.fullmatch(name):
            raise InvalidArgument(f"execute: check name {name!r} is not an identifier")
    if len(set(spec.checks)) != len(spec.checks):
        raise InvalidArgument("execute: a check is declared twice")
    paths = {p for p, _ in spec.files}
    if spec.test_file not in paths or not spec.test_file.endswith(".py"):
        raise InvalidArgument(f"execute: test_file {spec.test_file!r} is not one of the files")
    unknown = set(spec.expected) - set(spec.checks)
    if unknown:
        raise InvalidArgument(f"execute: expected values for undeclared checks {sorted(unknown)}")
    for path in paths:
        _safe_path(path)


def _safe_path(path: str) -> PurePosixPath:
    pure = PurePosixPath(path)
    if not path or pure.is_absolute() or ".." in pure.parts or "\0" in path:
        raise InvalidArgument(f"execute: file path {path!r} must be relative, without '..'")
    return pure


def _write_files(work: Path, files: tuple[tuple[str, bytes], ...]) -> None:
    for path, content in files:
        target = work / _safe_path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL|O_NOFOLLOW: a file listed twice or a symlink planted earlier is refused.
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)


# -------------------------------------------------------------------- output


async def _tail(stream: asyncio.StreamReader | None, limit: int) -> str:
    """Read to EOF, keeping only the last `limit` bytes."""
    kept = b""
    if stream is not None:
        while chunk := await stream.read(65536):
            kept = (kept + chunk)[-limit:]
    return kept.decode("utf-8", errors="replace")


async def _read_fd(fd: int, limit: int) -> bytes:
    """Read a pipe to EOF (the runner and everything it started have exited)."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=limit)
    pipe = os.fdopen(fd, "rb", buffering=0)
    transport, _ = await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), pipe)
    data = b""
    try:
        while (chunk := await reader.read(65536)) and len(data) < limit:
            data += chunk
    finally:
        transport.close()
    return data[:limit]


def _verify(report: bytes, secret: bytes) -> tuple[list[dict[str, Any]], int]:
    """Records whose HMAC verifies; the count of lines that did not."""
    records, forged = [], 0
    for line in report.splitlines():
        digest, _, body = line.partition(b" ")
        expected = hmac.new(secret, body, hashlib.sha256).hexdigest().encode()
        if not hmac.compare_digest(digest, expected):
            forged += 1
            continue
        try:
            records.append(json.loads(body))
        except ValueError:
            forged += 1
    return records, forged


# -------------------------------------------------------------------- scoring


def same_value(actual_json: str | None, expected_json: str) -> bool:
    """Plain data equal in type and value: True is not 1, 1 is not 1.0, NaN equals NaN;
    floats within 1e-9 relative. Anything that is not JSON never matches."""
    if actual_json is None:
        return False
    try:
        return _same(json.loads(actual_json), json.loads(expected_json))
    except ValueError:
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


def score(spec: ExecuteSpec, raw: _Raw, isolation: str) -> ExecuteOutcome:
    """Every declared check gets an outcome; missing or unverified ones failed."""
    reported = {r["name"]: r for r in raw.records if r.get("kind") == "check"}
    import_error = next((r for r in raw.records if r.get("kind") == "import_error"), None)
    end = next((r for r in raw.records if r.get("kind") == "end"), None)
    checks = tuple(_check_outcome(name, reported.get(name), spec, import_error, raw)
                   for name in spec.checks)  # fmt: skip
    passed = sum(c.passed for c in checks)
    declared = len(spec.checks)
    status = _status(raw, checks, import_error, end, reported)
    stderr = raw.stderr
    if raw.forged:
        stderr += f"\n[trinity] {raw.forged} report line(s) failed verification and were ignored"
    return ExecuteOutcome(
        status=status,
        checks=checks,
        declared=declared,
        passed=passed,
        score=100.0 * passed / declared,
        duration_s=raw.duration_s,
        peak_memory_bytes=int(end.get("maxrss_kib", 0)) * 1024 if end else 0,
        stdout_tail=raw.stdout,
        stderr_tail=stderr,
        sandbox=isolation,
    )


def _check_outcome(name, record, spec, import_error, raw) -> CheckOutcome:
    if record is None:
        if import_error is not None:
            return CheckOutcome(name, False, f"import failed: {import_error.get('message', '')}")
        if raw.timed_out:
            return CheckOutcome(name, False, f"not run: wall time {spec.limits.wall_s:g} s ran out")
        return CheckOutcome(name, False, "not run: the process ended before this check")
    if not record.get("passed"):
        return CheckOutcome(name, False, str(record.get("message", "")))
    if name in spec.expected and not same_value(record.get("value"), spec.expected[name]):
        got = record.get("value")
        return CheckOutcome(name, False, f"expected {spec.expected[name]}, got {got}")
    return CheckOutcome(name, True)


def _status(raw, checks, import_error, end, reported) -> ExecuteStatus:
    oom = any(r.get("oom") for r in reported.values()) or "MemoryError" in (
        (import_error or {}).get("message", "") + raw.stderr[-2000:]
    )
    if raw.timed_out:
        return ExecuteStatus.TIMEOUT
    if oom:
        return ExecuteStatus.OUT_OF_MEMORY
    if raw.returncode is not None and (raw.returncode < 0 or raw.returncode > 128) and not end:
        return ExecuteStatus.KILLED
    if import_error is not None or end is None:
        return ExecuteStatus.ERROR
    return ExecuteStatus.PASSED if all(c.passed for c in checks) else ExecuteStatus.FAILED
