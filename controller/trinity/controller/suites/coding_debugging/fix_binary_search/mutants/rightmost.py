from bisect import bisect_right


def binary_search(items, target):
    i = bisect_right(items, target) - 1  # the last occurrence
    return i if i >= 0 and items[i] == target else -1
