WHITE, GREY, BLACK = 0, 1, 2


def topological_sort(graph):
    """Iterative depth-first search; a grey node met again closes a cycle."""
    colour = {}
    finished = []
    nodes = list(graph) + [v for targets in graph.values() for v in targets]
    for root in nodes:
        if colour.get(root, WHITE) != WHITE:
            continue
        colour[root] = GREY
        stack = [(root, iter(graph.get(root, ())))]
        while stack:
            node, children = stack[-1]
            for child in children:
                state = colour.get(child, WHITE)
                if state == GREY:
                    raise ValueError(f"cycle through {child!r}")
                if state == WHITE:
                    colour[child] = GREY
                    stack.append((child, iter(graph.get(child, ()))))
                    break
            else:
                stack.pop()
                colour[node] = BLACK
                finished.append(node)
    finished.reverse()
    return finished
