import heapq
import math


def shortest_paths(graph, source):
    if source not in graph:
        raise ValueError("unknown source")
    if any(w < 0 for edges in graph.values() for _, w in edges):
        raise ValueError("negative weight")
    dist = dict.fromkeys(graph, math.inf)  # neighbour-only nodes are added only when reached
    dist[source] = 0
    heap = [(0, source)]
    while heap:
        d, u = heapq.heappop(heap)
        if d > dist[u]:
            continue
        for v, w in graph.get(u, ()):
            if d + w < dist.get(v, math.inf):
                dist[v] = d + w
                heapq.heappush(heap, (d + w, v))
    return dist
