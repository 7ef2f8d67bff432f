def binary_search(items, target):
    for i, value in enumerate(items):  # correct, but reads every element
        if value == target:
            return i
        if value > target:
            return -1
    return -1
