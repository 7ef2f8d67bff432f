"""Hidden checks for crosscheck/plugin_registry: decorator registration, unique names,
registration order and priority order (ties oldest first).

A duplicate or invalid name may raise in register(...) or when the decorator is applied;
both are accepted, so each such call is made as `registry.register(name)(obj)`.
"""

import random

from solution import Registry


def _raises(exc_types, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except exc_types:
        return True
    return False


def _register(registry, name, obj, priority=0):
    return registry.register(name, priority=priority)(obj)


def _plugin(tag):
    def plugin():
        return tag

    plugin.__name__ = f"plugin_{tag}"
    return plugin


def check_decorator_returns_object():
    registry = Registry()

    @registry.register("fn")
    def handler(x):
        return x * 2

    @registry.register("cls", priority=3)
    class Loader:
        kind = "loader"

    assert handler(21) == 42, "the decorated function must still work"
    assert registry.get("fn") is handler, "get must return the registered function itself"
    assert Loader.kind == "loader" and isinstance(Loader, type), "a class stays a class"
    assert registry.get("cls") is Loader, "get must return the registered class itself"
    marker = object()
    assert registry.register("obj", priority=-1)(marker) is marker, "any object registers"
    assert registry.get("obj") is marker


def check_names_in_order():
    registry = Registry()
    for name, priority in (("zeta", 0), ("alpha", 9), ("mid", -2), ("beta", 9)):
        registry.register(name, priority=priority)(_plugin(name))
    first = registry.names()
    assert isinstance(first, list), f"names() must return a list, not {type(first).__name__}"
    snapshot = list(first)
    first.append("intruder")
    first.reverse()
    second = registry.names()
    assert "intruder" not in registry, "changing names()'s list changed the registry"
    return [snapshot, second]


def check_duplicate_name():
    registry = Registry()
    original = _plugin("original")
    registry.register("dup", priority=1)(original)
    registry.register("other", priority=2)(_plugin("other"))
    for priority in (0, 1, 100):
        replacement = _plugin("replacement")
        assert _raises(ValueError, _register, registry, "dup", replacement, priority), (
            "registering a taken name must raise ValueError"
        )
    assert registry.get("dup") is original, "a failed registration replaced the plugin"
    assert registry.names() == ["dup", "other"], f"names after a failure: {registry.names()!r}"
    assert len(registry) == 2
    order = [name for name, _ in registry.by_priority()]
    assert order == ["other", "dup"], f"a failed registration changed the priority: {order!r}"


def check_get_unknown():
    registry = Registry()
    assert _raises(KeyError, registry.get, "nothing"), "get of an unknown name: KeyError"
    registry.register("known")(_plugin("known"))
    assert _raises(KeyError, registry.get, "Known"), "names are case-sensitive"
    assert _raises(KeyError, registry.get, "unknown"), "get of an unknown name: KeyError"


def check_unregister():
    registry = Registry()
    plugins = {name: _plugin(name) for name in ("a", "b", "c")}
    for name, plugin in plugins.items():
        registry.register(name, priority=1)(plugin)
    registry.unregister("a")
    assert "a" not in registry and len(registry) == 2
    assert _raises(KeyError, registry.get, "a"), "get after unregister: KeyError"
    assert _raises(KeyError, registry.unregister, "a"), "unregister twice: KeyError"
    assert _raises(KeyError, registry.unregister, "never"), "unregister unknown: KeyError"
    again = _plugin("again")
    assert registry.register("a", priority=1)(again) is again, "a freed name can be reused"
    assert registry.get("a") is again
    assert registry.names() == ["b", "c", "a"], (
        f"re-registered name goes last: {registry.names()!r}"
    )
    order = [name for name, _ in registry.by_priority()]
    assert order == ["b", "c", "a"], f"re-registered name is the newest among ties: {order!r}"


def check_by_priority():
    registry = Registry()
    spec = [("tie1", 3), ("zero", 0), ("neg", -4), ("tie2", 3), ("high", 10), ("tie3", 3)]
    plugins = {}
    for name, priority in spec:
        plugins[name] = registry.register(name, priority=priority)(_plugin(name))
    listed = registry.by_priority()
    assert isinstance(listed, list), "by_priority() must return a list"
    for entry in listed:
        assert isinstance(entry, tuple) and len(entry) == 2, f"entries are (name, obj): {entry!r}"
        assert entry[1] is plugins[entry[0]], f"{entry[0]}: the registered object itself"
    listed.clear()
    assert len(registry.by_priority()) == 6, "changing the returned list changed the registry"
    names = [name for name, _ in registry.by_priority()]
    priorities = dict(spec)
    return [names, [priorities[name] for name in names]]


def check_first():
    registry = Registry()
    assert _raises(LookupError, registry.first), "first() of an empty registry: LookupError"
    low = registry.register("low", priority=-5)(_plugin("low"))
    assert registry.first() is low, "a single plugin with a negative priority"
    a = registry.register("a", priority=7)(_plugin("a"))
    registry.register("b", priority=7)(_plugin("b"))
    registry.register("c", priority=1)(_plugin("c"))
    assert registry.first() is a, "ties: the oldest registration"
    registry.unregister("a")
    assert registry.first() is registry.get("b"), "after removing the first, the next tie"
    for name in ("b", "c", "low"):
        registry.unregister(name)
    assert _raises(LookupError, registry.first), "first() of an emptied registry: LookupError"


def check_invalid_name():
    registry = Registry()
    for bad in ("", None, 5, b"bytes", ("tuple",)):
        assert _raises((ValueError, TypeError), _register, registry, bad, _plugin("x")), (
            f"name {bad!r}: ValueError or TypeError"
        )
    assert len(registry) == 0 and registry.names() == [], "an invalid name was registered"


def check_contains_and_len():
    registry = Registry()
    out = [len(registry), "x" in registry]
    registry.register("x")(_plugin("x"))
    registry.register("y", priority=4)(_plugin("y"))
    out += [len(registry), "x" in registry, "y" in registry, "z" in registry]
    registry.unregister("x")
    out += [len(registry), "x" in registry]
    assert out == [0, False, 2, True, True, False, 1, False], f"len/in: {out!r}"
    for value in out:
        assert isinstance(value, int)  # len is an int, `in` a bool


def check_independent_instances():
    first, second = Registry(), Registry()
    first.register("shared")(_plugin("first"))
    second.register("shared")(_plugin("second"))  # no conflict with another instance
    assert first.get("shared")() == "first" and second.get("shared")() == "second"
    assert len(first) == 1 and len(second) == 1
    third = Registry()
    assert len(third) == 0 and third.names() == [] and "shared" not in third


def check_random_ops():
    rng = random.Random(5)
    for run in range(40):
        registry = Registry()
        model = []  # (name, priority, obj) in registration order
        for step in range(60):
            name = f"p{rng.randrange(8)}"
            where = f"run {run} step {step}"
            present = [entry for entry in model if entry[0] == name]
            op = rng.random()
            if op < 0.5:
                obj = _plugin(f"{name}@{step}")
                priority = rng.randint(-2, 2)
                if present:
                    assert _raises(ValueError, _register, registry, name, obj, priority), where
                else:
                    assert registry.register(name, priority=priority)(obj) is obj, where
                    model.append((name, priority, obj))
            elif op < 0.75:
                if present:
                    registry.unregister(name)
                    model.remove(present[0])
                else:
                    assert _raises(KeyError, registry.unregister, name), where
            else:
                if present:
                    assert registry.get(name) is present[0][2], where
                else:
                    assert _raises(KeyError, registry.get, name), where
            assert registry.names() == [e[0] for e in model], f"{where}: names"
            ranked = sorted(model, key=lambda e: -e[1])  # stable: ties keep registration order
            got = registry.by_priority()
            assert [n for n, _ in got] == [e[0] for e in ranked], f"{where}: by_priority"
            if ranked:
                assert registry.first() is ranked[0][2], f"{where}: first"
            else:
                assert _raises(LookupError, registry.first), f"{where}: first on empty"
