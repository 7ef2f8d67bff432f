import time
from collections import OrderedDict


class RateCache:
    """Exchange rates cached per normalised pair, in insertion (FIFO) order; an expired
    entry is dropped when it is looked up, as in the original."""

    def __init__(self, fetch, ttl=60, max_entries=128, clock=time.time):
        if ttl <= 0:
            raise ValueError("ttl must be positive")
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self._fetch = fetch
        self._ttl = ttl
        self._max_entries = max_entries
        self._clock = clock
        self._entries = OrderedDict()  # key -> (rate, stored_at), oldest first
        self._hits = 0
        self._misses = 0

    @staticmethod
    def _normalise(code):
        return code.strip().upper()

    def _fresh(self, stored_at, now):
        return now - stored_at < self._ttl

    def get_rate(self, base, quote):
        base, quote = self._normalise(base), self._normalise(quote)
        if base == quote:
            return 1.0
        key = base + "/" + quote
        now = self._clock()
        entry = self._entries.get(key)
        if entry is not None:
            rate, stored_at = entry
            if self._fresh(stored_at, now):
                self._hits += 1
                return rate
            del self._entries[key]
        self._misses += 1
        rate = self._fetch(base, quote)
        if rate is None:
            return None
        if len(self._entries) >= self._max_entries:
            self._entries.popitem(last=False)
        self._entries[key] = (rate, now)
        return rate

    def stats(self):
        size = len(self._entries)
        return {"hits": self._hits, "misses": self._misses, "size": size}
