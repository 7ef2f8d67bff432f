def flatten(items, depth=None):
    if not isinstance(items, (list, tuple)):
        raise TypeError("items must be a list or tuple")
    if depth is not None:
        if not isinstance(depth, int):
            raise TypeError("depth must be None or an int")
        if depth < 0:
            raise ValueError("depth must be >= 0")
    result = []
    stack = [(list(items), depth)]
    while stack:
        pending, left = stack[-1]
        if not pending:
            stack.pop()
            continue
        item = pending.pop(0)
        if isinstance(item, (list, tuple)) and (left is None or left > 0):
            # Inner lists are used as they are, and pop(0) empties them.
            inner = item if isinstance(item, list) else list(item)
            stack.append((inner, None if left is None else left - 1))
        else:
            result.append(item)
    return result
