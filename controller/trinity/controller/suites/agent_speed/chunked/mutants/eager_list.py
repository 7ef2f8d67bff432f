def chunked(iterable, size):
    if not isinstance(size, int):
        raise TypeError("size must be an int")
    if size < 1:
        raise ValueError("size must be >= 1")
    items = list(iterable)  # reads everything up front
    return iter([items[i : i + size] for i in range(0, len(items), size)])
