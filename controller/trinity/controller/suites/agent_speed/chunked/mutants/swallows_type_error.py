from itertools import islice


def chunked(iterable, size):
    if not isinstance(size, int):
        raise TypeError("size must be an int")
    if size < 1:
        raise ValueError("size must be >= 1")
    try:
        iterator = iter(iterable)
    except TypeError:
        iterator = iter([iterable])  # wraps a single value instead of refusing it

    def chunks():
        while chunk := list(islice(iterator, size)):
            yield chunk

    return chunks()
