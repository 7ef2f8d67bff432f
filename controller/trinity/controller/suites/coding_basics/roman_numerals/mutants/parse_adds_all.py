import re

PAIRS = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
         (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]  # fmt: skip
VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
STANDARD = re.compile(r"M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})")


def to_roman(n):
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError("int expected")
    if not 1 <= n <= 3999:
        raise ValueError("out of range")
    out = []
    for value, symbol in PAIRS:
        count, n = divmod(n, value)
        out.append(symbol * count)
    return "".join(out)


def from_roman(s):
    if not isinstance(s, str):
        raise TypeError("str expected")
    if not s or not STANDARD.fullmatch(s):
        raise ValueError("invalid")
    # Compares with the previous symbol but forgets to undo the amount already added.
    total, previous = 0, 0
    for ch in s:
        value = VALUES[ch]
        total += value - previous if value > previous and previous else value
        previous = value
    return total
