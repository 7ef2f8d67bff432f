"""Hidden checks for crosscheck/dijkstra_path: every returned path is verified (starts at
source, ends at target, each step an edge, its length the returned distance) and its
length compared with the optimum, so any shortest path passes when several tie.
"""

import copy
import math
import random

from solution import shortest_path


def _raises(exc_type, fn, *args):
    try:
        fn(*args)
    except exc_type:
        return True
    return False


def _lightest(graph):
    best = {}
    for node, edges in graph.items():
        for neighbour, weight in edges:
            key = (node, neighbour)
            if key not in best or weight < best[key]:
                best[key] = weight
    return best


def _verified(graph, source, target):
    """Call the solution, check the shape and the path; return [float(distance), path]."""
    result = shortest_path(graph, source, target)
    assert isinstance(result, tuple) and len(result) == 2, f"want (distance, path): {result!r}"
    distance, path = result
    assert isinstance(distance, (int, float)) and not isinstance(distance, bool), (
        f"distance must be an int or a float: {distance!r}"
    )
    assert isinstance(path, list), f"path must be a list: {path!r}"
    if distance == math.inf:
        assert path == [], f"unreachable: the path must be []: {path!r}"
        return [math.inf, []]
    assert path and path[0] == source and path[-1] == target, f"{source}->{target}: {path!r}"
    edges = _lightest(graph)
    length = 0
    for i in range(len(path) - 1):
        a, b = path[i], path[i + 1]
        assert (a, b) in edges, f"{a!r} -> {b!r} is not an edge (path {path!r})"
        length += edges[(a, b)]
    assert math.isclose(length, distance, rel_tol=1e-9, abs_tol=1e-12), (
        f"the path {path!r} has length {length}, but the distance returned is {distance}"
    )
    return [float(distance), list(path)]


def _optimum(graph, source):
    """Bellman-Ford style relaxation: the oracle's distances."""
    nodes = set(graph) | {n for edges in graph.values() for n, _ in edges}
    dist = dict.fromkeys(nodes, math.inf)
    dist[source] = 0
    for _ in range(len(nodes)):
        changed = False
        for node, edges in graph.items():
            if dist[node] == math.inf:
                continue
            for neighbour, weight in edges:
                if dist[node] + weight < dist[neighbour]:
                    dist[neighbour] = dist[node] + weight
                    changed = True
        if not changed:
            break
    return dist


def check_basic():
    graph = {
        "a": [("b", 2), ("c", 5)],
        "b": [("c", 6), ("d", 1)],
        "c": [("e", 4)],
        "d": [("e", 5), ("c", 7)],
    }
    example = {"a": [("b", 2), ("c", 5)], "b": [("c", 1)]}
    floats = {"x": [("y", 1.5)]}
    return [
        _verified(graph, "a", "e"),
        _verified(example, "a", "c"),
        _verified(floats, "x", "y"),
    ]


def check_equal_paths():
    # two equally short routes a-b-d and a-c-d (length 4), and a longer direct edge
    graph = {"a": [("b", 1), ("c", 3), ("d", 5)], "b": [("d", 3)], "c": [("d", 1)]}
    distance, path = _verified(graph, "a", "d")
    assert distance == 4.0 and path in (["a", "b", "d"], ["a", "c", "d"]), (distance, path)
    # a grid where many paths tie: any monotone path is shortest
    grid = {}
    for r in range(4):
        for c in range(4):
            edges = []
            if r < 3:
                edges.append(((r + 1, c), 1))
            if c < 3:
                edges.append(((r, c + 1), 1))
            grid[(r, c)] = edges
    distance, path = _verified(grid, (0, 0), (3, 3))
    assert distance == 6.0 and len(path) == 7, (distance, path)


def check_unreachable():
    graph = {"a": [("b", 1)], "b": [], "c": [("a", 1)], "d": []}
    return [
        _verified(graph, "a", "c"),
        _verified(graph, "a", "d"),
        _verified(graph, "a", "b"),
    ]


