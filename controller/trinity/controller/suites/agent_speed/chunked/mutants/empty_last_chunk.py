from itertools import islice


def chunked(iterable, size):
    if not isinstance(size, int):
        raise TypeError("size must be an int")
    if size < 1:
        raise ValueError("size must be >= 1")
    iterator = iter(iterable)

    def chunks():
        while True:
            chunk = list(islice(iterator, size))
            yield chunk  # an empty chunk when the length is a multiple of size
            if len(chunk) < size:
                return

    return chunks()
