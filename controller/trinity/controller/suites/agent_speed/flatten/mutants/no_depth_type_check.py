def flatten(items, depth=None):
    if not isinstance(items, (list, tuple)):
        raise TypeError("items must be a list or tuple")
    if depth is not None and depth < 0:
        raise ValueError("depth must be >= 0")
    result = []
    stack = [(iter(items), depth)]
    while stack:
        iterator, left = stack[-1]
        for item in iterator:
            if isinstance(item, (list, tuple)) and (left is None or left > 0):
                stack.append((iter(item), None if left is None else left - 1))
                break
            result.append(item)
        else:
            stack.pop()
    return result
