"""Hidden checks for coding_strings/edit_alignment.

Every script is verified, not compared with one answer: each operation well formed, the
operations read all of `a` in order and write exactly `b`, and their cost equals the
true distance (from the oracle below). Value checks return what the test computed from
the solution's output, compared outside the sandbox.
"""

import random

from solution import alignment, edit_distance


def _is_int(value):
    """An int, a subclass of int too, but never a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


COST = {"keep": 0, "sub": 1, "del": 1, "ins": 1}
ARITY = {"keep": 2, "sub": 3, "del": 2, "ins": 2}

PAIRS = [
    ("kitten", "sitting"),
    ("flaw", "lawn"),
    ("intention", "execution"),
    ("ab", "ba"),
    ("abc", "cab"),
    ("sunday", "saturday"),
    ("gumbo", "gambol"),
    ("book", "back"),
    ("aaaa", "aa"),
    ("abcdef", "azced"),
    ("distance", "editing"),
    ("a", "b"),
]


def _oracle(a, b):
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _distance(a, b):
    d = edit_distance(a, b)
    assert _is_int(d), f"edit_distance({a!r}, {b!r}) returned {type(d).__name__} {d!r}"
    return d


def _one_char(x):
    return isinstance(x, str) and len(x) == 1


def _verify(a, b):
    """Run alignment(a, b); return its cost after checking it is a valid script a -> b."""
    ops = alignment(a, b)
    assert isinstance(ops, list), f"alignment must return a list, got {type(ops).__name__}"
    i = 0
    out = []
    cost = 0
    for n, op in enumerate(ops):
        where = f"alignment({a!r}, {b!r}) operation {n} {op!r}"
        assert isinstance(op, (tuple, list)) and op, f"{where}: not a tuple"
        name = op[0]
        assert name in ARITY, f"{where}: unknown operation {name!r}"
        assert len(op) == ARITY[name], f"{where}: wrong number of items"
        assert all(_one_char(x) for x in op[1:]), f"{where}: items must be 1-character strs"
        if name in ("keep", "sub", "del"):
            assert i < len(a), f"{where}: reads past the end of a"
            assert a[i] == op[1], f"{where}: the next character of a is {a[i]!r}"
            i += 1
        if name == "keep":
            out.append(op[1])
        elif name == "sub":
            assert op[1] != op[2], f"{where}: a substitution must change the character"
            out.append(op[2])
        elif name == "ins":
            out.append(op[1])
        cost += COST[name]
    assert i == len(a), f"alignment({a!r}, {b!r}) reads {i} of {len(a)} characters of a"
    written = "".join(out)
    assert written == b, f"alignment({a!r}, {b!r}) writes {written!r}"
    best = _oracle(a, b)
    assert cost == best, f"alignment({a!r}, {b!r}) costs {cost}; the cheapest costs {best}"
    return cost


def _normal(ops):
    return [list(op) for op in ops]


def check_distance_known():
    return [_distance(a, b) for a, b in PAIRS]


def check_distance_edge_cases():
    cases = [("", ""), ("", "abc"), ("abcd", ""), ("same", "same"), ("a", "A"), ("ab", "abab"),
             ("xyz", "abc"), (" ", ""), ("aab", "abb")]  # fmt: skip
    return [_distance(a, b) for a, b in cases]


def check_distance_unicode():
    cases = [("café", "cafe"), ("naïve", "naive"), ("한국어", "한국"), ("🙂🙃", "🙃🙂"),
             ("e\u0301", "é"), ("Straße", "strasse")]  # fmt: skip
    return [_distance(a, b) for a, b in cases]


def check_alignment_known():
    return [_verify(a, b) for a, b in PAIRS]


def check_alignment_forced():
    # Each of these has exactly one cheapest script.
    cases = [("", ""), ("abc", ""), ("", "xy"), ("same", "same"), ("a", "b"), ("ab", "b"),
             ("héllo", "héllo"), ("ac", "abc")]  # fmt: skip
    out = []
    for a, b in cases:
        _verify(a, b)
        out.append(_normal(alignment(a, b)))
    return out


def check_alignment_format():
    ops = alignment("kitten", "sitting")
    assert isinstance(ops, list), "alignment must return a list"
    names = sorted({op[0] for op in ops})
    _verify("kitten", "sitting")
    _verify("a\tb\nc", "a b c")
    _verify("🙂x🙃", "x🙂")
    return names


def check_alignment_random():
    rng = random.Random(2718)
    costs = 0
    for round_ in range(250):
        alphabet = rng.choice(("ab", "abc", "abcdé", "xy z"))
        a = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        b = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        want = _oracle(a, b)
        got = _distance(a, b)
        assert got == want, f"round {round_}: edit_distance({a!r}, {b!r}) = {got}, want {want}"
        costs += _verify(a, b)
    return costs


def check_type_errors():
    bad = [(None, "abc"), ("abc", None), (["a", "b"], "ab"), ("ab", ["a", "b"]),
           (b"ab", "ab"), ("ab", b"ab"), (12, "12"), (("a",), ("a",))]  # fmt: skip
    missing = []
    for fn in (edit_distance, alignment):
        for a, b in bad:
            try:
                fn(a, b)
            except TypeError:
                continue
            except Exception as exc:
                missing.append(f"{fn.__name__}({a!r}, {b!r}) raised {type(exc).__name__}")
                continue
            missing.append(f"{fn.__name__}({a!r}, {b!r}) raised nothing")
    assert not missing, "; ".join(missing)
    return len(bad) * 2


def check_long_strings():
    rng = random.Random(31337)
    a = "".join(rng.choice("acgt") for _ in range(500))
    b = list(a[:480])
    for _ in range(60):
        pos = rng.randrange(len(b))
        action = rng.choice("sdi")
        if action == "s":
            b[pos] = rng.choice("acgt")
        elif action == "d":
            del b[pos]
        else:
            b.insert(pos, rng.choice("acgt"))
    b = "".join(b)
    want = _oracle(a, b)
    got = _distance(a, b)
    assert got == want, f"long strings: edit_distance = {got}, want {want}"
    return [got, _verify(a, b)]
