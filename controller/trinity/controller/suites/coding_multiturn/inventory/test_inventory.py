"""Hidden checks for coding_multiturn/inventory.

Turn 1 (t1_*): Inventory with add/remove/stock/skus/total_units, using SKUs that are
already upper case without surrounding spaces, so the normalisation turn 2 asks for does
not change their answers; turn 2 (t2_*): normalised SKUs; turn 3 (t3_*): batches with
expiry dates, used earliest-expiring first. Every check imports the solution itself. Value
checks return plain data (dates as ISO strings) compared outside the sandbox; remove()'s
batches may be tuples or lists.
"""

import random
from datetime import date, timedelta


def _is_int(value):
    """An int, a subclass of int too, but never a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


def _inventory():
    from solution import Inventory

    return Inventory()


def _raises(kinds, call, *args):
    try:
        call(*args)
    except kinds:
        return
    except Exception as exc:
        raise AssertionError(f"{call.__name__}{args!r} raised {type(exc).__name__}, "
                             f"want {kinds}") from None  # fmt: skip
    raise AssertionError(f"{call.__name__}{args!r} did not raise {kinds}")


def _skus(inv):
    got = inv.skus()
    assert isinstance(got, list), f"skus() returned {type(got).__name__}, not a list"
    return got


def _taken(result):
    """remove()'s result as [[iso date or None, units], ...]."""
    assert isinstance(result, list), f"remove() returned {result!r}, not a list"
    rows = []
    for row in result:
        assert isinstance(row, (tuple, list)) and len(row) == 2, f"not a pair: {row!r}"
        expires, units = row
        assert expires is None or isinstance(expires, date), f"not a date or None: {expires!r}"
        rows.append([None if expires is None else expires.isoformat(), units])
    return rows


D = date(2024, 3, 10)


def _day(n):
    return D + timedelta(days=n)


# ---- turn 1 ----------------------------------------------------------------------------


def check_t1_basic():
    inv = _inventory()
    inv.add("WIDGET-1", 5)
    inv.add("BOLT", 12)
    inv.add("WIDGET-1", 3)
    inv.remove("BOLT", 2)
    return [inv.stock("WIDGET-1"), inv.stock("BOLT"), inv.stock("NUT"), _skus(inv),
            inv.total_units()]  # fmt: skip


def check_t1_remove_to_zero():
    inv = _inventory()
    inv.add("A", 4)
    inv.add("B", 1)
    inv.remove("A", 4)
    assert inv.stock("A") == 0, f"stock('A') = {inv.stock('A')!r} after removing all"
    assert _skus(inv) == ["B"], f"skus() = {inv.skus()!r}: only SKUs with stock > 0"
    assert inv.total_units() == 1, f"total_units() = {inv.total_units()!r}"
    inv.add("A", 2)
    assert _skus(inv) == ["A", "B"] and inv.stock("A") == 2, f"skus() = {inv.skus()!r}"


def check_t1_errors():
    inv = _inventory()
    inv.add("X", 3)
    _raises(ValueError, inv.add, "X", 0)
    _raises(ValueError, inv.add, "Y", -2)
    _raises(ValueError, inv.remove, "X", 4)
    _raises(ValueError, inv.remove, "X", 0)
    _raises(ValueError, inv.remove, "X", -1)
    _raises(ValueError, inv.remove, "Y", 1)  # never added: 0 in stock
    assert inv.stock("X") == 3, f"stock('X') = {inv.stock('X')!r}: a failed call changed it"
    assert inv.stock("Y") == 0 and _skus(inv) == ["X"], f"skus() = {inv.skus()!r}"
    inv.remove("X", 3)
    _raises(ValueError, inv.remove, "X", 1)


def check_t1_empty():
    inv = _inventory()
    for name, got in (("stock", inv.stock("A")), ("total_units", inv.total_units())):
        assert got == 0 and _is_int(got), f"empty inventory: {name}() = {got!r}"
    assert _skus(inv) == [], f"empty inventory: skus() = {inv.skus()!r}"


def check_t1_sorted_skus():
    inv = _inventory()
    for sku in ("ZETA", "ALPHA", "M-20", "M-3", "B", "AB"):
        inv.add(sku, 1)
    return _skus(inv)


def check_t1_independent():
    first, second = _inventory(), _inventory()
    first.add("A", 1)
    second.add("B", 2)
    assert _skus(first) == ["A"] and _skus(second) == ["B"], "instances share stock"
    assert _skus(_inventory()) == [], "a new Inventory is not empty"


# ---- turn 2 ----------------------------------------------------------------------------


def check_t2_normalised():
    inv = _inventory()
    inv.add("ab-12", 2)
    inv.add("  AB-12 ", 3)
    inv.add("Ab-12\t", 1)
    inv.add("cd 7", 4)
    inv.remove(" ab-12", 2)
    return [inv.stock("AB-12"), inv.stock("ab-12"), inv.stock("\nab-12  "), inv.stock("CD 7"),
            inv.stock("cd  7"), inv.total_units()]  # fmt: skip


def check_t2_skus_normalised():
    inv = _inventory()
    for sku in ("  zeta", "Alpha ", "ALPHA", "beta-2", " m x "):
        inv.add(sku, 1)
    return _skus(inv)


