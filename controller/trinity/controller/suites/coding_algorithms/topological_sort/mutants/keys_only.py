from collections import deque


def topological_sort(graph):
    indegree = dict.fromkeys(graph, 0)  # nodes that are never keys are forgotten
    for targets in graph.values():
        for target in targets:
            if target in indegree:
                indegree[target] += 1
    ready = deque(node for node, degree in indegree.items() if degree == 0)
    order = []
    while ready:
        node = ready.popleft()
        order.append(node)
        for target in graph.get(node, ()):
            if target in indegree:
                indegree[target] -= 1
                if indegree[target] == 0:
                    ready.append(target)
    if len(order) != len(indegree):
        raise ValueError("cycle")
    return order
