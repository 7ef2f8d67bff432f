def topological_sort(graph):
    nodes = set(graph) | {v for targets in graph.values() for v in targets}
    for node in nodes:
        graph.setdefault(node, [])  # adds the target-only nodes to the caller's dict
    order = []
    indegree = dict.fromkeys(graph, 0)
    for targets in graph.values():
        for target in targets:
            indegree[target] += 1
    ready = [node for node, degree in indegree.items() if degree == 0]
    while ready:
        node = ready.pop()
        order.append(node)
        for target in graph[node]:
            indegree[target] -= 1
            if indegree[target] == 0:
                ready.append(target)
    if len(order) != len(graph):
        raise ValueError("cycle")
    return order
