import re
from collections import Counter


def top_words(text, k):
    if k < 0:
        raise ValueError("k must be non-negative")
    # \w also matches digits and underscores; the apostrophe is kept inside words.
    counts = Counter(w.lower() for w in re.findall(r"[\w']+", text))
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:k]
