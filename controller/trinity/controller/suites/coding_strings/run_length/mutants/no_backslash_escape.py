import itertools
import re

TOKEN = re.compile(r"([1-9][0-9]*)?(\\[0-9\\]|[^0-9\\])", re.DOTALL)


def encode(text):
    pieces = []
    for ch, run in itertools.groupby(text):
        length = sum(1 for _ in run)
        count = str(length) if length > 1 else ""
        # Only digits are escaped; a backslash is written bare.
        item = "\\" + ch if ch in "0123456789" else ch
        pieces.append(count + item)
    return "".join(pieces)


def decode(data):
    pieces = []
    pos = 0
    while pos < len(data):
        match = TOKEN.match(data, pos)
        if match is None:
            raise ValueError(f"malformed data at position {pos}")
        count, item = match.groups()
        pieces.append(item[-1] * int(count or 1))
        pos = match.end()
    return "".join(pieces)
