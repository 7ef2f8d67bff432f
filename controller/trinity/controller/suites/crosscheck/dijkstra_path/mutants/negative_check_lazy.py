import heapq
import math
from itertools import count


def shortest_path(graph, source, target):
    nodes = set(graph)
    for edges in graph.values():
        for neighbour, _weight in edges:
            nodes.add(neighbour)
    if source not in nodes or target not in nodes:
        raise ValueError("unknown node")
    dist = {source: 0}
    previous = {}
    tie = count()  # nodes need not be comparable
    heap = [(0, next(tie), source)]
    done = set()
    while heap:
        d, _, node = heapq.heappop(heap)
        if node in done:
            continue
        if node == target:
            break
        done.add(node)
        for neighbour, weight in graph.get(node, ()):
            if weight < 0:
                raise ValueError("negative edge weight")
            candidate = d + weight
            if candidate < dist.get(neighbour, math.inf):
                dist[neighbour] = candidate
                previous[neighbour] = node
                heapq.heappush(heap, (candidate, next(tie), neighbour))
    if target not in dist:
        return math.inf, []
    path = [target]
    while path[-1] != source:
        path.append(previous[path[-1]])
    path.reverse()
    return dist[target], path
