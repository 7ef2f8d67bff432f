"""Hidden checks for agent_speed/parse_duration.

Value checks return the solution's results as plain data ([expected] compares them by
type and value outside the sandbox). Rejection checks try each bad input on its own.
"""

import random

from solution import parse_duration


def _is_int(value):
    """An int, a subclass of int too, but never a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


UNITS = (("d", 86400), ("h", 3600), ("m", 60), ("s", 1))


def _rejects(exc_type, bad_inputs):
    accepted = []
    for text in bad_inputs:
        try:
            result = parse_duration(text)
        except exc_type:
            continue
        except Exception as exc:  # a wrong exception type is a failure too
            accepted.append(f"{text!r} raised {type(exc).__name__}")
            continue
        accepted.append(f"{text!r} returned {result!r}")
    assert not accepted, f"expected {exc_type.__name__}: " + "; ".join(accepted)


def check_basic():
    texts = ["1h30m", "45s", "2d", "1d2h3m4s", "90m", "10m5s", "1d1s", "3h", "1h1s", "100s"]
    return [parse_duration(t) for t in texts]


def check_zeros_and_large():
    texts = ["0s", "0d0h0m0s", "007s", "00h01m", "100000d", "99999999999999999999s",
             "1000000000000000000h"]  # fmt: skip
    return [parse_duration(t) for t in texts]


def check_order_enforced():
    _rejects(ValueError, ["30m1h", "1s1m", "1h1d", "5s2d", "1m1h1s", "1d1s1h", "1s1d"])


def check_repeated_units():
    _rejects(ValueError, ["1h1h", "1m30m", "1d2h1d", "0s0s", "1h2m3m", "1s1s1s"])


def check_missing_parts():
    _rejects(ValueError, ["", "h", "s", "10", "0", "1h30", "m30", "1hm", "dhms", "1d2h3m4"])


def check_bad_characters():
    _rejects(
        ValueError,
        ["1H", "1D", "1M30S", "1x", "5w", "1.5h", "1h0.5m", "-1h", "+1h", "1h-30m", "1ms",
         "1_000s", "1,000s", "1h,30m", "1h:30m", "1e3s", "0x10s", "1h30m!"],
    )  # fmt: skip


def check_whitespace():
    _rejects(ValueError, [" 1h", "1h ", "1 h", "1h 30m", "1h\n", "\t1h", "1h\t30m", " ",
                          "1h\r\n", "\n"])  # fmt: skip


def check_non_ascii_digits():
    # Arabic-Indic one, fullwidth digits, superscript two, Devanagari five: int() accepts
    # some of them and str.isdigit() all of them, but they are not ASCII digits.
    _rejects(ValueError, ["\u0661h", "\uff11\uff10m", "1h\uff13\uff10m", "\u00b2s",
                          "\u096bs", "1\u0660s"])  # fmt: skip


def check_not_a_string():
    _rejects(TypeError, [None, 90, 5400.0, b"1h", bytearray(b"1h"), ["1h"], ("1h",)])


def check_random_valid():
    rng = random.Random(4242)
    for round_ in range(400):
        parts, want = [], 0
        while not parts:
            for unit, seconds in UNITS:
                if rng.random() < 0.5:
                    amount = rng.choice([rng.randint(0, 99), rng.randint(0, 10**6),
                                         rng.randint(10**16, 10**22)])  # fmt: skip
                    zeros = "0" * rng.choice([0, 0, 0, 1, 3])
                    parts.append(f"{zeros}{amount}{unit}")
                    want += amount * seconds
        text = "".join(parts)
        got = parse_duration(text)
        assert _is_int(got), f"round {round_}: {text!r} gave a {type(got).__name__}"
        assert got == want, f"round {round_}: {text!r}: got {got!r}, want {want!r}"
