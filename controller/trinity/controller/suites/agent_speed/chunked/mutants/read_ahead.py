from itertools import islice


def chunked(iterable, size):
    if not isinstance(size, int):
        raise TypeError("size must be an int")
    if size < 1:
        raise ValueError("size must be >= 1")
    iterator = iter(iterable)

    def chunks():
        chunk = list(islice(iterator, size))
        while chunk:
            following = list(islice(iterator, size))  # reads the next chunk early
            yield chunk
            chunk = following

    return chunks()
