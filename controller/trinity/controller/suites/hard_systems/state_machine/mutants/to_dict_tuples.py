"""Mutant: to_dict() gives its transitions and history as tuples, where the prompt asks
for lists (JSON would read both as arrays)."""


class InvalidTransition(Exception):
    """No transition for this event from the current state."""


class GuardRejected(InvalidTransition):
    """The transition's guard returned a falsy value."""


class StateMachine:
    def __init__(self, states, initial):
        states = list(states)
        if not states:
            raise ValueError("a machine needs at least one state")
        if len(set(states)) != len(states):
            raise ValueError("states must be distinct")
        if initial not in states:
            raise ValueError(f"initial state {initial!r} is not a state")
        self._states = states
        self._initial = initial
        self.state = initial
        self._transitions = {}  # (event, source) -> (target, guard)
        self._enter = {s: [] for s in states}
        self._exit = {s: [] for s in states}
        self._history = []

    def add_transition(self, event, source, target, guard=None):
        for state in (source, target):
            if state not in self._enter:
                raise ValueError(f"unknown state {state!r}")
        if (event, source) in self._transitions:
            raise ValueError(f"{event!r} already has a transition from {source!r}")
        self._transitions[event, source] = (target, guard)

    def can(self, event):
        entry = self._transitions.get((event, self.state))
        return entry is not None and (entry[1] is None or bool(entry[1]()))

    def available_events(self):
        return sorted(event for event, source in self._transitions if source == self.state)

    def on_enter(self, state, callback):
        if state not in self._enter:
            raise ValueError(f"unknown state {state!r}")
        self._enter[state].append(callback)

    def on_exit(self, state, callback):
        if state not in self._exit:
            raise ValueError(f"unknown state {state!r}")
        self._exit[state].append(callback)

    def trigger(self, event):
        entry = self._transitions.get((event, self.state))
        if entry is None:
            raise InvalidTransition(f"no transition for {event!r} from {self.state!r}")
        target, guard = entry
        if guard is not None and not guard():
            raise GuardRejected(f"guard of {event!r} from {self.state!r} said no")
        source = self.state
        for hook in list(self._exit[source]):
            hook(event, source, target)
        self.state = target
        self._history.append((event, source, target))
        for hook in list(self._enter[target]):
            hook(event, source, target)
        return self.state

    def history(self):
        return list(self._history)

    def undo(self):
        if not self._history:
            raise IndexError("nothing to undo")
        _, source, _ = self._history.pop()
        self.state = source
        return self.state

    def to_dict(self):
        return {
            "states": list(self._states),
            "initial": self._initial,
            "state": self.state,
            "transitions": [(e, s, t) for (e, s), (t, _) in self._transitions.items()],
            "history": [tuple(step) for step in self._history],
        }

    @classmethod
    def from_dict(cls, data):
        machine = cls(data["states"], data["initial"])
        for event, source, target in data["transitions"]:
            machine.add_transition(event, source, target)
        if data["state"] not in machine._enter:
            raise ValueError(f"state {data['state']!r} is not a state")
        machine.state = data["state"]
        machine._history = [tuple(step) for step in data["history"]]
        return machine
