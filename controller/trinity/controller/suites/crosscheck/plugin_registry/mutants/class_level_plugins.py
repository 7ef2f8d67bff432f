class Registry:
    """Plugins in an insertion-ordered dict: name -> (priority, obj)."""

    _plugins = {}  # noqa: RUF012

    def register(self, name, priority=0):
        if not isinstance(name, str) or not name:
            raise ValueError(f"invalid plugin name {name!r}")
        if name in self._plugins:
            raise ValueError(f"plugin {name!r} is already registered")

        def decorator(obj):
            if name in self._plugins:
                raise ValueError(f"plugin {name!r} is already registered")
            self._plugins[name] = (priority, obj)
            return obj

        return decorator

    def get(self, name):
        return self._plugins[name][1]

    def unregister(self, name):
        del self._plugins[name]

    def names(self):
        return list(self._plugins)

    def by_priority(self):
        ranked = sorted(self._plugins.items(), key=lambda item: -item[1][0])
        return [(name, obj) for name, (_, obj) in ranked]

    def first(self):
        if not self._plugins:
            raise LookupError("no plugins registered")
        return self.by_priority()[0][1]

    def __contains__(self, name):
        return name in self._plugins

    def __len__(self):
        return len(self._plugins)
