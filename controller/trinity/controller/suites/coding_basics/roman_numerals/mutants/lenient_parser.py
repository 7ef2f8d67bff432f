PAIRS = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
         (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]  # fmt: skip
VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


def to_roman(n):
    if not isinstance(n, int):
        raise TypeError("int expected")
    if not 1 <= n <= 3999:
        raise ValueError("out of range")
    out = ""
    for value, symbol in PAIRS:
        while n >= value:
            out += symbol
            n -= value
    return out


def from_roman(s):
    # Parses any string of Roman symbols; never checks that the form is the standard one.
    if not isinstance(s, str):
        raise TypeError("str expected")
    if not s:
        raise ValueError("empty")
    total = 0
    for i, ch in enumerate(s):
        if ch not in VALUES:
            raise ValueError(f"bad character {ch!r}")
        value = VALUES[ch]
        total += -value if i + 1 < len(s) and VALUES.get(s[i + 1], 0) > value else value
    return total
