"""The check runner's rule for returned values: a subclass of a plain type is read as its
base type, by the base type's own code, so it is exactly what it holds whatever its
overridden methods say; bool is never an int; what is not plain data is refused."""

from __future__ import annotations

import builtins
import enum
import json
import time
from collections import OrderedDict, UserList, defaultdict, namedtuple
from dataclasses import dataclass
from typing import Any, NamedTuple

import pytest
from trinity.agent import checkrunner
from trinity.agent.sandbox import same_value


class Edge(NamedTuple):
    source: str
    target: str
    weight: float


Pair = namedtuple("Pair", "left right")


def read(value: Any) -> Any:
    """What the agent compares: the runner's JSON, parsed."""
    return json.loads(checkrunner.to_json(value))


def test_a_namedtuple_reads_as_a_tuple_does():
    edges = [Edge("a", "b", 1.5), Edge("b", "c", 2.0)]
    assert read(edges) == [["a", "b", 1.5], ["b", "c", 2.0]]
    assert same_value(checkrunner.to_json(edges), '[["a", "b", 1.5], ["b", "c", 2.0]]')
    assert read(Pair(1, (2, 3))) == [1, [2, 3]]


def test_a_structseq_reads_as_its_fields():
    assert read(time.gmtime(0)) == [1970, 1, 1, 0, 0, 0, 3, 1, 0]


class Colour(str, enum.Enum):  # noqa: UP042 (the mixin form a solution may write)
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3
    ONE = 1


class Ratio(float):
    pass


def test_str_int_and_float_subclasses_read_as_the_value_they_hold():
    assert checkrunner.to_json([Colour.RED, Level.HIGH, Ratio(0.5)]) == '["red",3,0.5]'


def test_bool_never_reads_as_an_int_nor_an_int_as_a_bool():
    assert checkrunner.to_json([True, Level.ONE, 1]) == "[true,1,1]"
    assert not same_value(checkrunner.to_json(Level.ONE), "true")
    assert not same_value(checkrunner.to_json(True), "1")


def test_dict_subclasses_read_as_dicts():
    counts: defaultdict[str, list[int]] = defaultdict(list)
    counts["a"].append(1)
    ordered = OrderedDict([("x", 1), ("y", 2)])
    ordered.move_to_end("x")
    assert read({"counts": counts, "ordered": ordered}) == {
        "counts": {"a": [1]},
        "ordered": {"x": 1, "y": 2},
    }
    assert read({Colour.RED: 1}) == {"red": 1}


class LyingTuple(tuple):
    """Holds one thing, says another by every method a reader might call."""

    def __iter__(self):
        return iter((1, 2))

    def __len__(self) -> int:
        return 2

    def __getitem__(self, index):
        return (1, 2)[index]

    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = tuple.__hash__

    def __repr__(self) -> str:
        return "(1, 2)"


class LyingList(list):
    def __iter__(self):
        return iter([1, 2])

    def __len__(self) -> int:
        return 2

    def __getitem__(self, index):
        return [1, 2][index]

    def __eq__(self, other: object) -> bool:
        return True


class LyingDict(dict):
    def items(self):
        return [("a", 1)]

    def __iter__(self):
        return iter(["a"])

    def __getitem__(self, key):
        return 1

    def keys(self):
        return ["a"]


class LyingStr(str):
    def __str__(self) -> str:
        return "yes"

    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = str.__hash__


class LyingInt(int):
    def __repr__(self) -> str:
        return "5"

    def __int__(self) -> int:
        return 5

    def __index__(self) -> int:
        return 5


class LyingFloat(float):
    def __repr__(self) -> str:
        return "0.5"

    def __float__(self) -> float:
        return 0.5


@pytest.mark.parametrize(
    ("value", "held"),
    [
        (LyingTuple((9, 9, 9)), [9, 9, 9]),
        (LyingList([9]), [9]),
        (LyingDict(b=2), {"b": 2}),
        (LyingStr("no"), "no"),
        (LyingInt(3), 3),
        (LyingFloat(0.25), 0.25),
        ([LyingTuple(("x",))], [["x"]]),
    ],
    ids=["tuple", "list", "dict", "str", "int", "float", "nested"],
)
def test_a_lying_subclass_reads_as_what_it_holds(value, held):
    assert read(value) == held
    said = {"tuple": [1, 2], "list": [1, 2], "dict": {"a": 1}, "str": "yes", "int": 5,
            "float": 0.5}  # fmt: skip
    assert read(value) != said.get(type(value).__name__[5:].lower())


class Hostile(tuple):
    """Every method a reader could call raises: reading it must call none of them."""

    def __getattribute__(self, name):
        raise AssertionError(f"the reader looked up {name}")

    def __iter__(self):
        raise AssertionError("the reader called __iter__")

    def __len__(self):
        raise AssertionError("the reader called __len__")


def test_reading_a_subclass_runs_none_of_its_code():
    assert read(Hostile(("a", 1))) == ["a", 1]


class SameText(str):
    """Two of these with one text are two keys of one dict."""

    def __hash__(self) -> int:
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other


class PosingAsTuple:
    """isinstance(x, tuple) says yes through __class__; it holds no tuple."""

    @property  # type: ignore[misc]
    def __class__(self):
        return tuple

    def __iter__(self):
        return iter((1, 2))


@dataclass(frozen=True)
class Point:
    x: int
    y: int


@pytest.mark.parametrize(
    "value",
    [
        {SameText("k"): 1, SameText("k"): 2},
        PosingAsTuple(),
        UserList([1, 2]),  # not a list: reading it would mean running its code
        Point(1, 2),
        {1: 2},
        {Level.HIGH: 1},
    ],
    ids=["duplicate-key", "posing-as-tuple", "userlist", "dataclass", "int-key", "intenum-key"],
)
def test_what_is_not_plain_data_is_refused(value):
    with pytest.raises(checkrunner.NotPlainData):
        checkrunner.to_json(value)


def test_the_reader_keeps_its_tools_when_the_solution_replaces_builtins():
    """Bound before the solution is imported: a solution that then replaces issubclass
    and type (here for the span of two calls, so that pytest's own code never sees them)
    changes nothing."""
    to_json = checkrunner.make_to_json()
    real_type, real_issubclass = builtins.type, builtins.issubclass
    builtins.issubclass = lambda *args: True
    builtins.type = lambda value: tuple
    try:
        text = to_json([Edge("a", "b", 1.0), Colour.RED])
        refused = _refuses(to_json, {1, 2})
    finally:
        builtins.type, builtins.issubclass = real_type, real_issubclass
    assert text == '[["a","b",1.0],"red"]'
    assert refused


def _refuses(to_json: Any, value: Any) -> bool:
    try:
        to_json(value)
    except checkrunner.NotPlainData:
        return True
    return False


def test_an_int_too_long_to_write_is_not_plain_data_and_the_next_checks_still_run():
    """Python refuses to write an int of more than 4300 digits (ValueError): the reader
    says "not plain data" instead of ending the runner, whose later checks would then
    have no record and count as failed for a solution that passed them."""
    huge = 10**5000
    with pytest.raises(checkrunner.NotPlainData):
        checkrunner.to_json([1, huge])
    record = checkrunner.check_record("big", lambda: huge, [], "", lambda: 0.0)
    assert record["passed"] is True
    assert record["value_type"] == "int"
    assert record["value_why"] == "an int too long to write"
    assert "value" not in record
