def binary_search(items, target):
    lo, hi = 0, len(items)  # search [lo, hi) for the first element >= target
    while lo < hi:
        mid = (lo + hi) // 2
        if items[mid] < target:
            lo = mid + 1
        else:
            hi = mid
    if lo < len(items) and items[lo] == target:
        return lo
    return -1
