def knapsack(items, capacity):
    """Bottom-up table: best[i][c] = best value using the first i items within c."""
    if capacity < 0:
        raise ValueError("capacity must be >= 0")
    for weight, value in items:
        if weight < 0 or value < 0:
            raise ValueError("weights and values must be >= 0")
    n = len(items)
    best = [[0] * (capacity + 1)]
    for weight, value in items:
        prev = best[-1]
        row = prev[:]
        for c in range(capacity + 1):  # c - weight < 0 wraps around to the end of prev
            take = prev[c - weight] + value
            if take > row[c]:
                row[c] = take
        best.append(row)
    chosen = []
    c = capacity
    for i in range(n, 0, -1):
        if best[i][c] != best[i - 1][c]:
            chosen.append(i - 1)
            c -= items[i - 1][0]
    chosen.reverse()
    return best[n][capacity], chosen
