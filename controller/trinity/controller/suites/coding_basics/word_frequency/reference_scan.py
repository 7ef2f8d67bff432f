import heapq
import string

LETTERS = set(string.ascii_letters)


def top_words(text, k):
    """One pass over the characters, then a heap for the k best."""
    if k < 0:
        raise ValueError(f"k must be >= 0, got {k}")
    counts = {}
    current = []
    for ch in text + " ":
        if ch in LETTERS:
            current.append(ch.lower())
        elif current:
            word = "".join(current)
            counts[word] = counts.get(word, 0) + 1
            current = []
    best = heapq.nsmallest(k, counts.items(), key=lambda item: (-item[1], item[0]))
    return [(word, count) for word, count in best]
