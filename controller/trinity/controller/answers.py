r"""Matching an `answer`-kind reply against a task's accepted answers.

What a reply answers is what its answer line asserts: its first candidate, not every
word on the line. Every rule, in the order applied:

1. Region. The last `\boxed{…}` (braces balanced) if there is one; else the last line
   starting "Answer:", "Final answer:", "정답:" or "답:" (any case, markdown bold allowed),
   the text after the colon; else the reply's last line with a letter or digit on it (a
   reply without an answer line ends on its answer). Only the region is searched: prose
   elsewhere ("it could be 17 … the answer is 391") cannot make a wrong final answer pass.
2. Normalisation (of the region and of each alternative alike): Unicode NFKC (full-width
   digits and letters become ASCII), U+2212 minus becomes "-", case-fold, markdown
   emphasis and code marks (`*`, `_` pairs, backticks) removed, LaTeX simplified
   (`$`, `\(`, `\)`, `\[`, `\]`, `\left` and `\right` dropped, `\frac{a}{b}` read as a/b,
   `\text{x}` as x, `\,` removed between digits and a space elsewhere, `\pm`, `\times`,
   `\cdot`, `\div`, `\geq`, `\leq` (and `\ge`, `\le`, `\geqslant`, `\leqslant`), `\gt`,
   `\lt`, `\approx` and `\equiv` read as their symbols), ">=" and "<=" read as "≥" and
   "≤", whitespace collapsed, surrounding punctuation and quotes stripped (a point before
   a digit stays, ".5"; an ellipsis does not: "…391" is 391), and angle brackets around
   the whole ("<1703>", the prompt's "<N>" filled in); a lone "<" or ">" is a bound (rule
   8), except a markdown quote's ">" at the start of the reply's last line.
   `Match.normalised` is the normalised region.
3. Commentary. Text in brackets, `(…)` and `[…]` (an unclosed one runs to the end), is
   commentary: it never makes a reply right ("Oxygen (nitrogen is a close second)" fails),
   and makes it wrong only as a hedge (rule 7).
4. Clauses. The rest is cut into clauses at sentence ends (". ", "! ", "? ", "。", but not
   after a single letter or an abbreviation: "J. K. Rowling", "Mt. Everest"), at ";",
   ": ", ", " (a comma between digits is a thousands separator), at a dash ("—", or "–"
   and " - " with spaces, unless between two numbers: that is a range), and before "but",
   "though", "although", "however", "whereas"; never inside an accepted alternative that
   contains such a break itself ("Washington, D.C.").
5. Negation. A negated span is removed from each clause: from "not", "…n't", "cannot",
   "never", "neither", "nor", "rather than", "instead of" or "as opposed to" to the end of
   the clause; from the clause's start to "is" (are, was, were) followed by "wrong",
   "incorrect", "false", "a (common) mistake", "a misconception" or "a myth", to "is not"
   (isn't, was never, …) followed by "it", "right", "correct", "true" or "the (right)
   answer" ("Canberra isn't it"), to "wrongly", or to the Korean 아니라, 아니고, 아닌, 아님, 아니다, 아닙니다, 아니에요.
6. The first candidate. The asserted clause is the first clause with a word left that is
   not filler ("so", "thus", "in short", "the answer is", …: `_FILLER`), except that a
   clause a negation was removed from counts only when what is left names an accepted
   answer (or any number, when a number is accepted): "Sydney, not
   Canberra" and "2858 rather than 1703" assert the wrong one and fail; "Not Sydney but
   Canberra" and "The capital is not Sydney; it is Canberra" assert Canberra. Later
   clauses are commentary, as in rule 3.
7. Hedges. The asserted clause is split into parts at "or", "either", "vs", "versus", a
   spaced " / ", 또는, 혹은 and 아니면, and every later clause or bracketed comment that
   opens (after "but", "though", "although", "and", "while", "whereas" or "however", if
   any) with "or", "either", "maybe", "perhaps", "possibly", "alternatively", "some (one
   or two words) say / claim / argue / count / list", "others say", 또는, 혹은 or 아니면
   is one more part (its negations removed as in rule 5), and so is what a retraction
   offers ("Canberra — no, Sydney", "Canberra. Actually, Sydney", "1703 (wait: 1704)":
   after "no" standing alone, "wait", "actually", "correction", "I mean", "just kidding",
   in its clause or the next one that asserts something). A bare "/" between two words,
   "|", "&" and "and/or" split parts as "or" does, except inside a unit ("m/s"); "or more"
   ("or less", "or fewer", …) after a number is a part of its own, "more or less" an
   idiom. Every part must be accepted:
   "nitrogen or N₂", "한양 또는 한성" and "9 (or nine)" pass; "8 or 9", "either García
   Márquez or Vargas Llosa" and "9 (some lists say 10)" fail. A part made only of
   "so", "thereabouts", "about", "roughly", "more", "less", "precisely", "exactly",
   "equivalently" or "simply" ("206 or so") is not a candidate.
8. Numbers. An alternative that is a number (after normalisation) is compared with the
   part's number: in an equation or chain ("=", "≈", "≡") the last side that holds one
   number, skipping sides in a unit the task does not accept ("17 × 23 = 391",
   "N = 1703", "100 °C = 373.15 K" and "373.15 K = 100 °C" all give the value the task
   wants); with no "=" (or no side with one number), the first number of the part (of
   its last side with numbers). Later numbers are commentary:
   "2858 (rather than 1703)" is 2858 and "1703, not 2858" is 1703. A range ("8,848–8,850",
   "9-10", "9 to 10", "between 9 and 10", "7~8") is a hedge: both ends must be accepted.
   A side whose first number is a bound ("more than", "less than", "at least", "at most",
   "over", "under", "up to", "<", "≥" before it; "9 ± 1", "9 \pm 1", "9 +/- 1" after
   it), an operand ("9 + 1", "9 × 2", "9^2") or a count of a scale ("9 thousand", "9천")
   states no value: "1702 + 1 = 1703" is 1703 (its other side), "more than 1703" nothing.
   Numbers may carry a sign, comma thousands separators ("1,234,567", groups of three),
   decimals, scientific notation ("1.5e3", and "3 × 10^8", "3 x 10**8", "3×10⁸",
   "3 \times 10^{8}", read as 3e8 before NFKC could turn "10⁸" into "108") or be a simple
   fraction ("3/4" equals 0.75). Digits glued to ASCII letters ("x2", "3rd") are not
   numbers, except before a unit of rule 9 in a task that declares one ("8848m"). Words
   after the number ("391 apples", "391개", "50%") do not matter, except units (rule 9).
   Equal means `math.isclose` with rel_tol = abs_tol = numeric_tolerance, or 1e-9 when
   not given, except that without a numeric_tolerance a whole number of 2**24 or more in
   the task's own unit is compared exactly with the digits the task gives (1e-9 of
   7510504314610 would let 7510504314609 pass, and no float holds 12345678901234567891),
   scientific notation included ("7.51050431461e12" is 7510504314610, "7.51e12" is not).
   A decimal comma ("3,5") is not 3.5, nor is "1 234" one number.
9. Units. Where the task declares `unit`, the unit written after the number must make
   it right: the task's unit, a unit in the task's `conversions` (its value multiplied by
   the factor given there), or none (the prompt fixes the unit). Any other unit of
   `UNITS` fails the number, so "29,032 m" (the height in feet labelled metres) and
   "8.85 m" (the height in kilometres labelled metres) fail where "29,032 ft" and
   "8.849 km" pass. Units are recognised by the spellings in `UNITS`, the longest first;
   a word that is not one of them is not a unit. A bare "c" or "f" (and "ºc", a
   masculine ordinal for the degree sign) is Celsius or Fahrenheit.
10. Phrases. Any other alternative must occur in the part as a whole phrase: not preceded
   or followed by a letter or digit, so "seoul" does not match "Seoulite" and "4" is not
   found in "14"; nor followed by "hundred", "thousand", … or "and a half" ("nine" is
   not found in "nine hundred").
11. Korean. An alternative containing Hangul is matched with all whitespace ignored ("서 울"
   matches "서울"), preceded by a non-letter (or the start), and followed only by Korean
   particles and copulas, stacked or not, up to the next non-letter: 은 는 이 가 을 를 의
   에 에서 에게 께 한테 으로 로 와 과 랑 이랑 도 만 까지 부터 보다 처럼 입니다 이다 다 예요
   이에요 이야 야 요 이며 이고 인데 임, and the polite/past forms 이었다 였다 였습니다
   이었습니다 이라고 라고, and the honorifics 께서 님 (이)십니다 (이)셨습니다 (이)세요 (이)시다.
   So "서울입니다", "서울은요" and "수도는 서울이다." match "서울"; "서울특별시"
   does not (list it as an alternative where it is right), nor does "수도는서울" (a letter
   right before the match: "부산" must not be found in "서부산").
12. Ambiguous questions. A task that declares `competing` answers is matched on the
   whole region instead, brackets included (rules 3 to 7 do not apply): an accepted
   alternative (a phrase that names the ambiguity, "ambiguous", "depends on", "sucre and
   la paz") must occur, each competing answer must be named (any one of its spellings; a
   number by any number on the line equal to it or a whole-number range around it, "4 to
   7" naming 6), and no answer of `wrong` may be named. A name does not count where it
   is negated right where it stands: after "not", "…n't", "never", "neither", "nor",
   "rather than", "instead of" or "as opposed to" (with "the", "a", "is", "be" … between),
   or before "is wrong" and the other endings of rule 5 (the Korean ones after a particle
   too: "산타크루스가 아니라"). So a bare "ambiguous",
   "ambiguous: the Nile or the Yangtze" and "ambiguous: Sucre, not La Paz" fail, and
   "ambiguous: it is not settled whether the Nile or the Amazon is longer" passes.

`Match.rule` is "<region>:<how>", region one of boxed/answer_line/full and how one of
numeric/phrase/korean/competing/none; `Match.why` says what failed, when something did.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

DEFAULT_TOLERANCE = 1e-9
# The version of the text-scoring rules (this module and rubric.py): part of every text
# task's hash, so a bench begun under other rules is not resumed under these (its old and
# new scores could not be compared). Bump it with any change to how a reply scores.
RULES_VERSION = 4
_ANSWER_LINE = re.compile(
    r"^[\s>*_#-]*(?:final\s+answer|answer|정답|답)[\s*_]*[:：][\s*_]*(?P<rest>.*)$",
    re.IGNORECASE | re.MULTILINE,
)
# Digits glued to ASCII letters ("x2", "3rd"-like ids) are not numbers; Hangul counters
# ("391개") and units after a space are fine.
_NUMBER = re.compile(
    r"(?<![0-9A-Za-z.])[-+]?(?:\d{1,3}(?:,\d{3})+(?![0-9])|\d+)(?:\.\d+)?"
    r"(?:/\d+(?:\.\d+)?)?(?:e[-+]?\d+)?(?![0-9A-Za-z])"
    r"|(?<![0-9A-Za-z.])[-+]?\.\d+(?![0-9A-Za-z])"
)
_FRAC = re.compile(r"\\[dt]?frac\{([^{}]*)\}\{([^{}]*)\}")
_TEXT = re.compile(r"\\(?:text|mathrm|textbf)\{([^{}]*)\}")
_THIN_SPACE = re.compile(r"(?<=\d)\\,(?=\d)")
_MATH_DELIMITER = re.compile(r"\\[()\[\]]")
_SIZED_BRACKET = re.compile(r"\\(?:left|right)(?![a-zA-Z])")
_MARKS = re.compile(r"\*+|(?<!\w)_+|_+(?!\w)|`+")
# Not "<" or ">": "> 1703" is a bound (rule 8); "<1703>", a template's "<N>" filled in, is
# unwrapped as a pair (`_ANGLED`).
_EDGE = " \t\n.,;:!?\"'`()[]{}«»“”‘’「」『』。、·…"
_ANGLED = re.compile(r"<[^<>]*>")
# A markdown quote's ">" at the start of a reply's last line is not "more than".
_QUOTE = re.compile(r"^(?:\s*>(?!=))*")  # but ">= 1703" is a bound
_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_PARTICLES = sorted(
    {
        *"은 는 이 가 을 를 의 에 에서 에게 께 한테 으로 로 와 과 랑 이랑 도 만 까지 부터 보다 처럼".split(),
        *"입니다 이다 다 예요 이에요 이야 야 요 이며 이고 인데 임".split(),
        *"이었다 였다 였습니다 이었습니다 이라고 라고".split(),
        *"께서 님 이십니다 십니다 이셨습니다 셨습니다 이세요 세요 이시다 시다".split(),
    },
    key=len,
    reverse=True,
)

# Rule 9: each unit and the spellings that name it (after normalisation: case-folded).
UNITS: dict[str, tuple[str, ...]] = {
    "m": ("m", "metre", "metres", "meter", "meters", "미터"),
    "km": ("km", "kilometre", "kilometres", "kilometer", "kilometers", "킬로미터"),
    "cm": ("cm", "centimetre", "centimetres", "centimeter", "centimeters", "센티미터"),
    "mm": ("mm", "millimetre", "millimetres", "millimeter", "millimeters", "밀리미터"),
    "ft": ("ft", "foot", "feet", "피트"),
    "mi": ("mi", "mile", "miles", "마일"),
    "yd": ("yd", "yard", "yards", "야드"),
    "inch": ("inch", "inches", "인치"),
    "nmi": ("nmi", "nautical mile", "nautical miles"),
    "dm": ("dm", "decimetre", "decimetres", "decimeter", "decimeters"),
    "hm": ("hm", "hectometre", "hectometres", "hectometer", "hectometers"),
    "µm": ("µm", "μm", "micrometre", "micrometres", "micrometer", "micrometers", "micron"),
    "nm": ("nm", "nanometre", "nanometres", "nanometer", "nanometers"),
    "m2": ("m2", "m^2", "square metres", "square meters", "sq m"),
    "km2": ("km2", "km^2", "square kilometres", "square kilometers", "sq km"),
    "k": ("k", "kelvin", "kelvins", "켈빈"),
    # "ºc": a masculine ordinal for the degree sign, which NFKC turns into "oc".
    "°c": ("°c", "oc", "c", "degrees celsius", "degree celsius", "deg c", "celsius", "섭씨"),
    "°f": ("°f", "f", "degrees fahrenheit", "degree fahrenheit", "deg f", "fahrenheit", "화씨"),
    "°r": ("°r", "rankine", "degrees rankine"),
    "ms": ("ms", "millisecond", "milliseconds"),
    "s": ("s", "sec", "second", "seconds"),
    "m/s": ("m/s", "m/sec", "m s-1", "m·s-1", "ms-1", "metres per second", "meters per second"),
    "km/s": ("km/s", "km/sec", "kilometres per second", "kilometers per second"),
    "km/h": ("km/h", "kph", "kilometres per hour", "kilometers per hour"),
    "mi/s": ("mi/s", "miles per second", "mile per second"),
    "mph": ("mph", "mi/h", "miles per hour"),
}
_SPELLINGS = sorted(((s, u) for u, ss in UNITS.items() for s in ss), key=lambda p: -len(p[0]))
_UNIT_AFTER = re.compile(r"\s*(" + "|".join(re.escape(s) for s, _ in _SPELLINGS) + r")(?![^\W\d_])")
_GLUED_UNIT = re.compile(
    r"(?<=\d)(?=(?:" + "|".join(re.escape(s) for s, _ in _SPELLINGS) + r")(?![^\W\d_]))"
)

_ABBREVIATIONS = {"e.g", "i.e", "mt", "st", "dr", "mr", "mrs", "ms", "vs", "approx", "ca",
                  "jr", "sr", "u.s", "u.k", "etc", "cf", "no"}  # fmt: skip
_BREAK = re.compile(
    r"(?P<end>[.!?。])(?=\s|$)|[;；]|:\s|,\s|，|、|(?P<dash>\s*—\s*|\s+[-–]\s+)"
    r"|\s(?=(?:but|though|although|however|whereas)(?![^\W\d_]))"
)
_NEGATED_TAIL = re.compile(
    r"(?<![^\W\d_])(?:not|never|cannot|neither|nor|rather\s+than|instead\s+of|as\s+opposed\s+to"
    r"|[^\W\d_]+n['’]t)(?![^\W\d_]).*$"
)
_NEGATED_HEAD = re.compile(
    r"^.*?(?:(?<![^\W\d_])(?:(?:is|are|was|were)\s+(?:wrong|incorrect|false"
    r"|an?\s+(?:common\s+)?(?:mistake|misconception|myth))|wrongly"
    r"|(?:(?:is|are|was|were)\s+(?:not|never)|isn['’]t|aren['’]t|wasn['’]t|weren['’]t)\s+"
    r"(?:it|right|correct|true|(?:the\s+)?(?:right|correct)\s+answer|the\s+answer))"
    r"(?![^\W\d_])|(?:아니라|아니고|아닌|아님|아니다|아닙니다|아니에요))"
)
_HEDGE_SPLIT = re.compile(
    r"(?:^|\s)(?:or|either|vs\.?|versus|and/or|또는|혹은|아니면)(?=\s|$)|\s/\s"
    r"|(?<=[^\W\d_])/(?=[^\W\d_])|\s*[|&]\s*"
)
# A slash inside a unit ("m/s") is not a hedge.
_SLASHED_UNIT = re.compile("|".join(re.escape(s) for s, _ in _SPELLINGS if "/" in s))
_HEDGE_OPENER = re.compile(
    r"^(?:(?:but|though|although|and|while|whereas|however)\s+)?"
    r"(?:or|either|maybe|perhaps|possibly|alternatively|또는|혹은|아니면"
    r"|some\s+(?:\S+\s+){0,2}(?:say|says|claim|claims|argue|argues|count|counts|list|lists)"
    r"|others?\s+(?:say|says|claim|claims|argue|argues))(?![^\W\d_])"
)
# Rule 8: what makes a number not the value stated (a bound, an operand, a scale).
_BOUND_BEFORE = re.compile(
    r"(?:(?<![^\W\d_])(?:(?:more|less|fewer|greater|higher|lower)\s+than|at\s+(?:least|most)"
    r"|over|under|above|below|up\s+to)|[<>≤≥≲≳])\s*$"
)
_OPERATOR = re.compile(r"\s*(?:\+/-|\+-|\*\*|[+*×÷·^±])\s*")
_BOUND_AFTER = re.compile(
    r"\s*(?:or\s+(?:more|less|fewer|greater|higher|lower|above|below|over|under)"
    r"|hundred|thousand|million|billion|trillion)(?![^\W\d_])|\+(?!\s*\d)|[십백천만억조]"
)
# Rule 10: a phrase followed by one of these is part of a larger number ("nine hundred").
_NO_SCALE = r"(?!\s+(?:hundred|thousand|million|billion|trillion|and\s+a\s+half|point)\b)"
# Rule 7: words that take back what came before ("no" only as a word of its own: "no,").
_RETRACTION = re.compile(
    r"^(?:(?:(?:no|nope)(?=\s*(?:[.!,:;—–-]|$|wait|actually|i\s+mean))|wait|actually|correction|sorry|oops|hmm"
    r"|i\s+mean|on\s+second\s+thought|scratch\s+that|just\s+kidding|kidding)(?![^\W\d_])"
    r"[\s,.!:;—–-]*)+"
)
# Rule 6: words that, alone in a clause, assert nothing ("So,", "The answer is:").
_FILLER = {"so", "thus", "therefore", "hence", "well", "ok", "okay", "yes", "finally",
           "overall", "then", "now", "and", "also", "anyway", "in", "short", "summary",
           "conclusion", "sum", "total", "all", "the", "answer", "final", "is", "it", "it's",
           "its", "that", "this", "was", "be", "would", "will", "i", "think", "believe",
           "my"}  # fmt: skip
_COMPARATIVE = {"more", "less", "fewer", "greater", "higher", "lower"}
_NOT_A_CANDIDATE = {"so", "thereabouts", "thereabout", "about", "roughly", "more", "less",
                    "precisely", "exactly", "equivalently", "simply"}  # fmt: skip
_SIDES = re.compile(r"[=≈≡]")
# Rule 12: a name negated right where it stands ("not La Paz", "La Paz is wrong").
_DENIAL_BEFORE = (
    r"(?<![^\W\d_])(?:not|never|neither|nor|rather\s+than|instead\s+of|as\s+opposed\s+to"
    r"|[^\W\d_]+n['’]t)\s+(?:(?:the|a|an|be|is|it|at|in)\s+)*"
)
# After a name: the English endings, or the Korean ones with a particle between
# ("산타크루스가 아니라"), so no word boundary is required before them.
_DENIAL_AFTER = (
    r"(?:(?![^\W_])\s*(?:is|are|was|were)\s+(?:wrong|incorrect|false|an?\s+(?:common\s+)?"
    r"(?:mistake|misconception|myth))(?![^\W\d_])|(?:이|가|은|는)?\s*(?:아니라|아니고|아닌|아님"
    r"|아니다|아닙니다|아니에요))"
)


@dataclass(frozen=True)
class Match:
    """Whether a reply matched, what was compared, which alternative matched and how."""

    ok: bool
    normalised: str
    matched: str | None
    rule: str
    why: str = ""  # what failed: a hedge, a unit, a competing answer missing


@dataclass(frozen=True)
class _Quantity:
    token: str
    unit: str | None


@dataclass(frozen=True)
class _Accepted:
    """A task's accepted answers and how numbers are judged (rules 8 to 11)."""

    alternatives: tuple[tuple[str, str], ...]  # (as declared, normalised)
    tolerance: float | None = None
    unit: str | None = None
    conversions: Mapping[str, float] = field(default_factory=dict)

    @property
    def numeric(self) -> bool:
        return any(parse_number(n) is not None for _, n in self.alternatives)

    def factor(self, unit: str | None) -> float | None:
        """How many task units one of `unit` is; None when the unit makes it wrong."""
        if self.unit is None or unit is None or unit == self.unit:
            return 1.0
        return self.conversions.get(unit)

    def match(self, part: str) -> tuple[str, str] | None:
        """(alternative, how) for the first alternative the part is."""
        quantities = _part_quantities(part, self)
        for declared, alternative in self.alternatives:
            expected = parse_number(alternative)
            if expected is not None:
                if quantities and all(self._equal(q, alternative) for q in quantities):
                    return declared, "numeric"
            elif alternative and _phrase(part, alternative):
                return declared, "korean" if _HANGUL.search(alternative) else "phrase"
        return None

    def names(self, text: str) -> bool:
        """Whether text names an accepted answer (or any number, when one is accepted)."""
        if self.numeric and _NUMBER.search(_glue(text, self)):
            return True
        return any(_phrase(text, a) for _, a in self.alternatives if parse_number(a) is None)

    def _equal(self, quantity: _Quantity, alternative: str) -> bool:
        factor = self.factor(quantity.unit)
        if factor is None:
            return False
        return _numbers_equal(quantity.token, factor, alternative, self.tolerance)

    def why_not(self, part: str) -> str:
        """What made a part with the right-looking number fail: a unit or a range."""
        quantities = _part_quantities(part, self)
        bad = [q for q in quantities if self.factor(q.unit) is None]
        if bad:
            return f"unit {bad[0].unit!r} is neither the task's {self.unit!r} nor a conversion"
        if len(quantities) == 2:
            return "a range is a hedge: both ends must be accepted"
        if any(_not_a_value(side) for side in _SIDES.split(_glue(part, self))):
            return "a bound, an operand or a scale is not the value"
        return ""


