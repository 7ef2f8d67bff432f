from itertools import islice


def chunked(iterable, size):
    size = int(size)  # accepts 2.0, 1.5 and "2"
    if size < 1:
        raise ValueError("size must be >= 1")
    iterator = iter(iterable)

    def chunks():
        while chunk := list(islice(iterator, size)):
            yield chunk

    return chunks()
