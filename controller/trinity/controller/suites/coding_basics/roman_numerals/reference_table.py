THOUSANDS = ["", "M", "MM", "MMM"]
HUNDREDS = ["", "C", "CC", "CCC", "CD", "D", "DC", "DCC", "DCCC", "CM"]
TENS = ["", "X", "XX", "XXX", "XL", "L", "LX", "LXX", "LXXX", "XC"]
ONES = ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"]


# Errors are subclasses of the exceptions the prompt names, which it allows.


class InvalidInput(ValueError):
    pass


class WrongType(TypeError):
    pass


def to_roman(n):
    if type(n) is not int:
        raise InvalidInput("n must be an int")
    if n < 1 or n > 3999:
        raise InvalidInput("n must be in 1..3999")
    return THOUSANDS[n // 1000] + HUNDREDS[n // 100 % 10] + TENS[n // 10 % 10] + ONES[n % 10]


# Every valid numeral, built once: validation and parsing are one dictionary lookup.
_LOOKUP = {to_roman(i): i for i in range(1, 4000)}


def from_roman(s):
    if type(s) is not str:
        raise WrongType("s must be a str")
    try:
        return _LOOKUP[s]
    except KeyError:
        raise InvalidInput(f"invalid Roman numeral {s!r}") from None
