"""Hidden checks for crosscheck/cache_refactor: the refactored RateCache must behave
exactly like the original get_rate (run here, with its clock injected, as the oracle),
FIFO eviction and lazy expiry included, and count hits, misses and live size.
"""

import random

from solution import RateCache


def _is_int(value):
    """An int, a subclass of int too, but never a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


class Clock:
    def __init__(self, now=1000.0):
        self.now = now

    def __call__(self):
        return self.now


class Fetcher:
    """Records each call; answers from a table (None when the pair is unknown)."""

    def __init__(self, table=None, default=None):
        self.table = table or {}
        self.default = default
        self.calls = []

    def __call__(self, base, quote):
        self.calls.append([base, quote])
        return self.table.get((base, quote), self.default)


def _raises(exc_type, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except exc_type:
        return True
    return False


def check_caches_results():
    fetch = Fetcher({("EUR", "USD"): 1.1, ("USD", "EUR"): 0.9})
    cache = RateCache(fetch, clock=Clock())
    out = [cache.get_rate("EUR", "USD"), cache.get_rate("EUR", "USD")]
    out.append(cache.get_rate("USD", "EUR"))
    out.append(cache.get_rate("EUR", "USD"))
    out.append(fetch.calls)
    return out


def check_normalises_codes():
    fetch = Fetcher({("GBP", "JPY"): 2.0})
    cache = RateCache(fetch, clock=Clock())
    out = [
        cache.get_rate(" gbp", "jpy "),
        cache.get_rate("GBP", "JPY"),
        cache.get_rate("Gbp", " JpY"),
    ]
    out.append(fetch.calls)
    return out


def check_same_currency():
    fetch = Fetcher(default=5.0)
    cache = RateCache(fetch, clock=Clock())
    got = [cache.get_rate("USD", "USD"), cache.get_rate(" usd", "USD "), cache.get_rate("x", "X")]
    assert got == [1.0, 1.0, 1.0] and all(isinstance(v, float) for v in got), (
        f"same currency: {got!r}"
    )
    assert fetch.calls == [], (
        f"fetch must not be called for a currency against itself: {fetch.calls}"
    )
    stats = cache.stats()
    assert stats == {"hits": 0, "misses": 0, "size": 0}, f"neither hit nor miss: {stats!r}"


def check_expiry():
    clock = Clock(100)
    fetch = Fetcher(default=3.5)
    cache = RateCache(fetch, ttl=10, clock=clock)
    cache.get_rate("AAA", "BBB")  # stored at 100
    clock.now = 109.999
    cache.get_rate("AAA", "BBB")
    assert len(fetch.calls) == 1, "fresh while now - stored < ttl"
    clock.now = 110
    cache.get_rate("AAA", "BBB")  # expired exactly at 110: fetched again, stored at 110
    assert len(fetch.calls) == 2, "expired once now - stored == ttl"
    clock.now = 119.5
    cache.get_rate("AAA", "BBB")
    assert len(fetch.calls) == 2, "the refetched entry is fresh again"
    default_fetch = Fetcher(default=1.0)
    default = RateCache(default_fetch, clock=clock)  # ttl 60 by default
    clock.now = 200
    default.get_rate("A", "B")
    clock.now = 259.5
    default.get_rate("A", "B")
    assert len(default_fetch.calls) == 1, "the default ttl is 60"
    clock.now = 260
    default.get_rate("A", "B")
    assert len(default_fetch.calls) == 2, "the default ttl is 60"


def check_none_not_cached():
    fetch = Fetcher({("AAA", "CCC"): 2.0})
    cache = RateCache(fetch, clock=Clock())
    got = [cache.get_rate("AAA", "BBB"), cache.get_rate("AAA", "BBB"), cache.get_rate("AAA", "CCC")]
    assert got == [None, None, 2.0], f"results: {got!r}"
    assert len(fetch.calls) == 3, "a None result is not cached: the next lookup fetches again"
    stats = cache.stats()
    assert stats == {"hits": 0, "misses": 3, "size": 1}, f"stats: {stats!r}"


def check_errors_not_cached():
    attempts = []

    def flaky(base, quote):
        attempts.append(base)
        if len(attempts) == 1:
            raise ConnectionError("service down")
        return 4.25

    cache = RateCache(flaky, clock=Clock())
    assert _raises(ConnectionError, cache.get_rate, "EUR", "CHF"), "fetch's error propagates"
    assert cache.get_rate("EUR", "CHF") == 4.25, "a failed fetch is not cached"
    assert cache.get_rate("EUR", "CHF") == 4.25 and len(attempts) == 2
    stats = cache.stats()
    assert stats == {"hits": 1, "misses": 2, "size": 1}, f"a raising fetch is a miss: {stats!r}"


def check_fifo_eviction():
    fetch = Fetcher(default=1.5)
    cache = RateCache(fetch, max_entries=3, clock=Clock())
    for code in ("AAA", "BBB", "CCC"):
        cache.get_rate(code, "ZZZ")
    cache.get_rate("AAA", "ZZZ")  # a hit does not refresh: AAA is still the oldest
    cache.get_rate("DDD", "ZZZ")  # full: evicts AAA (first stored), not BBB
    before = len(fetch.calls)
    cache.get_rate("BBB", "ZZZ")
    cache.get_rate("CCC", "ZZZ")
    assert len(fetch.calls) == before, (
        "BBB and CCC must still be cached (eviction is FIFO, not LRU)"
    )
    cache.get_rate("AAA", "ZZZ")
    assert len(fetch.calls) == before + 1, "AAA, the first stored, must have been evicted"
    assert cache.stats()["size"] == 3


def check_refetched_entry_is_newest():
    clock = Clock(0)
    fetch = Fetcher(default=7.0)
    cache = RateCache(fetch, ttl=10, max_entries=2, clock=clock)
    cache.get_rate("AAA", "ZZZ")  # stored at 0
    clock.now = 1
    cache.get_rate("BBB", "ZZZ")  # stored at 1
    clock.now = 10
    cache.get_rate("AAA", "ZZZ")  # expired: removed, fetched again, now the newest
    cache.get_rate("CCC", "ZZZ")  # full: evicts BBB, the oldest stored
    calls = len(fetch.calls)
    cache.get_rate("AAA", "ZZZ")
    assert len(fetch.calls) == calls, "the refetched AAA must still be cached"
    cache.get_rate("BBB", "ZZZ")
    assert len(fetch.calls) == calls + 1, "BBB must have been evicted"


def check_stats():
    clock = Clock(0)
    cache = RateCache(Fetcher(default=1.25), ttl=5, max_entries=4, clock=clock)
    out = [cache.stats()]
    cache.get_rate("AAA", "BBB")
    clock.now = 2
    cache.get_rate("CCC", "DDD")
    out.append(cache.stats())
    for _ in range(3):
        cache.get_rate("aaa", "bbb")
    cache.get_rate("EEE", "EEE")  # neither hit nor miss
    out.append(cache.stats())
    clock.now = 5  # AAA/BBB expires
    cache.get_rate("AAA", "BBB")  # miss, stored at 5
    cache.get_rate("FFF", "GGG")  # miss, stored at 5
    clock.now = 7  # CCC/DDD expires (stored at 2)
    out.append(cache.stats())
    clock.now = 9.5
    cache.get_rate("HHH", "III")  # miss
    clock.now = 10  # the two stored at 5 expire
    out.append(cache.stats())
    for stats in out:
        assert isinstance(stats, dict) and all(_is_int(v) for v in stats.values()), stats
    first = cache.stats()
    first["hits"] = 1000
    assert cache.stats()["hits"] == 3, "stats() must return a new dict"
    return out


def check_invalid_arguments():
    fetch = Fetcher()
    for kwargs in ({"ttl": 0}, {"ttl": -1}, {"ttl": -0.5}, {"max_entries": 0}, {"max_entries": -3}):
        assert _raises(ValueError, RateCache, fetch, **kwargs), f"{kwargs}: ValueError"
    RateCache(fetch, ttl=0.5, max_entries=1)  # valid


def check_independent_instances():
    clock = Clock()
    first = RateCache(Fetcher(default=1.0), clock=clock)
    second_fetch = Fetcher(default=2.0)
    second = RateCache(second_fetch, clock=clock)
    first.get_rate("AAA", "BBB")
    assert second.get_rate("AAA", "BBB") == 2.0, "a cache answered from another instance's data"
    assert len(second_fetch.calls) == 1
    assert first.stats() == {"hits": 0, "misses": 1, "size": 1}
    assert second.stats() == {"hits": 0, "misses": 1, "size": 1}


class _Original:
    """The prompt's code, with its globals as attributes and time.time() injected."""

    def __init__(self, fetch, ttl, max_entries, clock):
        self.cache, self.order = {}, []
        self.fetch, self.TTL, self.MAX, self.clock = fetch, ttl, max_entries, clock

    def get_rate(self, base, quote):
        k = base.strip().upper() + "/" + quote.strip().upper()
        if base.strip().upper() == quote.strip().upper():
            return 1.0
        now = self.clock()
        if k in self.cache:
            v, t = self.cache[k]
            if now - t < self.TTL:
                return v
            else:
                del self.cache[k]
                self.order.remove(k)
        v = self.fetch(base.strip().upper(), quote.strip().upper())
        if v is None:
            return None
        if len(self.order) >= self.MAX:
            old = self.order.pop(0)
            del self.cache[old]
        self.cache[k] = (v, now)
        self.order.append(k)
        return v


