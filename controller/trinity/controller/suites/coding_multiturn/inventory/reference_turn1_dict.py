class Inventory:
    """Turn 1 only: SKUs used exactly as given, one count per SKU."""

    def __init__(self):
        self._units = {}

    def add(self, sku, qty):
        if qty < 1:
            raise ValueError("qty must be >= 1")
        self._units[sku] = self._units.get(sku, 0) + qty

    def remove(self, sku, qty):
        if qty < 1:
            raise ValueError("qty must be >= 1")
        have = self._units.get(sku, 0)
        if have < qty:
            raise ValueError(f"only {have} of {sku!r} in stock")
        if have == qty:
            del self._units[sku]
        else:
            self._units[sku] = have - qty

    def stock(self, sku):
        return self._units.get(sku, 0)

    def skus(self):
        return sorted(self._units)

    def total_units(self):
        return sum(self._units.values())
