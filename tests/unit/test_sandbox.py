"""Scoring rules, input checks and the refusal to run unprotected."""

from __future__ import annotations

import hashlib
import hmac
import importlib.util
import json
import math
from pathlib import Path

import pytest
from trinity.agent.config import SandboxConfig
from trinity.agent.errors import FailedPrecondition, InvalidArgument
from trinity.agent.sandbox import (
    ExecuteSpec,
    ExecuteStatus,
    Limits,
    Sandbox,
    _Raw,
    _validate,
    _verify,
    same_value,
    score,
)

RUNNER = Path(__file__).resolve().parents[2] / "agent/trinity/agent/checkrunner.py"
TEST = b"from solution import add\n\ndef check_one():\n    return add(1, 2)\n"


def spec(**overrides) -> ExecuteSpec:
    fields = dict(
        files=(("solution.py", b"def add(a, b):\n    return a + b\n"), ("test_add.py", TEST)),
        test_file="test_add.py",
        checks=("one",),
        expected={"one": "3"},
    )
    fields.update(overrides)
    return ExecuteSpec(**fields)


def raw(records=(), returncode=0, timed_out=False, forged=0) -> _Raw:
    return _Raw(returncode, timed_out, "", "", list(records), forged, 0.01)


@pytest.mark.parametrize(
    ("actual", "expected", "same"),
    [
        ("3", "3", True),
        ("true", "1", False),  # bool is not int
        ("1", "1.0", False),  # int is not float
        ("0.30000000000000004", "0.3", True),  # floats within 1e-9 relative
        ("NaN", "NaN", True),
        ('[1, {"a": [true]}]', '[1, {"a": [true]}]', True),
        ('[1, {"a": [1]}]', '[1, {"a": [true]}]', False),
        ('{"a": 1}', '{"a": 1, "b": 2}', False),
        (None, "null", False),  # not plain data never matches
        ("not json", "1", False),
    ],
)
def test_expected_values_compare_type_and_value(actual, expected, same):
    assert same_value(actual, expected) is same


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"checks": ()}, "no checks declared"),
        ({"checks": ("one", "one")}, "declared twice"),
        ({"checks": ("bad name",)}, "not an identifier"),
        ({"test_file": "missing.py"}, "not one of the files"),
        ({"files": (("/etc/passwd", b""), ("test_add.py", TEST))}, "must be relative"),
        ({"files": (("../x.py", b""), ("test_add.py", TEST))}, "must be relative"),
        ({"expected": {"other": "1"}}, "undeclared checks"),
    ],
)
def test_bad_requests_are_refused_before_anything_runs(overrides, message):
    with pytest.raises(InvalidArgument, match=message):
        _validate(spec(**overrides))


def test_exit_before_the_checks_scores_zero_of_the_declared_total():
    outcome = score(spec(checks=("one", "two"), expected={}), raw(), "bwrap")
    assert (outcome.passed, outcome.declared, outcome.score) == (0, 2, 0.0)
    assert outcome.status is ExecuteStatus.ERROR
    assert all("ended before this check" in c.message for c in outcome.checks)


def test_a_wrong_value_fails_a_value_check_even_if_it_returned():
    records = [{"kind": "check", "name": "one", "passed": True, "value": "4"},
               {"kind": "end", "maxrss_kib": 10}]  # fmt: skip
    outcome = score(spec(), raw(records), "bwrap")
    assert outcome.status is ExecuteStatus.FAILED
    assert outcome.checks[0].message == "expected 3, got 4"
    assert outcome.peak_memory_bytes == 10 * 1024


def test_timeout_and_memory_statuses():
    assert score(spec(), raw(timed_out=True, returncode=-9), "bwrap").status is (
        ExecuteStatus.TIMEOUT
    )
    oom = [{"kind": "check", "name": "one", "passed": False, "message": "MemoryError",
            "oom": True}, {"kind": "end"}]  # fmt: skip
    assert score(spec(), raw(oom), "bwrap").status is ExecuteStatus.OUT_OF_MEMORY
    assert score(spec(), raw(returncode=-9), "bwrap").status is ExecuteStatus.KILLED


def test_report_lines_need_the_runs_secret():
    secret = b"s" * 32
    good = json.dumps({"kind": "end"}).encode()
    signed = hmac.new(secret, good, hashlib.sha256).hexdigest().encode() + b" " + good
    forged = b"0" * 64 + b" " + good
    records, rejected = _verify(signed + b"\n" + forged + b"\n", secret)
    assert records == [{"kind": "end"}] and rejected == 1


def test_runner_json_and_hmac_agree_with_the_standard_library():
    loaded = importlib.util.spec_from_file_location("checkrunner", RUNNER)
    assert loaded is not None and loaded.loader is not None
    runner = importlib.util.module_from_spec(loaded)
    loaded.loader.exec_module(runner)
    for value in (None, True, -5, 10**30, 1.5, 'q"\\\n\x01é😀', [1, {"k": [None]}]):
        assert json.loads(runner._json(value)) == value
    assert math.isnan(json.loads(runner._json(float("nan"))))
    with pytest.raises(TypeError):
        runner._json(object())
    key, message = b"k" * 32, b"message"
    assert runner._hmac_sha256(key, message) == hmac.new(key, message, hashlib.sha256).hexdigest()


async def test_no_bubblewrap_means_a_clear_refusal_not_an_unprotected_run():
    sandbox = Sandbox(SandboxConfig(bwrap="/nonexistent/bwrap"))
    assert sandbox.isolation == "unavailable"
    with pytest.raises(FailedPrecondition, match="apt-get install bubblewrap"):
        await sandbox.execute(spec())


async def test_the_development_flag_runs_unsandboxed_and_says_so():
    sandbox = Sandbox(SandboxConfig(bwrap="/nonexistent/bwrap", allow_unsandboxed=True))
    outcome = await sandbox.execute(spec())
    assert outcome.sandbox == "none"
    assert outcome.score == 100.0


def test_request_limits_override_only_what_they_set():
    limits = Limits().merged(wall_s=3.0, memory_bytes=0)
    assert limits.wall_s == 3.0 and limits.memory_bytes == Limits().memory_bytes
