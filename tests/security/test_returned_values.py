"""Returned values that lie, run through the real bubblewrap sandbox: a subclass of a plain
type is read as what it holds, by the base type's own code, so a tuple, list, dict or str
subclass whose __iter__, __eq__, __len__, __getitem__ or items say the expected value
still fails a value check, while an honest NamedTuple passes it."""

from __future__ import annotations

import textwrap

import pytest
from trinity.agent.sandbox import ExecuteSpec, Limits, Sandbox

pytestmark = pytest.mark.security

CHECKS = textwrap.dedent("""
    from solution import pair, table


    def check_pair():
        return pair()


    def check_table():
        return table()
""").encode()

# What an honest solution returns; each liar holds something else.
EXPECTED = {"pair": "[1, 2]", "table": '{"a": [1, 2]}'}

HONEST = """
from typing import NamedTuple

class Pair(NamedTuple):
    first: int
    second: int

def pair():
    return Pair(1, 2)

def table():
    return {"a": Pair(1, 2)}
"""

LYING_TUPLE = """
class Liar(tuple):
    def __iter__(self):
        return iter((1, 2))
    def __len__(self):
        return 2
    def __getitem__(self, index):
        return (1, 2)[index]
    def __eq__(self, other):
        return True
    __hash__ = tuple.__hash__
    def __repr__(self):
        return "(1, 2)"

def pair():
    return Liar((7, 7))

def table():
    return {"a": Liar((7, 7))}
"""

LYING_LIST_AND_DICT = """
class Liar(list):
    def __iter__(self):
        return iter([1, 2])
    def __len__(self):
        return 2
    def __getitem__(self, index):
        return [1, 2][index]
    def __eq__(self, other):
        return True

class LyingDict(dict):
    def items(self):
        return [("a", [1, 2])]
    def keys(self):
        return ["a"]
    def __iter__(self):
        return iter(["a"])
    def __getitem__(self, key):
        return [1, 2]
    def __len__(self):
        return 1

def pair():
    return Liar([7])

def table():
    return LyingDict(b=[1, 2])
"""

POSING_AS_TUPLE = """
class Posing:
    @property
    def __class__(self):
        return tuple
    def __iter__(self):
        return iter((1, 2))
    def __eq__(self, other):
        return True

def pair():
    return Posing()

def table():
    return {"a": Posing()}
"""


async def run(sandbox: Sandbox, solution: str):
    spec = ExecuteSpec(
        files=(("solution.py", solution.encode()), ("test_values.py", CHECKS)),
        test_file="test_values.py",
        checks=("pair", "table"),
        limits=Limits(wall_s=10.0),
        expected=EXPECTED,
    )
    return await sandbox.execute(spec)


async def test_a_namedtuple_passes_a_value_check_for_a_tuple(sandbox):
    outcome = await run(sandbox, HONEST)
    assert outcome.score == 100.0, outcome.checks


@pytest.mark.parametrize(
    ("solution", "read"),
    [
        (LYING_TUPLE, ("[7,7]", '{"a":[7,7]}')),
        (LYING_LIST_AND_DICT, ("[7]", '{"b":[1,2]}')),
        (POSING_AS_TUPLE, ("", "")),  # not plain data: matches nothing
    ],
    ids=["tuple-subclass", "list-and-dict-subclasses", "posing-as-a-tuple"],
)
async def test_a_subclass_that_lies_about_its_contents_fails_the_value_checks(
    sandbox, solution, read
):
    outcome = await run(sandbox, solution)
    assert not any(c.passed for c in outcome.checks), outcome.checks
    assert outcome.score == 0.0
    assert tuple(c.value_json for c in outcome.checks) == read  # what they hold
