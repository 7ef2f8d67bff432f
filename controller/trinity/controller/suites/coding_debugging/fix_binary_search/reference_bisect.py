from bisect import bisect_left


def binary_search(items, target):
    i = bisect_left(items, target)
    return i if i != len(items) and items[i] == target else -1
