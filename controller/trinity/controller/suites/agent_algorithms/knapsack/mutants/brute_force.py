from itertools import combinations


def knapsack(items, capacity):
    if capacity < 0:
        raise ValueError("capacity must be >= 0")
    if any(w < 0 or v < 0 for w, v in items):
        raise ValueError("weights and values must be >= 0")
    best, chosen = 0, []
    # Every subset: fine for ten items, hopeless for two hundred.
    for size in range(len(items) + 1):
        for combo in combinations(range(len(items)), size):
            if sum(items[i][0] for i in combo) <= capacity:
                value = sum(items[i][1] for i in combo)
                if value > best:
                    best, chosen = value, list(combo)
    return best, chosen