def matches(
    response: str,
    accepted: Sequence[str],
    *,
    numeric_tolerance: float | None = None,
    unit: str | None = None,
    conversions: Mapping[str, float] | None = None,
    competing: Sequence[Sequence[str]] = (),
    wrong: Sequence[str] = (),
) -> Match:
    """Match a reply against accepted alternatives; see the module doc for every rule."""
    where, region = answer_region(response)
    text = normalise(region)
    task = _Accepted(
        tuple((a, normalise(a)) for a in accepted),
        numeric_tolerance,
        canonical_unit(unit) if unit else None,
        {canonical_unit(u): f for u, f in (conversions or {}).items()},
    )
    if competing:
        found, how, why = _ambiguous(text, task, competing, wrong)
    else:
        found, how, why = _single(text, task)
    return Match(found is not None, text, found, f"{where}:{how}", why)


def canonical_unit(spelling: str) -> str:
    """The `UNITS` key a spelling names ("K" → "k", "metres" → "m"); KeyError if none."""
    folded = normalise(spelling)
    for name, spellings in UNITS.items():
        if folded == name or folded in spellings:
            return name
    raise KeyError(spelling)


def answer_region(response: str) -> tuple[str, str]:
    """(where, text): the last boxed{…}, else the last Answer: line, else the last line."""
    boxed = _last_boxed(response)
    if boxed is not None:
        return "boxed", boxed
    lines = [m["rest"] for m in _ANSWER_LINE.finditer(response) if m["rest"].strip(_EDGE + "*_")]
    if lines:
        return "answer_line", lines[-1]
    said = [line for line in response.splitlines() if any(c.isalnum() for c in line)]
    return "full", _QUOTE.sub("", said[-1]) if said else ""


