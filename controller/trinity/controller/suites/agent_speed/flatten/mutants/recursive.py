def flatten(items, depth=None):
    if not isinstance(items, (list, tuple)):
        raise TypeError("items must be a list or tuple")
    if depth is not None:
        if not isinstance(depth, int):
            raise TypeError("depth must be None or an int")
        if depth < 0:
            raise ValueError("depth must be >= 0")
    result = []
    for item in items:
        if isinstance(item, (list, tuple)) and (depth is None or depth > 0):
            # One Python frame per level: 50,000 levels exceed the recursion limit.
            result.extend(flatten(item, None if depth is None else depth - 1))
        else:
            result.append(item)
    return result
