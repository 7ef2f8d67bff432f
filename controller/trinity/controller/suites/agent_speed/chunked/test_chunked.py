"""Hidden checks for agent_speed/chunked.

Iterators passed in count their reads and refuse to be read far past what any check
needs, so an eager solution fails its check instead of hanging the run.
"""

import random

from solution import chunked


class Counting:
    """An iterator over 0, 1, 2, ... (or over `items`) that counts reads and stops a
    solution that reads more than `limit` items."""

    def __init__(self, items=None, limit=10_000):
        self.items = items
        self.reads = 0
        self.limit = limit

    def __iter__(self):
        return self

    def __next__(self):
        if self.items is not None and self.reads >= len(self.items):
            raise StopIteration
        self.reads += 1
        if self.reads > self.limit:
            raise AssertionError(f"read {self.reads} items: the solution is not lazy")
        return self.reads - 1 if self.items is None else self.items[self.reads - 1]


class OnceOnly:
    """An iterable that may be iterated only once."""

    def __init__(self, items):
        self.items = items
        self.used = False

    def __iter__(self):
        assert not self.used, "the iterable was iterated twice"
        self.used = True
        return iter(self.items)


def _chunks(iterable, size):
    out = []
    for chunk in chunked(iterable, size):
        assert isinstance(chunk, list), f"a chunk is a {type(chunk).__name__}, not a list"
        out.append(list(chunk))
    return out


def check_basic():
    return [_chunks(range(10), 3), _chunks([0, 1, 2, 3, 4, 5], 2), _chunks("abc", 1)]


def check_edge_lengths():
    return [
        _chunks([], 3),
        _chunks("abc", 5),
        _chunks((1, 2, 3), 3),
        _chunks(iter([1, 2, 3]), 2),
        _chunks(iter(()), 1),
    ]


def check_chunks_are_new_lists():
    kept = []
    for chunk in chunked(range(9), 3):
        assert isinstance(chunk, list), f"a chunk is a {type(chunk).__name__}, not a list"
        kept.append(chunk)
        chunk.append("caller's")  # the caller owns it
    assert len({id(c) for c in kept}) == 3, "the same list object was returned twice"
    want = [[0, 1, 2, "caller's"], [3, 4, 5, "caller's"], [6, 7, 8, "caller's"]]
    assert kept == want, f"chunks changed after they were returned: {kept!r}"
    source = [[1], [2], [3], [4]]
    first, second = chunked(source, 2)
    first.clear()
    assert source == [[1], [2], [3], [4]] and second == [[3], [4]], "the input was changed"


def check_iterator_protocol():
    result = chunked([1, 2, 3], 2)
    assert iter(result) is result, "the result is not an iterator"
    assert next(result) == [1, 2]
    assert next(result) == [3]
    for _ in range(2):
        try:
            value = next(result)
        except StopIteration:
            continue
        raise AssertionError(f"an exhausted iterator returned {value!r}")


def check_infinite_input():
    source = Counting()
    result = chunked(source, 4)
    got = [next(result) for _ in range(3)]
    assert got == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]], f"got {got!r}"


def check_no_read_ahead():
    source = Counting()
    result = chunked(source, 5)
    assert source.reads == 0, f"{source.reads} items read before any chunk was asked for"
    for k in (1, 2, 3):
        next(result)
        assert source.reads == 5 * k, f"after chunk {k}: {source.reads} items read"
    finite = Counting(items=list(range(7)), limit=100)
    result = chunked(finite, 3)
    assert next(result) == [0, 1, 2] and finite.reads == 3, f"{finite.reads} reads"
    assert next(result) == [3, 4, 5] and finite.reads == 6, f"{finite.reads} reads"
    assert next(result) == [6], "the last, shorter chunk"


def check_one_shot_iterables():
    gen = (x * x for x in range(7))
    assert _chunks(gen, 3) == [[0, 1, 4], [9, 16, 25], [36]]
    assert _chunks(OnceOnly("abcde"), 2) == [["a", "b"], ["c", "d"], ["e"]]
    assert _chunks({"k": 1}.keys(), 4) == [["k"]]


def check_bad_size_value():
    for size in (0, -1, -10):
        try:
            chunked([1, 2, 3], size)
        except ValueError:
            continue
        raise AssertionError(f"chunked(..., {size}) did not raise ValueError when called")


def check_bad_size_type():
    for size in (2.0, "2", None, 1.5, [2]):
        try:
            chunked([1, 2, 3], size)
        except TypeError:
            continue
        except Exception as exc:  # the wrong type fails the check
            raise AssertionError(f"size={size!r} raised {type(exc).__name__}") from None
        raise AssertionError(f"chunked(..., {size!r}) did not raise TypeError when called")


def check_not_iterable():
    for bad in (5, None, 3.5):
        try:
            next(chunked(bad, 2))
        except TypeError:
            continue
        except Exception as exc:  # the wrong type fails the check
            raise AssertionError(f"chunked({bad!r}, 2) raised {type(exc).__name__}") from None
        raise AssertionError(f"chunked({bad!r}, 2) did not raise TypeError")


def check_random():
    rng = random.Random(99)
    for round_ in range(300):
        items = [rng.randint(-50, 50) for _ in range(rng.randint(0, 40))]
        size = rng.randint(1, 12)
        source = iter(items) if rng.random() < 0.5 else list(items)
        want = [items[i : i + size] for i in range(0, len(items), size)]
        got = _chunks(source, size)
        assert got == want, f"round {round_}: {len(items)} items, size {size}: got {got!r}"
