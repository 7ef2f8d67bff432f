"""The check runner in this process (what it does inside the sandbox, without one): JSON of
plain data, signed records, limits, one-line failure messages, the check records, the
refusal of replaced checks, and main() end to end in a forked child. The same runner
inside bubblewrap, attacked by solutions, is in test_sandbox.py and tests/security."""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
import os
import resource
import sys
import textwrap
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from trinity.agent import checkrunner

SECRET = b"k" * 32


def in_child(body: Callable[[], Any]) -> Any:
    """body() in a forked child (limits, uids and fds stay there); its JSON result here."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 1
        try:
            os.close(read)
            os.write(write, json.dumps(body()).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, data
    return json.loads(data)


def records(data: bytes, secret: bytes = SECRET) -> list[dict[str, Any]]:
    """The runner's lines, each checked against its HMAC-SHA256."""
    out = []
    for line in data.splitlines():
        digest, _, body = line.partition(b" ")
        assert hmac.compare_digest(
            digest, hmac.new(secret, body, hashlib.sha256).hexdigest().encode()
        )
        out.append(json.loads(body))
    return out


# ---- JSON of plain data (a fresh to_json: the module's own was built at import) ------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "null"),
        (True, "true"),
        (False, "false"),
        (0, "0"),
        (-7, "-7"),
        (10**30, "1" + "0" * 30),
        (1.5, "1.5"),
        (float("nan"), "NaN"),
        (float("inf"), "Infinity"),
        (float("-inf"), "-Infinity"),
        ('a "q"\n', '"a \\"q\\"\\n"'),
        ("naïve", '"na\\u00efve"'),
        ([1, (2, [])], "[1,[2,[]]]"),
        ((), "[]"),
        ({"b": 1, "a": [None]}, '{"b":1,"a":[null]}'),
        ({}, "{}"),
    ],
)
def test_plain_data_is_written_as_json(value, text):
    assert checkrunner.make_to_json()(value) == text


class Int(int):  # a subclass of plain data reads as its base (the check runner's rule)
    pass


class Level(enum.IntEnum):
    HIGH = 3


class Colour(str, enum.Enum):  # noqa: UP042 (the mixin form a solution may write)
    RED = "red"


class Ratio(float):
    def __repr__(self) -> str:
        return "Ratio(0.5)"


def test_an_int_float_or_str_subclass_is_written_as_its_base_type():
    to_json = checkrunner.make_to_json()
    assert to_json([Level.HIGH, Colour.RED, Ratio(0.5)]) == '[3,"red",0.5]'
    assert to_json({Colour.RED: Level.HIGH}) == '{"red":3}'


class Opaque:
    pass


class SameText(str):
    """Two of these with one text are two keys of one dict, and one key in JSON."""

    def __hash__(self) -> int:
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other


@pytest.mark.parametrize(
    ("value", "why"),
    [
        (Opaque(), "Opaque"),
        (object(), "object"),
        ({1: 2}, "a dict key that is not a str"),
        ({"a": object()}, "object"),
        ({"\ud800": 1}, "a str with lone surrogates"),
        ("\ud83d\ude00", "a str with lone surrogates"),
        ({1, 2}, "set"),
        ({SameText("k"): 1, SameText("k"): 2}, "a dict with a key twice"),
        ([1, 10**5000], "an int too long to write"),
    ],
)
def test_what_is_not_plain_data_is_refused_by_name(value, why):
    with pytest.raises(checkrunner.NotPlainData, match=f"^{why}$"):
        checkrunner.make_to_json()(value)


def test_nesting_is_refused_past_fifty_levels():
    to_json = checkrunner.make_to_json()

    def nested(depth: int) -> list[Any]:
        value: list[Any] = []
        for _ in range(depth):
            value = [value]
        return value

    assert to_json(nested(50)) == "[" * 51 + "]" * 51
    with pytest.raises(checkrunner.NotPlainData, match=r"^nested too deep$"):
        to_json(nested(51))
    deep_dict: dict[str, Any] = {}
    for _ in range(50):
        deep_dict = {"a": deep_dict}
    assert to_json(deep_dict) == '{"a":' * 50 + "{}" + "}" * 50
    with pytest.raises(checkrunner.NotPlainData, match=r"^nested too deep$"):
        to_json({"a": {"a": deep_dict}})


# ---- signed records ----------------------------------------------------------------


