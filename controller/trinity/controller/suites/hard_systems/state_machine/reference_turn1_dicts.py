"""Turn 1 only: transitions in a dict keyed by (event, source); no guards or hooks."""


class InvalidTransition(Exception):
    """No transition for this event from the current state."""


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
        self.state = initial
        self._transitions = {}  # (event, source) -> target

    def add_transition(self, event, source, target):
        for state in (source, target):
            if state not in self._states:
                raise ValueError(f"unknown state {state!r}")
        if (event, source) in self._transitions:
            raise ValueError(f"{event!r} already has a transition from {source!r}")
        self._transitions[event, source] = target

    def trigger(self, event):
        target = self._transitions.get((event, self.state))
        if target is None:
            raise InvalidTransition(f"no transition for {event!r} from {self.state!r}")
        self.state = target
        return self.state

    def can(self, event):
        return (event, self.state) in self._transitions

    def available_events(self):
        return sorted(event for event, source in self._transitions if source == self.state)