def _last_boxed(text: str) -> str | None:
    start = text.rfind("\\boxed{")
    if start < 0:
        return None
    depth, i = 1, start + len("\\boxed{")
    for j in range(i, len(text)):
        depth += {"{": 1, "}": -1}.get(text[j], 0)
        if depth == 0:
            return text[i:j]
    return text[i:]


# Rule 2: LaTeX commands for the symbols rules 8 and 9 read ("\\geq 1703" is a bound).
_LATEX_SYMBOLS = {"pm": "±", "times": "×", "cdot": "·", "div": "÷", "geq": "≥", "ge": "≥",
                  "geqslant": "≥", "leq": "≤", "le": "≤", "leqslant": "≤", "gt": ">", "lt": "<",
                  "approx": "≈", "equiv": "≡"}  # fmt: skip
_LATEX_SYMBOL = re.compile(
    r"\\(" + "|".join(sorted(_LATEX_SYMBOLS, key=len, reverse=True)) + r")(?![a-zA-Z])"
)
_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_TIMES_TEN = re.compile(
    r"(\d(?:\.\d+)?)\s*(?:×|\\times|\\cdot|x|\*|·)\s*10"
    r"(?:\^\{?\s*([-+−]?\d+)(?:\s*\})?|\*\*\s*([-+−]?\d+)|([⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+))"
)


