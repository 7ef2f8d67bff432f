from itertools import groupby


def merge_intervals(intervals):
    """Coverage counting over sorted endpoint events; a start sorts before an end at the
    same coordinate, so touching intervals join."""
    if any(s > e for s, e in intervals):
        raise ValueError("start > end")
    events = sorted([(s, 0) for s, _ in intervals] + [(e, 1) for _, e in intervals])
    result = []
    depth = 0
    opened = None
    for (point, kind), group in groupby(events):
        for _ in group:
            if kind == 0:
                if depth == 0:
                    opened = point
                depth += 1
            else:
                depth -= 1
                if depth == 0:
                    result.append((opened, point))
    return result