def test_records_are_signed_with_the_runs_secret():
    read, write = os.pipe()
    report = checkrunner.make_reporter(write, SECRET)
    report({"kind": "check", "name": "a", "passed": True})
    report({"kind": "end"})
    os.close(write)
    data = os.read(read, 65536)
    os.close(read)
    assert records(data) == [{"kind": "check", "name": "a", "passed": True}, {"kind": "end"}]
    with pytest.raises(AssertionError):
        records(data, b"x" * 32)


# ---- limits ------------------------------------------------------------------------


def test_each_limit_is_set_soft_and_hard(monkeypatch):
    calls: list[tuple[int, tuple[int, int]]] = []
    monkeypatch.setattr(resource, "setrlimit", lambda which, pair: calls.append((which, pair)))
    checkrunner.apply_limits("cpu_s=5,memory_bytes=2000,open_files=0,processes=64,"
                             "file_size_bytes=4096,bogus=3,,")  # fmt: skip
    assert calls == [
        (resource.RLIMIT_CORE, (0, 0)),
        (resource.RLIMIT_CPU, (5, 6)),  # hard one second later: SIGXCPU, not SIGKILL
        (resource.RLIMIT_AS, (2000, 2000)),
        (resource.RLIMIT_NPROC, (64, 64)),
        (resource.RLIMIT_FSIZE, (4096, 4096)),
    ]


def test_limits_apply_to_the_runner_and_a_cpu_limit_arrives_as_sigxcpu():
    def limited() -> dict[str, Any]:
        before = resource.getrlimit(resource.RLIMIT_NOFILE)
        checkrunner.apply_limits("cpu_s=5,memory_bytes=2000000000,open_files=0,bogus=3,,")
        return {
            "cpu": resource.getrlimit(resource.RLIMIT_CPU),
            "as": resource.getrlimit(resource.RLIMIT_AS),
            "core": resource.getrlimit(resource.RLIMIT_CORE),
            "nofile": resource.getrlimit(resource.RLIMIT_NOFILE) == before,
        }

    found = in_child(limited)
    assert found["cpu"] == [5, 6]  # hard one second later
    assert found["as"] == [2_000_000_000, 2_000_000_000]
    assert found["core"] == [0, 0]
    assert found["nofile"]  # 0: not set


def test_file_size_and_process_limits_are_exact():
    def limited() -> list[Any]:
        checkrunner.apply_limits("file_size_bytes=4096,processes=64")
        return [
            resource.getrlimit(resource.RLIMIT_FSIZE),
            resource.getrlimit(resource.RLIMIT_NPROC),
        ]

    assert in_child(limited) == [[4096, 4096], [64, 64]]


# ---- failure messages ----------------------------------------------------------------


def failing(source: str, path: str) -> BaseException:
    try:
        exec(compile(source, path, "exec"), {})
    except BaseException as exc:
        return exc
    raise AssertionError("did not fail")


def test_a_failure_is_its_exception_and_message():
    exc = failing("raise ValueError('bad cart')", "/work/t.py")
    assert checkrunner.describe(exc, [], "/work/t.py") == "ValueError: bad cart"


def test_a_bare_assert_is_described_by_the_test_line_that_failed():
    source = "x = 1\n\nassert x == 2\n"
    exc = failing(source, "/work/test_x.py")
    lines = source.splitlines()
    assert (
        checkrunner.describe(exc, lines, "/work/test_x.py")
        == "AssertionError: line 3: assert x == 2"
    )
    assert checkrunner.describe(exc, lines, "/elsewhere.py") == "AssertionError"
    assert checkrunner.describe(exc, lines[:2], "/work/test_x.py") == "AssertionError"


def test_an_assert_in_a_helper_is_found_at_the_test_files_innermost_line():
    helper = compile("def helper():\n    assert False\n", "/work/solution.py", "exec")
    scope: dict[str, Any] = {}
    exec(helper, scope)
    source = "def outer():\n    helper()\n\ndef check():\n    outer()\n\ncheck()\n"
    try:
        exec(compile(source, "/work/test_x.py", "exec"), scope)
    except AssertionError as exc:
        found = checkrunner.describe(exc, source.splitlines(), "/work/test_x.py")
    assert found == "AssertionError: line 2: helper()"


