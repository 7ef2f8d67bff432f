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
    if not isinstance(s, str):
        raise TypeError("str expected")
    s = s.strip().upper()  # too forgiving: accepts lowercase and surrounding whitespace
    if not s or any(ch not in VALUES for ch in s):
        raise ValueError(f"invalid numeral {s!r}")
    total = 0
    for i, ch in enumerate(s):
        value = VALUES[ch]
        total += -value if i + 1 < len(s) and VALUES[s[i + 1]] > value else value
    if to_roman(total) != s:  # round trip rejects non-standard forms
        raise ValueError(f"non-standard numeral {s!r}")
    return total