def check_source_is_target():
    graph = {"a": [("a", 3), ("b", 1)], "b": [("a", 1)], "solo": [], 7: [(8, 2)]}
    return [_verified(graph, "a", "a"), _verified(graph, "solo", "solo"), _verified(graph, 7, 7)]


def check_neighbour_only_target():
    graph = {"s": [("m", 1), ("leaf", 9)], "m": [("leaf", 3)]}
    return _verified(graph, "s", "leaf")


def check_zero_weights_and_cycles():
    graph = {
        "s": [("a", 0), ("b", 2)],
        "a": [("s", 0), ("b", 0), ("c", 5)],
        "b": [("a", 1), ("c", 1)],
        "c": [("s", 0)],
    }
    distance, path = _verified(graph, "s", "c")
    assert distance == 1.0, f"s->c is 1 (s-a-b-c through zero-weight edges): {distance}"
    distance, path = _verified(graph, "c", "b")
    assert distance == 0.0, f"c->b is 0: {distance} via {path!r}"


def check_parallel_edges_and_loops():
    graph = {"a": [("b", 1), ("b", 4), ("a", 0), ("c", 10)], "b": [("b", 1), ("c", 2), ("c", 3)]}
    return _verified(graph, "a", "c")


def check_negative_weight():
    reachable = {"a": [("b", 1)], "b": [("c", -1)]}
    assert _raises(ValueError, shortest_path, reachable, "a", "c"), "negative weight on the path"
    elsewhere = {"a": [("b", 1)], "x": [("y", -0.5)]}
    assert _raises(ValueError, shortest_path, elsewhere, "a", "b"), (
        "a negative edge anywhere in the graph, even unreachable: ValueError"
    )
    assert _raises(ValueError, shortest_path, elsewhere, "a", "a"), (
        "a negative edge anywhere, even when source == target: ValueError"
    )


def check_unknown_nodes():
    graph = {"a": [("b", 1)]}
    assert _raises(ValueError, shortest_path, graph, "zzz", "a"), "unknown source: ValueError"
    assert _raises(ValueError, shortest_path, graph, "a", "zzz"), "unknown target: ValueError"
    assert _raises(ValueError, shortest_path, graph, "q", "q"), "unknown node as both: ValueError"
    assert _raises(ValueError, shortest_path, {}, "a", "a"), "empty graph: ValueError"


def check_graph_unchanged():
    graph = {"a": [("b", 1), ("c", 4)], "b": [("c", 1)], "c": [("a", 2), ("z", 1)], "d": [("a", 1)]}
    before = copy.deepcopy(graph)
    _verified(graph, "a", "c")
    _verified(graph, "d", "c")
    _verified(graph, "c", "d")
    _verified(graph, "a", "z")
    assert graph == before, "the graph was modified"


def check_long_chain():
    n = 3000
    graph = {i: [(i + 1, 1)] for i in range(n - 1)}
    for i in range(0, n - 10, 7):
        graph[i].append((i + 5, 6))  # a detour that is never shorter
    distance, path = _verified(graph, 0, n - 1)
    assert distance == n - 1 and path == list(range(n)), f"chain: {distance}"


def check_random_graphs():
    rng = random.Random(2024)
    for trial in range(60):
        n = rng.randint(2, 12)
        graph = {}
        for node in range(n):
            if rng.random() < 0.15:
                continue  # some nodes only appear as neighbours (or not at all)
            graph[node] = [
                (rng.randrange(n), rng.choice([0, 1, 2, 3, 5, 0.5, 2.25]))
                for _ in range(rng.randint(0, 4))
            ]
        nodes = sorted(set(graph) | {m for edges in graph.values() for m, _ in edges})
        if not nodes:
            continue
        source = rng.choice(nodes)
        best = _optimum(graph, source)
        for target in nodes:
            distance, _ = _verified(graph, source, target)
            want = best[target]
            assert (distance == want == math.inf) or math.isclose(distance, want, abs_tol=1e-9), (
                f"trial {trial}: {source}->{target} = {distance}, shortest is {want} in {graph!r}"
            )
