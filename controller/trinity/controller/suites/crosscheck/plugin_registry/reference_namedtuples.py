"""Reference taking the freedoms the prompt leaves: by_priority() entries are NamedTuples
(tuples of (name, obj), with field names), errors are subclasses of the exceptions the
prompt names, and the class has public helpers of its own."""

from typing import Any, NamedTuple


class Plugin(NamedTuple):
    name: str
    obj: Any


class RegistryError(Exception):
    """Every error of this module."""


class DuplicateName(RegistryError, ValueError):
    pass


class BadName(RegistryError, TypeError):
    pass


class UnknownPlugin(RegistryError, KeyError):
    pass


class EmptyRegistry(RegistryError, LookupError):
    pass


class Registry:
    """Plugins in a dict (insertion order is registration order) with their priorities."""

    def __init__(self):
        self._plugins = {}  # name -> (priority, obj)

    def register(self, name, priority=0):
        if not isinstance(name, str):
            raise BadName(f"a plugin name is a str, not {type(name).__name__}")
        if not name:
            raise BadName("a plugin name is not empty")
        if name in self._plugins:
            raise DuplicateName(name)

        def decorator(obj):
            if name in self._plugins:
                raise DuplicateName(name)
            self._plugins[name] = (priority, obj)
            return obj

        return decorator

    def get(self, name):
        if name not in self._plugins:
            raise UnknownPlugin(name)
        return self._plugins[name][1]

    def priority_of(self, name):
        """A helper of this class's own: the priority `name` was registered with."""
        if name not in self._plugins:
            raise UnknownPlugin(name)
        return self._plugins[name][0]

    def unregister(self, name):
        if name not in self._plugins:
            raise UnknownPlugin(name)
        del self._plugins[name]

    def names(self):
        return list(self._plugins)

    def by_priority(self):
        ranked = sorted(self._plugins.items(), key=lambda item: -item[1][0])  # stable
        return [Plugin(name, obj) for name, (_, obj) in ranked]

    def first(self):
        if not self._plugins:
            raise EmptyRegistry("no plugins registered")
        return self.by_priority()[0].obj

    def __contains__(self, name):
        return name in self._plugins

    def __len__(self):
        return len(self._plugins)

    def __iter__(self):
        """Another helper: the plugins, highest priority first."""
        return iter(self.by_priority())
