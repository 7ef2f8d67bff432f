def longest_increasing_subsequence(seq):
    """Values ranked, then a Fenwick tree of prefix maxima over ranks: for each element,
    the best run ending below its rank, extended by it."""
    ranks = {value: r + 1 for r, value in enumerate(sorted(set(seq)))}
    size = len(ranks)
    tree = [(0, -1)] * (size + 1)  # (length, position of the run's last element)
    previous = [-1] * len(seq)
    best = (0, -1)
    for i, value in enumerate(seq):
        r = ranks[value] - 1  # strictly smaller values only
        found = (0, -1)
        while r > 0:
            if tree[r][0] > found[0]:
                found = tree[r]
            r -= r & -r
        previous[i] = found[1]
        entry = (found[0] + 1, i)
        if entry[0] > best[0]:
            best = entry
        r = ranks[value]
        while r <= size:
            if entry[0] > tree[r][0]:
                tree[r] = entry
            r += r & -r
    out = []
    i = best[1]
    while i != -1:
        out.append(seq[i])
        i = previous[i]
    return out[::-1]
