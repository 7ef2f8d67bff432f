"""Hidden checks for coding_basics/word_frequency.

Value checks return the solution's list as plain data ([expected] compares it by type and
value outside the sandbox; a tuple and a list both read as a JSON list).
"""

import random
import re

from solution import top_words


def _is_int(value):
    """An int, a subclass of int too, but never a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


def _plain(result):
    """The result as a list of [word, count] pairs (a str, an int that is not a bool), or an
    AssertionError."""
    assert isinstance(result, list), f"expected a list, got {type(result).__name__}"
    pairs = []
    for item in result:
        assert isinstance(item, (tuple, list)) and len(item) == 2, f"not a pair: {item!r}"
        word, count = item
        assert isinstance(word, str), f"word {word!r} is not a str"
        assert _is_int(count), f"count {count!r} is not an int"
        pairs.append([word, count])
    return pairs


def _oracle(text, k):
    counts = {}
    for word in re.findall(r"[A-Za-z]+", text):
        counts[word.lower()] = counts.get(word.lower(), 0) + 1
    return [[w, c] for w, c in sorted(counts.items(), key=lambda wc: (-wc[1], wc[0]))[:k]]


def check_basic():
    return _plain(top_words("the cat sat on the mat the cat", 3))


def check_case_insensitive():
    return _plain(top_words("Apple apple APPLE aPPle Banana BANANA", 5))


def check_separators():
    # abc, def, don, t, don, t, abc, abc, world
    return _plain(top_words("abc123def don't\tDon't--abc_abc\nworld!!!", 10))


def check_ties_alphabetical():
    text = "zebra banana apple cherry mango cherry apple banana zebra cherry"
    return _plain(top_words(text, 5))


def check_fewer_than_k():
    return _plain(top_words("one two one three", 10))


def check_zero_and_empty():
    assert _plain(top_words("some words here", 0)) == []
    assert _plain(top_words("", 3)) == []
    assert _plain(top_words("123 ... !!! 456 '_'", 3)) == []
    assert _plain(top_words("", 0)) == []


def check_negative_k():
    for k in (-1, -5):
        try:
            top_words("a b c", k)
        except ValueError:
            continue
        raise AssertionError(f"top_words(..., {k}) did not raise ValueError")


def check_random_text():
    rng = random.Random(20241124)
    vocab = ["alpha", "beta", "Gamma", "delta", "eps", "zeta", "eta", "theta", "iota", "kappa",
             "LAMBDA", "mu", "nu", "xi", "omicron", "pi", "rho", "sigma", "tau", "upsilon"]  # fmt: skip
    seps = [" ", "  ", "\n", ", ", ". ", "-", "'", "1", "_", "\t", "?!"]
    for round_ in range(30):
        words = rng.choices(vocab, k=rng.randint(0, 300))
        text = "".join(w.swapcase() if rng.random() < 0.2 else w for w in
                       (x for word in words for x in (word, rng.choice(seps))))  # fmt: skip
        k = rng.randint(0, 25)
        got = _plain(top_words(text, k))
        want = _oracle(text, k)
        assert got == want, f"round {round_}: k={k}: got {got[:6]}..., want {want[:6]}..."