def test_an_assert_with_a_message_keeps_it_and_other_bare_errors_get_no_line():
    lines = ["x = 1", "assert x == 2, 'x is one'", "raise ValueError()"]
    with_message = failing("x = 1\nassert x == 2, 'x is one'", "/work/t.py")
    assert checkrunner.describe(with_message, lines, "/work/t.py") == "AssertionError: x is one"
    bare_value_error = failing("\n\nraise ValueError()", "/work/t.py")
    assert checkrunner.describe(bare_value_error, lines, "/work/t.py") == "ValueError"


def test_an_assert_on_the_first_line_is_quoted():
    exc = failing("assert 1 == 2", "/work/t.py")
    assert checkrunner.describe(exc, ["assert 1 == 2"], "/work/t.py") == (
        "AssertionError: line 1: assert 1 == 2"
    )


def test_an_exception_whose_str_raises_is_named_only():
    class Nasty(Exception):
        def __str__(self) -> str:
            raise RuntimeError("no")

    assert checkrunner.describe(Nasty(), [], "") == "Nasty"


def test_messages_are_cut_at_the_limit():
    message = checkrunner.describe(ValueError("x" * 5000), [], "")
    assert len(message) == checkrunner.MESSAGE_LIMIT and message.startswith("ValueError: xx")


# ---- one check's record ----------------------------------------------------------------


def ticks(*values: float) -> Callable[[], float]:
    it = iter(values)
    return lambda: next(it)


def test_a_passing_check_records_its_time_and_value():
    record = checkrunner.check_record("small", lambda: [1, 2], [], "", ticks(1.0, 1.2500004))
    assert record == {"kind": "check", "name": "small", "passed": True, "seconds": 0.25,
                      "value": "[1,2]"}  # fmt: skip


def test_a_failing_check_records_why():
    def check() -> None:
        raise KeyError("apple")

    record = checkrunner.check_record("remove", check, [], "", ticks(0.0))
    assert record == {"kind": "check", "name": "remove", "passed": False,
                      "message": "KeyError: 'apple'"}  # fmt: skip


@pytest.mark.parametrize("exc", [SystemExit(0), KeyboardInterrupt()])
def test_a_solution_exiting_fails_the_check(exc):
    def check() -> None:
        raise exc

    record = checkrunner.check_record("x", check, [], "", ticks(0.0))
    assert record["passed"] is False and record["message"].startswith(type(exc).__name__)


def test_running_out_of_memory_is_marked():
    def check() -> None:
        raise MemoryError

    record = checkrunner.check_record("big", check, [], "", ticks(0.0))
    assert record == {"kind": "check", "name": "big", "passed": False, "message": "MemoryError",
                      "oom": True}  # fmt: skip


def test_a_value_that_is_not_plain_data_is_reported_by_type_and_why():
    record = checkrunner.check_record("c", Opaque, [], "", ticks(0.0, 0.0))
    assert record["passed"] is True and record["value_type"] == "Opaque" and "value" not in record
    assert record["value_why"] == "Opaque"
    too_long = checkrunner.check_record("c", lambda: [10**5000], [], "", ticks(0.0, 0.0))
    assert (too_long["value_type"], too_long["value_why"]) == ("list", "an int too long to write")
    as_base = checkrunner.check_record("c", lambda: Int(3), [], "", ticks(0.0, 0.0))
    assert as_base["value"] == "3" and "value_type" not in as_base


def test_a_value_type_name_is_cut_at_100_characters():
    odd = type("T" * 150, (), {})
    record = checkrunner.check_record("c", odd, [], "", ticks(0.0, 0.0))
    assert record["value_type"] == "T" * 100


def test_a_value_too_large_to_send_is_marked():
    exact = checkrunner.VALUE_LIMIT - 2  # the quotes make it VALUE_LIMIT long
    fits = checkrunner.check_record("c", lambda: "x" * exact, [], "", ticks(0.0, 0.0))
    assert len(fits["value"]) == checkrunner.VALUE_LIMIT
    big = checkrunner.check_record("c", lambda: "x" * (exact + 1), [], "", ticks(0.0, 0.0))
    assert big["value_type"] == "too large" and "value" not in big


# ---- the test module: where it is, its checks, running them ------------------------------


def test_the_test_module_loads_from_the_work_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert checkrunner.test_path_of("pkg.test_x") == str(tmp_path / "pkg" / "test_x.py")


