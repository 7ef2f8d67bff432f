"""The check runner: runs INSIDE the sandbox, in the same process as untrusted code.

    python -I -S -B checkrunner.py REPORT_FD SECRET_FD RUN_UID LIMITS TEST_MODULE CHECK...

LIMITS is `cpu_s=10,memory_bytes=...` (integers). The runner reads a per-run secret from
SECRET_FD and closes it, drops to RUN_UID when started as root (-1: it was not; see
sandbox.py for why), applies the resource limits, imports the hidden test module
(which imports the solution), calls `check_<name>()` for each declared check in order and
writes one record per check to REPORT_FD: a line `<hmac-sha256 hex> <json>` keyed with the
secret. A check passes when it returns without raising. What it returns is reported as
JSON when it is plain data: None, bool, int, float, str, list, tuple, and dict with str
keys, nested. A subclass of int, float, str, list, tuple or dict (an IntEnum, a str-mixin
Enum member, a NamedTuple, a structseq, an OrderedDict or defaultdict) is read as its base
type by the base type's own code, bound before the solution is imported: `int.__int__`,
`float.__float__`, `str.__str__`, `tuple.__iter__`, `list.__iter__`, `dict.items`. So a
subclass is exactly what it holds, whatever its __iter__, __eq__, __len__, __getitem__,
__repr__ or __hash__ say, and nothing of the solution's runs while a value is read. bool
is bool, never an int (it cannot be subclassed), and an int longer than Python will write
(4300 digits by default) is not plain data; a dict whose keys are two str subclasses
of one text is refused (JSON would keep one of them); a dict subclass's items come in
dict's own order (an OrderedDict moved with move_to_end may read in insertion order: JSON
objects are unordered anyway). Anything else (a set, bytes, a dataclass, a UserList, which
is not a list) is not plain data, and the check's value matches nothing: a check whose
prompt allows such results converts them itself. The agent compares the JSON, outside the
sandbox, with the task's expected value by type and value, so an object whose __eq__
always says True proves nothing. stdout and stderr belong to the solution and count for
nothing.

Threat model, honestly. The solution runs in this process, so nothing here is secret
from a determined attacker: it can walk the interpreter's memory (gc, frames, closures,
ctypes) to find the key and sign records of its own. What does hold:
  - printing "10 passed", exiting early (sys.exit, os._exit, a crash or MemoryError at
    import), patching unittest, closing or scribbling on file descriptors: the agent
    counts every declared check without a verified record as failed, and the
    denominator comes from the request, not from here;
  - monkeypatching this runner or the checks: what decides and signs a record (the
    JSON writer, the HMAC, getattr/type, sys.modules, this module's functions) is bound
    before the solution is imported, and each check must still be a plain function of
    the code compiled from the test file before the solution ran (so checks are plain
    top-level `def check_<name>():`, never decorated), with the test module's globals;
  - value checks: the expected values never enter the sandbox, and a forged record still
    has to carry the right value, i.e. what a correct solution would return;
  - the key is not in the environment, a file or argv.
What does not hold: a check that only asserts trusts the Python the solution shares with
it. `assert add(1, 2) == 3` passes for a return value whose __eq__ always says True, and
for a solution that patched math.isclose; only value checks are safe from that, so tasks
should return what they compute. Everything else is the sandbox's job (no network, no
host files, limits, the kill).

Standard library only, and only modules that load fast: this runs once per solution, and
json/hashlib/traceback would add ~10 ms to every run. Must run on Python >= 3.8.
"""

import os
import resource
import sys

try:  # the builtin SHA-256 (hashlib would load OpenSSL: ~3 ms)
    from _sha2 import sha256 as _sha256  # Python >= 3.12
except ImportError:  # pragma: no cover - depends on the sandbox's interpreter
    from _sha256 import sha256 as _sha256
from _json import encode_basestring_ascii as _quote

CodeType = type((lambda: None).__code__)  # `types` is not loaded at start-up with -S
FunctionType = type(lambda: None)
MESSAGE_LIMIT = 2000
VALUE_LIMIT = 256 * 1024
RLIMITS = {
    "cpu_s": resource.RLIMIT_CPU,
    "memory_bytes": resource.RLIMIT_AS,
    "processes": resource.RLIMIT_NPROC,
    "file_size_bytes": resource.RLIMIT_FSIZE,
    "open_files": resource.RLIMIT_NOFILE,
}


class NotPlainData(Exception):
    pass


