from itertools import islice


def chunked(iterable, size):
    if not isinstance(size, int):
        raise TypeError("size must be an int")
    if size < 1:
        raise ValueError("size must be >= 1")
    iterator = iter(iterable)
    # tuple() instead of list(): chunks are tuples.
    return iter(lambda: tuple(islice(iterator, size)), ())
