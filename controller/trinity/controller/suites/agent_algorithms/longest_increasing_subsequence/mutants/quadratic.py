def longest_increasing_subsequence(seq):
    n = len(seq)
    length = [1] * n
    parent = [-1] * n
    for i in range(n):
        for j in range(i):  # O(n^2) comparisons
            if seq[j] < seq[i] and length[j] + 1 > length[i]:
                length[i] = length[j] + 1
                parent[i] = j
    if not seq:
        return []
    i = max(range(n), key=length.__getitem__)
    out = []
    while i != -1:
        out.append(seq[i])
        i = parent[i]
    return out[::-1]
