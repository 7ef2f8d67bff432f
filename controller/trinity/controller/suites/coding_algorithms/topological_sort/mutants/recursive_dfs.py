def topological_sort(graph):
    state = {}
    order = []

    def visit(node):
        if state.get(node) == "done":
            return
        if state.get(node) == "active":
            raise ValueError("cycle")
        state[node] = "active"
        for child in graph.get(node, ()):
            visit(child)  # recursion: a 20,000-node chain passes the recursion limit
        state[node] = "done"
        order.append(node)

    for node in list(graph):
        visit(node)
    return order[::-1]
