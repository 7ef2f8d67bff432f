from itertools import islice


def chunked(iterable, size):
    if not isinstance(size, int):
        raise TypeError(f"size must be an int, got {type(size).__name__}")
    if size < 1:
        raise ValueError(f"size must be at least 1, got {size}")
    iterator = iter(iterable)

    def chunks():
        while True:
            chunk = list(islice(iterator, size))
            if not chunk:
                return
            yield chunk

    return chunks()