def _scientific(match: re.Match[str]) -> str:
    exponent = match[2] or match[3] or match[4].translate(_SUPERSCRIPT)
    return f"{match[1]}e{exponent}"  # a "−" in it becomes "-" with the rest of the text


def normalise(text: str) -> str:
    """NFKC, case-fold, LaTeX and markdown marks removed, whitespace collapsed, edges stripped."""
    text = _TIMES_TEN.sub(_scientific, text)
    text = _FRAC.sub(r"\1/\2", text)
    text = _THIN_SPACE.sub("", _TEXT.sub(r"\1", text)).replace("\\,", " ")
    text = _SIZED_BRACKET.sub("", _MATH_DELIMITER.sub(" ", text))
    text = _LATEX_SYMBOL.sub(lambda m: _LATEX_SYMBOLS[m[1]], text)
    text = text.replace("\\%", "%").replace("$", "").replace(">=", "≥").replace("<=", "≤")
    text = unicodedata.normalize("NFKC", text).replace("\u2212", "-").casefold()
    text = _MARKS.sub("", text)
    return _strip_edges(" ".join(text.split()))


def _strip_edges(text: str) -> str:
    """Punctuation off both ends, and "<…>" around the whole, but not the point of a leading
    ".5" (an ellipsis before a number, "...391" or "…391", is not a point)."""
    core = text.strip(_EDGE)
    if _ANGLED.fullmatch(core):
        return _strip_edges(core[1:-1])
    lead = text[: len(text) - len(text.lstrip(_EDGE))]
    if lead.endswith(".") and not lead.endswith("..") and core[:1].isdigit():
        return "." + core
    return core


