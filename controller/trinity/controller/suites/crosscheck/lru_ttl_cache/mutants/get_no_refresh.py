import threading
import time
from collections import OrderedDict


class TTLCache:
    """An OrderedDict (least recently used first) of key -> (value, expires_at or None),
    every method under one re-entrant lock; expired entries are purged before each use."""

    def __init__(self, capacity, clock=None):
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._capacity = capacity
        self._clock = clock if clock is not None else time.monotonic
        self._data = OrderedDict()
        self._lock = threading.RLock()

    def _purge(self):
        now = self._clock()
        stale = [k for k, (_, exp) in self._data.items() if exp is not None and now >= exp]
        for key in stale:
            del self._data[key]
        return now

    def put(self, key, value, ttl=None):
        if ttl is not None and ttl <= 0:
            raise ValueError("ttl must be positive")
        with self._lock:
            now = self._purge()
            if key in self._data:
                self._data.move_to_end(key)
            elif len(self._data) >= self._capacity:
                self._data.popitem(last=False)
            self._data[key] = (value, None if ttl is None else now + ttl)

    def get(self, key, default=None):
        with self._lock:
            self._purge()
            if key not in self._data:
                return default
            return self._data[key][0]

    def delete(self, key):
        with self._lock:
            self._purge()
            return self._data.pop(key, None) is not None

    def __len__(self):
        with self._lock:
            self._purge()
            return len(self._data)
