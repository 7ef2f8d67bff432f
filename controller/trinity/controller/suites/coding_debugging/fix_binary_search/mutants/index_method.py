def binary_search(items, target):
    try:
        return items.index(target)  # O(n)
    except ValueError:
        return -1
