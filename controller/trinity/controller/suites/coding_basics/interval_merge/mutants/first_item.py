def merge_intervals(intervals):
    if any(s > e for s, e in intervals):
        raise ValueError("start > end")
    ordered = sorted(intervals)
    merged = [ordered[0]]  # IndexError on an empty list
    for start, end in ordered[1:]:
        if start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
