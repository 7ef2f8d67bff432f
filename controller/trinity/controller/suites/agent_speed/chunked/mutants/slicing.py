def chunked(iterable, size):
    if not isinstance(size, int):
        raise TypeError("size must be an int")
    if size < 1:
        raise ValueError("size must be >= 1")

    def chunks():
        # Works for sequences only: no len() or slicing on generators and iterators.
        for start in range(0, len(iterable), size):
            yield list(iterable[start : start + size])

    return chunks()
