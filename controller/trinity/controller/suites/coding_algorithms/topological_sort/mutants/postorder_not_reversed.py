def topological_sort(graph):
    state = {}
    order = []
    nodes = list(graph) + [v for targets in graph.values() for v in targets]
    for root in nodes:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(graph.get(root, ())))]
        while stack:
            node, children = stack[-1]
            for child in children:
                if state.get(child) == 1:
                    raise ValueError("cycle")
                if child not in state:
                    state[child] = 1
                    stack.append((child, iter(graph.get(child, ()))))
                    break
            else:
                stack.pop()
                state[node] = 2
                order.append(node)
    return order  # finishing order, never reversed
