"""Hidden checks for hard_systems/task_scheduler.

Where priorities are distinct the answer is unique and returned for [expected]. Where
priorities tie, any tie-break is allowed, so the result is verified instead: an order
must pick, at every step, a ready task of the highest priority among the ready ones; a
simulation must respect dependencies and the worker count, never leave a worker idle
while a task is ready, and never start a task while a ready, waiting task has a higher
priority.
"""

import copy
import random


def _is_int(value):
    """An int, a subclass of int too, but never a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


def T(duration, priority, *deps):
    return {"duration": duration, "priority": priority, "deps": list(deps)}


def _raises_value_error(fn, *args):
    try:
        fn(*args)
    except ValueError:
        return True
    return False


def _verify_order(tasks, order):
    assert isinstance(order, list), f"schedule must return a list, got {type(order).__name__}"
    assert sorted(order) == sorted(tasks), f"not every task exactly once: {order!r}"
    done = set()
    for step, name in enumerate(order):
        ready = [n for n in tasks if n not in done and all(d in done for d in tasks[n]["deps"])]
        assert name in ready, f"step {step}: {name!r} comes before one of its dependencies"
        best = max(tasks[n]["priority"] for n in ready)
        assert tasks[name]["priority"] == best, (
            f"step {step}: {name!r} (priority {tasks[name]['priority']}) chosen while a "
            f"ready task has priority {best}"
        )
        done.add(name)
    return order


def _verify_simulation(tasks, workers, start):
    assert isinstance(start, dict), f"simulate must return a dict, got {type(start).__name__}"
    assert sorted(start) == sorted(tasks), f"keys must be every task: {sorted(start)!r}"
    for name, t in start.items():
        assert _is_int(t) and t >= 0, f"start of {name!r} is {t!r}, not an int >= 0"
    finish = {n: start[n] + tasks[n]["duration"] for n in tasks}
    ready = {n: max((finish[d] for d in tasks[n]["deps"]), default=0) for n in tasks}
    events = sorted({0, *start.values(), *finish.values()})
    running = {t: sum(1 for n in tasks if start[n] <= t < finish[n]) for t in events}
    for t, count in running.items():
        assert count <= workers, f"{count} tasks running at time {t} with {workers} workers"
    for n in tasks:
        assert start[n] >= ready[n], f"{n!r} starts at {start[n]}, before a dependency ends"
        for t in events:
            if ready[n] <= t < start[n]:
                assert running[t] == workers, (
                    f"{n!r} is ready at {ready[n]} but waits until {start[n]} while a "
                    f"worker is free at time {t}"
                )
        for m in tasks:
            if ready[m] <= start[n] < start[m]:
                assert tasks[m]["priority"] <= tasks[n]["priority"], (
                    f"{n!r} (priority {tasks[n]['priority']}) starts at {start[n]} while "
                    f"{m!r} (priority {tasks[m]['priority']}) is ready and waiting"
                )
    return start


def pipeline():
    return copy.deepcopy(_PIPELINE)


def wide():
    return copy.deepcopy(_WIDE)


_PIPELINE = {
    "fetch": T(3, 5),
    "lint": T(1, 1),
    "build": T(4, 3, "fetch"),
    "test": T(2, 4, "build"),
    "docs": T(2, 2, "fetch"),
    "deploy": T(1, 9, "test", "lint"),
}

_WIDE = {
    "a": T(4, 10),
    "b": T(2, 20),
    "c": T(3, 30),
    "d": T(1, 40, "c"),
    "e": T(5, 5, "a", "b"),
    "f": T(2, 60, "d"),
    "g": T(3, 15),
    "h": T(1, 25, "f", "e"),
    "i": T(6, -5),
}


def check_order_priorities():
    from solution import schedule

    out = [_verify_order(pipeline(), schedule(pipeline())), _verify_order(wide(), schedule(wide()))]
    single = {"only": T(1, 0)}
    out.append(schedule(single))
    return out


def check_order_ties():
    from solution import schedule

    tasks = {
        "x": T(1, 1),
        "y": T(1, 1),
        "z": T(1, 1, "x"),
        "w": T(1, 2, "y"),
        "v": T(1, 1),
        "u": T(1, 2, "x", "y"),
    }
    _verify_order(tasks, schedule(tasks))
    flat = {name: T(1, 0) for name in "qwertyuiop"}
    _verify_order(flat, schedule(flat))
    chain = {"n0": T(1, 0)}
    for k in range(1, 30):
        chain[f"n{k}"] = T(1, k % 3, f"n{k - 1}")
    assert schedule(chain) == [f"n{k}" for k in range(30)], "a chain has a single order"


def check_order_dependencies_first():
    from solution import schedule

    tasks = {"low": T(1, 0), "high": T(1, 10, "low"), "mid": T(1, 5)}
    negative = {"p": T(1, -3), "q": T(1, -1, "p"), "r": T(1, -2), "s": T(1, 7, "q", "r")}
    return [_verify_order(tasks, schedule(tasks)), _verify_order(negative, schedule(negative))]


def check_simulate_one_worker():
    from solution import simulate

    return [
        _verify_simulation(pipeline(), 1, simulate(pipeline(), 1)),
        _verify_simulation(wide(), 1, simulate(wide(), 1)),
    ]


def check_simulate_workers():
    from solution import simulate

    return [_verify_simulation(wide(), w, simulate(wide(), w)) for w in (2, 3, 10)] + [
        _verify_simulation(pipeline(), 2, simulate(pipeline(), 2))
    ]


def check_simulate_same_time():
    from solution import simulate

    # A and B end together at 2; everything ready at 2 competes, Y and V included.
    tasks = {
        "A": T(2, 9),
        "B": T(2, 8),
        "X": T(1, 3),
        "W": T(1, 1),
        "Y": T(1, 5, "B"),
        "V": T(1, 4, "B"),
    }
    chain = {"first": T(3, 0), "second": T(2, 0, "first"), "third": T(1, 0, "second")}
    return [
        _verify_simulation(tasks, 2, simulate(tasks, 2)),
        _verify_simulation(chain, 4, simulate(chain, 4)),
    ]


def check_simulate_ties():
    from solution import simulate

    tasks = {
        "x": T(2, 1),
        "y": T(2, 1),
        "z": T(1, 1, "x"),
        "w": T(3, 2, "y"),
        "v": T(1, 1),
        "u": T(2, 2, "x", "y"),
        "t": T(4, 0),
    }
    for workers in (1, 2, 3):
        _verify_simulation(tasks, workers, simulate(tasks, workers))
    flat = {name: T(1 + i % 3, i % 2) for i, name in enumerate("qwertyuiop")}
    for workers in (1, 3, 4):
        _verify_simulation(flat, workers, simulate(flat, workers))


def check_cycles_and_unknown():
    from solution import schedule, simulate

    bad_graphs = [
        {"a": T(1, 0, "b"), "b": T(1, 0, "a")},
        {"a": T(1, 0, "a")},
        {"root": T(1, 5), "x": T(1, 0, "root", "z"), "y": T(1, 0, "x"), "z": T(1, 0, "y")},
        {"root": T(1, 5), "p": T(1, 0, "q"), "q": T(1, 0, "p")},
        {"a": T(1, 0, "ghost")},
        {"a": T(1, 0), "b": T(1, 0, "a", "missing")},
    ]
    failures = []
    for i, graph in enumerate(bad_graphs):
        if not _raises_value_error(schedule, copy.deepcopy(graph)):
            failures.append(f"schedule #{i}")
        if not _raises_value_error(simulate, copy.deepcopy(graph), 2):
            failures.append(f"simulate #{i}")
    assert not failures, f"no ValueError from {failures}"


def check_simulate_bad_arguments():
    from solution import simulate

    failures = []
    for workers in (0, -1):
        if not _raises_value_error(simulate, pipeline(), workers):
            failures.append(f"workers={workers}")
    for duration in (0, -2):
        tasks = pipeline()
        tasks["docs"]["duration"] = duration
        if not _raises_value_error(simulate, tasks, 2):
            failures.append(f"duration={duration}")
    assert not failures, f"no ValueError for {failures}"


def check_empty_and_unmodified():
    from solution import schedule, simulate

    assert schedule({}) == [] and isinstance(schedule({}), list), "schedule({}) must be []"
    assert simulate({}, 3) == {} and isinstance(simulate({}, 3), dict), "simulate({}, 3) must be {}"
    tasks = wide()
    deps_lists = {name: spec["deps"] for name, spec in tasks.items()}
    schedule(tasks)
    simulate(tasks, 2)
    assert tasks == wide(), "the input was modified"
    assert all(tasks[n]["deps"] is deps_lists[n] for n in tasks), "the input was modified"


def _random_graph(rng, size):
    names = [f"t{rng.randrange(10**6)}_{i}" for i in range(size)]
    tasks = {}
    for i, name in enumerate(names):
        deps = [names[j] for j in range(i) if rng.random() < 3 / (i + 1)]
        tasks[name] = T(rng.randint(1, 5), rng.randint(0, 3), *deps)
    items = list(tasks.items())
    rng.shuffle(items)
    return dict(items)


def check_random_graphs():
    from solution import schedule, simulate

    rng = random.Random(4711)
    for round_ in range(30):
        tasks = _random_graph(rng, rng.randint(1, 35))
        original = copy.deepcopy(tasks)
        try:
            _verify_order(tasks, schedule(tasks))
            for workers in (1, rng.randint(2, 4)):
                _verify_simulation(tasks, workers, simulate(tasks, workers))
        except AssertionError as exc:
            raise AssertionError(f"round {round_} ({len(tasks)} tasks): {exc}") from None
        assert tasks == original, f"round {round_}: the input was modified"
