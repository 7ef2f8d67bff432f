import bisect
import datetime
from collections import defaultdict

NEVER = datetime.date.max  # sorts after every real date; stands for "never expires"


class Inventory:
    """Per SKU a list of [expiry, units] batches kept sorted by expiry."""

    def __init__(self):
        self.stockroom = defaultdict(list)

    @staticmethod
    def _key(sku):
        key = sku.strip().upper()
        if key == "":
            raise ValueError("SKU is empty")
        return key

    def add(self, sku, qty, expires=None):
        key = self._key(sku)
        if not qty >= 1:
            raise ValueError("qty")
        when = NEVER if expires is None else expires
        batches = self.stockroom[key]
        keys = [b[0] for b in batches]
        i = bisect.bisect_left(keys, when)
        batches.insert(i, [when, qty])

    def _start(self, batches, today):
        """Index of the first batch still usable on `today` (earlier ones are expired)."""
        if today is None:
            return 0
        return bisect.bisect_left([b[0] for b in batches], today)

    def stock(self, sku, today=None):
        batches = self.stockroom.get(self._key(sku), [])
        return sum(units for _, units in batches[self._start(batches, today) :])

    def remove(self, sku, qty, today=None):
        if qty < 1:
            raise ValueError("qty")
        if self.stock(sku, today) < qty:
            raise ValueError("insufficient stock")
        batches = self.stockroom[self._key(sku)]
        i = self._start(batches, today)
        taken = []
        while qty:
            when, units = batches[i]
            n = units if units <= qty else qty
            taken.append((None if when is NEVER else when, n))
            qty -= n
            if n == units:
                del batches[i]
            else:
                batches[i][1] -= n
        return taken

    def discard_expired(self, today):
        result = {}
        for key, batches in self.stockroom.items():
            cut = self._start(batches, today)
            if cut:
                result[key] = sum(units for _, units in batches[:cut])
                del batches[:cut]
        return result

    def skus(self):
        return sorted(key for key, batches in self.stockroom.items() if batches)

    def total_units(self):
        return sum(units for batches in self.stockroom.values() for _, units in batches)
