"""Hidden checks for coding_multiturn/shopping_cart.

Turn 1 (t1_*): Cart with add/remove/quantity/items/subtotal/total; turn 2 (t2_*): discount
codes; turn 3 (t3_*): tax and the receipt. Every check imports the solution itself, so a
turn's code is never asked for what a later turn adds, and final-turn code passes them all.
Value checks return plain data compared outside the sandbox ([expected]); items() may
hold tuples or lists.
"""

import random


def _is_int(value):
    """An int, a subclass of int too, but never a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


def _cart(tax_bp=None):
    from solution import Cart

    return Cart() if tax_bp is None else Cart(tax_bp=tax_bp)


def _items(cart):
    got = cart.items()
    assert isinstance(got, list), f"items() returned {type(got).__name__}, not a list"
    rows = []
    for row in got:
        assert isinstance(row, (tuple, list)) and len(row) == 3, f"not a 3-tuple: {row!r}"
        rows.append(list(row))
    return rows


def _raises(kinds, call, *args):
    try:
        call(*args)
    except kinds:
        return
    except Exception as exc:
        raise AssertionError(f"{call.__name__}{args!r} raised {type(exc).__name__}, "
                             f"want {kinds}") from None  # fmt: skip
    raise AssertionError(f"{call.__name__}{args!r} did not raise {kinds}")


def _lines(text):
    assert isinstance(text, str), f"receipt() returned {type(text).__name__}, not a str"
    return text.removesuffix("\n").split("\n")


# ---- turn 1 ----------------------------------------------------------------------------


def check_t1_basic():
    cart = _cart()
    cart.add("apple", 125, 3)
    cart.add("bread", 350)
    cart.add("milk", 99, 2)
    return [_items(cart), cart.subtotal(), cart.total(), cart.quantity("apple"),
            cart.quantity("bread"), cart.quantity("cheese")]  # fmt: skip


def check_t1_add_merges():
    cart = _cart()
    cart.add("tea", 400, 2)
    cart.add("jam", 250)
    cart.add("tea", 400, 3)
    _raises(ValueError, cart.add, "tea", 450)
    _raises(ValueError, cart.add, "jam", 0, 1)
    cart.add("free sample", 0, 1)
    return [_items(cart), cart.subtotal()]


def check_t1_remove():
    cart = _cart()
    cart.add("a", 100, 5)
    cart.add("b", 200, 2)
    cart.add("c", 300, 1)
    cart.remove("a", 2)
    step1 = [_items(cart), cart.subtotal()]
    cart.remove("b", 2)  # every unit: the item leaves the cart
    step2 = [_items(cart), cart.quantity("b")]
    cart.remove("a")  # None: all units
    step3 = [_items(cart), cart.quantity("a"), cart.subtotal()]
    cart.add("a", 150, 1)  # a new item now, at a new price, and last
    cart.add("c", 300, 4)  # more units do not move an item
    step4 = [_items(cart), cart.total()]
    return [step1, step2, step3, step4]


def check_t1_errors():
    cart = _cart()
    cart.add("pen", 120, 2)
    before = _items(cart)
    _raises(ValueError, cart.add, "pen", -1)
    _raises(ValueError, cart.add, "ink", -5, 1)
    _raises(ValueError, cart.add, "ink", 10, 0)
    _raises(ValueError, cart.add, "pen", 120, 0)
    _raises(ValueError, cart.add, "pen", 120, -2)
    _raises(KeyError, cart.remove, "ink")
    _raises(KeyError, cart.remove, "ink", 1)
    _raises(ValueError, cart.remove, "pen", 3)
    _raises(ValueError, cart.remove, "pen", 0)
    _raises(ValueError, cart.remove, "pen", -1)
    after = _items(cart)
    assert after == before, f"a call that raised changed the cart: {before} -> {after}"
    assert cart.subtotal() == 240, f"subtotal {cart.subtotal()!r}, want 240"


def check_t1_empty():
    cart = _cart()
    assert _items(cart) == [], f"empty cart items() = {cart.items()!r}"
    for name, got in (("subtotal", cart.subtotal()), ("total", cart.total()),
                      ("quantity", cart.quantity("x"))):  # fmt: skip
        assert got == 0 and _is_int(got), f"empty cart {name}() = {got!r}, want int 0"
    _raises(KeyError, cart.remove, "x")
    cart.add("x", 5)
    cart.remove("x")
    assert _items(cart) == [] and cart.subtotal() == 0, "cart not empty after removing all"


def check_t1_independent():
    first, second = _cart(), _cart()
    first.add("a", 100)
    second.add("b", 200, 2)
    assert _items(first) == [["a", 100, 1]], f"first cart: {first.items()!r}"
    assert _items(second) == [["b", 200, 2]], f"second cart: {second.items()!r}"
    assert _items(_cart()) == [], "a new cart is not empty"


def check_t1_random():
    rng = random.Random(7)
    names = ["ant", "bee", "cat", "dog", "eel"]
    prices = {n: rng.randint(0, 999) for n in names}
    for round_ in range(40):
        cart, model = _cart(), {}
        for _ in range(30):
            name = rng.choice(names)
            if rng.random() < 0.55:
                qty = rng.randint(1, 4)
                cart.add(name, prices[name], qty)
                model[name] = model.get(name, 0) + qty
            elif name in model:
                qty = rng.choice([None, 1, model[name]] + ([2] if model[name] >= 2 else []))
                cart.remove(name, qty)
                model[name] -= model[name] if qty is None else qty
                if model[name] == 0:
                    del model[name]
            want = [[n, prices[n], q] for n, q in model.items()]
            assert _items(cart) == want, f"round {round_}: {cart.items()!r}, want {want}"
        want_sub = sum(prices[n] * q for n, q in model.items())
        assert cart.subtotal() == want_sub == cart.total(), f"round {round_}: subtotal"


# ---- turn 2 ----------------------------------------------------------------------------


def check_t2_percent():
    results = []
    for code, cents in (("SAVE10", 1999), ("save10", 1990), ("SAVE25", 1999), ("Save25", 3),
                        ("SAVE10", 9), ("SAVE25", 400)):  # fmt: skip
        cart = _cart()
        cart.add("thing", cents)
        before = cart.discount()
        cart.apply_code(code)
        results.append([before, cart.discount(), cart.total(), cart.codes()])
    return results


def check_t2_replace():
    cart = _cart()
    cart.add("x", 1000)
    cart.apply_code("SAVE10")
    step1 = [cart.codes(), cart.discount()]
    cart.apply_code("save25")  # replaces SAVE10
    step2 = [cart.codes(), cart.discount()]
    cart.apply_code("SAVE25")  # already active: nothing changes
    step3 = [cart.codes(), cart.discount()]
    cart.apply_code("SAVE10")
    step4 = [cart.codes(), cart.discount(), cart.total()]
    return [step1, step2, step3, step4]


def check_t2_flat():
    cart = _cart()
    cart.add("book", 1500)
    cart.apply_code("flat5")  # accepted below the threshold
    below = [cart.codes(), cart.discount(), cart.total()]
    cart.add("pen", 500)  # subtotal exactly 2000
    at = [cart.discount(), cart.total()]
    cart.apply_code("SAVE25")  # combines: 500 + 500
    both = [cart.codes(), cart.discount(), cart.total()]
    cart.remove("pen")  # 1500 again: the flat part stops counting
    again = [cart.discount(), cart.total()]
    cart.add("pen", 499)  # 1999
    under = [cart.discount(), cart.total()]
    cart.apply_code("FLAT5")
    return [below, at, both, again, under, cart.codes()]


def check_t2_unknown_code():
    cart = _cart()
    cart.add("x", 3000)
    cart.apply_code("SAVE10")
    for code in ("SAVE15", "FLAT50", "", "SAVE 10", "10SAVE", "FLAT"):
        _raises(ValueError, cart.apply_code, code)
    assert cart.codes() == ["SAVE10"], f"codes() = {cart.codes()!r} after unknown codes"
    assert cart.discount() == 300, f"discount() = {cart.discount()!r}, want 300"


def check_t2_remove_code():
    cart = _cart()
    cart.add("x", 2500)
    cart.apply_code("SAVE25")
    cart.apply_code("FLAT5")
    _raises(KeyError, cart.remove_code, "SAVE10")
    _raises(KeyError, cart.remove_code, "BOGUS")
    steps = [[cart.codes(), cart.discount()]]
    cart.remove_code("save25")
    steps.append([cart.codes(), cart.discount()])
    _raises(KeyError, cart.remove_code, "SAVE25")
    cart.remove_code("Flat5")
    steps.append([cart.codes(), cart.discount(), cart.total()])
    return steps


def check_t2_codes_independent():
    first, second = _cart(), _cart()
    first.add("x", 1000)
    second.add("x", 1000)
    first.apply_code("SAVE10")
    assert second.codes() == [] and second.discount() == 0, "codes leak between carts"
    assert first.codes() == ["SAVE10"], f"codes() = {first.codes()!r}"
    empty = _cart()
    empty.apply_code("SAVE25")
    empty.apply_code("FLAT5")
    for name, got in (("discount", empty.discount()), ("total", empty.total())):
        assert got == 0 and _is_int(got), f"empty cart with codes: {name}() = {got!r}"


# ---- turn 3 ----------------------------------------------------------------------------


def check_t3_tax_rounding():
    results = []
    for cents, bp in ((200, 825), (1000, 25), (1000, 35), (1999, 825), (20, 2500),
                      (1, 4999), (1, 5000), (12345, 0), (0, 900), (7, 10000)):  # fmt: skip
        cart = _cart(bp)
        if cents:
            cart.add("item", cents)
        results.append([cart.tax(), cart.grand_total()])
    return results


def check_t3_tax_on_discounted():
    cart = _cart(1000)  # 10%
    cart.add("a", 2000)
    cart.apply_code("SAVE25")  # 2000 - 500
    cart.apply_code("FLAT5")  # - 500 = 1000
    first = [cart.total(), cart.tax(), cart.grand_total()]
    cart.add("b", 5)  # 2005 - 501 - 500 = 1004
    second = [cart.total(), cart.tax(), cart.grand_total()]
    return [first, second]


def check_t3_constructor():
    _raises(ValueError, _cart, -1)
    _raises(ValueError, _cart, -825)
    plain = _cart()
    plain.add("x", 999)
    assert plain.tax() == 0 and plain.grand_total() == 999, "Cart() must mean no tax"


def check_t3_receipt_example():
    cart = _cart(825)
    cart.add("apple", 125, 3)
    cart.add("pear", 2000)
    cart.apply_code("save10")
    return _lines(cart.receipt())


def check_t3_receipt_optional_lines():
    plain = _cart()
    plain.add("cup", 450, 2)
    taxed = _cart(800)
    taxed.add("cup", 450, 2)
    flat_only = _cart(5)
    flat_only.add("lamp", 2400)
    flat_only.apply_code("FLAT5")
    zero_discount = _cart()  # a code that discounts nothing: no Discount line
    zero_discount.add("gum", 5)
    zero_discount.apply_code("SAVE10")
    return [_lines(c.receipt()) for c in (plain, taxed, flat_only, zero_discount, _cart())]


def check_t3_money_format():
    cart = _cart(1)
    for name, price, qty in (("a", 5, 1), ("b", 10, 3), ("c", 100, 1), ("d", 123456, 2),
                             ("e", 0, 4), ("f", 1005, 1)):  # fmt: skip
        cart.add(name, price, qty)
    return _lines(cart.receipt())


def check_t3_rate_format():
    rows = []
    for bp in (825, 800, 5, 50, 1000, 12345, 1):
        cart = _cart(bp)
        cart.add("x", 10000)
        rows.append([line for line in _lines(cart.receipt()) if line.startswith("Tax")])
    return rows
