import time

# Errors are subclasses of the exceptions the prompt names, which it allows.


class InvalidInput(ValueError):
    pass


class BadState(RuntimeError):
    pass


class KVStore:
    """One live dict; begin() saves a full copy of it, rollback() puts the copy back."""

    def __init__(self, clock=None):
        self.clock = clock or time.monotonic
        self.data = {}  # key -> [value, expires_at]
        self.saved = []

    def _purge(self):
        now = self.clock()
        for key in [k for k, (_, exp) in self.data.items() if exp is not None and exp <= now]:
            del self.data[key]

    def set(self, key, value, ttl=None):
        if ttl is not None:
            if not ttl > 0:
                raise InvalidInput(f"invalid ttl {ttl!r}")
            self.data[key] = [value, self.clock() + ttl]
        else:
            self.data[key] = [value, None]

    def get(self, key, default=None):
        self._purge()
        return self.data[key][0] if key in self.data else default

    def delete(self, key):
        self._purge()
        return self.data.pop(key, None) is not None

    def __len__(self):
        self._purge()
        return len(self.data)

    def begin(self):
        self.saved.append(dict(self.data))

    def commit(self):
        if not self.saved:
            raise BadState("commit without begin")
        self.saved.pop()

    def rollback(self):
        if not self.saved:
            raise BadState("rollback without begin")
        self.data = self.saved.pop()
