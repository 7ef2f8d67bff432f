"""Reference: each stage a hand-written iterator class; windows are a tuple subclass of
their own (a tuple, as the prompt asks, that prints itself its own way) and sizes that are
not at least 1 raise a subclass of ValueError."""


class StageError(ValueError):
    """A stage that cannot be built."""


class Window(tuple):
    __slots__ = ()

    def __repr__(self):
        return "Window" + tuple.__repr__(self)


class _Stage:
    """One stage as a hand-written iterator over the previous stage's iterator."""

    def __init__(self, upstream):
        self.upstream = upstream

    def __iter__(self):
        return self


class _Map(_Stage):
    def __init__(self, upstream, fn):
        super().__init__(upstream)
        self.fn = fn

    def __next__(self):
        return self.fn(next(self.upstream))


class _Filter(_Stage):
    def __init__(self, upstream, pred):
        super().__init__(upstream)
        self.pred = pred

    def __next__(self):
        while True:
            item = next(self.upstream)
            if self.pred(item):
                return item


class _Batch(_Stage):
    def __init__(self, upstream, size):
        super().__init__(upstream)
        self.size = size
        self.done = False

    def __next__(self):
        if self.done:
            raise StopIteration
        chunk = []
        while len(chunk) < self.size:
            try:
                chunk.append(next(self.upstream))
            except StopIteration:
                self.done = True
                break
        if not chunk:
            raise StopIteration
        return chunk


class _Window(_Stage):
    def __init__(self, upstream, size, step):
        super().__init__(upstream)
        self.size, self.step = size, step
        self.buffer = []
        self.skip = 0

    def __next__(self):
        while self.skip:
            next(self.upstream)
            self.skip -= 1
        while len(self.buffer) < self.size:
            self.buffer.append(next(self.upstream))
        window = Window(self.buffer)
        if self.step >= self.size:
            self.skip = self.step - self.size
            self.buffer = []
        else:
            self.buffer = self.buffer[self.step :]
        return window


class Pipeline:
    def __init__(self, source):
        self.source = source
        self.stages = []  # (stage class, extra arguments)

    def _extended(self, stage, *args):
        new = Pipeline(self.source)
        new.stages = [*self.stages, (stage, args)]
        return new

    def map(self, fn):
        return self._extended(_Map, fn)

    def filter(self, pred):
        return self._extended(_Filter, pred)

    def batch(self, size):
        if not size >= 1:
            raise StageError(f"bad batch size {size!r}")
        return self._extended(_Batch, size)

    def window(self, size, step=1):
        if not size >= 1:
            raise StageError(f"bad window size {size!r}")
        if not step >= 1:
            raise StageError(f"bad window step {step!r}")
        return self._extended(_Window, size, step)

    def __iter__(self):
        iterator = iter(self.source)
        for stage, args in self.stages:
            iterator = stage(iterator, *args)
        return iterator

    def collect(self):
        return list(iter(self))
