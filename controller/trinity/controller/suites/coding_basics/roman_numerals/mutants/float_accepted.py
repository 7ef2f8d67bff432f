PAIRS = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
         (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]  # fmt: skip
LOOKUP = {}


def to_roman(n):
    # Range check only: a float such as 3.5 goes through as "III".
    if not 1 <= n <= 3999:
        raise ValueError("out of range")
    out = ""
    for value, symbol in PAIRS:
        while n >= value:
            out += symbol
            n -= value
    return out


def from_roman(s):
    if not LOOKUP:
        LOOKUP.update((to_roman(i), i) for i in range(1, 4000))
    if s not in LOOKUP:
        raise ValueError(f"invalid {s!r}")
    return LOOKUP[s]
