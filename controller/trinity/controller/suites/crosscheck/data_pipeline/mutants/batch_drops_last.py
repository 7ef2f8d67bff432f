from collections import deque
from itertools import islice


def _map(items, fn):
    for item in items:
        yield fn(item)


def _filter(items, pred):
    for item in items:
        if pred(item):
            yield item


def _batch(items, size):
    while True:
        chunk = list(islice(items, size))
        if len(chunk) < size:
            return
        yield chunk


def _window(items, size, step):
    window = deque(maxlen=size)
    need = size  # items still to pull before the next window is full
    for item in items:
        window.append(item)
        need -= 1
        if need == 0:
            yield tuple(window)
            if step <= size:
                need = step
            else:  # skip the items between this window's end and the next start
                for _ in islice(items, step - size):
                    pass
                window.clear()
                need = size


class Pipeline:
    """The source plus a tuple of stages (generator function, arguments); nothing runs
    until __iter__ chains the generators over a fresh iterator."""

    def __init__(self, source, _stages=()):
        self._source = source
        self._stages = _stages

    def _then(self, fn, *args):
        return Pipeline(self._source, (*self._stages, (fn, args)))

    def map(self, fn):
        return self._then(_map, fn)

    def filter(self, pred):
        return self._then(_filter, pred)

    def batch(self, size):
        if size < 1:
            raise ValueError("batch size must be at least 1")
        return self._then(_batch, size)

    def window(self, size, step=1):
        if size < 1 or step < 1:
            raise ValueError("window size and step must be at least 1")
        return self._then(_window, size, step)

    def __iter__(self):
        items = iter(self._source)
        for fn, args in self._stages:
            items = fn(iter(items), *args)
        return items

    def collect(self):
        return list(self)
