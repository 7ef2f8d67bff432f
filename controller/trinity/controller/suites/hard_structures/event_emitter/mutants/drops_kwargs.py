import itertools
from collections import defaultdict


class EventEmitter:
    """Bug: keyword arguments of emit are not passed on to the listeners."""

    def __init__(self):
        self._ids = itertools.count()
        self._by_event = defaultdict(list)
        self._fired = set()

    def on(self, event, listener, *, _once=False):
        if not callable(listener):
            raise TypeError("listener must be callable")
        self._by_event[event].append((next(self._ids), listener, _once))

    def once(self, event, listener):
        self.on(event, listener, _once=True)

    def off(self, event, listener):
        entries = self._by_event.get(event)
        if not entries:
            return False
        matches = [i for i, (_, fn, _) in enumerate(entries) if fn == listener]
        if not matches:
            return False
        entries.pop(matches[-1])
        return True

    def listener_count(self, event):
        return len(self._by_event.get(event, []))

    def emit(self, event, *args, **kwargs):
        snapshot = tuple(self._by_event.get(event, ()))
        errors = []
        called = 0
        for reg_id, listener, once in snapshot:
            if once:
                if reg_id in self._fired:
                    continue
                self._fired.add(reg_id)
                if event in self._by_event:
                    self._by_event[event] = [e for e in self._by_event[event] if e[0] != reg_id]
            called += 1
            try:
                listener(*args)
            except Exception as exc:
                errors.append(exc)
        if errors:
            raise errors[0]
        return called
