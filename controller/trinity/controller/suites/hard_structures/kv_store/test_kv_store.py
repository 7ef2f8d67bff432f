"""Hidden checks for hard_structures/kv_store: a fake clock drives every expiry.

The clock only moves forward. A key set at t with ttl d is present while clock < t + d.
"""

import random
import time

from solution import KVStore

_MISSING = object()


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
    store = KVStore(clock=Clock())
    store.set("a", 1)
    store.set(2, "two")
    out = [store.get("a"), store.get(2), store.get("missing"), store.get("missing", "dflt")]
    out.append(store.delete("a"))
    out.append(store.delete("a"))
    out.append(store.get("a"))
    out.append(store.delete("never"))
    return out


def check_overwrite_resets_ttl():
    clock = Clock(100)
    store = KVStore(clock=clock)
    store.set("k", "old", ttl=5)
    store.set("k", "new")  # no ttl: never expires
    clock.now = 1000
    assert store.get("k") == "new", "set without ttl must clear the previous ttl"
    store.set("k", "short", ttl=2)
    clock.now = 1001
    store.set("k", "longer", ttl=10)  # ttl counted from this set: expires at 1011
    clock.now = 1010
    assert store.get("k") == "longer", "a new ttl is counted from the new set"
    clock.now = 1011
    assert store.get("k") is None, "key should have expired at 1011"
    store.set("k", "again")
    assert store.get("k") == "again", "an expired key can be set again"


def check_ttl_expiry():
    clock = Clock(50)
    store = KVStore(clock=clock)
    store.set("int", 1, ttl=10)  # expires at 60
    store.set("float", 2, ttl=0.5)  # expires at 50.5
    store.set("forever", 3)
    clock.now = 50.25
    assert store.get("float") == 2, "present before its expiry"
    clock.now = 50.5
    assert store.get("float") is None, "absent exactly at its expiry time"
    clock.now = 59.999
    assert store.get("int") == 1
    clock.now = 60
    assert store.get("int", "gone") == "gone", "absent exactly at its expiry time"
    assert store.delete("int") is False, "delete of an expired key returns False"
    clock.now = 10**9
    assert store.get("forever") == 3
    # the default clock is time.monotonic
    real = KVStore()
    real.set("x", "y", ttl=3600)
    real.set("z", "w", ttl=1e-9)
    time.sleep(0.001)
    assert real.get("x") == "y" and real.get("z") is None, "default clock"


def check_invalid_ttl():
    clock = Clock()
    store = KVStore(clock=clock)
    store.set("k", "kept", ttl=100)
    for bad in (0, -1, -0.5, 0.0):
        assert _raises(ValueError, store.set, "k", "bad", ttl=bad), f"ttl={bad!r}: ValueError"
        assert _raises(ValueError, store.set, "new", "bad", ttl=bad), f"ttl={bad!r}: ValueError"
    assert store.get("k") == "kept" and store.get("new") is None, "a rejected set changed data"
    clock.now = 99.5
    assert store.get("k") == "kept", "a rejected set changed the expiry"
    clock.now = 100
    assert store.get("k") is None


def check_length():
    clock = Clock()
    store = KVStore(clock=clock)
    sizes = [len(store)]
    store.set("a", 1)
    store.set("b", 2, ttl=5)
    store.set("c", 3, ttl=10)
    store.set("a", 4)
    sizes.append(len(store))
    clock.now = 5
    sizes.append(len(store))
    store.delete("a")
    sizes.append(len(store))
    store.begin()
    store.set("d", 4)
    store.set("b", 5)
    sizes.append(len(store))
    store.delete("c")
    sizes.append(len(store))
    store.rollback()
    sizes.append(len(store))
    clock.now = 10
    sizes.append(len(store))
    assert sizes == [0, 3, 2, 1, 3, 2, 1, 0], f"len after each step: {sizes!r}"


def check_commit():
    store = KVStore(clock=Clock())
    store.set("a", 1)
    store.set("b", 2)
    store.begin()
    store.set("a", 10)
    store.set("c", 30)
    assert store.delete("b") is True
    seen = [store.get("a"), store.get("b"), store.get("c")]
    assert seen == [10, None, 30], f"reads inside the transaction: {seen!r}"
    store.commit()
    after = [store.get("a"), store.get("b"), store.get("c")]
    assert after == [10, None, 30], f"after commit: {after!r}"
    assert _raises(RuntimeError, store.rollback), "rollback after the commit: RuntimeError"
    got = [store.get("a"), store.get("b"), store.get("c")]
    assert got == [10, None, 30], f"a failed rollback changed data: {got!r}"


def check_rollback():
    clock = Clock()
    store = KVStore(clock=clock)
    store.set("a", 1, ttl=10)
    store.set("b", 2)
    store.begin()
    store.set("a", 100)  # no ttl inside the transaction
    store.delete("b")
    store.set("b", 200)
    store.set("new", 3)
    store.delete("new")
    store.set("new", 4)
    assert store.delete("ghost") is False
    store.rollback()
    got = [store.get("a"), store.get("b"), store.get("new")]
    assert got == [1, 2, None], f"after rollback: {got!r}"
    clock.now = 10
    assert store.get("a") is None, "rollback must restore the key's old expiry time"
    assert store.get("b") == 2, "rollback must restore a key without expiry"
    # deleting then rolling back restores the key and its value
    store.begin()
    assert store.delete("b") is True and store.get("b") is None
    store.rollback()
    assert store.get("b") == 2, "rollback must undo a delete"


