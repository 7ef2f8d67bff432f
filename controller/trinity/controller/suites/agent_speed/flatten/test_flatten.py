"""Hidden checks for agent_speed/flatten.

deep_nesting runs last: a solution that recurses once per level may crash the process,
which then fails only that check.
"""

import copy
import random

from solution import flatten


def _as_lists(value):
    """Nested data with every list checked to be a list (JSON reads tuples as lists)."""
    if isinstance(value, tuple):
        raise AssertionError(f"a tuple {value!r} where a list was expected")
    if isinstance(value, list):
        return [_as_lists(v) for v in value]
    return value


def _flat(items, depth=None):
    result = flatten(items, depth) if depth is not None else flatten(items)
    assert isinstance(result, list), f"flatten returned a {type(result).__name__}, not a list"
    return result


def _oracle(items, depth):
    out = []
    for item in items:
        if isinstance(item, (list, tuple)) and (depth is None or depth > 0):
            out.extend(_oracle(item, None if depth is None else depth - 1))
        else:
            out.append(item)
    return out


def check_basic():
    return [
        _as_lists(_flat([1, [2, [3, [4]], 5], (6, 7), []])),
        _as_lists(_flat([[[]], (), [[], ()]])),
        _as_lists(_flat([])),
        _as_lists(_flat(("a", ["b"], (("c",),)))),
        _as_lists(_flat([0, [0], [[0]], [[[1]]]])),
    ]


def check_atoms_kept():
    atoms = ["ab", b"cd", {"k": [1, 2]}, {1, 2}, None, range(3), 3.5, frozenset([4]),
             bytearray(b"x"), "", 0, False]  # fmt: skip
    gen = (x for x in [1, 2])
    nested = [atoms[0], [atoms[1], (atoms[2], [atoms[3]])], [[atoms[4:8]]], atoms[8:], gen]
    got = _flat(nested)
    want = [*atoms, gen]
    assert len(got) == len(want), f"got {len(got)} items, want {len(want)}: {got!r}"
    for index, (g, w) in enumerate(zip(got, want, strict=True)):
        assert g is w, f"item {index}: got {g!r}, want the original {w!r}"


def check_depth_limits():
    nested = [1, [2, [3, [4, [5]]]]]
    return [_as_lists(_flat(nested, depth)) for depth in (0, 1, 2, 3, 4, 5, 100)]


def check_depth_zero_copies():
    inner = [2, 3]
    items = [1, inner, (4,)]
    got = _flat(items, 0)
    assert got is not items, "depth=0 returned items itself, not a new list"
    assert got == items and got[1] is inner and got[2] == (4,), f"got {got!r}"
    got.append("extra")
    assert items == [1, [2, 3], (4,)], "changing the result changed items"
    from_tuple = _flat((1, [2]), 0)
    assert from_tuple == [1, [2]], f"depth=0 of a tuple: {from_tuple!r}"
    one = _flat([[1, [2]], 3], 1)
    assert one == [1, [2], 3], f"depth=1: {one!r}"


def check_tuples():
    got = _flat(((1, (2, [3, (4,)])), [(5,), 6]))
    assert got == [1, 2, 3, 4, 5, 6], f"got {got!r}"
    partial = _flat([(1, (2, (3,))), [4]], 2)
    assert partial == [1, 2, (3,), 4] and isinstance(partial[2], tuple), f"got {partial!r}"


def check_input_unchanged():
    items = [1, [2, [3, (4, [5])]], [], ([6],), "seven"]
    before = copy.deepcopy(items)
    inner = items[1]
    _flat(items)
    _flat(items, 1)
    _flat(items, 2)
    assert items == before, f"items changed: {items!r}"
    assert items[1] is inner and inner == [2, [3, (4, [5])]], "an inner list changed"


def check_shared_sublists():
    shared = [1, [2]]
    got = _flat([shared, shared, [shared, (shared,)]])
    assert got == [1, 2] * 4, f"got {got!r}"
    assert shared == [1, [2]], "the shared list was changed"
    got = _flat([shared, shared], 1)
    assert got == [1, [2], 1, [2]] and got[1] is shared[1], f"depth=1: {got!r}"


def check_bad_depth():
    for depth in (-1, -5):
        try:
            flatten([1, [2]], depth)
        except ValueError:
            continue
        raise AssertionError(f"depth={depth}: no ValueError")
    for depth in (1.5, "2", [1], 2.0):
        try:
            flatten([1, [2]], depth)
        except TypeError:
            continue
        except Exception as exc:  # the wrong exception fails the check
            raise AssertionError(f"depth={depth!r} raised {type(exc).__name__}") from None
        raise AssertionError(f"depth={depth!r}: no TypeError")


def check_bad_items():
    for items in ("abc", 5, None, {"a": 1}, {1, 2}, range(3), b"xy"):
        try:
            flatten(items)
        except TypeError:
            continue
        except Exception as exc:  # the wrong exception fails the check
            raise AssertionError(f"flatten({items!r}) raised {type(exc).__name__}") from None
        raise AssertionError(f"flatten({items!r}) did not raise TypeError")


def _random_nested(rng, level):
    out = []
    for _ in range(rng.randint(0, 4)):
        roll = rng.random()
        if roll < 0.35 and level < 6:
            inner = _random_nested(rng, level + 1)
            out.append(tuple(inner) if rng.random() < 0.3 else inner)
        else:
            out.append(rng.choice([rng.randint(0, 99), "s", None, (), []][: 3 + (roll > 0.9)]))
    return out


def check_random():
    rng = random.Random(1312)
    for round_ in range(400):
        items = _random_nested(rng, 0)
        depth = rng.choice([None, 0, 1, 2, 3, 4, 7])
        before = copy.deepcopy(items)
        got = _flat(items, depth)
        want = _oracle(items, depth)
        assert got == want, f"round {round_}, depth {depth}: got {got!r}, want {want!r}"
        assert items == before, f"round {round_}: items changed"


def check_deep_nesting():
    levels = 50_000
    innermost = ["bottom"]
    node, marks = innermost, []
    for level in range(1, levels + 1):
        if level % 10_000 == 0:
            node = [f"before {level}", node, (f"after {level}",)]
            marks.append(level)
        else:
            node = [node] if level % 2 else (node,)
    top = node
    got = _flat(top)
    want = [f"before {m}" for m in reversed(marks)] + ["bottom"]
    want += [f"after {m}" for m in marks]
    assert got == want, f"got {got[:12]!r}..., want {want[:12]!r}..."
    shallow = _flat(top, 2)
    assert len(shallow) == 3 and shallow[0] == f"before {levels}", "depth=2, 50,000 levels"
    assert shallow[1] is top[1][0][0] and shallow[2] == f"after {levels}", "depth=2 kept levels"
