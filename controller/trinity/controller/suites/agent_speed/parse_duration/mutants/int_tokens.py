import re

ORDER = "dhms"
SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_duration(text):
    if not isinstance(text, str):
        raise TypeError("duration must be a str")
    tokens = re.findall(r"([^dhms]*)([dhms])", text)
    if not tokens or "".join(a + u for a, u in tokens) != text:
        raise ValueError(f"invalid duration: {text!r}")
    total, last = 0, -1
    for amount, unit in tokens:
        rank = ORDER.index(unit)
        if rank <= last:
            raise ValueError(f"unit {unit!r} repeated or out of order")
        last = rank
        # int() accepts " 1", "+1", "-1" and "1_000".
        total += int(amount) * SECONDS[unit]
    return total