def check_nested():
    store = KVStore(clock=Clock())
    store.set("x", "base")
    store.begin()
    store.set("x", "outer")
    store.set("o", 1)
    store.begin()
    store.set("x", "inner")
    store.delete("o")
    store.set("i", 2)
    got = [store.get("x"), store.get("o"), store.get("i")]
    assert got == ["inner", None, 2], f"reads inside the inner transaction: {got!r}"
    store.rollback()  # only the inner transaction
    got = [store.get("x"), store.get("o"), store.get("i")]
    assert got == ["outer", 1, None], f"after inner rollback: {got!r}"
    store.begin()
    store.set("x", "inner2")
    store.delete("o")
    store.commit()  # into the outer transaction
    got = [store.get("x"), store.get("o")]
    assert got == ["inner2", None], f"after inner commit: {got!r}"
    store.rollback()  # the outer one, with the committed inner changes
    got = [store.get("x"), store.get("o"), store.get("i")]
    assert got == ["base", None, None], f"after outer rollback: {got!r}"
    # three levels, all committed
    for level in range(3):
        store.begin()
        store.set(f"k{level}", level)
    store.commit()
    store.commit()
    store.commit()
    got = [store.get(f"k{level}") for level in range(3)]
    assert got == [0, 1, 2], f"after three nested commits: {got!r}"
    assert _raises(RuntimeError, store.commit), "a fourth commit has no transaction"


def check_no_transaction():
    store = KVStore(clock=Clock())
    assert _raises(RuntimeError, store.commit), "commit with no transaction: RuntimeError"
    assert _raises(RuntimeError, store.rollback), "rollback with no transaction: RuntimeError"
    store.set("a", 1)
    store.begin()
    store.rollback()
    assert _raises(RuntimeError, store.rollback), "second rollback: RuntimeError"
    assert _raises(RuntimeError, store.commit), "commit after rollback: RuntimeError"
    assert store.get("a") == 1, "failed commit/rollback changed data"
    store.set("b", 2)
    assert store.get("b") == 2, "store unusable after a RuntimeError"


def check_ttl_in_transaction():
    clock = Clock()
    store = KVStore(clock=clock)
    store.begin()
    store.set("t", "v", ttl=5)  # expires at 5, however late the commit
    clock.now = 4
    store.commit()
    assert store.get("t") == "v", "a key set with a ttl in a committed transaction"
    clock.now = 5
    assert store.get("t") is None, "expiry must be counted from set, not from commit"
    # a key expiring while a transaction is open, then rolled back: still expired
    store.set("e", 1, ttl=3)  # expires at 8
    store.begin()
    store.set("other", 1)
    clock.now = 8
    assert store.get("e") is None, "key expired while a transaction was open"
    assert store.delete("e") is False, "delete of a key that expired: False"
    store.rollback()
    assert store.get("e") is None, "rollback must not bring back an expired key"
    # overwriting an expired key inside a transaction, then rolling back
    store.set("f", "old", ttl=2)  # expires at 10
    store.begin()
    clock.now = 11
    store.set("f", "fresh")
    assert store.get("f") == "fresh"
    store.rollback()
    assert store.get("f") is None, "rolled back to the expired key"


def check_independent_instances():
    clock = Clock()
    first, second = KVStore(clock=clock), KVStore(clock=clock)
    first.set("k", 1)
    second.begin()
    second.set("k", 2)
    got = [first.get("k"), second.get("k")]
    assert got == [1, 2], f"two stores share data: {got!r}"
    assert _raises(RuntimeError, first.commit), "a transaction leaked to another instance"
    second.rollback()
    assert second.get("k") is None and first.get("k") == 1


def _model_get(layers, key, now):
    entry = layers[-1].get(key, _MISSING)
    if entry is _MISSING:
        return _MISSING
    value, expires = entry
    return value if expires is None or now < expires else _MISSING


def check_random_ops():
    rng = random.Random(7)
    for _ in range(30):
        clock = Clock()
        store = KVStore(clock=clock)
        layers = [{}]  # each layer is a full copy: key -> (value, expires_at)
        for step in range(150):
            key = rng.randrange(6)
            op = rng.random()
            where = f"step {step}"
            if op < 0.3:
                ttl = rng.choice([None, None, 1, 2.5, 7])
                store.set(key, step, ttl=ttl)
                layers[-1][key] = (step, None if ttl is None else clock.now + ttl)
            elif op < 0.45:
                want = _model_get(layers, key, clock.now) is not _MISSING
                got = store.delete(key)
                layers[-1].pop(key, None)
                assert got is want, f"{where}: delete({key}) = {got!r}, want {want!r}"
            elif op < 0.55:
                store.begin()
                layers.append(dict(layers[-1]))
            elif op < 0.65:
                if len(layers) == 1:
                    assert _raises(RuntimeError, store.commit), f"{where}: commit, no txn"
                else:
                    store.commit()
                    top = layers.pop()
                    layers[-1] = top
            elif op < 0.75:
                if len(layers) == 1:
                    assert _raises(RuntimeError, store.rollback), f"{where}: rollback, no txn"
                else:
                    store.rollback()
                    layers.pop()
            elif op < 0.85:
                clock.now += rng.choice([0.5, 1, 2])
            want = _model_get(layers, key, clock.now)
            want = None if want is _MISSING else want
            got = store.get(key)
            assert got == want, f"{where}: get({key}) = {got!r}, want {want!r}"
            live = sum(_model_get(layers, k, clock.now) is not _MISSING for k in layers[-1])
            assert len(store) == live, f"{where}: len = {len(store)}, want {live}"
