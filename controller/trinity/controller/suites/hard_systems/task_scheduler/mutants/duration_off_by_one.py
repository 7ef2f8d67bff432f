"""Mutant: a task finishes one time unit early."""

import heapq


def _graph(tasks):
    """In-degrees and dependents; ValueError for an unknown dependency or a cycle."""
    indegree = {name: 0 for name in tasks}
    dependents = {name: [] for name in tasks}
    for name, spec in tasks.items():
        for dep in spec["deps"]:
            if dep not in tasks:
                raise ValueError(f"{name!r} depends on unknown task {dep!r}")
            indegree[name] += 1
            dependents[dep].append(name)
    left = dict(indegree)
    stack = [name for name, n in left.items() if n == 0]
    seen = 0
    while stack:
        seen += 1
        for nxt in dependents[stack.pop()]:
            left[nxt] -= 1
            if left[nxt] == 0:
                stack.append(nxt)
    if seen != len(tasks):
        raise ValueError("the dependencies contain a cycle")
    return indegree, dependents


def schedule(tasks):
    indegree, dependents = _graph(tasks)
    ready = [(-tasks[n]["priority"], n) for n, k in indegree.items() if k == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        _, name = heapq.heappop(ready)
        order.append(name)
        for nxt in dependents[name]:
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                heapq.heappush(ready, (-tasks[nxt]["priority"], nxt))
    return order


def simulate(tasks, workers):
    if workers < 1:
        raise ValueError("workers must be at least 1")
    for name, spec in tasks.items():
        if spec["duration"] <= 0:
            raise ValueError(f"task {name!r} has a duration <= 0")
    indegree, dependents = _graph(tasks)
    ready = [(-tasks[n]["priority"], n) for n, k in indegree.items() if k == 0]
    heapq.heapify(ready)
    running = []  # (finish time, name)
    start = {}
    now, free = 0, workers
    while ready or running:
        while free and ready:
            _, name = heapq.heappop(ready)
            start[name] = now
            heapq.heappush(running, (now + tasks[name]["duration"] - 1, name))
            free -= 1
        now = running[0][0]
        while running and running[0][0] == now:
            _, done = heapq.heappop(running)
            free += 1
            for nxt in dependents[done]:
                indegree[nxt] -= 1
                if indegree[nxt] == 0:
                    heapq.heappush(ready, (-tasks[nxt]["priority"], nxt))
    return start
