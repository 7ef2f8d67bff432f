class Cart:
    """Turn 1 only: items kept in an insertion-ordered dict, total() is the subtotal."""

    def __init__(self):
        self._lines = {}  # name -> [price, quantity]

    def add(self, name, price, quantity=1):
        if price < 0:
            raise ValueError("price must be >= 0")
        if quantity < 1:
            raise ValueError("quantity must be >= 1")
        line = self._lines.get(name)
        if line is None:
            self._lines[name] = [price, quantity]
        elif line[0] != price:
            raise ValueError(f"{name!r} is already in the cart at {line[0]} cents")
        else:
            line[1] += quantity

    def remove(self, name, quantity=None):
        if name not in self._lines:
            raise KeyError(name)
        have = self._lines[name][1]
        take = have if quantity is None else quantity
        if take < 1 or take > have:
            raise ValueError(f"cannot remove {take} of {have} {name!r}")
        if take == have:
            del self._lines[name]
        else:
            self._lines[name][1] = have - take

    def quantity(self, name):
        line = self._lines.get(name)
        return 0 if line is None else line[1]

    def items(self):
        return [(name, price, qty) for name, (price, qty) in self._lines.items()]

    def subtotal(self):
        return sum(price * qty for price, qty in self._lines.values())

    def total(self):
        return self.subtotal()
