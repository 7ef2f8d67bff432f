def flatten(items, depth=None):
    if not isinstance(items, (list, tuple)):
        raise TypeError("items must be a list or tuple")
    if depth is not None:
        if not isinstance(depth, int):
            raise TypeError("depth must be None or an int")
        if depth < 0:
            raise ValueError("depth must be >= 0")
    result = []
    stack = [(item, depth) for item in items]
    while stack:
        item, left = stack.pop()  # pops from the end: the order comes out reversed
        if isinstance(item, (list, tuple)) and (left is None or left > 0):
            stack.extend((child, None if left is None else left - 1) for child in item)
        else:
            result.append(item)
    return result
