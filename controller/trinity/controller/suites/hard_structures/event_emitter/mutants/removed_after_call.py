class EventEmitter:
    """once registrations are removed after their listener returns."""

    def __init__(self):
        self._registrations = {}

    def _add(self, event, listener, once):
        if not callable(listener):
            raise TypeError("listener must be callable")
        self._registrations.setdefault(event, []).append([listener, once])

    def on(self, event, listener):
        self._add(event, listener, False)

    def once(self, event, listener):
        self._add(event, listener, True)

    def off(self, event, listener):
        registrations = self._registrations.get(event, [])
        for index in range(len(registrations) - 1, -1, -1):
            if registrations[index][0] == listener:
                del registrations[index]
                return True
        return False

    def listener_count(self, event):
        return len(self._registrations.get(event, ()))

    def emit(self, event, *args, **kwargs):
        called = 0
        first_error = None
        for registration in list(self._registrations.get(event, ())):
            listener, once = registration
            called += 1
            try:
                listener(*args, **kwargs)
            except Exception as exc:
                if first_error is None:
                    first_error = exc
            finally:
                if once:
                    current = self._registrations.get(event, [])
                    if registration in current:
                        current.remove(registration)
        if first_error is not None:
            raise first_error
        return called
