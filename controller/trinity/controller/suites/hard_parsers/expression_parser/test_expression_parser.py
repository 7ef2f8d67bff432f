"""Hidden checks for hard_parsers/expression_parser: every expression is also valid
Python with the same meaning, so random_expressions uses Python itself as the oracle
(in the checks, not in the solution)."""

import math
import random

from solution import evaluate


def _kind(value):
    """int or float, which Python's operators would give; a subclass counts as its base, a
    bool as neither."""
    if isinstance(value, bool):
        return bool
    return next((kind for kind in (int, float) if isinstance(value, kind)), type(value))


def check_integers():
    return [evaluate(e) for e in ("1 + 2 * 3", "42", "0", "2 * 3 + 4 * 2", "(2 + 3) * 4")]


def check_left_associative():
    return [evaluate(e) for e in ("10 - 4 - 3", "100 / 10 / 5", "2 * 5 * 2", "8 - 3 - 2 - 2",
                                  "64 / 4 / 2 / 2")]  # fmt: skip


def check_power():
    return [evaluate(e) for e in ("2 ** 3 ** 2", "(2 ** 3) ** 2", "2 ** -1", "5 ** 0",
                                  "3 ** 2 ** 2", "2 ** -2")]  # fmt: skip


def check_unary_minus():
    cases = ("-3", "--3", "---3", "-2 ** 2", "(-2) ** 2", "2 * -3", "2 - -3", "-(1 + 2)",
             "-(2) ** 2", "2 ** -1", "-2 * 4")  # fmt: skip
    return [evaluate(e) for e in cases]


def check_parentheses():
    for depth in (1, 5, 40):
        text = "(" * depth + "7" + ")" * depth
        got = evaluate(text)
        assert got == 7 and _kind(got) is int, f"{depth} nested parentheses: {got!r}"
    cases = {"((1 + 2) * (3 + 4))": 21, "(1 + (2 * (3 + (4 * (5 + 6)))))": 95,
             "2 * (3 - (4 - 5))": 8, "(((2))) ** (((3)))": 8}  # fmt: skip
    for text, want in cases.items():
        got = evaluate(text)
        assert got == want and _kind(got) is int, f"evaluate({text!r}) = {got!r}, want {want}"


def check_floats_and_division():
    return [evaluate(e) for e in ("7 / 2", "1.5 * 4", "6 / 3", "3 / 4", "1.5 + 1.5",
                                  "-5 / 2", "0.25 * 4")]  # fmt: skip


def check_whitespace():
    cases = {"1+2": 3, "  1 + 2  ": 3, "\t3 *\n4": 12, "2**3": 8, "( 2 )": 2,
             "- 3": -3, "2 ** - 1": 0.5, "10.25-0.25": 10.0}  # fmt: skip
    for text, want in cases.items():
        got = evaluate(text)
        assert got == want and _kind(got) is _kind(want), (
            f"evaluate({text!r}) = {got!r}, want {want!r}"
        )


def check_big_integers():
    cases = ["2 ** 100", "12345678901234567890 * 98765432109876543210", "3 ** 3 ** 3",
             "-(10 ** 30) + 1"]  # fmt: skip
    wants = [2**100, 12345678901234567890 * 98765432109876543210, 3**27, -(10**30) + 1]
    for text, want in zip(cases, wants, strict=True):
        got = evaluate(text)
        assert got == want and _kind(got) is int, f"evaluate({text!r}) = {got!r}, want {want}"


def check_division_by_zero():
    for text in ("1 / 0", "1 / (2 - 2)", "0 ** -1", "5 / 0.0", "(3 * 0) ** -2"):
        try:
            got = evaluate(text)
        except ZeroDivisionError:
            continue
        raise AssertionError(f"evaluate({text!r}) returned {got!r}, want ZeroDivisionError")


MALFORMED = ["", "   ", "1 +", "+", "* 2", "(1 + 2", "1 + 2)", "()", "1 2", "2 * * 3",
             "2 **", "1 +* 2", "abc", "1 $ 2", "3 (4)", "(1)(2)", "(1) 2", "1..2", "1.",
             ".5", "1.2.3", "-", "4 // 2", "2 % 3", ")(", "1 + ()", "2 ** * 3", "1 2 + 3",
             "x + 1", "1 = 1", "(", ")", "1 ** ", "3 -", "1,5"]  # fmt: skip


def check_malformed():
    for text in MALFORMED:
        try:
            got = evaluate(text)
        except ValueError:
            continue
        except Exception as exc:
            raise AssertionError(
                f"evaluate({text!r}) raised {type(exc).__name__}, want ValueError"
            ) from None
        raise AssertionError(f"evaluate({text!r}) returned {got!r}, want ValueError")


# Malformed, and dividing by zero before the point where they go wrong: a malformed input
# has no value, so nothing in it is computed.
MALFORMED_DIVIDING_BY_ZERO = ["2/0)", "1 / 0 +", "(1 / 0", "1 / 0 2", "0 ** -1 )",
                              "1 / 0 (3)", "5 / (1 - 1) 7", "2 * (3 / 0", "4 / 0 / )",
                              "-(1 / 0) -", "1 / 0 $"]  # fmt: skip


def check_malformed_dividing_by_zero():
    wrong = []
    for text in MALFORMED_DIVIDING_BY_ZERO:
        try:
            got = evaluate(text)
        except ValueError:
            continue
        except Exception as exc:
            wrong.append(f"{text!r} raised {type(exc).__name__}")
            continue
        wrong.append(f"{text!r} returned {got!r}")
    assert not wrong, "malformed input must raise ValueError: " + "; ".join(wrong)


def _gen(rng, depth):
    roll = rng.random()
    if depth <= 0 or roll < 0.25:
        if rng.random() < 0.2:
            return f"{rng.randrange(10)}.{rng.choice(['5', '25', '0', '75'])}"
        return str(rng.randrange(10))
    if roll < 0.35:
        return "-" + _gen(rng, depth - 1)
    if roll < 0.5:
        return "(" + _gen(rng, depth - 1) + ")"
    if roll < 0.6:  # small powers only: base a number or group, exponent -2..3
        base = str(rng.randrange(1, 6)) if rng.random() < 0.5 else "(" + _gen(rng, 1) + ")"
        return f"{base} ** {rng.choice(['0', '1', '2', '3', '-1', '-2'])}"
    op = rng.choice(["+", "-", "*", "/"])
    return f"{_gen(rng, depth - 1)} {op} {_gen(rng, depth - 1)}"


def check_random_expressions():
    rng = random.Random(2024)
    for _ in range(400):
        text = _gen(rng, 5)
        try:
            want = eval(text, {"__builtins__": {}})
        except ZeroDivisionError:
            want = ZeroDivisionError
        except OverflowError:
            continue
        if isinstance(want, complex):
            continue
        try:
            got = evaluate(text)
        except ZeroDivisionError:
            got = ZeroDivisionError
        if want is ZeroDivisionError or got is ZeroDivisionError:
            assert got is want, f"evaluate({text!r}) = {got!r}, want {want!r}"
            continue
        assert _kind(got) is _kind(want), (
            f"evaluate({text!r}) = {got!r} ({type(got).__name__}), want {want!r}"
        )
        assert math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12), (
            f"evaluate({text!r}) = {got!r}, want {want!r}"
        )
