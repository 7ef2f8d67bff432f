import re
from collections import Counter


def top_words(text, k):
    if k < 0:
        raise ValueError("k must be non-negative")
    counts = Counter(word.lower() for word in re.findall(r"[A-Za-z]+", text))
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ranked[:k]
