def _expand_once(values):
    out = []
    changed = False
    for value in values:
        if isinstance(value, (list, tuple)):
            out.extend(value)
            changed = True
        else:
            out.append(value)
    return out, changed


def flatten(items, depth=None):
    """Expand one level per pass until depth passes are done or nothing is left."""
    if not isinstance(items, (list, tuple)):
        raise TypeError("items must be a list or a tuple")
    if depth is not None and not isinstance(depth, int):
        raise TypeError("depth must be None or an int")
    if depth is not None and depth < 0:
        raise ValueError("depth must not be negative")
    result = list(items)
    passes = 0
    while depth is None or passes < depth:
        result, changed = _expand_once(result)
        passes += 1
        if not changed:
            break
    return result
