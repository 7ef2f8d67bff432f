from dataclasses import dataclass
from itertools import count
from typing import Any


@dataclass
class _Entry:
    name: str
    priority: int
    seq: int
    obj: Any


class Registry:
    """A list of entries, each stamped with a registration sequence number; lookups scan."""

    def __init__(self):
        self._entries = []
        self._count = 0
        self._seq = count()

    def _find(self, name):
        for entry in self._entries:
            if entry.name == name:
                return entry
        return None

    def register(self, name, priority=0):
        def decorator(obj):
            if type(name) is not str:
                raise TypeError("plugin names are strings")
            if name == "":
                raise ValueError("plugin names are not empty")
            if self._find(name) is not None:
                raise ValueError(f"duplicate plugin name: {name}")
            self._entries.append(_Entry(name, priority, next(self._seq), obj))
            self._count += 1
            return obj

        return decorator

    def get(self, name):
        entry = self._find(name)
        if entry is None:
            raise KeyError(name)
        return entry.obj

    def unregister(self, name):
        entry = self._find(name)
        if entry is None:
            raise KeyError(name)
        self._entries.remove(entry)

    def names(self):
        return [entry.name for entry in self._entries]

    def _ranked(self):
        return sorted(self._entries, key=lambda e: (-e.priority, e.seq))

    def by_priority(self):
        return [(entry.name, entry.obj) for entry in self._ranked()]

    def first(self):
        best = None
        for entry in self._entries:
            if best is None or entry.priority > best.priority:
                best = entry
        if best is None:
            raise KeyError("empty registry")
        return best.obj

    def __contains__(self, name):
        return self._find(name) is not None

    def __len__(self):
        return self._count