def make_to_json():
    """to_json with everything it calls bound now, before the solution is imported: it
    may replace builtins and this module's names afterwards (`type`, `to_json` itself).

    A subclass of a plain type is read as that base type, by the base type's own code
    (`int.__int__`, `str.__str__`, `tuple.__iter__`, `dict.items`...): what it holds, never
    what its overridden methods say. Nothing of the solution's runs while it is read."""
    kind_of, subclass, quote, join = type, issubclass, _quote, str.join
    as_int, as_float, as_str = int.__int__, float.__float__, str.__str__
    iter_tuple, iter_list, items_of = tuple.__iter__, list.__iter__, dict.items
    int_repr, float_repr, not_plain = int.__repr__, float.__repr__, NotPlainData
    encode, encode_error, new_set, add = str.encode, UnicodeEncodeError, set, set.add
    too_long = ValueError  # an int past sys.get_int_max_str_digits() cannot be written
    name_of = type.__dict__["__name__"].__get__  # not a metaclass's own __name__
    special = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}

    def string_json(value):
        # A lone surrogate is not text: JSON would merge a pair of them into the one
        # character they encode, and a wrong answer could then equal the expected one.
        try:
            encode(value)  # str.encode: UTF-8, strict, whatever the locale
        except encode_error:
            raise not_plain("a str with lone surrogates") from None
        return quote(value)

    def scalar_json(value, kind):
        """JSON of None, bool, int, float, str (or a subclass of the last three); None
        for anything else."""
        if value is None or kind is bool:  # bool cannot be subclassed: never an int
            return "null" if value is None else ("true" if value else "false")
        if kind is int or subclass(kind, int):
            try:
                return int_repr(as_int(value))
            except too_long:
                raise not_plain("an int too long to write") from None
        if kind is float or subclass(kind, float):
            text = float_repr(as_float(value))
            return special.get(text, text)
        if kind is str or subclass(kind, str):
            return string_json(as_str(value))
        return None

    def object_json(value, depth):
        """A dict's items, by dict's own table; keys are str (or a subclass), each once."""
        items, seen = [], new_set()
        for key, item in items_of(value):
            if not subclass(kind_of(key), str):
                raise not_plain("a dict key that is not a str")
            key = as_str(key)
            if key in seen:  # two str subclasses of one text with their own __hash__
                raise not_plain("a dict with a key twice")
            add(seen, key)
            items.append(string_json(key) + ":" + to_json(item, depth + 1))
        return "{" + join(",", items) + "}"

    def to_json(value, depth=0):
        """JSON text of plain data; NaN/Infinity as Python's json writes them."""
        kind = kind_of(value)
        text = scalar_json(value, kind)
        if text is not None:
            return text
        if depth > 50:
            raise not_plain("nested too deep")
        if subclass(kind, tuple) or subclass(kind, list):
            elements = iter_tuple(value) if subclass(kind, tuple) else iter_list(value)
            return "[" + join(",", [to_json(v, depth + 1) for v in elements]) + "]"
        if subclass(kind, dict):
            return object_json(value, depth)
        raise not_plain(name_of(kind))

    return to_json


to_json = make_to_json()


def make_reporter(report_fd, secret):
    """A closure that signs and writes records; its tools are bound now, not looked up."""
    pad = secret.ljust(64, b"\0")
    inner_key = bytes(b ^ 0x36 for b in pad)
    outer_key = bytes(b ^ 0x5C for b in pad)
    sha, write, encode, dump = _sha256, os.write, str.encode, to_json

    def report(record):
        line = encode(dump(record))
        digest = sha(outer_key + sha(inner_key + line).digest()).hexdigest()
        write(report_fd, encode(digest) + b" " + line + b"\n")

    return report