def test_only_top_level_check_functions_are_checks(tmp_path):
    path = tmp_path / "test_x.py"
    path.write_text(
        textwrap.dedent("""
        def helper():
            def check_inner():
                pass
        def check_small():
            return 1
        def check_zero():
            pass
        def not_a_check_x():
            pass
    """)
    )
    codes = checkrunner.check_codes(str(path))
    assert sorted(codes) == ["small", "zero"]
    assert codes["small"].co_name == "check_small"


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, str]]:
    """A work dir on sys.path with a fresh module name, as main() sets it up."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    name = f"hidden_{uuid.uuid4().hex}"  # not test_*: pytest would rewrite its asserts
    yield tmp_path, name
    sys.modules.pop(name, None)
    sys.modules.pop("solution", None)


def run(module: str, checks: list[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    checkrunner.run_checks(out.append, module, checks, ticks(*[0.0] * 100))
    return out


def test_each_declared_check_is_run_in_order_and_recorded(work):
    folder, name = work
    (folder / f"{name}.py").write_text(
        textwrap.dedent("""
        def check_one():
            return 1
        def check_two():
            assert 1 == 2
    """)
    )
    found = run(name, ["two", "one", "three"])
    assert [(r["name"], r["passed"]) for r in found] == [("two", False), ("one", True),
                                                          ("three", False)]  # fmt: skip
    assert found[0]["message"] == "AssertionError: line 5: assert 1 == 2"
    assert found[1]["value"] == "1"
    assert found[2] == {"kind": "check", "name": "three", "passed": False,
                        "message": "the test file has no `def check_three`"}  # fmt: skip


def test_a_check_replaced_after_the_file_was_compiled_is_refused(work):
    folder, name = work
    (folder / f"{name}.py").write_text(
        textwrap.dedent("""
        def check_honest():
            return 1
        def check_patched():
            assert False
        check_patched = check_honest
        def check_wrapped():
            assert False
        check_wrapped = lambda: None
        def check_foreign():
            assert False
        import types
        check_foreign = types.FunctionType(check_foreign.__code__, {})
    """)
    )
    found = run(name, ["honest", "patched", "wrapped", "foreign"])
    assert [r["passed"] for r in found] == [True, False, False, False]
    assert found[1:] == [{"kind": "check", "name": n, "passed": False, "message": "replaced"}
                         for n in ("patched", "wrapped", "foreign")]  # fmt: skip


def test_a_test_module_that_does_not_import_is_one_record(work):
    folder, name = work
    (folder / f"{name}.py").write_text("from solution import add\ndef check_a():\n    pass\n")
    (folder / "solution.py").write_text("raise SystemExit(3)\n")
    assert run(name, ["a"]) == [{"kind": "import_error", "message": "SystemExit: 3"}]


def test_running_out_of_memory_at_import_is_marked(work):
    folder, name = work
    (folder / f"{name}.py").write_text("raise MemoryError\n")
    assert run(name, ["a"]) == [{"kind": "import_error", "message": "MemoryError", "oom": True}]


def test_a_missing_test_file_is_an_import_error(work):
    _, name = work
    (found,) = run(name, ["a"])
    assert found["kind"] == "import_error" and found["message"].startswith("FileNotFoundError")


def test_a_test_module_whose_namespace_is_not_a_dict_fails_every_check(work):
    folder, name = work
    (folder / f"{name}.py").write_text(
        textwrap.dedent(f"""
        import sys
        def check_a():
            pass
        class Odd:
            __dict__ = ["not", "a", "dict"]
        sys.modules["{name}"] = Odd()
    """)
    )
    assert [r["message"] for r in run(name, ["a"])] == ["replaced"]


def test_a_module_replaced_by_something_without_a_namespace_fails_every_check(work):
    folder, name = work
    (folder / f"{name}.py").write_text(
        f"import sys\ndef check_a():\n    pass\nsys.modules['{name}'] = 5\n"
    )
    assert [r["message"] for r in run(name, ["a"])] == ["replaced"]


def test_an_assert_at_import_from_code_of_no_file_is_named_only(work):
    folder, name = work
    (folder / f"{name}.py").write_text("exec(compile('assert False', '', 'exec'))\n")
    assert run(name, ["a"]) == [{"kind": "import_error", "message": "AssertionError"}]


def test_a_test_file_in_another_encoding_runs_and_its_lines_are_quoted(work):
    folder, name = work
    source = "# -*- coding: latin-1 -*-\ndef check_a():\n    assert 'café' == 'cafe'\n"
    (folder / f"{name}.py").write_bytes(source.encode("latin-1"))
    (found,) = run(name, ["a"])
    assert found["kind"] == "check" and not found["passed"]
    assert found["message"] == "AssertionError: line 3: assert 'caf\ufffd' == 'cafe'"


def test_a_solution_that_breaks_open_still_gets_its_checks_run(work):
    folder, name = work
    (folder / f"{name}.py").write_text(
        textwrap.dedent("""
        import builtins
        def check_a():
            assert False
        def broken(*a, **k):
            raise OSError("no files for you")
        builtins.open, saved = broken, builtins.open
        import atexit
    """)
    )
    import builtins

    saved = builtins.open
    try:
        found = run(name, ["a"])
    finally:
        builtins.open = saved
    assert found == [{"kind": "check", "name": "a", "passed": False, "message": "AssertionError"}]


# ---- uid and main() ----------------------------------------------------------------------


class Ids:
    """os's uid calls, as a root process (or not) would see them."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, uid: int, stick: bool = True) -> None:
        self.uid = self.euid = uid
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        for name in ("setgroups", "setresgid", "setresuid"):
            monkeypatch.setattr(os, name, self._record(name, stick))
        monkeypatch.setattr(os, "getuid", lambda: self.uid)
        monkeypatch.setattr(os, "geteuid", lambda: self.euid)

    def _record(self, name: str, stick: bool) -> Callable[..., None]:
        def call(*args: Any) -> None:
            self.calls.append((name, args))
            if name == "setresuid" and stick:
                self.uid, self.euid = args[0], args[1]

        return call


