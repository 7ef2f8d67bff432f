import re
from collections import Counter


def top_words(text, k):
    if k < 0:
        raise ValueError("k must be non-negative")
    # Ties come out in first-seen order, not alphabetically.
    return Counter(w.lower() for w in re.findall(r"[A-Za-z]+", text)).most_common(k)
