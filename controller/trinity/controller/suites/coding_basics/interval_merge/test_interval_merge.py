"""Hidden checks for coding_basics/interval_merge: any correct merge passes.

Results are returned as plain [start, end] lists (a tuple and a list read the same).
"""

import random

from solution import merge_intervals


def _is_int(value):
    """An int, a subclass of int too, but never a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


def _plain(result):
    assert isinstance(result, list), f"expected a list, got {type(result).__name__}"
    out = []
    for item in result:
        assert isinstance(item, (tuple, list)) and len(item) == 2, f"not a pair: {item!r}"
        start, end = item
        assert _is_int(start) and _is_int(end), f"not ints: {item!r}"
        out.append([start, end])
    return out


def _oracle(intervals):
    merged = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def check_basic():
    return _plain(merge_intervals([(1, 3), (2, 6), (8, 10), (15, 18)]))


def check_unsorted():
    return _plain(merge_intervals([(15, 18), (8, 10), (2, 6), (-2, 0), (1, 3)]))


def check_touching():
    return [
        _plain(merge_intervals([(3, 5), (1, 3)])),
        _plain(merge_intervals([(3, 4), (1, 2)])),
        _plain(merge_intervals([(0, 3), (6, 9), (3, 6)])),
    ]


def check_contained():
    return [
        _plain(merge_intervals([(1, 10), (2, 3), (4, 5)])),
        _plain(merge_intervals([(1, 10), (2, 3), (9, 9), (12, 13)])),
        _plain(merge_intervals([(0, 20), (1, 5), (5, 6), (19, 20), (20, 20)])),
    ]


def check_empty_and_points():
    assert _plain(merge_intervals([])) == []
    assert _plain(merge_intervals([(5, 5)])) == [[5, 5]]
    assert _plain(merge_intervals([(0, 0), (0, 0)])) == [[0, 0]]
    assert _plain(merge_intervals([(2, 2), (1, 1), (3, 3)])) == [[1, 1], [2, 2], [3, 3]]
    assert _plain(merge_intervals([(1, 4), (1, 4), (2, 3)])) == [[1, 4]]


def check_negatives():
    return _plain(merge_intervals([(-5, -4), (-1, 2), (-10, -6), (-3, 0), (-6, -5)]))


def check_invalid_raises():
    for bad in ([(3, 1)], [(0, 1), (5, 4)], [(1, 2), (2, 3), (10, -10)]):
        try:
            result = merge_intervals(bad)
        except ValueError:
            continue
        raise AssertionError(f"merge_intervals({bad!r}) returned {result!r}, not ValueError")


def check_input_unchanged():
    data = [(8, 10), (1, 3), (2, 6), (15, 18), (1, 3)]
    before = list(data)
    result = merge_intervals(data)
    assert data == before, f"the input list was modified: {data!r}"
    assert result is not data, "returned the input list itself, not a new list"


def check_random():
    rng = random.Random(424242)
    for round_ in range(200):
        intervals = []
        for _ in range(rng.randint(0, 40)):
            start = rng.randint(-50, 50)
            intervals.append((start, start + rng.choice([0, 0, 1, 2, 3, 5, 8, 20])))
        got = _plain(merge_intervals(list(intervals)))
        want = _oracle(intervals)
        assert got == want, f"round {round_}: {intervals!r}: got {got!r}, want {want!r}"
    big = [(i * 3, i * 3 + rng.randint(0, 4)) for i in range(20000)]
    rng.shuffle(big)
    assert _plain(merge_intervals(big)) == _oracle(big), "20,000 intervals: wrong result"
