"""Hidden checks for crosscheck/lru_ttl_cache: a fake clock drives every expiry, never a
real sleep.

An entry put at t with ttl d is present while clock < t + d. Recency: put and a get hit.
Expired entries never count toward capacity. The threads check runs eight threads on one
cache, started together, with keys whose __hash__ runs bytecode and a 1 us switch
interval, so an unlocked check-then-act shows up; it verifies invariants that hold for every order of
atomic calls: len <= capacity, a value is always one put under that key, a thread reads
back its own keys' last value (or nothing, after an eviction), and at the end len equals
the number of keys present.
"""

import itertools
import random
import sys
import threading
import time
from collections import OrderedDict

from solution import TTLCache


class Clock:
    def __init__(self, now=0):
        self.now = now

    def __call__(self):
        return self.now


def _raises(exc_type, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except exc_type:
        return True
    return False


def check_basic():
    cache = TTLCache(4, clock=Clock())
    cache.put("a", 1)
    cache.put(2, "two")
    out = [cache.get("a"), cache.get(2), cache.get("missing"), cache.get("missing", "dflt")]
    out.append(len(cache))
    out.append(cache.delete("a"))
    out.append(cache.delete("a"))
    out.append(cache.get("a"))
    out.append(len(cache))
    out.append(cache.delete("never"))
    return out


def _snapshot(cache, keys):
    return [cache.get(k) for k in keys]


def check_lru_order():
    out = []
    cache = TTLCache(3, clock=Clock())
    for k in (1, 2, 3, 4):
        cache.put(k, k)
    out.append(_snapshot(cache, [1, 2, 3, 4]))  # 1 evicted

    cache = TTLCache(3, clock=Clock())
    for k in (1, 2, 3):
        cache.put(k, k)
    cache.get(1)  # 1 is now the most recent: 2 goes
    cache.put(4, 4)
    out.append(_snapshot(cache, [1, 2, 3, 4]))

    cache = TTLCache(3, clock=Clock())
    for k in (1, 2, 3):
        cache.put(k, k)
    cache.put(1, 1)  # a put to a present key refreshes it
    cache.get(9)  # a miss changes nothing
    cache.put(4, 4)  # evicts 2
    cache.put(5, 5)  # evicts 3
    out.append(_snapshot(cache, [1, 2, 3, 4, 5]))

    cache = TTLCache(3, clock=Clock())
    for k in (1, 2, 3):
        cache.put(k, k)
    len(cache)
    cache.delete(2)  # order 1, 3
    cache.put(6, 6)  # room for it: order 1, 3, 6
    cache.put(7, 7)  # evicts 1: order 3, 6, 7
    cache.get(3)  # order 6, 7, 3
    cache.put(8, 8)  # evicts 6
    out.append(_snapshot(cache, [1, 3, 6, 7, 8]))
    return out


def check_update_never_evicts():
    cache = TTLCache(2, clock=Clock())
    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("a", 10)
    cache.put("b", 20, ttl=100)
    cache.put("b", 21)
    got = [cache.get("a"), cache.get("b"), len(cache)]
    assert got == [10, 21, 2], f"updating present keys of a full cache: {got!r}"
    single = TTLCache(1, clock=Clock())
    single.put("x", 1)
    single.put("x", 2)
    assert single.get("x") == 2 and len(single) == 1, "capacity 1, updating its one key"
    single.put("y", 3)
    got = [single.get("x"), single.get("y"), len(single)]
    assert got == [None, 3, 1], f"capacity 1, a new key: {got!r}"


def check_ttl_expiry():
    clock = Clock(50)
    cache = TTLCache(10, clock=clock)
    cache.put("int", 1, ttl=10)  # expires at 60
    cache.put("float", 2, ttl=0.5)  # expires at 50.5
    cache.put("forever", 3)
    clock.now = 50.25
    assert cache.get("float") == 2, "present before its expiry"
    assert len(cache) == 3
    clock.now = 50.5
    assert cache.get("float") is None, "absent exactly at its expiry time"
    assert len(cache) == 2, "an expired entry still counted by len"
    clock.now = 59.999
    assert cache.get("int") == 1
    clock.now = 60
    assert cache.get("int", "gone") == "gone", "absent exactly at its expiry time"
    assert len(cache) == 1
    clock.now = 10**9
    assert cache.get("forever") == 3 and len(cache) == 1
    cache.put("float", "again", ttl=1)
    assert cache.get("float") == "again", "an expired key can be put again"


def check_put_resets_ttl():
    clock = Clock(100)
    cache = TTLCache(4, clock=clock)
    cache.put("k", "old", ttl=5)
    cache.put("k", "new")  # no ttl: never expires
    clock.now = 1000
    assert cache.get("k") == "new", "put without ttl must clear the previous ttl"
    cache.put("k", "short", ttl=2)
    clock.now = 1001
    cache.put("k", "longer", ttl=10)  # counted from this put: expires at 1011
    clock.now = 1010
    assert cache.get("k") == "longer", "a new ttl is counted from the new put"
    clock.now = 1011
    assert cache.get("k") is None, "entry should have expired at 1011"


def check_expired_not_counted():
    clock = Clock()
    cache = TTLCache(2, clock=clock)
    cache.put("a", 1, ttl=5)
    cache.put("b", 2)
    cache.get("a")  # b is now the least recently used
    clock.now = 5  # a expires
    cache.put("c", 3)  # one present entry: no eviction
    got = [cache.get("a"), cache.get("b"), cache.get("c"), len(cache)]
    assert got == [None, 2, 3, 2], f"an expired entry took a present entry's place: {got!r}"

    clock = Clock()
    cache = TTLCache(3, clock=clock)
    cache.put("x", 1, ttl=1)
    cache.put("y", 2, ttl=1)
    cache.put("z", 3)
    clock.now = 1
    assert len(cache) == 1, "two expired entries still counted"
    cache.put("p", 4)
    cache.put("q", 5)
    got = [cache.get("z"), cache.get("p"), cache.get("q"), len(cache)]
    assert got == [3, 4, 5, 3], f"after expiry there is room for two: {got!r}"
    cache.put("r", 6)  # full of present entries: z (least recent) goes
    got = [cache.get("z"), cache.get("p"), cache.get("q"), cache.get("r")]
    assert got == [None, 4, 5, 6], f"eviction after expiry: {got!r}"


def check_invalid_arguments():
    for bad in (0, -1):
        assert _raises(ValueError, TTLCache, bad), f"capacity {bad}: ValueError"
        assert _raises(ValueError, TTLCache, bad, clock=Clock()), f"capacity {bad}: ValueError"
    clock = Clock()
    cache = TTLCache(2, clock=clock)
    cache.put("a", "kept", ttl=100)
    cache.put("b", "b")
    for bad in (0, -1, -0.5, 0.0):
        assert _raises(ValueError, cache.put, "a", "bad", ttl=bad), f"ttl={bad!r}: ValueError"
        assert _raises(ValueError, cache.put, "new", "bad", ttl=bad), f"ttl={bad!r}: ValueError"
    assert len(cache) == 2 and cache.get("new") is None, "a rejected put added an entry"
    assert cache.get("b") == "b", "a rejected put evicted an entry"
    clock.now = 99.5
    assert cache.get("a") == "kept", "a rejected put changed the value or expiry"
    clock.now = 100
    assert cache.get("a") is None, "a rejected put changed the expiry"
    # a rejected put does not make its key the most recently used
    cache = TTLCache(2, clock=Clock())
    cache.put("old", 1)
    cache.put("young", 2)
    assert _raises(ValueError, cache.put, "old", 3, ttl=0)
    cache.put("new", 4)
    got = [cache.get("old"), cache.get("young"), cache.get("new")]
    assert got == [None, 2, 4], f"a rejected put changed the order: {got!r}"


def check_delete():
    clock = Clock()
    cache = TTLCache(2, clock=clock)
    cache.put("a", 1)
    cache.put("b", 2, ttl=3)
    assert cache.delete("a") is True
    assert cache.delete("a") is False
    assert cache.delete("zzz") is False
    assert len(cache) == 1
    cache.put("c", 3)  # a's slot is free: b stays
    got = [cache.get("b"), cache.get("c"), len(cache)]
    assert got == [2, 3, 2], f"delete must free a slot: {got!r}"
    clock.now = 3
    assert cache.delete("b") is False, "delete of an expired entry returns False"
    cache.put("a", 4)
    assert cache.get("a") == 4, "a deleted key can be put again"


def check_default_clock():
    cache = TTLCache(4)
    cache.put("long", 1, ttl=3600)
    cache.put("short", 2, ttl=1e-6)
    cache.put("none", 3)
    start = time.monotonic()
    while time.monotonic() < start + 0.002:  # 2 ms of real time, no sleep
        pass
    got = [cache.get("long"), cache.get("short"), cache.get("none"), len(cache)]
    assert got == [1, None, 3, 2], f"with the default clock: {got!r}"


def check_independent_instances():
    clock = Clock()
    first, second = TTLCache(1, clock=clock), TTLCache(1, clock=clock)
    first.put("k", 1)
    second.put("other", 2)
    got = [first.get("k"), second.get("k"), second.get("other"), len(first), len(second)]
    assert got == [1, None, 2, 1, 1], f"two caches share state: {got!r}"


class _Model:
    def __init__(self, capacity):
        self.capacity = capacity
        self.entries = OrderedDict()  # key -> (value, expires or None), LRU first

    def _purge(self, now):
        for key in [k for k, (_, e) in self.entries.items() if e is not None and now >= e]:
            del self.entries[key]

    def put(self, key, value, ttl, now):
        self._purge(now)
        if key not in self.entries and len(self.entries) == self.capacity:
            self.entries.popitem(last=False)
        self.entries[key] = (value, None if ttl is None else now + ttl)
        self.entries.move_to_end(key)

    def get(self, key, now):
        self._purge(now)
        if key in self.entries:
            self.entries.move_to_end(key)
            return self.entries[key][0]
        return None

    def delete(self, key, now):
        self._purge(now)
        return self.entries.pop(key, None) is not None

    def size(self, now):
        self._purge(now)
        return len(self.entries)


def check_random_ops():
    rng = random.Random(11)
    for run in range(30):
        clock = Clock()
        capacity = rng.randint(1, 4)
        cache, model = TTLCache(capacity, clock=clock), _Model(capacity)
        for step in range(150):
            key = rng.randrange(7)
            op = rng.random()
            where = f"run {run}, capacity {capacity}, step {step}"
            if op < 0.4:
                ttl = rng.choice([None, None, 1, 2.5, 6])
                assert cache.put(key, step, ttl=ttl) is None, f"{where}: put returns None"
                model.put(key, step, ttl, clock.now)
            elif op < 0.75:
                got, want = cache.get(key), model.get(key, clock.now)
                assert got == want, f"{where}: get({key}) = {got!r}, want {want!r}"
            elif op < 0.85:
                got, want = cache.delete(key), model.delete(key, clock.now)
                assert got is want, f"{where}: delete({key}) = {got!r}, want {want!r}"
            else:
                clock.now += rng.choice([0.5, 1, 2])
            got, want = len(cache), model.size(clock.now)
            assert got == want, f"{where}: len = {got}, want {want}"


_CAPACITY = 10
_THREADS = 8
_OPS = 1500


class _Key:
    """A hashable key whose hashing runs some bytecode: with a 1 us switch interval, a
    cache that checks and then acts without a lock is often interrupted in between."""

    __slots__ = ("name",)

    def __init__(self, *name):
        self.name = name

    def __hash__(self):
        for _ in range(10):  # a few microseconds of bytecode: room for a thread switch
            pass
        return hash(self.name)

    def __eq__(self, other):
        return isinstance(other, _Key) and self.name == other.name

    def __repr__(self):
        return f"_Key{self.name!r}"


def _worker(cache, index, seed, errors, barrier):
    barrier.wait()  # every thread starts at once
    rng = random.Random(seed)
    own = [_Key("own", index, j) for j in range(4)]
    shared = [_Key("shared", j) for j in range(12)]
    last = dict.fromkeys(own)
    try:
        for seq in range(_OPS):
            op = rng.random()
            if op < 0.25:
                key = rng.choice(own)
                value = (key.name, index, seq)
                cache.put(key, value, ttl=rng.choice([None, None, 5.0]))
                last[key] = value
            elif op < 0.45:
                key = rng.choice(own)
                got = cache.get(key)
                if got is not None and got != last[key]:
                    errors.append(f"thread {index}: get({key}) = {got!r}, last put {last[key]!r}")
            elif op < 0.65:
                key = rng.choice(shared)
                cache.put(_Key(*key.name), (key.name, index, seq), ttl=rng.choice([None, 5.0]))
            elif op < 0.85:
                key = rng.choice(shared)
                got = cache.get(key)
                if got is not None and (not isinstance(got, tuple) or got[0] != key.name):
                    errors.append(f"thread {index}: get({key}) = {got!r}, a value of another key")
            elif op < 0.93:
                key = rng.choice(own + shared)
                got = cache.delete(key)
                if not isinstance(got, bool):
                    errors.append(f"thread {index}: delete returned {got!r}")
                if key in last:
                    last[key] = None
            else:
                size = len(cache)
                if not 0 <= size <= _CAPACITY:
                    errors.append(f"thread {index}: len = {size} with capacity {_CAPACITY}")
    except BaseException as exc:
        errors.append(f"thread {index}: {type(exc).__name__}: {exc}")


def check_threads():
    ticks = itertools.count()
    frozen = []

    def clock():
        if frozen:
            return frozen[0]
        return next(ticks) * 0.001

    cache = TTLCache(_CAPACITY, clock=clock)
    errors = []
    old_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        barrier = threading.Barrier(_THREADS)
        threads = [
            threading.Thread(target=_worker, args=(cache, i, 100 + i, errors, barrier), daemon=True)
            for i in range(_THREADS)
        ]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 12
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
    finally:
        sys.setswitchinterval(old_interval)
    assert not any(t.is_alive() for t in threads), "threads still running after 12 s: deadlock?"
    assert not errors, f"{len(errors)} problems, first: {errors[0]}"
    frozen.append(next(ticks) * 0.001)
    keys = [_Key("own", i, j) for i in range(_THREADS) for j in range(4)]
    keys += [_Key("shared", j) for j in range(12)]
    size = len(cache)
    present = [k for k in keys if cache.get(k) is not None]
    assert size <= _CAPACITY, f"len = {size} with capacity {_CAPACITY}"
    assert size == len(present), f"len = {size} but {len(present)} keys are present"
