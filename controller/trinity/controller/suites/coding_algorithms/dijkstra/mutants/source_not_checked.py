import heapq
import math


def shortest_paths(graph, source):
    nodes = set(graph) | {v for edges in graph.values() for v, _ in edges}
    if any(w < 0 for edges in graph.values() for _, w in edges):
        raise ValueError("negative weight")
    dist = dict.fromkeys(nodes, math.inf)
    dist[source] = 0  # an unknown source just gets added
    heap = [(0, source)]
    while heap:
        d, u = heapq.heappop(heap)
        if d > dist[u]:
            continue
        for v, w in graph.get(u, ()):
            if d + w < dist[v]:
                dist[v] = d + w
                heapq.heappush(heap, (d + w, v))
    return dist
