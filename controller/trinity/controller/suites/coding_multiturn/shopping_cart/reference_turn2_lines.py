from dataclasses import dataclass

PERCENT = {"SAVE10": 10, "SAVE25": 25}
FLAT = "FLAT5"


@dataclass
class Line:
    name: str
    price: int
    quantity: int


class Cart:
    """Turns 1 and 2: lines in a list, discount codes in a set (no tax, no receipt)."""

    def __init__(self):
        self.lines = []
        self.active = set()

    def _find(self, name):
        return next((line for line in self.lines if line.name == name), None)

    def add(self, name, price, quantity=1):
        if price < 0 or quantity < 1:
            raise ValueError("price must be >= 0 and quantity >= 1")
        line = self._find(name)
        if line is None:
            self.lines.append(Line(name, price, quantity))
        elif line.price != price:
            raise ValueError("the item is already in the cart at another price")
        else:
            line.quantity += quantity

    def remove(self, name, quantity=None):
        line = self._find(name)
        if line is None:
            raise KeyError(name)
        take = line.quantity if quantity is None else quantity
        if not 1 <= take <= line.quantity:
            raise ValueError("bad quantity")
        if take == line.quantity:
            self.lines.remove(line)
        else:
            line.quantity -= take

    def quantity(self, name):
        line = self._find(name)
        return line.quantity if line else 0

    def items(self):
        return [(line.name, line.price, line.quantity) for line in self.lines]

    def subtotal(self):
        return sum(line.price * line.quantity for line in self.lines)

    def apply_code(self, code):
        code = code.upper()
        if code in PERCENT:
            self.active -= PERCENT.keys()
        elif code != FLAT:
            raise ValueError(f"unknown code {code!r}")
        self.active.add(code)

    def remove_code(self, code):
        code = code.upper()
        if code not in self.active:
            raise KeyError(code)
        self.active.discard(code)

    def codes(self):
        return sorted(self.active)

    def discount(self):
        subtotal = self.subtotal()
        off = 0
        for code in self.active:
            if code in PERCENT:
                off += subtotal * PERCENT[code] // 100
            elif subtotal >= 2000:
                off += 500
        return off

    def total(self):
        return self.subtotal() - self.discount()