# Rules 3 to 7: what the answer line asserts.


def _single(text: str, task: _Accepted) -> tuple[str | None, str, str]:
    """(alternative, how, why) for a task with one right answer (rules 3 to 11)."""
    body, comments = _commentary(text)
    clauses = _clauses(body, keep=[n for _, n in task.alternatives if _BREAK.search(n)])
    first = _asserted(clauses, task)
    if first is None:
        return None, "none", "nothing asserted"
    index, asserted = first
    parts = _hedge_parts(asserted)
    parts += [p for c in (*clauses[index + 1 :], *comments) if (p := _hedged(c)) is not None]
    parts += _retracted(clauses[index + 1 :])
    parts += [p for comment in comments for p in _retracted(_clauses(comment))]
    judged = [(p, task.match(p)) for p in parts]
    found = judged[0][1]
    if found is None:
        return None, "none", task.why_not(parts[0])
    unaccepted = [p for p, r in judged if r is None]
    if unaccepted:
        return None, "none", f"hedge: {unaccepted[0]!r} is offered too and is not accepted"
    return found[0], found[1], ""


def _commentary(text: str) -> tuple[str, list[str]]:
    """(text without bracketed comments, the comments); an unclosed one runs to the end."""
    comments: list[str] = []
    inner = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]")
    while True:
        match = inner.search(text)
        if match is None:
            break
        comments.append(match[1] if match[1] is not None else match[2])
        text = text[: match.start()] + " " + text[match.end() :]
    for opener in ("(", "["):
        text, cut, rest = text.partition(opener)
        if cut:
            comments.append(rest)
    return text, [c.strip() for c in comments]


