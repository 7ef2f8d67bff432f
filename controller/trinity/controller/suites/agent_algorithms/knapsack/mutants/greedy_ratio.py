def knapsack(items, capacity):
    if capacity < 0:
        raise ValueError("capacity must be >= 0")
    if any(w < 0 or v < 0 for w, v in items):
        raise ValueError("weights and values must be >= 0")

    def ratio(i):
        w, v = items[i]
        return float("inf") if w == 0 else v / w

    order = sorted(range(len(items)), key=ratio, reverse=True)
    chosen, room, total = [], capacity, 0
    for i in order:
        w, v = items[i]
        if w <= room:
            chosen.append(i)
            room -= w
            total += v
    return total, chosen
