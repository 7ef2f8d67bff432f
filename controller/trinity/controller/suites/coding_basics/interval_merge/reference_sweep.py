from typing import NamedTuple

# Errors are subclasses of the exceptions the prompt names, which it allows.


class InvalidInput(ValueError):
    pass


class Interval(NamedTuple):
    """A (start, end) tuple, with field names."""

    start: int
    end: int


def merge_intervals(intervals):
    for start, end in intervals:
        if start > end:
            raise InvalidInput(f"interval ({start}, {end}) has start > end")
    merged = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = merged[-1]._replace(end=end)
        else:
            merged.append(Interval(start, end))
    return merged
