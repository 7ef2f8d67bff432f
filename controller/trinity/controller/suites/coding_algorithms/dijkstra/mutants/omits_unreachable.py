import heapq


def shortest_paths(graph, source):
    nodes = set(graph) | {v for edges in graph.values() for v, _ in edges}
    if source not in nodes:
        raise ValueError("unknown source")
    if any(w < 0 for edges in graph.values() for _, w in edges):
        raise ValueError("negative weight")
    dist = {}  # only nodes that were reached end up here
    heap = [(0, source)]
    while heap:
        d, u = heapq.heappop(heap)
        if u in dist:
            continue
        dist[u] = d
        for v, w in graph.get(u, ()):
            if v not in dist:
                heapq.heappush(heap, (d + w, v))
    return dist
