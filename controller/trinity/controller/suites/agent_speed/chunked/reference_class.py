# Errors are subclasses of the exceptions the prompt names, which it allows.


class InvalidInput(ValueError):
    pass


class WrongType(TypeError):
    pass


class chunked:  # the prompt names it chunked
    """An iterator class: the constructor validates, __next__ builds one chunk."""

    def __init__(self, iterable, size):
        if not isinstance(size, int):
            raise WrongType("size must be an int")
        if size < 1:
            raise InvalidInput("size must be >= 1")
        self._size = size
        self._source = iter(iterable)
        self._done = False

    def __iter__(self):
        return self

    def __next__(self):
        if self._done:
            raise StopIteration
        chunk = []
        while len(chunk) < self._size:
            try:
                chunk.append(next(self._source))
            except StopIteration:
                self._done = True
                break
        if not chunk:
            raise StopIteration
        return chunk