def _clauses(text: str, keep: Sequence[str] = ()) -> list[str]:
    """Rule 4: the text cut at sentence ends, semicolons, commas, dashes and "but"; never
    inside an occurrence of `keep` (an accepted answer such as "washington, d.c")."""
    kept = [(m.start(), m.end()) for k in keep for m in re.finditer(re.escape(k), text)]
    found, start = [], 0
    for match in _BREAK.finditer(text):
        if match["end"] and _abbreviation(text[: match.start()]):
            continue
        if match["dash"] and _between_numbers(text, match):
            continue
        if any(a <= match.start() < b for a, b in kept):
            continue
        found.append(text[start : match.start()])
        start = match.end()
    found.append(text[start:])
    return [_strip_edges(c) for c in found if _strip_edges(c)]


def _between_numbers(text: str, match: re.Match[str]) -> bool:
    """A dash between two numbers is a range, not a break (the dash takes the spaces)."""
    return text[: match.start()][-1:].isdigit() and text[match.end() :][:1].isdigit()


def _abbreviation(before: str) -> bool:
    """Whether the full stop after `before` ends an initial or an abbreviation ("Mt.")."""
    words = before.split()
    return bool(words) and (
        (len(words[-1]) == 1 and words[-1].isalpha()) or words[-1] in _ABBREVIATIONS
    )


def _unnegated(clause: str) -> tuple[str, bool]:
    """(the clause without its negated spans, whether one was removed): rule 5."""
    left = _NEGATED_TAIL.sub("", _NEGATED_HEAD.sub("", clause))  # each matches at most once
    return _strip_edges(left), left != clause


def _asserted(clauses: list[str], task: _Accepted) -> tuple[int, str] | None:
    """Rule 6: (index, text) of the first clause that asserts something."""
    for index, clause in enumerate(clauses):
        left, negated = _unnegated(clause)
        words = re.findall(r"[^\W_]+", left)
        if not words or all(w in _FILLER for w in words):
            continue
        if not negated or task.names(left):
            return index, left
    return None


