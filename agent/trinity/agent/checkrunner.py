"""The check runner: runs INSIDE the sandbox, next to untrusted code. Standard library only.

    python -I -S checkrunner.py REPORT_FD SECRET_FD RUN_UID LIMITS TEST_MODULE CHECK...

LIMITS is `cpu_s,memory_bytes,processes,file_size_bytes,open_files` (0 = unlimited).

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

# Only modules that cost nothing to import: json, hmac/hashlib (OpenSSL) and traceback
# (re, tokenize) doubled the time of a whole run, so JSON, HMAC-SHA256 and the failing
# line are done by hand below. The agent checks them with the standard library.
import _sha256
import os
import resource
import sys
import time

MESSAGE_LIMIT = 2000


def _limits(text):
    """Each limit applies to this process and everything it starts."""
    names = (resource.RLIMIT_CPU, resource.RLIMIT_AS, resource.RLIMIT_NPROC,
             resource.RLIMIT_FSIZE, resource.RLIMIT_NOFILE)  # fmt: skip
    for which, value in zip(names, text.split(","), strict=True):
        if int(float(value)):
            resource.setrlimit(which, (int(float(value)),) * 2)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _hmac_sha256(key, message):
    """RFC 2104 over the builtin SHA-256."""
    key = key.ljust(64, b"\0")
    inner = _sha256.sha256(bytes(k ^ 0x36 for k in key) + message).digest()
    return _sha256.sha256(bytes(k ^ 0x5C for k in key) + inner).hexdigest()


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _json(value):
    """JSON for plain data; anything else raises TypeError."""
    if value is None or value is True or value is False:
        return {None: "null", True: "true", False: "false"}[value]
    if type(value) is int:
        return str(value)
    if type(value) is float:
        return (
            repr(value)
            if value == value and value not in (float("inf"), -float("inf"))
            else {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}[repr(value)]
        )
    if type(value) is str:
        out = []
        for ch in value:
            if ch in _ESCAPES:
                out.append(_ESCAPES[ch])
            elif ch < " ":
                out.append(f"\\u{ord(ch):04x}")
            else:
                out.append(ch)
        return '"' + "".join(out) + '"'
    if type(value) in (list, tuple):
        return "[" + ",".join(_json(v) for v in value) + "]"
    if type(value) is dict and all(type(k) is str for k in value):
        return "{" + ",".join(_json(k) + ":" + _json(v) for k, v in value.items()) + "}"
    raise TypeError(f"{type(value).__name__} is not plain data")


def _make_reporter(report_fd, secret):
    """A closure holding the secret: records are signed, nothing else can sign."""

    def report(record):
        line = _json(record).encode()
        os.write(report_fd, _hmac_sha256(secret, line).encode() + b" " + line + b"\n")

    return report


def _describe(exc):
    if isinstance(exc, AssertionError) and not str(exc):
        tb = exc.__traceback__
        while tb.tb_next is not None:
            tb = tb.tb_next
        return f"AssertionError at line {tb.tb_lineno}: {_source_line(tb)}"[:MESSAGE_LIMIT]
    return f"{type(exc).__name__}: {exc}"[:MESSAGE_LIMIT]


def _source_line(tb):
    try:
        with open(tb.tb_frame.f_code.co_filename) as fh:
            return fh.read().splitlines()[tb.tb_lineno - 1].strip()
    except (OSError, IndexError):
        return ""


def _value(result):
    try:
        return _json(result)
    except (TypeError, RecursionError, KeyError):
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
    _limits(argv[4])
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
