"""Hidden checks for coding_strings/run_length.

Value checks return the solution's strings (compared by type and value outside the
sandbox); a non-str result fails the check inside it. Strings that hold backslashes are
written with explicit escapes here to keep the expected JSON readable.
"""

import random

from solution import decode, encode

BS = "\\"
DIGITS = "0123456789"


def _str(value):
    assert isinstance(value, str), f"expected a str, got {type(value).__name__}: {value!r}"
    return value


def _oracle_encode(text):
    out = []
    i = 0
    while i < len(text):
        j = i
        while j < len(text) and text[j] == text[i]:
            j += 1
        if j - i > 1:
            out.append(str(j - i))
        if text[i] in DIGITS or text[i] == BS:
            out.append(BS)
        out.append(text[i])
        i = j
    return "".join(out)


def check_encode_basic():
    cases = ["aaabccdddd", "", "a", "ab", "aaAA", "  x  ", "zzzzzzzzz", "abcabc", "a-b--c---"]
    return [_str(encode(case)) for case in cases]


def check_encode_escapes():
    cases = [
        "x1111",
        "7",
        "a" + BS * 2 + "b",
        BS,
        "zz7" + "y" * 12,
        "1234",
        "00",
        BS + "n",
        "a" + "9" * 11,
        "2" + BS + BS + BS + "3",
    ]
    return [_str(encode(case)) for case in cases]


def check_encode_long_runs():
    cases = ["a" * 10, "b" * 12 + "c", "d" * 99 + "e" * 100, "f" * 1000 + "5" * 10, "g" * 123456]
    return [_str(encode(case)) for case in cases]


def check_encode_unicode():
    cases = ["ééé", "한한국", "🙂🙂🙂!", "٣٣٣", "²", "e\u0301\u0301", "\n\n\t", "ǅǅ"]
    return [_str(encode(case)) for case in cases]


def check_decode_basic():
    cases = ["3ab2c4d", "", "a", "10x", "2 y2 ", "21z", "12ab"]
    return [_str(decode(case)) for case in cases]


def check_decode_noncanonical():
    cases = ["2a3a", "1a1b", "1a", "aaa", "1" + BS + "5", "2a2a2a", "11" + BS + BS]
    return [_str(decode(case)) for case in cases]


def check_decode_escapes():
    cases = [
        "x4" + BS + "1",
        "a2" + BS + BS + "b",
        "2z" + BS + "712y",
        BS + "0" + BS + "9",
        "3" + BS + BS,
        "é٣2²",
        "12" + BS + "3",
    ]
    return [_str(decode(case)) for case in cases]


def check_decode_errors():
    bad = [
        "0a",
        "05a",
        "a00b",
        "3",
        "ab12",
        "ab" + BS,
        BS,
        BS + "n",
        "2" + BS + "a",
        "a" + BS + " ",
        "3" + BS,
        "007",
        "1" + BS + "é",
    ]
    accepted = []
    for data in bad:
        try:
            result = decode(data)
        except ValueError:
            continue
        accepted.append((data, result))
    assert not accepted, f"decode accepted malformed input (no ValueError): {accepted!r}"
    return len(bad)


def check_roundtrip_random():
    rng = random.Random(5150)
    alphabet = "aab1" + BS + "09 é٣\n"
    for round_ in range(400):
        length = rng.randint(0, 40)
        text = "".join(rng.choice(alphabet) * rng.choice((1, 1, 1, 2, 3, 9, 10, 11, 25))
                       for _ in range(length))  # fmt: skip
        got = _str(encode(text))
        want = _oracle_encode(text)
        assert got == want, f"round {round_}: encode({text!r}) = {got!r}, want {want!r}"
        back = _str(decode(got))
        assert back == text, f"round {round_}: decode({got!r}) = {back!r}, want {text!r}"


def check_large_input():
    rng = random.Random(77)
    parts = []
    total = 0
    while total < 200_000:
        parts.append(rng.choice("ab7" + BS) * rng.choice((1, 1, 2, 5)))
        total += len(parts[-1])
    text = "".join(parts)
    encoded = _str(encode(text))
    assert encoded == _oracle_encode(text), "encode of a 200,000-character text is wrong"
    assert _str(decode(encoded)) == text, "decode of a long encoding does not round-trip"
    plain = "".join(rng.choice("xyz") for _ in range(200_000))
    assert _str(decode(plain)) == plain, "decode of 200,000 single tokens is wrong"
    return [len(encoded), _str(encode("x" * 200_000)), len(_str(decode("200000q")))]
