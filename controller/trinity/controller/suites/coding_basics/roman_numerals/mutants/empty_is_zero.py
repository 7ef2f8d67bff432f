import re

THOUSANDS = ["", "M", "MM", "MMM"]
HUNDREDS = ["", "C", "CC", "CCC", "CD", "D", "DC", "DCC", "DCCC", "CM"]
TENS = ["", "X", "XX", "XXX", "XL", "L", "LX", "LXX", "LXXX", "XC"]
ONES = ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"]
VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


def to_roman(n):
    if type(n) is not int:
        raise TypeError("int expected")
    if not 1 <= n <= 3999:
        raise ValueError("out of range")
    return THOUSANDS[n // 1000] + HUNDREDS[n // 100 % 10] + TENS[n // 10 % 10] + ONES[n % 10]


def from_roman(s):
    if type(s) is not str:
        raise TypeError("str expected")
    # The pattern matches the empty string too, which then parses as 0.
    if not re.fullmatch(r"M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})", s):
        raise ValueError("invalid")
    total = 0
    for i, ch in enumerate(s):
        value = VALUES[ch]
        total += -value if i + 1 < len(s) and VALUES[s[i + 1]] > value else value
    return total
