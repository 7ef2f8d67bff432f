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
3. Assertion. A check passes when one clause (rule 4) matches one of its `asserts` and
   none of its `refuted_by`. A refutation voids only its own check's assertions and only
   in the clauses it touches: "No SQL injection problem." fails the injection check,
   while a reply that finds the injection in one sentence and rules it out elsewhere in
   another ("export takes no user input, so no injection there") passes. There is no
   negation filter shared by all checks, because a finding is often a negation ("no
   upper bound", "never evicted", "not constant-time", "never commits"): those are
   written into `asserts`, and each check's `refuted_by` names the denials of that
   finding only.
4. Clauses and dismissal. A sentence's clauses end at a line break, ";", ", but",
   ", while", ", although", ", though", ", whereas" and a dash between spaces. A finding
   named only to be waved away is not asserted: where its clause also says it does not
   matter ("found none", "not a concern", "a non-issue", "is fine", "harmless", "does not
   apply", "out of scope", "would be over-engineering", "I don't think ... is a concern",
   "wouldn't worry"), that assertion does not count. The clause, not the sentence: "The
   lock is fine, but the cache never evicts" still finds the cache. A clause that waves
   away or denies "that", "this" or "it" does so to the clause before it too ("Some flag
   pickle as RCE, but that does not apply here"). Unlike rule 3's denials these words are
   the same for every check: they judge a finding's weight, whatever the finding.
5. Questions. A sentence that ends in "?" asks; it asserts nothing ("Timing attacks? Not
   a real issue here." finds no timing attack).
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass

_SENTENCE_END = re.compile(
    r"(?<=[.!?。])\s+|\n[ \t]*\n\s*|\n(?=[ \t]*(?:[-*+]\s|\d+[.)]\s|#|\||```))"
)

_LIST_NUMBER = re.compile(r"\s*\d+[.)]")

# A clause that dismisses "that" or "this" dismisses the clause before it too.
_BACK = re.compile(r"\W*(?:but|yet|and)?\s*(?:that|this|it)\b", re.IGNORECASE)

_CLAUSE_END = re.compile(
    r";|\n|,\s*(?:but|while|although|though|whereas)\b|\s[-–—]{1,2}\s|\bbut\b", re.IGNORECASE
)

# Rule 4: words that wave a finding away, whatever the finding.
_DISMISSAL = re.compile(
    r"(?<!\w)(?:"
    r"found\s+none|none\s+found"
    r"|(?:there\s+is|I\s+see|I\s+found|found)\s+nothing\s+"
    r"(?:wrong|to\s+(?:fix|worry|flag|report)|of\s+concern|here)"
    r"|non-?issue|harmless|innocuous|does\s*n[o']t\s+apply|do\s*n[o']t\s+apply"
    r"|not\s+applicable|out\s+of\s+scope|over-?engineer\w*|overkill"
    r"|not\s+(?:a|an)\s+(?:real\s+|practical\s+|big\s+|serious\s+|actual\s+)?"
    r"(?:concern|issue|problem|risk|threat)"
    r"|no\s+(?:real\s+|practical\s+)?(?:concern|issue|problem|risk)\s+(?:here|at\s+all)"
    r"|(?:is|are|'s|seems?|looks?)\s+(?:fine|acceptable|ok(?:ay)?)\b"
    r"|(?:is|are|be)\s+(?:unnecessary|not\s+needed|not\s+necessary)"
    r"|do\s*n[o']t\s+think\b.{0,80}?\b(?:is|are)\s+(?:a|an)\s+(?:real\s+)?"
    r"(?:concern|issue|problem|risk)"
    r"|(?:do|would|did)\s*n[o']t\s+(?:worry|bother)|would\s+not\s+(?:worry|bother)"
    r"|wouldn't\s+(?:worry|bother)|not\s+worth\s+(?:worrying|fixing|changing)"
    r"|(?:is|are)\s+(?:not\s+(?:practical|exploitable|realistic)|impractical|only\s+theoretical)"
    r")",
    re.IGNORECASE,
)


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
    why = ""
    for sentence in sentences(reply):
        if sentence.rstrip().endswith("?"):  # rule 5
            continue
        found, refuted = _asserted(check, sentence)
        if found:
            return Finding(True, f"found {found[0].group(0)[:80]!r}")
        if why.startswith("only denied"):
            continue
        if refuted:
            why = f"only denied or got wrong: {refuted[0].group(0)[:80]!r}"
        elif (waved := _first(check.asserts, sentence)) is not None:
            why = why or f"only waved away: {waved.group(0)[:80]!r}"
    return Finding(False, why or "not mentioned")


def _asserted(check: Check, sentence: str) -> tuple[list[re.Match[str]], list[re.Match[str]]]:
    """The check's assertions in clauses that neither deny (rule 3) nor wave away (rule 4)
    what they assert, and the denials found."""
    spans = _clauses(sentence)
    refuted = [m for p in check.refuted_by for m in _compiled(p).finditer(sentence)]
    voided = [any(m.start() < end and m.end() > start for m in refuted)
              or bool(_DISMISSAL.search(sentence, start, end)) for start, end in spans]  # fmt: skip
    for i in range(1, len(spans)):
        if voided[i] and _BACK.match(sentence, spans[i][0]):
            voided[i - 1] = True
    found = [m for (start, end), void in zip(spans, voided, strict=True) if not void
             for p in check.asserts if (m := _compiled(p).search(sentence, start, end))]  # fmt: skip
    return found, refuted


def _clauses(sentence: str) -> list[tuple[int, int]]:
    """Where each clause of the sentence starts and ends (rule 4)."""
    cuts = [0, *(m.start() for m in _CLAUSE_END.finditer(sentence)), len(sentence)]
    return list(itertools.pairwise(cuts))


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
