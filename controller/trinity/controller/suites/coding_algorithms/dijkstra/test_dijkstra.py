"""Hidden checks for coding_algorithms/dijkstra: any correct shortest-path function passes.

Distances are returned as floats (an int distance and the same float are both correct) and
compared outside the sandbox with a 1e-9 relative tolerance; inf is sent as Infinity.
"""

import copy
import math
import random

from solution import shortest_paths


def _plain(result):
    """{node: float(distance)} with the values checked to be numbers."""
    assert isinstance(result, dict), f"expected a dict, got {type(result).__name__}"
    out = {}
    for node, dist in result.items():
        assert isinstance(dist, (int, float)) and not isinstance(dist, bool), (
            f"distance of {node!r} is {dist!r}, not a number"
        )
        out[node] = float(dist)
    return out


def _raises_value_error(graph, source):
    try:
        result = shortest_paths(graph, source)
    except ValueError:
        return
    raise AssertionError(f"shortest_paths(..., {source!r}) returned {result!r}, "
                         "not ValueError")  # fmt: skip


def _oracle(graph, source):
    """Bellman-Ford: different from Dijkstra, so it shares none of its mistakes."""
    nodes = set(graph) | {v for edges in graph.values() for v, _ in edges}
    dist = dict.fromkeys(nodes, math.inf)
    dist[source] = 0
    for _ in range(len(nodes)):
        changed = False
        for u, edges in graph.items():
            for v, w in edges:
                if dist[u] + w < dist[v]:
                    dist[v] = dist[u] + w
                    changed = True
        if not changed:
            break
    return dist


def check_basic():
    graph = {
        "a": [("b", 2), ("c", 5)],
        "b": [("c", 1), ("d", 7)],
        "c": [("e", 4)],
        "e": [("d", 1)],
        "d": [],
    }
    return _plain(shortest_paths(graph, "a"))


def check_unreachable():
    graph = {"a": [("b", 1)], "b": [], "c": [("a", 1), ("d", 2)], "d": [("e", 1)], "e": []}
    return _plain(shortest_paths(graph, "a"))


def check_neighbour_only_nodes():
    # x, y, z, w are never keys; z and w hang off unreachable nodes.
    graph = {"s": [("x", 4)], "q": [("z", 1), ("s", 2)], "x": [("y", 2)], "r": [("w", 3)]}
    result = _plain(shortest_paths(graph, "s"))
    for node in ("q", "r"):
        assert result.pop(node, None) == math.inf, f"{node} should be inf"
    return result


def check_float_weights():
    graph = {"a": [("b", 0.1), ("d", 1.5)], "b": [("c", 0.2)], "c": [("d", 0.45)], "d": []}
    return _plain(shortest_paths(graph, "a"))


def check_parallel_edges_and_loops():
    graph = {
        "a": [("b", 5), ("a", 0), ("b", 1), ("b", 3), ("a", 2)],
        "b": [("b", 1), ("c", 4), ("c", 2)],
        "c": [("c", 0), ("a", 0)],
    }
    return _plain(shortest_paths(graph, "a"))


def check_longer_path_wins():
    # The direct edges are the expensive way round; zero weights too.
    graph = {
        "s": [("t", 10), ("a", 1), ("u", 100)],
        "a": [("b", 1), ("t", 8)],
        "b": [("c", 1), ("t", 5)],
        "c": [("t", 1)],
        "t": [("u", 1)],
        "u": [],
    }
    result = _plain(shortest_paths(graph, "s"))
    zero = shortest_paths({"p": [("q", 0)], "q": [("r", 0)], "r": [("p", 0)]}, "p")
    assert _plain(zero) == {"p": 0.0, "q": 0.0, "r": 0.0}, f"zero weights: {zero!r}"
    return result


def check_source_missing():
    _raises_value_error({"a": [("b", 1)], "b": []}, "z")
    _raises_value_error({}, "a")


def check_negative_weight():
    _raises_value_error({"a": [("b", 1)], "b": [("c", -2)], "c": []}, "a")
    # negative edge out of a node the source cannot reach
    _raises_value_error({"a": [("b", 1)], "b": [], "x": [("a", -1)]}, "a")


def check_random_graphs():
    rng = random.Random(7)
    for round_ in range(40):
        n = rng.randint(1, 40)
        graph = {}
        for u in range(n):
            if rng.random() < 0.9:  # some nodes are never keys
                graph[u] = [(rng.randrange(n + 5), rng.choice([0, 1, 2, 3, 7, 10, 25]))
                            for _ in range(rng.randint(0, 5))]  # fmt: skip
        if not graph:
            graph[0] = []
        source = rng.choice(sorted(graph))
        before = copy.deepcopy(graph)
        got = _plain(shortest_paths(graph, source))
        assert graph == before, f"round {round_}: the graph was modified"
        want = {k: float(v) for k, v in _oracle(graph, source).items()}
        assert got == want, f"round {round_}: graph {graph!r} from {source}: got {got!r}"
