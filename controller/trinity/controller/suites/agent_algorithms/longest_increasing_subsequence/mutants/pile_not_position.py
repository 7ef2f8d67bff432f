from bisect import bisect_left


def longest_increasing_subsequence(seq):
    """Patience sorting: tails[k] is the smallest tail of an increasing run of length
    k + 1; parents rebuild one run of the greatest length."""
    tails = []  # values
    tail_index = []  # positions in seq of those values
    parent = [-1] * len(seq)
    for i, x in enumerate(seq):
        k = bisect_left(tails, x)
        if k == len(tails):
            tails.append(x)
            tail_index.append(i)
        else:
            tails[k] = x
            tail_index[k] = i
        parent[i] = k - 1  # the pile number, not the position of its top element
    out = []
    i = tail_index[-1] if tail_index else -1
    while i != -1:
        out.append(seq[i])
        i = parent[i]
    out.reverse()
    return out
