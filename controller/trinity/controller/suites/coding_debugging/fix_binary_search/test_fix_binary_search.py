"""Hidden checks for coding_debugging/fix_binary_search: any correct leftmost binary
search passes.

Lists are passed as a list subclass that stops a run-away loop (the original bug) with an
error after far more reads than any search needs, so one hang cannot take the later
checks down with it. logarithmic_reads passes a read-only sequence of 1,000,000 virtual
elements and counts every element read, through any method.
"""

from collections.abc import Sequence
from itertools import combinations_with_replacement

from solution import binary_search


def _is_int(value):
    """An int, a subclass of int too, but never a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


class Guarded(list):
    def __init__(self, items):
        super().__init__(items)
        self.reads = 0
        self.budget = 200 + 8 * len(items)

    def __getitem__(self, index):
        self.reads += 1
        if self.reads > self.budget:
            raise RuntimeError(f"{self.reads} reads of a {len(self)}-element list: a loop "
                               "that never ends?")  # fmt: skip
        return super().__getitem__(index)


class Probe(Sequence):
    """items[i] == i // 3 for 0 <= i < n (each value three times), counting reads."""

    def __init__(self, n, limit):
        self.n, self.limit, self.reads = n, limit, 0

    def __len__(self):
        return self.n

    def __getitem__(self, index):
        if isinstance(index, slice):
            indices = range(*index.indices(self.n))
            self.reads += len(indices)
            self._check()
            return [i // 3 for i in indices]
        if index < 0:
            index += self.n
        if not 0 <= index < self.n:
            raise IndexError("index out of range")
        self.reads += 1
        self._check()
        return index // 3

    def _check(self):
        if self.reads > self.limit:
            raise AssertionError(f"more than {self.limit} reads of a {self.n}-element "
                                 "sequence: not O(log n)")  # fmt: skip


def _search(items, target):
    return binary_search(Guarded(items), target)


def _first(items, target):
    return items.index(target) if target in items else -1


def check_found_distinct():
    items = [-7, -2, 0, 3, 5, 8, 13, 21, 34]
    return [_search(items, x) for x in items]


def check_absent():
    items = [-7, -2, 0, 3, 5, 8, 13, 21, 34]
    return [_search(items, x) for x in (-100, -8, -1, 4, 20, 35, 10**9)]


def check_duplicates_leftmost():
    items = [1, 2, 2, 2, 3, 4, 4, 4, 4]
    got = [_search(items, x) for x in (1, 2, 3, 4)]
    same = [_search([7] * n, 7) for n in (1, 2)]
    return [*got, *same, _search([0, 0, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 9], 5)]


def check_empty():
    for target in (0, 1, -1, "a"):
        got = binary_search([], target)
        assert got == -1 and _is_int(got), f"binary_search([], {target!r}) = {got!r}"


def check_single_element():
    for target, want in ((5, 0), (4, -1), (6, -1)):
        got = _search([5], target)
        assert got == want, f"binary_search([5], {target}) = {got!r}, want {want}"


def check_two_elements():
    cases = {(1, 2): {0: -1, 1: 0, 2: 1, 3: -1}, (4, 4): {3: -1, 4: 0, 5: -1}}
    for items, answers in cases.items():
        for target, want in answers.items():
            got = _search(list(items), target)
            assert got == want, f"binary_search({list(items)}, {target}) = {got!r}, want {want}"


def check_strings():
    items = ["apple", "banana", "banana", "cherry", "date", "fig", "fig", "grape"]
    for target in [*items, "", "avocado", "coconut", "zucchini", "Apple"]:
        got = _search(items, target)
        want = _first(items, target)
        assert got == want, f"binary_search(..., {target!r}) = {got!r}, want {want}"


def check_exhaustive_small():
    for n in range(8):
        for combo in combinations_with_replacement(range(4), n):
            items = list(combo)
            for target in range(-1, 5):
                got = _search(items, target)
                want = _first(items, target)
                assert got == want and _is_int(got), (
                    f"binary_search({items}, {target}) = {got!r}, want {want}"
                )


def check_logarithmic_reads():
    n = 1_000_000
    for target, want in ((0, 0), (1, 3), (123456, 370368), (n // 3 - 1, n - 4),
                         (n // 3, n - 1), (-5, -1), (n, -1)):  # fmt: skip
        items = Probe(n, 60)
        got = binary_search(items, target)
        assert got == want, f"target {target}: got {got!r}, want {want}"


def check_input_unchanged():
    items = [1, 3, 3, 5, 8, 13]
    guarded = Guarded(items)
    for target in (0, 3, 4, 13, 14):
        binary_search(guarded, target)
    assert list(guarded) == items, f"the list was modified: {list(guarded)!r}"
