def shortest_paths(graph, source):
    """O(V^2) Dijkstra without a heap: pick the closest unfinished node each round."""
    INF = float("inf")
    nodes = list(graph)
    seen = set(nodes)
    best_edge = {}
    for u, edges in graph.items():
        for v, w in edges:
            if w < 0:
                raise ValueError("negative edge weight")
            if v not in seen:
                seen.add(v)
                nodes.append(v)
            if w < best_edge.get((u, v), INF):
                best_edge[(u, v)] = w
    if source not in seen:
        raise ValueError("unknown source")
    out = {}
    for (u, v), w in best_edge.items():
        out.setdefault(u, []).append((v, w))
    dist = {v: INF for v in nodes}
    dist[source] = 0
    pending = set(nodes)
    while pending:
        u = min(pending, key=dist.__getitem__)
        if dist[u] == INF:
            break
        pending.remove(u)
        for v, w in out.get(u, []):
            if dist[u] + w < dist[v]:
                dist[v] = dist[u] + w
    return dist
