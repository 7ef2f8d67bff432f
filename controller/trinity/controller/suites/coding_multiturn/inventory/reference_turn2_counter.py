from collections import Counter


class Inventory:
    """Turns 1 and 2: normalised SKUs, one count per SKU (no batches or expiry)."""

    def __init__(self):
        self.units = Counter()

    @staticmethod
    def _key(sku):
        key = sku.strip().upper()
        if not key:
            raise ValueError("SKU is empty")
        return key

    def add(self, sku, qty):
        key = self._key(sku)
        if qty < 1:
            raise ValueError("qty")
        self.units[key] += qty

    def remove(self, sku, qty):
        key = self._key(sku)
        if qty < 1:
            raise ValueError("qty")
        if self.units[key] < qty:
            raise ValueError("insufficient stock")
        self.units[key] -= qty
        if self.units[key] == 0:
            del self.units[key]

    def stock(self, sku):
        return self.units.get(self._key(sku), 0)

    def skus(self):
        return sorted(key for key, n in self.units.items() if n > 0)

    def total_units(self):
        return sum(self.units.values())