def _hedge_parts(clause: str) -> list[str]:
    units = [(m.start(), m.end()) for m in _SLASHED_UNIT.finditer(clause)]
    cuts = [m for m in _HEDGE_SPLIT.finditer(clause)
            if not any(a <= m.start() < b for a, b in units)]  # fmt: skip
    edges = [0, *(e for m in cuts for e in (m.start(), m.end())), len(clause)]
    parts = [_strip_edges(clause[a:b]) for a, b in zip(edges[::2], edges[1::2], strict=True)]
    kept = [p for i, p in enumerate(parts) if p and (not _idiom(p) or _or_more(parts, i))]
    return kept or [clause]


def _or_more(parts: Sequence[str], index: int) -> bool:
    """ "9 or more" is a bound, offered as one more part; "more or less" is an idiom."""
    if index == 0 or parts[index] not in _COMPARATIVE:
        return False
    words = parts[index - 1].split()
    return not words or words[-1] not in _COMPARATIVE


def _hedged(clause: str) -> str | None:
    """Rule 7: the candidate a later clause or comment offers as a hedge, if it does."""
    part, opened = clause.strip(), False
    while (opener := _HEDGE_OPENER.match(part)) is not None:
        part, opened = _strip_edges(part[opener.end() :]), True
    if not opened:
        return None
    part = _unnegated(part)[0]
    return None if not part or _idiom(part) else part


def _retracted(clauses: Sequence[str]) -> list[str]:
    """Rule 7: what each retraction ("no,", "actually", "wait", "I mean") offers instead,
    in its own clause or the next one that asserts something."""
    parts, pending = [], False
    for clause in clauses:
        opener = _RETRACTION.match(clause)
        rest = _unnegated(clause[opener.end() :] if opener else clause)[0]
        pending = pending or opener is not None
        words = re.findall(r"[^\W_]+", rest)
        if pending and words and not all(w in _FILLER for w in words) and not _idiom(rest):
            parts.append(rest)
            pending = False
    return parts


def _idiom(part: str) -> bool:
    words = re.findall(r"[^\W_]+", part)
    return bool(words) and all(w in _NOT_A_CANDIDATE for w in words)


# Rules 8 and 9: numbers and units.


def _glue(text: str, task: _Accepted) -> str:
    """A space between a number and a unit glued to it, where the task has a unit."""
    return _GLUED_UNIT.sub(" ", text) if task.unit else text


def _quantities(side: str) -> list[list[_Quantity]]:
    """The numbers of one side with their units; a range is one entry of two."""
    found: list[list[_Quantity]] = []
    numbers, unit_end = [], 0
    for m in _NUMBER.finditer(side):
        if m.start() >= unit_end and _value(m.group()) is not None:  # not the 1 of "ms-1"
            numbers.append(m)
            unit = _UNIT_AFTER.match(side, m.end())
            unit_end = unit.end() if unit else m.end()
    i = 0
    while i < len(numbers):
        group = [numbers[i]]
        if i + 1 < len(numbers) and _joins_range(side, numbers[i], numbers[i + 1]):
            group.append(numbers[i + 1])
        last = _unit_after(side, group[-1].end())
        found.append([_Quantity(m.group(), _unit_after(side, m.end()) or last) for m in group])
        i += len(group)
    return found


def _joins_range(side: str, first: re.Match[str], second: re.Match[str]) -> bool:
    """Rule 8: "8,848–8,850", "9-10", "9 to 10", "7~8", "between 9 and 10"."""
    between = side[first.end() : second.start()]
    unit = _UNIT_AFTER.match(between)
    word = between[unit.end() if unit else 0 :].strip()
    if word == "and":
        return re.search(r"(?<![^\W\d_])between\s+$", side[: first.start()]) is not None
    return word in ("–", "—", "-", "~", "to")


def _unit_after(text: str, end: int) -> str | None:
    match = _UNIT_AFTER.match(text, end)
    return dict(_SPELLINGS)[match[1]] if match else None


def _part_quantities(part: str, task: _Accepted) -> list[_Quantity]:
    """Rule 8: the quantity a part states (two for a range), [] when it has no number."""
    sides = [_quantities(s) for s in _SIDES.split(_glue(part, task)) if not _not_a_value(s)]
    single = [q[0] for q in sides if len(q) == 1]
    if single:
        fitting = [q for q in single if all(task.factor(x.unit) is not None for x in q)]
        return (fitting or single)[-1]
    numbered = [q for q in sides if q]
    return numbered[-1][0] if numbered else []


def _not_a_value(side: str) -> bool:
    """Rule 8: a side whose first number is a bound ("more than 9", "9 or more", "9 ± 1"),
    an operand ("9 + 1", "9^2") or a count of a scale ("9 thousand", "9천")."""
    first = next((m for m in _NUMBER.finditer(side) if _value(m.group()) is not None), None)
    if first is None:
        return False
    if _BOUND_BEFORE.search(side[: first.start()]):
        return True
    unit = _UNIT_AFTER.match(side, first.end())
    after = side[unit.end() if unit else first.end() :]
    operand = _OPERATOR.match(after)
    if operand and _NUMBER.match(after, operand.end()):
        return True
    return _BOUND_AFTER.match(after) is not None