def test_one_is_a_limit_and_a_malformed_one_is_an_error(monkeypatch):
    calls: list[tuple[int, int]] = []
    monkeypatch.setattr(resource, "setrlimit", lambda which, pair: calls.append(pair))
    checkrunner.apply_limits("cpu_s=1,processes=1")
    assert calls == [(0, 0), (1, 2), (1, 1)]
    with pytest.raises(ValueError):
        checkrunner.apply_limits("cpu_s=5=3")


def test_root_asked_to_stay_root_still_drops_its_groups(monkeypatch):
    ids = Ids(monkeypatch, 0)
    checkrunner.drop_to(0)
    assert ids.calls == [("setgroups", ([],)), ("setresgid", (0, 0, 0)), ("setresuid", (0, 0, 0))]


def test_a_runner_not_root_asked_to_be_root_stops(monkeypatch):
    Ids(monkeypatch, 1000)
    with pytest.raises(SystemExit, match=r"^checkrunner: could not drop to uid 0$"):
        checkrunner.drop_to(0)


def test_root_drops_every_group_and_id_to_the_runs_uid(monkeypatch):
    ids = Ids(monkeypatch, 0)
    checkrunner.drop_to(65534)
    assert ids.calls == [("setgroups", ([],)), ("setresgid", (65534,) * 3),
                         ("setresuid", (65534,) * 3)]  # fmt: skip


def test_a_drop_that_did_not_take_stops_the_runner(monkeypatch):
    Ids(monkeypatch, 0, stick=False)
    with pytest.raises(SystemExit, match=r"^checkrunner: could not drop to uid 65534$"):
        checkrunner.drop_to(65534)


def test_an_effective_uid_left_behind_stops_the_runner(monkeypatch):
    ids = Ids(monkeypatch, 1000)
    ids.euid = 0
    with pytest.raises(SystemExit):
        checkrunner.drop_to(1000)


def test_a_runner_not_started_as_root_keeps_its_uid(monkeypatch):
    ids = Ids(monkeypatch, 1000)
    checkrunner.drop_to(1000)
    checkrunner.drop_to(-1)
    assert ids.calls == []
    with pytest.raises(SystemExit):
        checkrunner.drop_to(1001)
    Ids(monkeypatch, 0)
    checkrunner.drop_to(-1)  # -1: stay as started, root included


class Exited(Exception):
    pass


