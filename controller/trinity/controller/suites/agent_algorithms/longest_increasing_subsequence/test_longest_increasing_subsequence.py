"""Hidden checks for agent_algorithms/longest_increasing_subsequence.

Every returned list is verified (a subsequence of the input, strictly increasing), and
only its length is compared with the best, so any longest subsequence passes.
comparison_budget passes ints of a subclass that counts comparisons; large runs last.
"""

import copy
import random

from solution import longest_increasing_subsequence as lis


class Counted(int):
    """An int that counts the comparisons it takes part in while counting is on."""

    count = 0
    on = False
    limit = None

    def _tick(self):
        if Counted.on:
            Counted.count += 1
            if Counted.limit is not None and Counted.count > Counted.limit:
                Counted.on = False
                raise AssertionError(f"more than {Counted.limit} comparisons: not O(n log n)")

    def __lt__(self, other):
        self._tick()
        return int(self) < other

    def __le__(self, other):
        self._tick()
        return int(self) <= other

    def __gt__(self, other):
        self._tick()
        return int(self) > other

    def __ge__(self, other):
        self._tick()
        return int(self) >= other

    def __eq__(self, other):
        self._tick()
        return int(self) == other

    def __ne__(self, other):
        self._tick()
        return int(self) != other

    __hash__ = int.__hash__


def _verified(seq, result):
    """len(result), after checking it is a strictly increasing subsequence of seq."""
    Counted.on = False
    assert isinstance(result, list), f"expected a list, got {type(result).__name__}"
    for i in range(1, len(result)):
        a, b = result[i - 1], result[i]
        assert int(a) < int(b), f"not strictly increasing: ... {a!r}, {b!r} ..."
    position = 0
    for value in result:
        while position < len(seq) and int(seq[position]) != int(value):
            position += 1
        assert position < len(seq), f"{value!r} is not next in order in the input"
        position += 1
    return len(result)


def _best_length(seq):
    """O(n^2) oracle for small inputs."""
    best = [1] * len(seq)
    for i in range(len(seq)):
        for j in range(i):
            if seq[j] < seq[i] and best[j] + 1 > best[i]:
                best[i] = best[j] + 1
    return max(best, default=0)


def _lengths(seqs):
    return [_verified(seq, lis(list(seq))) for seq in seqs]


def check_basic():
    return _lengths([
        [10, 9, 2, 5, 3, 7, 101, 18],
        [0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15],
        [3, 4, 5, 1, 2],
        [1, 2, 3, 4, 5, 6],
        [7, 3, 8, 4, 9, 5, 10],
    ])  # fmt: skip


def check_unique_answers():
    return [lis([5, 1, 2, 3, 0, 4]), lis([3, 4, 5, 1]), lis([9, 1, 8, 2, 7, 3, 6, 4, 5]),
            lis([2, 6, 3, 4, 1, 2, 9, 5, 8])]  # fmt: skip


def check_strictly_increasing():
    return _lengths([[2, 2, 2, 2], [1, 3, 3, 4], [5, 5, 6, 6, 7, 7], [1, 1, 2, 2, 1, 3]])


def check_empty_and_single():
    got = [lis([]), lis([42]), lis([-7])]
    assert got == [[], [42], [-7]], f"got {got!r}"


def check_decreasing_and_negative():
    assert _verified([5, 4, 3, 2, 1], lis([5, 4, 3, 2, 1])) == 1
    seq = [-3, -10, -2, -8, -1, -9, 0]
    assert _verified(seq, lis(seq)) == 4, "negative numbers"
    seq = [10**18, -(10**18), 0, 10**18 + 1]
    assert _verified(seq, lis(seq)) == 3, "large numbers"


def check_input_unchanged():
    seq = [4, 1, 3, 2, 5, 0, 6]
    before = copy.deepcopy(seq)
    result = lis(seq)
    assert seq == before, f"the input changed: {seq!r}"
    assert _verified(seq, result) == 4


def check_random_small():
    rng = random.Random(2718)
    for round_ in range(300):
        n = rng.randint(0, 40)
        seq = [rng.randint(-15, 15) for _ in range(n)]
        got = _verified(seq, lis(list(seq)))
        want = _best_length(seq)
        assert got == want, f"round {round_}: {seq!r}: length {got}, want {want}"


def check_comparison_budget():
    """4,000 elements; at most 480,000 comparisons (patience sorting needs ~55,000)."""
    rng = random.Random(31337)
    seq = [Counted(rng.randint(0, 10**6)) for _ in range(4000)]
    Counted.count, Counted.limit, Counted.on = 0, 480_000, True
    try:
        result = lis(seq)
    finally:
        Counted.on = False
    return _verified(seq, result)


def _lcg_sequence(n, seed):
    """A rising trend with noise: the longest subsequence is thousands long."""
    state, out = seed, []
    for i in range(n):
        state = (state * 6364136223846793005 + 1442695040888963407) % 2**64
        out.append(i * 3 + (state >> 40) % 2000 - 1000)
    return out


def check_large():
    """100,000 plain ints, a longest subsequence of 7,484: needs O(n log n) time
    and no recursion per element."""
    seq = _lcg_sequence(100_000, 99)
    return _verified(seq, lis(seq))