def _fetcher(log, values, rng):
    """A fetch for one side of the comparison; both sides share the rates drawn."""

    def fetch(base, quote):
        log.append((base, quote))
        if (base, quote) not in values:
            values[(base, quote)] = rng.choice([None, 0.5, 1.25, 2, 3.75])
        return values[(base, quote)]

    return fetch


def check_matches_original():
    rng = random.Random(17)
    codes = ["usd", "EUR", " gbp", "JPY ", "chf", "Aud"]
    for run in range(40):
        ttl = rng.choice([1, 3, 7.5])
        size = rng.randint(1, 5)
        values = {}
        clock = Clock(0)
        got_log, want_log = [], []
        cache = RateCache(_fetcher(got_log, values, rng), ttl=ttl, max_entries=size, clock=clock)
        oracle = _Original(_fetcher(want_log, values, rng), ttl, size, clock)
        hits = misses = 0
        for step in range(120):
            if rng.random() < 0.2:
                clock.now += rng.choice([0.5, 1, 2])
            base, quote = rng.choice(codes), rng.choice(codes)
            before = len(want_log)
            want = oracle.get_rate(base, quote)
            got = cache.get_rate(base, quote)
            where = f"run {run} (ttl {ttl}, max {size}) step {step}: get_rate({base!r}, {quote!r})"
            # the prompt keeps what is returned exactly: fetch's own value (2 stays an int)
            assert got == want and type(got) is type(want), f"{where} = {got!r}, want {want!r}"
            assert got_log == want_log, f"{where}: fetch calls {got_log[-3:]} vs {want_log[-3:]}"
            if len(want_log) > before:
                misses += 1
            elif base.strip().upper() != quote.strip().upper():
                hits += 1
            live = sum(1 for _, t in oracle.cache.values() if clock.now - t < ttl)
            stats = cache.stats()
            want_stats = {"hits": hits, "misses": misses, "size": live}
            assert stats == want_stats, f"{where}: stats {stats!r}, want {want_stats!r}"
