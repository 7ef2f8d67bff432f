from bisect import bisect_left


def longest_increasing_subsequence(seq):
    if not seq:
        return []
    seq.append(max(seq) + 1)  # a sentinel: changes the caller's list
    tails, tail_index = [], []
    parent = [-1] * len(seq)
    for i, x in enumerate(seq):
        k = bisect_left(tails, x)
        if k == len(tails):
            tails.append(x)
            tail_index.append(i)
        else:
            tails[k] = x
            tail_index[k] = i
        parent[i] = tail_index[k - 1] if k > 0 else -1
    out = []
    i = parent[len(seq) - 1]  # the sentinel ends the longest run
    while i != -1:
        out.append(seq[i])
        i = parent[i]
    return out[::-1]
