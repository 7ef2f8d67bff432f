import time

_DELETED = object()


class KVStore:
    """Bug: get() ignores its default and answers None for a missing key."""

    def __init__(self, clock=None):
        self._clock = clock if clock is not None else time.monotonic
        self._base = {}
        self._layers = []

    def _entry(self, key):
        for layer in reversed(self._layers):
            if key in layer:
                return layer[key]
        return self._base.get(key, _DELETED)

    def _live(self, entry, now):
        return entry is not _DELETED and (entry[1] is None or now < entry[1])

    def _write(self, key, entry):
        if self._layers:
            self._layers[-1][key] = entry
        elif entry is _DELETED:
            self._base.pop(key, None)
        else:
            self._base[key] = entry

    def set(self, key, value, ttl=None):
        if ttl is not None and ttl <= 0:
            raise ValueError("ttl must be positive")
        expires = None if ttl is None else self._clock() + ttl
        self._write(key, (value, expires))

    def get(self, key, default=None):
        entry = self._entry(key)
        return entry[0] if self._live(entry, self._clock()) else None

    def delete(self, key):
        present = self._live(self._entry(key), self._clock())
        self._write(key, _DELETED)
        return present

    def __len__(self):
        now = self._clock()
        keys = set(self._base)
        for layer in self._layers:
            keys.update(layer)
        return sum(1 for key in keys if self._live(self._entry(key), now))

    def begin(self):
        self._layers.append({})

    def commit(self):
        if not self._layers:
            raise RuntimeError("no transaction")
        changes = self._layers.pop()
        for key, entry in changes.items():
            self._write(key, entry)

    def rollback(self):
        if not self._layers:
            raise RuntimeError("no transaction")
        self._layers.pop()
