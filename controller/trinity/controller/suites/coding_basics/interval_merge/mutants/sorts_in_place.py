def merge_intervals(intervals):
    if any(s > e for s, e in intervals):
        raise ValueError("start > end")
    intervals.sort()  # modifies the caller's list
    merged = []
    for start, end in intervals:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
