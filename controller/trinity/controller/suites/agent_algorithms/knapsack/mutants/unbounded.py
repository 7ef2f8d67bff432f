def knapsack(items, capacity):
    if capacity < 0:
        raise ValueError("capacity must be >= 0")
    if any(w < 0 or v < 0 for w, v in items):
        raise ValueError("weights and values must be >= 0")
    best = [0] * (capacity + 1)
    took = [[] for _ in range(capacity + 1)]
    for index, (w, v) in enumerate(items):
        # Ascending capacities: best[c - w] may already include this item.
        for c in range(w, capacity + 1):
            if best[c - w] + v > best[c]:
                best[c] = best[c - w] + v
                took[c] = [*took[c - w], index]
    return best[capacity], took[capacity]
