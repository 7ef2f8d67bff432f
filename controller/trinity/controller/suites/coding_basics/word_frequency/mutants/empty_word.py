import re
from collections import Counter


def top_words(text, k):
    if k < 0:
        raise ValueError("k must be non-negative")
    # re.split leaves empty strings at the ends, counted as a word.
    counts = Counter(w.lower() for w in re.split(r"[^A-Za-z]+", text))
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:k]
