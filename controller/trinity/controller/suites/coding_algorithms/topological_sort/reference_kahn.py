from collections import deque

# Errors are subclasses of the exceptions the prompt names, which it allows.


class InvalidInput(ValueError):
    pass


def topological_sort(graph):
    indegree = {}
    for node, targets in graph.items():
        indegree.setdefault(node, 0)
        for target in targets:
            indegree[target] = indegree.get(target, 0) + 1
    ready = deque(node for node, degree in indegree.items() if degree == 0)
    order = []
    while ready:
        node = ready.popleft()
        order.append(node)
        for target in graph.get(node, ()):
            indegree[target] -= 1
            if indegree[target] == 0:
                ready.append(target)
    if len(order) != len(indegree):
        raise InvalidInput("the graph has a cycle")
    return order
