from bisect import bisect_left


def binary_search(items, target):
    i = bisect_left(items, target)
    return i if i < len(items) else -1  # the insertion point, even when target is absent
