INF = float("inf")


def shortest_path(graph, source, target):
    """O(V^2) Dijkstra without a heap: pick the closest unsettled node by scanning."""
    adjacency = {}
    for edges in list(graph.values()):
        for neighbour, _ in edges:
            graph.setdefault(neighbour, [])
    for node, edges in graph.items():
        adjacency.setdefault(node, {})
        for neighbour, weight in edges:
            if weight < 0:
                raise ValueError(f"negative weight on {node!r} -> {neighbour!r}")
            adjacency.setdefault(neighbour, {})
            old = adjacency[node].get(neighbour)
            if old is None or weight < old:
                adjacency[node][neighbour] = weight
    if source not in adjacency:
        raise ValueError(f"{source!r} is not in the graph")
    if target not in adjacency:
        raise ValueError(f"{target!r} is not in the graph")
    if source == target:
        return 0, [source]
    dist = {node: INF for node in adjacency}
    parent = {}
    dist[source] = 0.0
    unsettled = set(adjacency)
    while unsettled:
        node = min(unsettled, key=dist.__getitem__)
        if dist[node] == INF or node == target:
            break
        unsettled.remove(node)
        for neighbour, weight in adjacency[node].items():
            if neighbour in unsettled and dist[node] + weight < dist[neighbour]:
                dist[neighbour] = dist[node] + weight
                parent[neighbour] = node
    if dist[target] == INF:
        return INF, []
    path = []
    node = target
    while True:
        path.append(node)
        if node == source:
            break
        node = parent[node]
    return dist[target], path[::-1]
