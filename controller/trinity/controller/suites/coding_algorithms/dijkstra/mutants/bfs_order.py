import math
from collections import deque


def shortest_paths(graph, source):
    nodes = set(graph) | {v for edges in graph.values() for v, _ in edges}
    if source not in nodes:
        raise ValueError("unknown source")
    if any(w < 0 for edges in graph.values() for _, w in edges):
        raise ValueError("negative weight")
    dist = dict.fromkeys(nodes, math.inf)
    dist[source] = 0
    queue = deque([source])
    seen = {source}
    while queue:  # a FIFO queue instead of a priority queue, each node expanded once
        u = queue.popleft()
        for v, w in graph.get(u, ()):
            dist[v] = min(dist[v], dist[u] + w)
            if v not in seen:
                seen.add(v)
                queue.append(v)
    return dist
