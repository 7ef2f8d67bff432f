import re
from collections import Counter


def top_words(text, k):
    # No check: a negative k slices from the end instead of raising.
    counts = Counter(w.lower() for w in re.findall(r"[A-Za-z]+", text))
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:k]
