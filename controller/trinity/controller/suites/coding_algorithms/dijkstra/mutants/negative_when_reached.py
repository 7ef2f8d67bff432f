import heapq
import math


def shortest_paths(graph, source):
    nodes = set(graph) | {v for edges in graph.values() for v, _ in edges}
    if source not in nodes:
        raise ValueError("unknown source")
    dist = dict.fromkeys(nodes, math.inf)
    dist[source] = 0
    heap = [(0, source)]
    while heap:
        d, u = heapq.heappop(heap)
        if d > dist[u]:
            continue
        for v, w in graph.get(u, ()):
            if w < 0:  # only edges the search walks are checked
                raise ValueError("negative weight")
            if d + w < dist[v]:
                dist[v] = d + w
                heapq.heappush(heap, (d + w, v))
    return dist
