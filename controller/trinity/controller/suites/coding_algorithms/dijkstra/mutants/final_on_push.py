import heapq
import math


def shortest_paths(graph, source):
    nodes = set(graph) | {v for edges in graph.values() for v, _ in edges}
    if source not in nodes:
        raise ValueError("unknown source")
    if any(w < 0 for edges in graph.values() for _, w in edges):
        raise ValueError("negative weight")
    dist = dict.fromkeys(nodes, math.inf)
    dist[source] = 0
    visited = {source}
    heap = [(0, source)]
    while heap:
        d, u = heapq.heappop(heap)
        for v, w in graph.get(u, ()):
            if v not in visited:  # marked final when first seen, not when popped
                visited.add(v)
                dist[v] = d + w
                heapq.heappush(heap, (d + w, v))
    return dist
