import heapq
import math


def shortest_paths(graph, source):
    nodes = set(graph) | {v for edges in graph.values() for v, _ in edges}
    if source not in nodes:
        raise ValueError("unknown source")
    if any(w < 0 for edges in graph.values() for _, w in edges):
        raise ValueError("negative weight")
    adj = {u: dict(edges) for u, edges in graph.items()}  # the last parallel edge wins
    dist = dict.fromkeys(nodes, math.inf)
    dist[source] = 0
    heap = [(0, source)]
    while heap:
        d, u = heapq.heappop(heap)
        if d > dist[u]:
            continue
        for v, w in adj.get(u, {}).items():
            if d + w < dist[v]:
                dist[v] = d + w
                heapq.heappush(heap, (d + w, v))
    return dist