def parse_number(text: str) -> float | None:
    """The value of text when it is exactly one number (see rule 8), else None."""
    found = list(_NUMBER.finditer(text))
    if len(found) != 1 or found[0].group().strip() != _strip_edges(text.strip()):
        return None
    return _value(found[0].group())


def _value(token: str) -> float | None:
    token = token.replace(",", "")
    try:
        if "/" in token and "e" not in token:
            num, den = token.split("/")
            return float(Fraction(num) / Fraction(den))
        return float(token)
    except (ValueError, ZeroDivisionError):
        return None


def _numbers_equal(token: str, factor: float, expected: str, tol: float | None) -> bool:
    """Whether a reply's number times its unit's factor is the accepted number `expected`
    (its text): exactly for a whole number of 2**24 or more without a tolerance, else
    within the tolerance."""
    value, want = _value(token), _value(expected)
    if value is None or want is None:  # never: both were read as numbers already
        return False
    if tol is None and factor == 1.0 and want.is_integer() and abs(want) >= 2**24:
        # A large whole number is compared exactly, with the digits the task wrote: a
        # float's 1e-9 would let 7510504314609 pass for 7510504314610, and above 2**53 a
        # float cannot tell neighbouring whole numbers apart at all (20! is 19 digits).
        exact = _exact(expected)
        return exact is not None and _exact(token) == exact
    tol = DEFAULT_TOLERANCE if tol is None else tol
    return math.isclose(value * factor, want, rel_tol=tol, abs_tol=tol)


def _exact(token: str) -> Fraction | None:
    """The exact value of a number token ("7.51050431461e12" too), None for one that
    `Fraction` cannot read ("1/2.5")."""
    try:
        return Fraction(token.replace(",", ""))
    except (ValueError, ZeroDivisionError):
        return None


# Rules 10 and 11: phrases and Korean.


def _phrase(text: str, alternative: str) -> bool:
    if _HANGUL.search(alternative):
        return _korean(text, alternative)
    return re.search(rf"(?<![^\W_]){re.escape(alternative)}(?![^\W_]){_NO_SCALE}", text) is not None


def _korean(text: str, alternative: str) -> bool:
    """Whitespace ignored; particles and copulas allowed after the match (rule 11)."""
    target = "".join(alternative.split())
    compact, origin = _compact(text)
    for found in re.finditer(f"(?={re.escape(target)})", compact):  # overlapping ones too
        left = origin[found.start()] - 1
        if left < 0 or not _is_letter(text[left]):
            end = origin[found.start() + len(target) - 1] + 1
            if _only_particles(_word_rest(text, end)):
                return True
    return False


def _compact(text: str) -> tuple[str, list[int]]:
    """Text without whitespace, and each kept character's index in the original."""
    kept = [(i, c) for i, c in enumerate(text) if not c.isspace()]
    return "".join(c for _, c in kept), [i for i, _ in kept]


def _is_letter(char: str) -> bool:
    return char.isalnum()


def _word_rest(text: str, end: int) -> str:
    rest = ""
    for char in text[end:]:
        if not _is_letter(char):
            break
        rest += char
    return rest


def _only_particles(rest: str) -> bool:
    if not rest:
        return True
    return any(rest.startswith(p) and _only_particles(rest[len(p) :]) for p in _PARTICLES)


# Rule 12: ambiguous questions.


def _ambiguous(
    text: str, task: _Accepted, competing: Sequence[Sequence[str]], wrong: Sequence[str]
) -> tuple[str | None, str, str]:
    """(marker, how, why): the ambiguity named, every competing answer, no wrong one."""
    names = [normalise(n) for n in (*(s for c in competing for s in c), *wrong)]
    asserted = _without_denied(text, names)
    marker = next((a for a, n in task.alternatives if n and _phrase(asserted, n)), None)
    if marker is None:
        return None, "none", "the ambiguity is not named"
    missing = [c[0] for c in competing if not any(_names(asserted, s, task) for s in c)]
    if missing:
        return None, "none", f"competing answer {missing[0]!r} is not named"
    named = [w for w in wrong if _names(asserted, w, task)]
    if named:
        return None, "none", f"wrong answer {named[0]!r} is named"
    return marker, "competing", ""


def _without_denied(text: str, names: Sequence[str]) -> str:
    """Rule 12: the text without each mention of a name that is directly negated."""
    for name in sorted(names, key=len, reverse=True):
        mention = rf"(?<![^\W_]){re.escape(name)}"
        text = re.sub(rf"{_DENIAL_BEFORE}{mention}(?![^\W_])", " ; ", text)
        text = re.sub(rf"{mention}{_DENIAL_AFTER}", " ; ", text)
    return text


def _names(text: str, spelling: str, task: _Accepted) -> bool:
    """Whether text names one spelling of an answer; a number by any equal number on the
    line or a whole-number range around it."""
    wanted = normalise(spelling)
    expected = parse_number(wanted)
    if expected is None:
        return _phrase(text, wanted)
    return any(_covers(group, wanted, expected, task.tolerance) for group in _quantities(text))


def _covers(group: list[_Quantity], wanted: str, expected: float, tol: float | None) -> bool:
    if any(_numbers_equal(q.token, 1.0, wanted, tol) for q in group):
        return True
    ends = [v for q in group if (v := _value(q.token)) is not None and v.is_integer()]
    return len(ends) == 2 and min(ends) <= expected <= max(ends)
