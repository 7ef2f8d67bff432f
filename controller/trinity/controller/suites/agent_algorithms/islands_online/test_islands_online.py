"""Hidden checks for agent_algorithms/islands_online.

Counts come back as plain data for [expected]; the random check compares with a flood
fill of the whole grid after every addition. large runs last, so a solution that
recounts the grid each time fails that check alone when the run is stopped.
"""

import random

from solution import count_islands_after_additions as islands


def _is_int(value):
    """An int, a subclass of int too, but never a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


def _counts(rows, cols, positions):
    result = islands(rows, cols, positions)
    assert isinstance(result, list), f"expected a list, got {type(result).__name__}"
    assert len(result) == len(positions), f"{len(result)} counts for {len(positions)} additions"
    for count in result:
        assert _is_int(count), f"count {count!r} is not an int"
    return result


def _flood_count(rows, cols, land):
    seen, count = set(), 0
    for start in land:
        if start in seen:
            continue
        count += 1
        seen.add(start)
        stack = [start]
        while stack:
            r, c = stack.pop()
            for n in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
                if n in land and n not in seen:
                    seen.add(n)
                    stack.append(n)
    return count


def check_basic():
    return [
        _counts(3, 3, [(0, 0), (0, 1), (1, 2), (2, 1)]),
        _counts(1, 1, [(0, 0)]),
        _counts(2, 2, [(0, 0), (1, 1), (0, 1)]),
        _counts(1, 5, [(0, 0), (0, 2), (0, 4), (0, 1), (0, 3)]),
    ]


def check_merge_many():
    # (2, 2) joins four separate islands; then a ring closes around nothing.
    merged = _counts(5, 5, [(1, 2), (3, 2), (2, 1), (2, 3), (2, 2)])
    ring = _counts(3, 3, [(0, 0), (0, 1), (0, 2), (1, 2), (2, 2), (2, 1), (2, 0), (1, 0)])
    return [merged, ring]


def check_repeated_cell():
    return [
        _counts(3, 3, [(1, 1), (1, 1), (0, 0), (0, 0), (1, 1)]),
        _counts(2, 3, [(0, 0), (0, 1), (0, 0), (0, 2), (0, 1)]),
    ]


def check_diagonal_apart():
    return _counts(3, 3, [(0, 0), (1, 1), (2, 2), (0, 2), (2, 0), (1, 0)])


def check_row_ends_apart():
    # The last cell of a row and the first of the next are not neighbours.
    return [
        _counts(3, 4, [(0, 3), (1, 0), (2, 3), (1, 3)]),
        _counts(2, 2, [(0, 1), (1, 0)]),
        _counts(4, 1, [(0, 0), (2, 0), (1, 0), (3, 0)]),
    ]


def check_empty():
    assert _counts(4, 4, []) == [], "no additions"
    assert _counts(1, 1, []) == []


def check_invalid():
    bad = [(3, 3, [(-1, 0)]), (3, 3, [(0, -1)]), (3, 3, [(3, 0)]), (3, 3, [(0, 3)]),
           (3, 3, [(0, 0), (1, 1), (5, 5)]), (0, 3, []), (3, 0, []), (-2, 2, [(0, 0)])]  # fmt: skip
    for rows, cols, positions in bad:
        try:
            islands(rows, cols, positions)
        except ValueError:
            continue
        raise AssertionError(f"({rows}, {cols}, {positions!r}) did not raise ValueError")


def check_input_unchanged():
    positions = [(0, 0), [0, 1], (1, 1), (0, 0)]
    before = [tuple(p) for p in positions]
    assert _counts(2, 2, positions) == [1, 1, 1, 1]
    assert [tuple(p) for p in positions] == before and positions[1] == [0, 1], "input changed"


def check_random_small():
    rng = random.Random(8080)
    for round_ in range(120):
        rows, cols = rng.randint(1, 7), rng.randint(1, 7)
        positions = [(rng.randrange(rows), rng.randrange(cols)) for _ in range(rng.randint(0, 40))]
        got = _counts(rows, cols, positions)
        land, want = set(), []
        for p in positions:
            land.add(p)
            want.append(_flood_count(rows, cols, land))
        assert got == want, f"round {round_}: {rows}x{cols} {positions!r}: {got}, want {want}"


def _lcg_positions(rows, cols, n, seed):
    state, out = seed, []
    for _ in range(n):
        state = (state * 6364136223846793005 + 1442695040888963407) % 2**64
        r = (state >> 33) % rows
        state = (state * 6364136223846793005 + 1442695040888963407) % 2**64
        out.append((r, (state >> 33) % cols))
    return out


def check_large():
    """A 400 x 400 grid and 80,000 additions, then a 1 x 20,000 strip filled from both
    ends: union-find takes well under a second, a recount after each addition does not."""
    counts = _counts(400, 400, _lcg_positions(400, 400, 80_000, 7))
    strip = [(0, c) for pair in zip(range(0, 10_000), range(19_999, 9_999, -1), strict=True)
             for c in pair]  # fmt: skip
    strip_counts = _counts(1, 20_000, strip)
    return [sum(counts), max(counts), counts[-1], counts[9_999], counts[39_999],
            sum(strip_counts), strip_counts[-1]]  # fmt: skip
