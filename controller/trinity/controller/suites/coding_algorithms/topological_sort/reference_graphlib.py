from graphlib import CycleError, TopologicalSorter


def topological_sort(graph):
    # graphlib wants each node's predecessors, so the edges are turned round.
    sorter = TopologicalSorter()
    for node, targets in graph.items():
        sorter.add(node)
        for target in targets:
            sorter.add(target, node)
    try:
        return list(sorter.static_order())
    except CycleError as exc:  # a subclass of ValueError already; said plainly here
        raise ValueError(f"cycle: {exc.args[1]}") from None
