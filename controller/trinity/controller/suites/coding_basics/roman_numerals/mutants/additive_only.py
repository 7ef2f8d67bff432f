import re

PAIRS = [(1000, "M"), (500, "D"), (100, "C"), (50, "L"), (10, "X"), (5, "V"), (1, "I")]
VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
STANDARD = re.compile(r"M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})")


def to_roman(n):
    if not isinstance(n, int):
        raise TypeError("int expected")
    if not 1 <= n <= 3999:
        raise ValueError("out of range")
    out = ""
    for value, symbol in PAIRS:  # forgets the subtractive pairs: 4 -> IIII
        while n >= value:
            out += symbol
            n -= value
    return out


def from_roman(s):
    if not isinstance(s, str):
        raise TypeError("str expected")
    if not s or not STANDARD.fullmatch(s):
        raise ValueError("invalid")
    total = 0
    for i, ch in enumerate(s):
        value = VALUES[ch]
        total += -value if i + 1 < len(s) and VALUES[s[i + 1]] > value else value
    return total
