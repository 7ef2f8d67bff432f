def flatten(items, depth=None):
    """Depth-first walk with an explicit stack of (iterator, levels left)."""
    if not isinstance(items, (list, tuple)):
        raise TypeError(f"items must be a list or tuple, not {type(items).__name__}")
    if depth is not None:
        if not isinstance(depth, int):
            raise TypeError(f"depth must be None or an int, not {type(depth).__name__}")
        if depth < 0:
            raise ValueError(f"depth must be >= 0, got {depth}")
    result = []
    stack = [(iter(items), depth)]
    while stack:
        iterator, left = stack[-1]
        for item in iterator:
            # Every iterable but text is expanded: dicts, sets and ranges too.
            iterable = hasattr(item, "__iter__") and not isinstance(item, (str, bytes))
            if iterable and (left is None or left > 0):
                stack.append((iter(item), None if left is None else left - 1))
                break
            result.append(item)
        else:
            stack.pop()
    return result
