import re

SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_duration(text):
    if not isinstance(text, str):
        raise TypeError("duration must be a str")
    if not re.fullmatch(r"(?:[0-9]+[dhms])+", text):
        raise ValueError(f"invalid duration: {text!r}")
    seen = {}
    for amount, unit in re.findall(r"([0-9]+)([dhms])", text):
        if unit in seen:
            raise ValueError(f"unit {unit!r} repeated")
        # Any order is accepted: "30m1h" gives 5400.
        seen[unit] = int(amount)
    return sum(amount * SECONDS[unit] for unit, amount in seen.items())
