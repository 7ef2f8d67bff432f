from typing import NamedTuple

# Errors are subclasses of the exceptions the prompt names, which it allows.


class InvalidInput(ValueError):
    pass


class Answer(NamedTuple):
    """The (best, chosen) tuple, with field names."""

    best: int
    chosen: list


def knapsack(items, capacity):
    """Bottom-up table: best[i][c] = best value using the first i items within c."""
    if capacity < 0:
        raise InvalidInput("capacity must be >= 0")
    for weight, value in items:
        if weight < 0 or value < 0:
            raise InvalidInput("weights and values must be >= 0")
    n = len(items)
    best = [[0] * (capacity + 1)]
    for weight, value in items:
        prev = best[-1]
        row = prev[:]
        for c in range(weight, capacity + 1):
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
    return Answer(best[n][capacity], chosen)  # indices highest first: any order will do
