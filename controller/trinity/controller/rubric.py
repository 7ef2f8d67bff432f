r"""Rubric checks of review and design replies: a finding counts only where it is asserted.

A check states what a reply must assert (`asserts`) and how its denials and wrong claims
read (`refuted_by`), each a list of regular expressions. Every rule, in the order applied:

1. Sentences. The reply (reasoning already removed) is cut into sentences: after ".",
   "!", "?" or "。" followed by whitespace, at a blank line, and before a line that
   starts a list item, a heading, a table row or a code fence ("-", "*", "+", "1.", "1)",
   "#", "|", "```").
2. Anchoring. Every expression is matched case-insensitively and anchored at its start:
   it cannot begin inside a word (the matcher puts `(?<!\w)` in front of it, so no
   expression can forget), so "synchronous replica" is not found in "asynchronous
   replica" nor "commit" in "uncommitted". An expression may end mid-word (`durab`).
3. Assertion. A check passes when one sentence matches one of its `asserts` and none of
   its `refuted_by`. A refutation voids only its own check's assertions and only in its
   own sentence: "No SQL injection problem." fails the injection check, while a reply
   that finds the injection in one sentence and rules it out elsewhere in another ("export
   takes no user input, so no injection there") passes. There is no negation filter
   shared by all checks, because a finding is often a negation ("no upper bound", "never
   evicted", "not constant-time", "never commits"): those are written into `asserts`,
   and each check's `refuted_by` names the denials of that finding only.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

_SENTENCE_END = re.compile(
    r"(?<=[.!?。])\s+|\n[ \t]*\n\s*|\n(?=[ \t]*(?:[-*+]\s|\d+[.)]\s|#|\||```))"
)

_LIST_NUMBER = re.compile(r"\s*\d+[.)]")


@dataclass(frozen=True)
class Check:
    """One rubric check: what must be asserted, and the denials that void it."""

    asserts: tuple[str, ...]
    refuted_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Finding:
    """What one check found in one reply."""

    passed: bool
    message: str


def judge(check: Check, reply: str) -> Finding:
    """Whether the reply asserts the check's finding in some sentence (module doc)."""
    denied = ""
    for sentence in sentences(reply):
        hit = _first(check.asserts, sentence)
        refuted = _first(check.refuted_by, sentence)
        if hit is not None and refuted is None:
            return Finding(True, f"found {hit.group(0)[:80]!r}")
        if refuted is not None and not denied:
            denied = f"only denied or got wrong: {refuted.group(0)[:80]!r}"
    return Finding(False, denied or "not mentioned")


def sentences(reply: str) -> list[str]:
    """Rule 1: the reply cut into sentences (a list number such as "1." ends none)."""
    found: list[str] = []
    for piece in _SENTENCE_END.split(reply):
        if found and _LIST_NUMBER.fullmatch(found[-1]):
            found[-1] += " " + piece
        elif piece.strip():
            found.append(piece)
    return found


def compile_error(pattern: str) -> str | None:
    """Why an expression cannot be used, or None when it can."""
    try:
        _compiled(pattern)
    except re.error as exc:
        return str(exc)
    return None


def _first(patterns: tuple[str, ...], sentence: str) -> re.Match[str] | None:
    return next((m for p in patterns if (m := _compiled(p).search(sentence))), None)


@functools.lru_cache(maxsize=4096)
def _compiled(pattern: str) -> re.Pattern[str]:
    """Rule 2: case-insensitive, and never starting inside a word."""
    return re.compile(rf"(?<!\w)(?:{pattern})", re.IGNORECASE | re.MULTILINE)
