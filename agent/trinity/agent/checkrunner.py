"""The check runner: runs INSIDE the sandbox, next to untrusted code. Standard library only.

    python -I checkrunner.py REPORT_FD SECRET_FD RUN_UID LIMITS_JSON TEST_MODULE CHECK...

It reads a per-run secret from SECRET_FD and closes it, drops to RUN_UID when started as
root (-1: already unprivileged), applies the resource limits, imports
the hidden test module (which imports the solution), calls `check_<name>()` for each
declared check in order, and writes one record per check to REPORT_FD, each line
`<hmac-sha256 hex> <json>` keyed with the secret. A check passes when it returns without
raising; a value it returns is reported as JSON and, where the task declares an expected
value, compared by the agent outside the sandbox (so an object whose __eq__ always says
True proves nothing). Nothing is reported on stdout, which the solution owns.

Threat model, honestly: the solution runs in this process. Printing "10 passed", exiting
early (sys.exit, os._exit, a crash at import), patching unittest or this module's globals,
or writing lines to the report fd all fail: the agent counts every declared check without
a verified record as failed. A solution that digs the secret out of this interpreter's
memory (gc, frames, ctypes) could forge the pass/fail of assertion checks; it cannot
forge value checks, whose expected values never enter the sandbox.
"""

import hashlib
import hmac
import json
import os
import resource
import sys
import time
import traceback

MESSAGE_LIMIT = 2000


def _limits(spec):
    """Each limit applies to this process and everything it starts."""
    pairs = (
        (resource.RLIMIT_CPU, spec.get("cpu_s")),
        (resource.RLIMIT_AS, spec.get("memory_bytes")),
        (resource.RLIMIT_NPROC, spec.get("processes")),
        (resource.RLIMIT_FSIZE, spec.get("file_size_bytes")),
        (resource.RLIMIT_NOFILE, spec.get("open_files")),
        (resource.RLIMIT_CORE, 0),
    )
    for which, value in pairs:
        if value:
            resource.setrlimit(which, (int(value), int(value)))


def _make_reporter(report_fd, secret):
    """A closure holding the secret: records are signed, nothing else can sign."""

    def report(record):
        line = json.dumps(record, separators=(",", ":"), default=repr)
        digest = hmac.new(secret, line.encode(), hashlib.sha256).hexdigest()
        os.write(report_fd, f"{digest} {line}\n".encode())

    return report


def _describe(exc):
    if isinstance(exc, AssertionError) and not str(exc):
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        return f"AssertionError at line {frame.lineno}: {frame.line}"[:MESSAGE_LIMIT]
    return f"{type(exc).__name__}: {exc}"[:MESSAGE_LIMIT]


def _value(result):
    try:
        return json.dumps(result, allow_nan=True)
    except (TypeError, ValueError):
        return None  # not plain data: only the pass/fail counts


def _run(report, module_name, checks):
    try:
        module = __import__(module_name)
    except BaseException as exc:
        report({"kind": "import_error", "message": _describe(exc)})
        return
    for name in checks:
        started = time.perf_counter()
        fn = getattr(module, f"check_{name}", None)
        if fn is None:
            report(
                {
                    "kind": "check",
                    "name": name,
                    "passed": False,
                    "message": f"the test file has no check_{name}",
                }
            )
            continue
        if getattr(getattr(fn, "__code__", None), "co_filename", None) != module.__file__:
            report(
                {
                    "kind": "check",
                    "name": name,
                    "passed": False,
                    "message": f"check_{name} was replaced by code outside the test file",
                }
            )
            continue
        try:
            result = fn()
        except MemoryError:
            report(
                {
                    "kind": "check",
                    "name": name,
                    "passed": False,
                    "message": "MemoryError",
                    "oom": True,
                }
            )
            continue
        except BaseException as exc:
            report({"kind": "check", "name": name, "passed": False, "message": _describe(exc)})
            continue
        report(
            {
                "kind": "check",
                "name": name,
                "passed": True,
                "value": _value(result),
                "seconds": round(time.perf_counter() - started, 6),
            }
        )


def _drop_to(uid):
    """Give up root for the run's own uid; setuid from 0 clears every capability."""
    if uid >= 0 and os.getuid() == 0:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)


def main(argv):
    report_fd, secret_fd = int(argv[1]), int(argv[2])
    secret = os.read(secret_fd, 64)
    os.close(secret_fd)
    _drop_to(int(argv[3]))
    os.set_inheritable(report_fd, False)  # children of the solution don't get it
    report = _make_reporter(report_fd, secret)
    del secret
    _limits(json.loads(argv[4]))
    sys.path.insert(0, os.getcwd())
    _run(report, argv[5], argv[6:])
    usage = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    report({"kind": "end", "maxrss_kib": usage})
    sys.stdout.flush()
    os._exit(0)  # no atexit hooks or finalizers the solution may have planted


if __name__ == "__main__":
    main(sys.argv)
