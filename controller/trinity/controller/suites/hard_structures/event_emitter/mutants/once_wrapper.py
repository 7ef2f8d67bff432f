class EventEmitter:
    """once() wraps the listener, so off(event, listener) cannot find it."""

    def __init__(self):
        self._listeners = {}

    def on(self, event, listener):
        if not callable(listener):
            raise TypeError("listener must be callable")
        self._listeners.setdefault(event, []).append(listener)

    def once(self, event, listener):
        if not callable(listener):
            raise TypeError("listener must be callable")
        fired = []

        def wrapper(*args, **kwargs):
            if fired:
                return None
            fired.append(True)
            self.off(event, wrapper)
            return listener(*args, **kwargs)

        wrapper.fired = fired
        self.on(event, wrapper)

    def off(self, event, listener):
        listeners = self._listeners.get(event, [])
        for index in range(len(listeners) - 1, -1, -1):
            if listeners[index] == listener:
                del listeners[index]
                return True
        return False

    def listener_count(self, event):
        return len(self._listeners.get(event, ()))

    def emit(self, event, *args, **kwargs):
        called = 0
        first_error = None
        for listener in list(self._listeners.get(event, ())):
            if getattr(listener, "fired", None):
                continue
            called += 1
            try:
                listener(*args, **kwargs)
            except Exception as exc:
                if first_error is None:
                    first_error = exc
        if first_error is not None:
            raise first_error
        return called
