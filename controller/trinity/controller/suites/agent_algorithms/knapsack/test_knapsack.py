"""Hidden checks for agent_algorithms/knapsack.

Every returned item set is verified (distinct valid indices, total weight within the
capacity, total value equal to the returned best), so any optimal set passes. Best values
come back as plain data for [expected]; large runs last, so a solution too slow for 200
items fails that check alone when the run is stopped.
"""

import copy
import itertools
import random

from solution import knapsack


def _is_int(value):
    """An int, a subclass of int too, but never a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


def _solve(items, capacity):
    """The solution's (best, sorted indices), checked for shape and consistency."""
    result = knapsack(items, capacity)
    assert isinstance(result, (tuple, list)) and len(result) == 2, f"not a pair: {result!r}"
    best, chosen = result
    assert _is_int(best), f"best value {best!r} is not an int"
    assert isinstance(chosen, (list, tuple, set, frozenset)), f"chosen: {chosen!r}"
    indices = list(chosen)
    for i in indices:
        assert _is_int(i) and 0 <= i < len(items), f"bad index {i!r} in {indices!r}"
    assert len(set(indices)) == len(indices), f"an index is repeated: {indices!r}"
    weight = sum(items[i][0] for i in indices)
    value = sum(items[i][1] for i in indices)
    assert weight <= capacity, f"chosen {sorted(indices)} weigh {weight} > {capacity}"
    assert value == best, f"chosen {sorted(indices)} are worth {value}, not {best}"
    return best, sorted(indices)


def _brute(items, capacity):
    best = 0
    for r in range(len(items) + 1):
        for combo in itertools.combinations(items, r):
            if sum(w for w, _ in combo) <= capacity:
                best = max(best, sum(v for _, v in combo))
    return best


def check_basic():
    cases = [
        ([(1, 1), (3, 4), (4, 5), (5, 7)], 7),
        ([(10, 60), (20, 100), (30, 120)], 50),
        ([(5, 10), (4, 40), (6, 30), (3, 50)], 10),
        ([(2, 3)], 1),
        ([(2, 3), [3, 4], (4, 5), (5, 6)], 5),
    ]
    return [_solve(items, cap)[0] for items, cap in cases]


def check_chosen_set():
    best, chosen = _solve([(1, 1), (3, 4), (4, 5), (5, 7)], 7)
    assert chosen == [1, 2], f"the only optimal set is [1, 2], got {chosen!r}"
    best, chosen = _solve([(10, 60), (20, 100), (30, 120)], 50)
    assert chosen == [1, 2], f"the only optimal set is [1, 2], got {chosen!r}"
    best, chosen = _solve([(5, 10), (4, 40), (6, 30), (3, 50)], 10)
    assert chosen == [1, 3], f"the only optimal set is [1, 3], got {chosen!r}"
    # several optimal sets: any of them
    best, chosen = _solve([(2, 3), (2, 3), (4, 6), (1, 0)], 4)
    assert best == 6 and chosen in ([0, 1], [2]), f"got {chosen!r}"


def check_exact_capacity():
    best, chosen = _solve([(7, 9), (3, 2), (4, 2)], 7)
    assert (best, chosen) == (9, [0]), f"an item as heavy as the capacity fits: {best}"
    best, chosen = _solve([(3, 5), (4, 6), (8, 10)], 7)
    assert (best, chosen) == (11, [0, 1]), f"items filling the capacity exactly: {best}"


def check_zero_weight_and_capacity():
    best, chosen = _solve([(0, 5), (1, 1), (0, 2)], 0)
    assert (best, chosen) == (7, [0, 2]), f"zero-weight items always fit: {best}, {chosen}"
    best, chosen = _solve([(3, 5), (0, 4), (3, 5)], 3)
    assert best == 9 and 1 in chosen, f"got {best}, {chosen}"
    best, chosen = _solve([(1, 100), (2, 1)], 0)
    assert (best, chosen) == (0, []), f"capacity 0: {best}, {chosen}"


def check_empty():
    for items, cap in (([], 0), ([], 10), ([(5, 3)], 4), ([(1, 0), (2, 0)], 3)):
        best, _ = _solve(items, cap)
        assert best == 0, f"knapsack({items!r}, {cap}) best {best}"


def check_each_item_once():
    best, _ = _solve([(1, 10)], 5)
    assert best == 10, f"one item worth 10 may be taken once, got {best}"
    best, _ = _solve([(2, 5), (3, 1)], 9)
    assert best == 6, f"got {best}"


def check_not_greedy():
    # Best value per weight first would take item 0 and then nothing else fits.
    best, chosen = _solve([(6, 13), (5, 10), (5, 10)], 10)
    assert (best, chosen) == (20, [1, 2]), f"got {best}, {chosen}"
    # Most valuable first fails too.
    best, chosen = _solve([(9, 10), (5, 6), (4, 5)], 9)
    assert best == 11, f"got {best}"


def check_invalid():
    bad = [([(1, 1)], -1), ([(-1, 5)], 3), ([(2, -3)], 3), ([(1, 1), (2, 2), (-5, 1)], 10)]
    for items, cap in bad:
        try:
            knapsack(items, cap)
        except ValueError:
            continue
        raise AssertionError(f"knapsack({items!r}, {cap}) did not raise ValueError")


def check_input_unchanged():
    items = [(3, 4), (1, 1), [4, 5], (5, 7), (2, 3)]
    before = copy.deepcopy(items)
    _solve(items, 7)
    assert items == before, f"items changed: {items!r}"


def check_random_small():
    rng = random.Random(5150)
    for round_ in range(150):
        n = rng.randint(0, 9)
        items = [(rng.randint(0, 12), rng.randint(0, 30)) for _ in range(n)]
        cap = rng.randint(0, 40)
        best, _ = _solve(items, cap)
        want = _brute(items, cap)
        assert best == want, f"round {round_}: {items!r}, capacity {cap}: {best}, want {want}"


def _lcg_items(n, seed):
    state = seed
    out = []
    for _ in range(n):
        state = (state * 6364136223846793005 + 1442695040888963407) % 2**64
        weight = 1 + (state >> 33) % 120
        state = (state * 6364136223846793005 + 1442695040888963407) % 2**64
        value = weight + (state >> 33) % 60
        out.append((weight, value))
    return out


def check_large():
    """200 items, capacity 2,000: an O(n * capacity) solution takes well under a second;
    trying every subset never finishes."""
    items = _lcg_items(200, 2024)
    best, _ = _solve(items, 2000)
    return best
