def longest_increasing_subsequence(seq):
    # The longest increasing run of adjacent elements, not a subsequence.
    best_start, best_len = 0, 0
    start = 0
    for i in range(len(seq)):
        if i > 0 and seq[i] <= seq[i - 1]:
            start = i
        if i - start + 1 > best_len:
            best_start, best_len = start, i - start + 1
    return seq[best_start : best_start + best_len]
