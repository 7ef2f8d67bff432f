from bisect import bisect_left


def longest_increasing_subsequence(seq):
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

    def rebuild(i):  # one frame per element of the answer
        if i == -1:
            return []
        return [*rebuild(parent[i]), seq[i]]

    return rebuild(tail_index[-1]) if tail_index else []
