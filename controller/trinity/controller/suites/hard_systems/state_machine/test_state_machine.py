"""Hidden checks for hard_systems/state_machine, three turns over one class.

Each check imports what it needs itself: turn 1's code has no GuardRejected or history,
and a turn's code only runs that turn's checks. The final code must pass them all.
"""


def _raises(exc_type, fn, *args):
    try:
        fn(*args)
    except exc_type:
        return True
    return False


def _door():
    from solution import StateMachine

    m = StateMachine(["closed", "open", "locked"], "closed")
    m.add_transition("open", "closed", "open")
    m.add_transition("close", "open", "closed")
    m.add_transition("lock", "closed", "locked")
    m.add_transition("unlock", "locked", "closed")
    return m


# ---- turn 1 -------------------------------------------------------------------------


def check_basic():
    m = _door()
    seen = [m.state]
    seen.append(m.trigger("open"))
    seen.append(m.state)
    seen.append(m.trigger("close"))
    seen.append(m.trigger("lock"))
    seen.append(m.trigger("unlock"))
    seen.append(m.state)
    return seen


def check_invalid_transition():
    from solution import InvalidTransition, StateMachine

    assert issubclass(InvalidTransition, Exception)
    m = _door()
    assert _raises(InvalidTransition, m.trigger, "close"), "close from closed"
    assert _raises(InvalidTransition, m.trigger, "no such event"), "unknown event"
    assert m.state == "closed", "a rejected trigger must not change the state"
    m.trigger("lock")
    assert _raises(InvalidTransition, m.trigger, "open"), "open from locked"
    assert m.state == "locked"
    lonely = StateMachine(["only"], "only")
    assert _raises(InvalidTransition, lonely.trigger, "anything")


def check_constructor_errors():
    from solution import StateMachine

    failures = []
    for args in (([], "a"), (["a", "b"], "c"), (["a", "b", "a"], "a")):
        if not _raises(ValueError, StateMachine, *args):
            failures.append(args)
    assert not failures, f"no ValueError for StateMachine{failures}"
    assert StateMachine(("x", "y"), "y").state == "y", "states may be any iterable"


def check_add_transition_errors():
    m = _door()
    failures = []
    for args in (
        ("open", "closed", "ajar"),
        ("go", "nowhere", "open"),
        ("open", "closed", "locked"),
    ):
        if not _raises(ValueError, m.add_transition, *args):
            failures.append(args)
    assert not failures, f"no ValueError for add_transition{failures}"
    assert m.trigger("open") == "open", "a rejected add_transition must change nothing"
    m.add_transition("open", "open", "open")  # same event, other source: fine
    assert m.trigger("open") == "open"


def check_can_and_available():
    m = _door()
    m.add_transition("kick", "closed", "open")
    out = [m.available_events(), m.can("open"), m.can("close"), m.can("missing")]
    m.trigger("lock")
    out += [m.available_events(), m.can("open"), m.can("unlock")]
    out.append(m.state)  # can() never changes the state
    return out


# ---- turn 2 -------------------------------------------------------------------------


def check_guards():
    from solution import GuardRejected, InvalidTransition, StateMachine

    assert issubclass(GuardRejected, InvalidTransition)
    calls = []
    allowed = {"pay": False}

    def guard():
        calls.append("guard")
        return allowed["pay"]

    m = StateMachine(["cart", "paid", "shipped"], "cart")
    m.add_transition("pay", "cart", "paid", guard=guard)
    m.add_transition("ship", "paid", "shipped", lambda: 1)  # truthy, not True
    m.on_exit("cart", lambda *a: calls.append("exit"))
    m.on_enter("paid", lambda *a: calls.append("enter"))
    assert m.can("pay") is False, "can() must ask the guard"
    assert _raises(GuardRejected, m.trigger, "pay"), "a falsy guard: GuardRejected"
    assert m.state == "cart", "a rejected guard must not change the state"
    assert calls == ["guard", "guard"], f"no hooks may run when the guard says no: {calls}"
    assert m.available_events() == ["pay"], "available_events ignores guards"
    assert _raises(InvalidTransition, m.trigger, "ship")
    allowed["pay"] = 1
    assert m.can("pay") is True
    assert m.trigger("pay") == "paid" and m.trigger("ship") == "shipped"


def check_hook_order():
    from solution import StateMachine

    log = []
    m = StateMachine(["a", "b", "c"], "a")
    m.add_transition("go", "a", "b")
    m.add_transition("next", "b", "c")

    def hook(name):
        return lambda event, source, target: log.append([name, event, source, target, m.state])

    m.on_exit("a", hook("exit a 1"))
    m.on_enter("b", hook("enter b 1"))
    m.on_exit("a", hook("exit a 2"))
    m.on_enter("b", hook("enter b 2"))
    m.on_exit("b", hook("exit b"))
    m.on_enter("a", hook("enter a (never)"))
    m.on_enter("c", hook("enter c"))
    m.trigger("go")
    m.trigger("next")
    return log


def check_self_transition():
    from solution import StateMachine

    log = []
    m = StateMachine(["idle", "busy"], "idle")
    m.add_transition("ping", "idle", "idle")
    m.on_exit("idle", lambda e, s, t: log.append(["exit", e, s, t]))
    m.on_enter("idle", lambda e, s, t: log.append(["enter", e, s, t]))
    log.append(m.trigger("ping"))
    return log


