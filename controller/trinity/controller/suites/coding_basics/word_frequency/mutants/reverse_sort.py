import re
from collections import Counter


def top_words(text, k):
    if k < 0:
        raise ValueError("k must be non-negative")
    counts = Counter(w.lower() for w in re.findall(r"[A-Za-z]+", text))
    # Reverses the alphabetical tie-break along with the count.
    return sorted(counts.items(), key=lambda item: (item[1], item[0]), reverse=True)[:k]