def check_t2_empty_sku():
    inv = _inventory()
    inv.add("Q", 1)
    for sku in ("", "   ", "\t\n"):
        _raises(ValueError, inv.add, sku, 1)
        _raises(ValueError, inv.remove, sku, 1)
        _raises(ValueError, inv.stock, sku)
    assert _skus(inv) == ["Q"] and inv.total_units() == 1, f"skus() = {inv.skus()!r}"


def check_t2_remove_normalised():
    inv = _inventory()
    inv.add("kit", 2)
    _raises(ValueError, inv.remove, " KIT ", 3)
    inv.remove(" Kit ", 2)
    assert inv.stock("kit") == 0 and _skus(inv) == [], f"skus() = {inv.skus()!r}"


# ---- turn 3 ----------------------------------------------------------------------------


def check_t3_fefo():
    inv = _inventory()
    inv.add("milk", 5, _day(7))
    inv.add("milk", 4)  # never expires: used last
    inv.add("milk", 3, _day(2))
    inv.add("milk", 2, _day(30))
    first = _taken(inv.remove("MILK", 4))
    second = _taken(inv.remove("milk", 6))
    third = _taken(inv.remove("milk", 3))
    return [first, second, third, inv.stock("milk")]


def check_t3_stock_today():
    inv = _inventory()
    inv.add("egg", 6, _day(0))
    inv.add("egg", 10, _day(5))
    inv.add("egg", 1)
    days = [None, _day(-3), _day(0), _day(1), _day(5), _day(6), _day(1000)]
    return [inv.stock("egg", today) for today in days] + [inv.stock("egg"), inv.total_units()]


def check_t3_remove_skips_expired():
    inv = _inventory()
    inv.add("yogurt", 2, _day(1))
    inv.add("yogurt", 5, _day(3))
    inv.add("yogurt", 1)
    usable_on_2 = _taken(inv.remove("yogurt", 3, _day(2)))  # day 1's batch is expired
    left = [inv.stock("yogurt"), inv.stock("yogurt", _day(2))]
    without_today = _taken(inv.remove("yogurt", 3))  # no date: every batch counts
    return [usable_on_2, left, without_today, inv.stock("yogurt")]


def check_t3_remove_insufficient():
    inv = _inventory()
    inv.add("jam", 4, _day(1))
    inv.add("jam", 2, _day(9))
    _raises(ValueError, inv.remove, "jam", 3, _day(2))  # only 2 usable on day 2
    _raises(ValueError, inv.remove, "jam", 7)
    _raises(ValueError, inv.remove, "jam", 1, _day(10))
    assert inv.stock("jam") == 6, f"stock('jam') = {inv.stock('jam')!r}: a failed call changed it"
    got = _taken(inv.remove("jam", 2, _day(2)))
    assert got == [[_day(9).isoformat(), 2]], f"remove('jam', 2, day 2) = {got!r}"
    assert inv.stock("jam") == 4 and inv.stock("jam", _day(2)) == 0


def check_t3_same_date_merges():
    inv = _inventory()
    inv.add("tea", 2, _day(4))
    inv.add("tea", 3)
    inv.add("TEA", 5, _day(4))
    inv.add("tea", 1)
    return [_taken(inv.remove("tea", 11)), inv.stock("tea"), _skus(inv)]


def check_t3_discard_expired():
    inv = _inventory()
    inv.add("a", 3, _day(-1))
    inv.add("a", 2, _day(0))
    inv.add("a", 7, _day(-10))
    inv.add("b", 4, _day(-2))
    inv.add("c", 9)
    inv.add("d", 1, _day(3))
    gone = inv.discard_expired(_day(0))
    assert isinstance(gone, dict), f"discard_expired() returned {gone!r}, not a dict"
    again = inv.discard_expired(_day(0))
    assert again == {}, f"a second discard_expired(same day) = {again!r}, want {{}}"
    return [sorted(gone.items()), _skus(inv), inv.total_units(), inv.stock("a")]


def check_t3_random():
    rng = random.Random(99)
    skus = ["P", "q", " R "]
    for round_ in range(30):
        inv, model = _inventory(), {}  # model: SKU -> {expiry or None: units}
        for _ in range(40):
            sku = rng.choice(skus)
            key = sku.strip().upper()
            batches = model.setdefault(key, {})
            today = rng.choice([None, _day(rng.randint(-2, 12))])
            usable = {e: n for e, n in batches.items()
                      if today is None or e is None or e >= today}  # fmt: skip
            if rng.random() < 0.5 or not usable:
                qty = rng.randint(1, 5)
                expires = rng.choice([None, _day(rng.randint(0, 10))])
                inv.add(sku, qty, expires)
                batches[expires] = batches.get(expires, 0) + qty
                continue
            qty = rng.randint(1, sum(usable.values()))
            got = _taken(inv.remove(sku, qty, today))
            want = []
            for e in sorted(usable, key=lambda e: (e is None, e)):
                n = min(qty, batches[e])
                if n:
                    want.append([None if e is None else e.isoformat(), n])
                    qty -= n
                    batches[e] -= n
                    if not batches[e]:
                        del batches[e]
            assert got == want, f"round {round_}: remove(...) = {got}, want {want}"
        for key, batches in model.items():
            want = sum(batches.values())
            assert inv.stock(key) == want, f"round {round_}: stock({key!r}) != {want}"