def test_main_reads_the_secret_shuts_other_fds_applies_limits_and_signs(work, monkeypatch):
    folder, name = work
    (folder / f"{name}.py").write_text("def check_a():\n    return [1]\n")
    report_r, report_w = os.pipe()
    secret_r, secret_w = os.pipe()
    os.write(secret_w, SECRET + b"ignored: only 64 bytes are read" * 3)
    os.close(secret_w)
    calls: list[tuple[str, Any]] = []

    def exit_(code: int) -> None:
        raise Exited(code)

    monkeypatch.setattr(os, "closerange", lambda a, b: calls.append(("closerange", (a, b))))
    monkeypatch.setattr(os, "set_inheritable", lambda fd, on: calls.append(("inherit", (fd, on))))
    monkeypatch.setattr(os, "_exit", exit_)
    monkeypatch.setattr(resource, "setrlimit", lambda which, pair: calls.append(("limit", pair)))
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p != str(folder)])
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(Exited) as exited:
        checkrunner.main(
            ["checkrunner.py", str(report_w), str(secret_r), "-1", "cpu_s=20", name, "a"]
        )
    assert exited.value.args == (0,)
    os.close(report_w)
    with os.fdopen(report_r, "rb") as pipe:
        data = pipe.read()
    with pytest.raises(OSError):
        os.fstat(secret_r)  # closed once read
    secret = (SECRET + b"ignored: only 64 bytes are read" * 3)[:64]
    found = records(data, secret)
    assert [r["kind"] for r in found] == ["check", "end"] and found[0]["value"] == "[1]"
    assert found[1]["maxrss_kib"] >= rss_before  # this process's peak, in KiB
    assert calls == [
        ("inherit", (report_w, False)),
        ("closerange", (3, report_w)),
        ("closerange", (report_w + 1, 4096)),
        ("limit", (0, 0)),
        ("limit", (20, 21)),
    ]
    assert sys.path[0] == str(folder)


def test_no_uid_to_drop_to_keeps_the_process_as_it_is():
    assert in_child(lambda: (checkrunner.drop_to(-1), os.getuid())[1]) == os.getuid()


@pytest.mark.skipif(os.getuid() != 0, reason="dropping to another uid needs root")
def test_root_drops_to_the_runs_uid_for_good():
    def drop() -> list[Any]:
        checkrunner.drop_to(65534)
        return [os.getresuid(), os.getresgid(), os.getgroups()]

    assert in_child(drop) == [[65534] * 3, [65534] * 3, []]


@pytest.mark.skipif(os.getuid() == 0, reason="root can drop to any uid")
def test_a_uid_that_cannot_be_taken_stops_the_runner():
    with pytest.raises(SystemExit, match="could not drop to uid"):
        checkrunner.drop_to(os.getuid() + 1)


def test_main_runs_the_checks_signs_them_and_ends_with_its_memory(work):
    folder, name = work
    (folder / f"{name}.py").write_text(
        "def check_a():\n    return [1]\ndef check_b():\n    assert 0\n"
    )
    report_r, report_w = os.pipe()
    secret_r, secret_w = os.pipe()
    os.write(secret_w, SECRET)
    os.close(secret_w)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.close(report_r)
            checkrunner.main(["checkrunner.py", str(report_w), str(secret_r), "-1", "cpu_s=20",
                              name, "a", "b"])  # fmt: skip
        finally:
            os._exit(99)
    os.close(report_w)
    os.close(secret_r)
    with os.fdopen(report_r, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    found = records(data)
    assert [(r["kind"], r.get("name"), r.get("passed")) for r in found] == [
        ("check", "a", True), ("check", "b", False), ("end", None, None)]  # fmt: skip
    assert found[0]["value"] == "[1]" and found[-1]["maxrss_kib"] > 1000


def test_type_names_and_reasons_are_cut_to_100_characters():
    """A class of the solution's names the value's type and the reason: its name is cut."""
    named = type("N" * 150, (), {})
    record = checkrunner.check_record("c", lambda: named(), [], "", ticks(0.0, 0.0))
    assert record["value_type"] == record["value_why"] == "N" * 100
    inside = checkrunner.check_record("c", lambda: [named()], [], "", ticks(0.0, 0.0))
    assert (inside["value_type"], inside["value_why"]) == ("list", "N" * 100)


def test_a_value_too_deep_for_the_stack_is_reported_by_type(monkeypatch):
    def too_deep(_value: object) -> str:
        raise RecursionError

    monkeypatch.setattr(checkrunner, "to_json", too_deep)
    record = checkrunner.check_record("c", lambda: [1], [], "", ticks(0.0, 0.0))
    assert record["passed"] is True and record["value_type"] == "list"
    assert "value" not in record and "value_why" not in record
    named = type("L" * 150, (list,), {})
    record = checkrunner.check_record("c", lambda: named([1]), [], "", ticks(0.0, 0.0))
    assert record["value_type"] == "L" * 100
