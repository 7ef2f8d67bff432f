def binary_search(items, target):
    lo, hi = 0, len(items)
    while lo < hi:
        mid = (lo + hi) // 2
        if items[mid] < target:
            lo = mid + 1
        else:
            hi = mid
    # items[lo] past the end raises; the guard uses the wrong index
    return lo if items[lo - 1] == target and lo > 0 else -1
