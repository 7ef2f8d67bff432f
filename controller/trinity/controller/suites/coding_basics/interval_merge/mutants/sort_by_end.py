def merge_intervals(intervals):
    if any(s > e for s, e in intervals):
        raise ValueError("start > end")
    merged = []
    for start, end in sorted(intervals, key=lambda iv: iv[1]):  # sorted by the wrong end
        if merged and start <= merged[-1][1]:
            merged[-1] = (min(merged[-1][0], start), max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
