"""Reference: transitions as a list of records searched linearly, hooks in one list of
(kind, state, callback) entries, the state behind a read-only property, and history()
entries that are NamedTuples (tuples, as the prompt asks, with field names)."""

from dataclasses import dataclass
from typing import NamedTuple

# Errors are subclasses of the exceptions the prompt names, which it allows.


class InvalidInput(ValueError):
    pass


class NothingThere(IndexError):
    pass


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


class Step(NamedTuple):
    event: str
    source: str
    target: str


class StateMachine:
    def __init__(self, states, initial):
        self._states = tuple(states)
        problems = [
            not self._states,
            len(frozenset(self._states)) < len(self._states),
            initial not in self._states,
        ]
        if any(problems):
            raise InvalidInput("bad states or initial state")
        self._initial = initial
        self._current = initial
        self._table = []
        self._hooks = []
        self._done = []

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
            raise InvalidInput("transition between unknown states")
        if any(t.event == event and t.source == source for t in self._table):
            raise InvalidInput("duplicate transition")
        self._table.append(Transition(event, source, target, guard))

    def can(self, event):
        found = self._find(event)
        if found is None:
            return False
        return True if found.guard is None else bool(found.guard())

    def available_events(self):
        return sorted({t.event for t in self._table if t.source == self._current})

    def _hook(self, kind, state, callback):
        if state not in self._states:
            raise InvalidInput("hook on an unknown state")
        self._hooks.append((kind, state, callback))

    def on_enter(self, state, callback):
        self._hook("enter", state, callback)

    def on_exit(self, state, callback):
        self._hook("exit", state, callback)

    def _run(self, kind, state, *args):
        for hook_kind, hook_state, callback in tuple(self._hooks):
            if hook_kind == kind and hook_state == state:
                callback(*args)

    def trigger(self, event):
        found = self._find(event)
        if found is None:
            raise InvalidTransition(event)
        if found.guard is not None and not found.guard():
            raise GuardRejected(event)
        args = Step(event, found.source, found.target)
        self._run("exit", found.source, *args)
        self._current = found.target
        self._done.append(args)
        self._run("enter", found.target, *args)
        return self._current

    def history(self):
        return self._done[:]

    def undo(self):
        try:
            last = self._done.pop()
        except IndexError:
            raise NothingThere("empty history") from None
        self._current = last.source
        return self._current

    def to_dict(self):
        return {
            "states": [*self._states],
            "initial": self._initial,
            "state": self._current,
            "transitions": [[t.event, t.source, t.target] for t in self._table],
            "history": [[*step] for step in self._done],
        }

    @classmethod
    def from_dict(cls, data):
        machine = cls(data["states"], data["initial"])
        for entry in data["transitions"]:
            machine.add_transition(*entry)
        if data["state"] not in machine._states:
            raise InvalidInput("unknown current state")
        machine._current = data["state"]
        machine._done = [Step(e, s, t) for e, s, t in data["history"]]
        return machine
