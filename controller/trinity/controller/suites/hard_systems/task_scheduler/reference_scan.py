"""Reference: a depth-first cycle check, then plain scans over the task list; among equal
priorities it prefers the task listed LAST (any choice is allowed), unlike the heap one."""

from collections import defaultdict

# Errors are subclasses of the exceptions the prompt names, which it allows.


class InvalidInput(ValueError):
    pass


def _check(tasks):
    for name, spec in tasks.items():
        for dep in spec["deps"]:
            if dep not in tasks:
                raise InvalidInput(f"unknown dependency {dep!r} of {name!r}")
    colour = dict.fromkeys(tasks, 0)  # 0 new, 1 on the path, 2 done

    def visit(name):
        colour[name] = 1
        for dep in tasks[name]["deps"]:
            if colour[dep] == 1:
                raise InvalidInput(f"cycle through {dep!r}")
            if colour[dep] == 0:
                visit(dep)
        colour[name] = 2

    for name in tasks:
        if colour[name] == 0:
            visit(name)


def _best(candidates, tasks):
    names = list(tasks)
    return sorted(candidates, key=lambda n: (tasks[n]["priority"], names.index(n)), reverse=True)


def schedule(tasks):
    _check(tasks)
    done, order = set(), []
    while len(order) < len(tasks):
        ready = [n for n in tasks if n not in done and all(d in done for d in tasks[n]["deps"])]
        pick = _best(ready, tasks)[0]
        order.append(pick)
        done.add(pick)
    return order


def simulate(tasks, workers):
    if not workers >= 1:
        raise InvalidInput("need at least one worker")
    if any(not spec["duration"] > 0 for spec in tasks.values()):
        raise InvalidInput("durations must be positive")
    _check(tasks)
    start, finish = defaultdict(int), {}  # start: a dict, as the prompt asks
    now = 0
    while len(start) < len(tasks):
        busy = sum(1 for n in start if finish[n] > now)
        ready = [n for n in tasks if n not in start
                 and all(d in finish and finish[d] <= now for d in tasks[n]["deps"])]  # fmt: skip
        for name in _best(ready, tasks)[: workers - busy]:
            start[name] = now
            finish[name] = now + tasks[name]["duration"]
        now = min(f for f in finish.values() if f > now)
    return start
