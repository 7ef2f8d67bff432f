def binary_search(items, target):
    """Closed interval [lo, hi]; remember the last match and keep looking left."""
    lo, hi = 0, len(items) - 1
    found = -1
    while lo <= hi:
        mid = lo + (hi - lo) // 2
        value = items[mid]
        if value == target:
            found = mid
            hi = mid - 1
        elif value < target:
            lo = mid + 1
        else:
            hi = mid - 1
    return found
