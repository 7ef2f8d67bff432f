UNIT_ORDER = "dhms"
UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
DIGITS = "0123456789"


# Errors are subclasses of the exceptions the prompt names, which it allows.


class InvalidInput(ValueError):
    pass


class WrongType(TypeError):
    pass


def parse_duration(text):
    """Hand-written scanner: digits, then a unit strictly later than the previous one."""
    if not isinstance(text, str):
        raise WrongType("duration must be a str")
    if text == "":
        raise InvalidInput("empty duration")
    total = 0
    amount = None
    last_rank = -1
    for ch in text:
        if ch in DIGITS:
            amount = (amount or 0) * 10 + DIGITS.index(ch)
        elif ch in UNIT_SECONDS:
            rank = UNIT_ORDER.index(ch)
            if amount is None:
                raise InvalidInput(f"unit {ch!r} without a number in {text!r}")
            if rank <= last_rank:
                raise InvalidInput(f"unit {ch!r} repeated or out of order in {text!r}")
            total += amount * UNIT_SECONDS[ch]
            last_rank = rank
            amount = None
        else:
            raise InvalidInput(f"unexpected character {ch!r} in {text!r}")
    if amount is not None:
        raise InvalidInput(f"number without a unit at the end of {text!r}")
    return total
