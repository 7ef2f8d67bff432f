"""Hidden checks for coding_basics/roman_numerals: any correct pair of functions passes."""

from solution import from_roman, to_roman


def _is_int(value):
    """An int, a subclass of int too, but never a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


KNOWN = [1, 3, 4, 5, 9, 14, 40, 90, 400, 900, 1994, 2024, 3999]
DIGITS = (
    ("", "M", "MM", "MMM"),
    ("", "C", "CC", "CCC", "CD", "D", "DC", "DCC", "DCCC", "CM"),
    ("", "X", "XX", "XXX", "XL", "L", "LX", "LXX", "LXXX", "XC"),
    ("", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"),
)


def _standard(n):
    return (DIGITS[0][n // 1000] + DIGITS[1][n // 100 % 10] + DIGITS[2][n // 10 % 10]
            + DIGITS[3][n % 10])  # fmt: skip


def _raises(fn, arg, allowed):
    try:
        result = fn(arg)
    except allowed:
        return
    except Exception as exc:
        names = " or ".join(e.__name__ for e in allowed)
        raise AssertionError(f"{fn.__name__}({arg!r}) raised {type(exc).__name__}, "
                             f"not {names}") from None  # fmt: skip
    raise AssertionError(f"{fn.__name__}({arg!r}) returned {result!r} instead of raising")


def check_to_roman_known():
    out = [to_roman(n) for n in KNOWN]
    assert all(isinstance(s, str) for s in out), f"not all str: {out!r}"
    return out


def check_to_roman_all():
    for n in range(1, 4000):
        got = to_roman(n)
        assert got == _standard(n) and isinstance(got, str), f"to_roman({n}) = {got!r}"


def check_to_roman_out_of_range():
    for n in (0, -1, -3999, 4000, 4001, 10**6):
        _raises(to_roman, n, (ValueError,))


def check_to_roman_not_int():
    for arg in (3.0, 3.5, "12", None, [5]):
        _raises(to_roman, arg, (TypeError, ValueError))


def check_from_roman_known():
    out = [from_roman(_standard(n)) for n in KNOWN]
    assert all(_is_int(v) for v in out), f"not all int: {out!r}"
    return out


def check_from_roman_all():
    for n in range(1, 4000):
        got = from_roman(_standard(n))
        assert got == n and _is_int(got), f"from_roman({_standard(n)!r}) = {got!r}"


NON_STANDARD = ["IIII", "VV", "IC", "IM", "XM", "XD", "VX", "IL", "MMMM", "IXIX", "XXXX",
                "LL", "DD", "CCCC", "VIV", "IIV", "IIX", "XCX", "CMC", "CMD", "XCL", "IXI",
                "IVI", "MCMC", "DCD", "LXL", "VIIII", "MMMMCMXCIX", "CMCM", "XLX", "CDC"]  # fmt: skip


def check_from_roman_non_standard():
    for s in NON_STANDARD:
        _raises(from_roman, s, (ValueError,))


def check_from_roman_malformed():
    for s in ("", "iv", "Iv", "mcmxciv", "ABC", "X1", "12", " XV", "XV ", "X V", "XV\n",
              "\tX", "N", "-X", "0"):  # fmt: skip
        _raises(from_roman, s, (ValueError,))


def check_from_roman_not_str():
    for arg in (None, 12, 4.0, ["X"], b"XV"):
        _raises(from_roman, arg, (TypeError, ValueError))
