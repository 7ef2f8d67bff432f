def topological_sort(graph):
    seen = set()
    order = []
    nodes = list(graph) + [v for targets in graph.values() for v in targets]
    for root in nodes:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(graph.get(root, ())))]
        while stack:
            node, children = stack[-1]
            for child in children:
                if child not in seen:  # no "in progress" state: cycles go unnoticed
                    seen.add(child)
                    stack.append((child, iter(graph.get(child, ()))))
                    break
            else:
                stack.pop()
                order.append(node)
    return order[::-1]
