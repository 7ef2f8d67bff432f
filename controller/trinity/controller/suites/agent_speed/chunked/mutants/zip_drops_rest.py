def chunked(iterable, size):
    if not isinstance(size, int):
        raise TypeError("size must be an int")
    if size < 1:
        raise ValueError("size must be >= 1")
    iterator = iter(iterable)
    # zip stops at the shortest: a last, shorter chunk is dropped.
    return (list(group) for group in zip(*[iterator] * size, strict=False))