def apply_limits(spec):
    """Each limit applies to this process and everything it starts (NPROC: per user
    namespace on Linux >= 5.14, i.e. per run)."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    for pair in filter(None, spec.split(",")):
        name, _, value = pair.partition("=")
        if name in RLIMITS and int(value) > 0:
            # CPU: hard one second later, so the limit arrives as SIGXCPU (a timeout), not
            # as the SIGKILL Linux sends when soft == hard.
            hard = int(value) + 1 if name == "cpu_s" else int(value)
            resource.setrlimit(RLIMITS[name], (int(value), hard))


def describe(exc, source_lines, test_path):
    """One line: the exception, and for a bare assert the test line that failed."""
    name = type(exc).__name__
    try:
        text = str(exc)
    except BaseException:  # a solution's exception whose __str__ raises
        text = ""
    if not text and isinstance(exc, AssertionError):
        tb, lineno = exc.__traceback__, 0
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == test_path:
                lineno = tb.tb_lineno
            tb = tb.tb_next
        if 0 < lineno <= len(source_lines):
            text = f"line {lineno}: {source_lines[lineno - 1].strip()}"
    return (name + ": " + text if text else name)[:MESSAGE_LIMIT]


def check_record(name, fn, source_lines, test_path, clock):
    started = clock()
    try:
        result = fn()
    except MemoryError:
        return {"kind": "check", "name": name, "passed": False, "message": "MemoryError",
                "oom": True}  # fmt: skip
    except BaseException as exc:  # SystemExit and KeyboardInterrupt from a solution too
        message = describe(exc, source_lines, test_path)
        return {"kind": "check", "name": name, "passed": False, "message": message}
    record = {"kind": "check", "name": name, "passed": True,
              "seconds": round(clock() - started, 6)}  # fmt: skip
    try:
        value = to_json(result)
        if len(value) <= VALUE_LIMIT:
            record["value"] = value
        else:
            record["value_type"] = "too large"
    except NotPlainData as exc:  # what about the value is not plain data, in our words
        record["value_type"] = type(result).__name__[:100]
        record["value_why"] = str(exc)[:100]
    except (RecursionError, MemoryError):
        record["value_type"] = type(result).__name__[:100]
    return record


def test_path_of(module_name):
    """Where the test module must load from: the work dir (the runner's cwd)."""
    return os.path.join(os.getcwd(), *module_name.split(".")) + ".py"


def check_codes(test_path):
    """The code of each top-level `def check_<name>` in the test file, compiled here before
    the solution can touch anything: what each check must still be when it runs."""
    with open(test_path, "rb") as fh:
        source = fh.read()
    module_code = compile(source, test_path, "exec", dont_inherit=True)
    return {const.co_name[6:]: const for const in module_code.co_consts
            if type(const) is CodeType and const.co_name.startswith("check_")}  # fmt: skip


def run_checks(report, module_name, checks, clock, *, bound=(getattr, type, sys.modules)):
    # `bound` (taken when this module loads) and the helpers below (taken before the
    # import): the solution, imported here, may replace builtins, sys.modules or this
    # module's functions; this frame keeps the originals.
    getattr_, type_, modules = bound
    record_of, plain_function = check_record, FunctionType
    test_path = test_path_of(module_name)
    try:
        codes = check_codes(test_path)
        __import__(module_name)
        module = modules[module_name]
    except MemoryError:
        report({"kind": "import_error", "message": "MemoryError", "oom": True})
        return
    except BaseException as exc:
        report({"kind": "import_error", "message": describe(exc, [], "")})
        return
    try:
        with open(test_path, encoding="utf-8", errors="replace") as fh:
            source_lines = fh.read().splitlines()
    except BaseException:  # the solution may have broken open(); messages get shorter
        source_lines = []
    namespace = getattr_(module, "__dict__", None)
    for name in checks:
        fn = namespace.get("check_" + name) if type_(namespace) is dict else None
        # The test file's own check: a plain function, of the code compiled from the file
        # before the solution ran, with the test module's globals.
        if codes.get(name) is None:
            why = "the test file has no `def check_" + name + "`"
        elif (type_(fn) is not plain_function or getattr_(fn, "__code__", None) != codes[name]
              or getattr_(fn, "__globals__", None) is not namespace):  # fmt: skip
            why = "replaced"
        else:
            report(record_of(name, fn, source_lines, test_path, clock))
            continue
        report({"kind": "check", "name": name, "passed": False, "message": why})


def drop_to(uid):
    """Root with CAP_SETUID/CAP_SETGID only → the run's own uid; setuid from root clears
    every capability, and bubblewrap set no_new_privs, so none can come back."""
    if uid >= 0 and os.getuid() == 0:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    if uid >= 0 and (os.getuid() != uid or os.geteuid() != uid):
        raise SystemExit(f"checkrunner: could not drop to uid {uid}")


def main(argv):
    report_fd, secret_fd = int(argv[1]), int(argv[2])
    secret = os.read(secret_fd, 64)
    os.close(secret_fd)
    drop_to(int(argv[3]))
    os.set_inheritable(report_fd, False)  # processes the solution starts don't get it
    os.closerange(3, report_fd)  # whatever else came through (the sandbox's file copies)
    os.closerange(report_fd + 1, 4096)
    report = make_reporter(report_fd, secret)
    del secret
    apply_limits(argv[4])
    sys.path.insert(0, os.getcwd())
    from time import perf_counter

    run_checks(report, argv[5], argv[6:], perf_counter)
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    report({"kind": "end", "maxrss_kib": max(usage, children)})
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass
    os._exit(0)  # no atexit hooks, finalizers or threads the solution may have planted


if __name__ == "__main__":
    main(sys.argv)
