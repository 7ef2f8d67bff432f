def binary_search(items, target):
    if not items:
        return -1
    lo, hi = 0, len(items) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if items[mid] == target:
            return mid  # some occurrence, not necessarily the first
        if items[mid] < target:
            lo = mid + 1
        else:
            hi = mid - 1
    return lo if items[lo] == target else -1
