def binary_search(items, target):
    n = len(items)
    items.append(target)  # a sentinel so the search never runs off the end; never removed
    lo, hi = 0, n
    while lo < hi:
        mid = (lo + hi) // 2
        if items[mid] < target:
            lo = mid + 1
        else:
            hi = mid
    return lo if lo < n and items[lo] == target else -1