def check_hook_exceptions():
    from solution import StateMachine

    class Boom(Exception):
        pass

    def boom(*args):
        raise Boom

    log = []
    m = StateMachine(["a", "b", "c"], "a")
    m.add_transition("go", "a", "b")
    m.add_transition("on", "b", "c")
    m.on_exit("a", boom)
    m.on_exit("a", lambda *a: log.append("second exit hook"))
    m.on_enter("b", lambda *a: log.append("enter b"))
    assert _raises(Boom, m.trigger, "go"), "an exit hook's exception must propagate"
    assert m.state == "a", "an exit hook failed: the state stays the source"
    assert log == [], f"nothing runs after a failing exit hook: {log}"
    n = StateMachine(["a", "b"], "a")
    n.add_transition("go", "a", "b")
    n.on_enter("b", boom)
    n.on_enter("b", lambda *a: log.append("second enter hook"))
    assert _raises(Boom, n.trigger, "go"), "an enter hook's exception must propagate"
    assert n.state == "b", "an enter hook failed: the state is already the target"
    assert log == [], f"nothing runs after a failing enter hook: {log}"


def check_hook_registration_errors():
    m = _door()
    assert _raises(ValueError, m.on_enter, "ajar", print), "on_enter of an unknown state"
    assert _raises(ValueError, m.on_exit, "ajar", print), "on_exit of an unknown state"
    m.on_enter("open", lambda *a: None)
    assert m.trigger("open") == "open"


# ---- turn 3 -------------------------------------------------------------------------


def check_history():
    from solution import GuardRejected

    m = _door()
    m.add_transition("slam", "open", "closed", guard=lambda: False)
    out = [m.history()]
    m.trigger("open")
    m.trigger("close")
    m.trigger("lock")
    try:
        m.trigger("lock")
    except Exception:
        pass
    m.trigger("unlock")
    m.trigger("open")
    assert _raises(GuardRejected, m.trigger, "slam")
    first = m.history()
    first.append("scribble")  # a copy: the machine's history must not change
    out.append(m.history())
    return out


def check_undo():
    m = _door()
    log = []
    m.on_enter("closed", lambda *a: log.append("enter"))
    m.on_exit("open", lambda *a: log.append("exit"))
    assert _raises(IndexError, m.undo), "undo with no history: IndexError"
    m.trigger("open")
    m.trigger("close")
    m.trigger("lock")
    log.clear()
    out = [m.undo(), m.state, m.undo(), m.state, [list(s) for s in m.history()]]
    assert log == [], f"undo must not run hooks: {log}"
    out.append(m.trigger("close"))  # works from the restored state
    out += [m.undo(), m.undo(), m.state]
    assert _raises(IndexError, m.undo), "undo past the start: IndexError"
    assert m.state == "closed"
    return out


def check_to_dict():
    m = _door()
    m.add_transition("kick", "locked", "open", guard=lambda: True)
    m.on_enter("open", lambda *a: None)
    m.trigger("lock")
    m.trigger("kick")
    data = m.to_dict()
    data["states"].append("scribble")
    again = m.to_dict()
    assert "scribble" not in again["states"], "to_dict must return fresh lists"
    _json_shaped(again, "to_dict()")  # tuples would read as lists once returned
    return again


def _json_shaped(value, where):
    """Made only of dicts, lists and strings, as the prompt asks (a subclass of one counts
    as it)."""
    if isinstance(value, dict):
        for key, item in value.items():
            assert isinstance(key, str), f"{where}: a key {key!r} is not a str"
            _json_shaped(item, f"{where}[{key!r}]")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _json_shaped(item, f"{where}[{i}]")
    else:
        assert isinstance(value, str), f"{where} is a {type(value).__name__}: {value!r}"


def _plain(value):
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def check_from_dict():
    from solution import InvalidTransition, StateMachine

    m = _door()
    m.trigger("lock")
    m.trigger("unlock")
    m.trigger("open")
    data = _plain(m.to_dict())  # as it would come back from JSON
    copy = StateMachine.from_dict(data)
    assert copy is not m and copy.state == "open", "from_dict restores the current state"
    assert _plain(copy.to_dict()) == data, "to_dict(from_dict(d)) must equal d"
    data["states"].append("ghost")
    data["transitions"].clear()
    data["history"].clear()
    assert copy.trigger("close") == "closed", "the copy must not share lists with the data"
    assert [list(s) for s in copy.history()][-2:] == [["open", "closed", "open"],
                                                      ["close", "open", "closed"]]  # fmt: skip
    assert copy.undo() == "open" and copy.undo() == "closed" and copy.undo() == "locked"
    assert copy.undo() == "closed" and copy.state == "closed"
    assert _raises(IndexError, copy.undo)
    assert m.state == "open", "the original machine must be unaffected"
    assert _raises(InvalidTransition, copy.trigger, "unlock")
    fresh = StateMachine.from_dict({"states": ["s", "t"], "initial": "s", "state": "t",
                                    "transitions": [["back", "t", "s"]], "history": []})  # fmt: skip
    assert fresh.state == "t" and fresh.trigger("back") == "s"
    assert _plain(fresh.to_dict())["initial"] == "s"


def check_from_dict_errors():
    from solution import StateMachine

    good = {"states": ["a", "b"], "initial": "a", "state": "a",
            "transitions": [["go", "a", "b"]], "history": []}  # fmt: skip
    StateMachine.from_dict(good)
    broken = [
        dict(good, initial="z"),
        dict(good, state="z"),
        dict(good, states=[]),
        dict(good, states=["a", "b", "a"]),
        dict(good, transitions=[["go", "a", "z"]]),
        dict(good, transitions=[["go", "a", "b"], ["go", "a", "a"]]),
    ]
    failures = [
        i for i, data in enumerate(broken) if not _raises(ValueError, StateMachine.from_dict, data)
    ]
    assert not failures, f"no ValueError for broken data #{failures}"
