"""Turns 1 and 2: transitions as records searched linearly, hooks per state and kind,
the state behind a read-only property (no history, undo or serialisation)."""

from dataclasses import dataclass


class InvalidTransition(Exception):
    pass


class GuardRejected(InvalidTransition):
    pass


@dataclass(frozen=True)
class Transition:
    event: str
    source: str
    target: str
    guard: object = None


class StateMachine:
    def __init__(self, states, initial):
        self._states = tuple(states)
        if not self._states or len(set(self._states)) < len(self._states):
            raise ValueError("states must be a non-empty sequence of distinct names")
        if initial not in self._states:
            raise ValueError("initial is not a state")
        self._current = initial
        self._table = []
        self._hooks = {"enter": {}, "exit": {}}

    @property
    def state(self):
        return self._current

    def _find(self, event):
        for transition in self._table:
            if transition.event == event and transition.source == self._current:
                return transition
        return None

    def add_transition(self, event, source, target, guard=None):
        if source not in self._states or target not in self._states:
            raise ValueError("transition between unknown states")
        if any(t.event == event and t.source == source for t in self._table):
            raise ValueError("duplicate transition")
        self._table.append(Transition(event, source, target, guard))

    def can(self, event):
        found = self._find(event)
        if found is None:
            return False
        return found.guard is None or bool(found.guard())

    def available_events(self):
        return sorted({t.event for t in self._table if t.source == self._current})

    def _register(self, kind, state, callback):
        if state not in self._states:
            raise ValueError(f"unknown state {state!r}")
        self._hooks[kind].setdefault(state, []).append(callback)

    def on_enter(self, state, callback):
        self._register("enter", state, callback)

    def on_exit(self, state, callback):
        self._register("exit", state, callback)

    def _run(self, kind, state, *args):
        for callback in list(self._hooks[kind].get(state, ())):
            callback(*args)

    def trigger(self, event):
        found = self._find(event)
        if found is None:
            raise InvalidTransition(event)
        if found.guard is not None and not found.guard():
            raise GuardRejected(event)
        args = (event, found.source, found.target)
        self._run("exit", found.source, *args)
        self._current = found.target
        self._run("enter", found.target, *args)
        return self._current
