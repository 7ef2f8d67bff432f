def knapsack(items, capacity):
    """Sparse dynamic programming over Pareto-optimal (weight, value) states: each state
    keeps a linked list of the items it took, so no table is needed to rebuild the set."""
    if capacity < 0:
        raise ValueError("capacity must be >= 0")
    if any(w < 0 or v < 0 for w, v in items):
        raise ValueError("weights and values must be >= 0")
    states = [(0, 0, None)]  # (weight, value, (index, previous link)), weight ascending
    for index, (w, v) in enumerate(items):
        shifted = [(sw + w, sv + v, (index, link)) for sw, sv, link in states
                   if sw + w <= capacity]  # fmt: skip
        merged = sorted(states + shifted, key=lambda s: (s[0], -s[1]))
        states = []
        for state in merged:  # keep a state only if it is worth more than every lighter one
            if not states or state[1] > states[-1][1]:
                states.append(state)
    _, value, link = states[-1]
    chosen = []
    while link is not None:
        index, link = link
        chosen.append(index)
    return value, chosen
