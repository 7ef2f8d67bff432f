r"""Matching an `answer`-kind reply against a task's accepted alternatives.

Every rule, in the order applied:

1. Region. The last `\boxed{…}` (braces balanced) if there is one; else the last line
   starting "Answer:", "Final answer:", "정답:" or "답:" (any case, markdown bold allowed),
   the text after the colon; else the whole reply. Only the region is searched: prose
   elsewhere ("it could be 17 … the answer is 391") cannot make a wrong final answer pass.
2. Normalisation (of the region and of each alternative alike): Unicode NFKC (full-width
   digits and letters become ASCII), U+2212 minus becomes "-", case-fold, markdown
   emphasis and code marks (`*`, `_` pairs, backticks) removed, LaTeX simplified
   (`$` dropped, `\frac{a}{b}` read as a/b, `\text{x}` as x, `\,` removed), whitespace collapsed,
   surrounding punctuation and quotes stripped. `Match.normalised` is the normalised region.
3. Numbers. An alternative that is a number (after normalisation) is compared numerically
   with the first and with the last number in the region; either equal is a match, so
   "391", "391.0", "= 391", "391 apples", "17 × 23 = 391" and "391. Because …" all match
   391. Numbers may carry a sign, comma thousands separators ("1,234,567", groups of
   three), decimals, scientific notation ("1.5e3", and "3 × 10^8", "3 x 10**8", "3×10⁸",
   "3 \times 10^{8}", read as 3e8 before NFKC could turn "10⁸" into "108") or be a simple
   fraction ("3/4" equals 0.75). Units or words after the number are ignored ("391
   apples", "391개", "50%"), but digits glued to ASCII letters ("x2", "3rd") are not read
   as numbers. Equal means `math.isclose` with rel_tol = abs_tol = numeric_tolerance, or
   1e-9 when not given, except that without a numeric_tolerance a whole number of 2**24
   or more is compared exactly (1e-9 of 7510504314610 would let 7510504314609 pass). A
   decimal comma ("3,5") is not 3.5, nor is "1 234" one number.
4. Phrases. Any other alternative must occur in the region as a whole phrase: not preceded
   or followed by a letter or digit, so "seoul" does not match "Seoulite" and "4" is not
   found in "14". An ambiguous question lists the phrases that name the ambiguity
   ("ambiguous", "depends on", …) as alternatives; they follow the same rule. A negation
   around the phrase ("not Seoul") is not detected.
5. Korean. An alternative containing Hangul is matched with all whitespace ignored ("서 울"
   matches "서울"), preceded by a non-letter (or the start), and followed only by Korean
   particles and copulas, stacked or not, up to the next non-letter: 은 는 이 가 을 를 의
   에 에서 에게 께 한테 으로 로 와 과 랑 이랑 도 만 까지 부터 보다 처럼 입니다 이다 다 예요
   이에요 이야 야 요 이며 이고 인데 임, and the polite/past forms 이었다 였다 였습니다
   이었습니다 이라고 라고, and the honorifics 께서 님 (이)십니다 (이)셨습니다 (이)세요 (이)시다.
   So "서울입니다", "서울은요" and "수도는 서울이다." match "서울"; "서울특별시"
   does not (list it as an alternative where it is right), nor does "수도는서울" (a letter
   right before the match: "부산" must not be found in "서부산").

`Match.rule` is "<region>:<how>", region one of boxed/answer_line/full and how one of
numeric/phrase/korean/none.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

DEFAULT_TOLERANCE = 1e-9
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
_MARKS = re.compile(r"\*+|(?<!\w)_+|_+(?!\w)|`+")
_EDGE = " \t\n.,;:!?\"'`()[]{}<>«»“”‘’「」『』。、·…"
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


@dataclass(frozen=True)
class Match:
    """Whether a reply matched, what was compared, which alternative matched and how."""

    ok: bool
    normalised: str
    matched: str | None
    rule: str


def matches(
    response: str, accepted: Sequence[str], *, numeric_tolerance: float | None = None
) -> Match:
    """Match a reply against accepted alternatives; see the module doc for every rule."""
    where, region = answer_region(response)
    text = normalise(region)
    for alternative in accepted:
        how = _match_one(text, normalise(alternative), numeric_tolerance)
        if how:
            return Match(True, text, alternative, f"{where}:{how}")
    return Match(False, text, None, f"{where}:none")


def answer_region(response: str) -> tuple[str, str]:
    """(where, text): the last boxed{…}, else the last Answer: line, else everything."""
    boxed = _last_boxed(response)
    if boxed is not None:
        return "boxed", boxed
    lines = [m["rest"] for m in _ANSWER_LINE.finditer(response) if m["rest"].strip(_EDGE + "*_")]
    if lines:
        return "answer_line", lines[-1]
    return "full", response


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


_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_TIMES_TEN = re.compile(
    r"(\d(?:\.\d+)?)\s*(?:×|\\times|\\cdot|x|\*|·)\s*10"
    r"(?:\^\{?\s*([-+−]?\d+)(?:\s*\})?|\*\*\s*([-+−]?\d+)|([⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+))"
)


def _scientific(match: re.Match[str]) -> str:
    exponent = match[2] or match[3] or match[4].translate(_SUPERSCRIPT)
    return f"{match[1]}e{exponent.replace('−', '-')}"


def normalise(text: str) -> str:
    """NFKC, case-fold, LaTeX and markdown marks removed, whitespace collapsed, edges stripped."""
    text = _TIMES_TEN.sub(_scientific, text)
    text = _FRAC.sub(r"\1/\2", text)
    text = _TEXT.sub(r"\1", text).replace("\\,", "").replace("\\%", "%").replace("$", "")
    text = unicodedata.normalize("NFKC", text).replace("\u2212", "-").casefold()
    text = _MARKS.sub("", text)
    return _strip_edges(" ".join(text.split()))


def _strip_edges(text: str) -> str:
    """Punctuation off both ends, but not the point of a leading ".5"."""
    text = text.rstrip(_EDGE)
    while True:
        text = text.lstrip(_EDGE.replace(".", ""))
        if not text.startswith(".") or text[1:2].isdigit():
            return text
        text = text[1:]


def _match_one(text: str, alternative: str, tol: float | None) -> str:
    if not alternative:
        return ""
    expected = parse_number(alternative)
    if expected is not None:
        return "numeric" if _numeric(text, expected, tol) else ""
    if _HANGUL.search(alternative):
        return "korean" if _korean(text, alternative) else ""
    pattern = rf"(?<![^\W_]){re.escape(alternative)}(?![^\W_])"
    return "phrase" if re.search(pattern, text) else ""


def parse_number(text: str) -> float | None:
    """The value of text when it is exactly one number (see rule 3), else None."""
    found = list(_NUMBER.finditer(text))
    if len(found) != 1 or found[0].group().strip() != _strip_edges(text.strip()):
        return None
    return _value(found[0].group())


def _value(token: str) -> float | None:
    token = token.replace(",", "").replace(" ", "")
    try:
        if "/" in token and "e" not in token:
            num, den = token.split("/")
            return float(Fraction(num) / Fraction(den))
        return float(token)
    except (ValueError, ZeroDivisionError):
        return None


def _numeric(text: str, expected: float, tol: float | None) -> bool:
    tokens = [m.group() for m in _NUMBER.finditer(text) if _value(m.group()) is not None]
    if not tokens:
        return False
    ends = (tokens[0], tokens[-1])
    if tol is None and expected.is_integer() and abs(expected) >= 2**24:
        # A large whole number is compared exactly: a float's 1e-9 would let
        # 7510504314609 pass for 7510504314610 (and above 2**53 floats cannot tell them
        # apart at all).
        want = _exact(f"{expected:.0f}") if abs(expected) < 2**53 else None
        return any(_exact(t) is not None and _exact(t) == want for t in ends)
    tol = DEFAULT_TOLERANCE if tol is None else tol
    return any(math.isclose(v, expected, rel_tol=tol, abs_tol=tol)
               for t in ends if (v := _value(t)) is not None)  # fmt: skip


def _exact(token: str) -> Fraction | None:
    token = token.replace(",", "").replace(" ", "")
    try:
        if "e" in token:
            return None
        if "/" in token:
            num, den = token.split("/")
            return Fraction(num) / Fraction(den)
        return Fraction(token)
    except (ValueError, ZeroDivisionError):
        return None


def _korean(text: str, alternative: str) -> bool:
    """Whitespace ignored; particles and copulas allowed after the match (rule 5)."""
    target = "".join(alternative.split())
    compact, origin = _compact(text)
    start = compact.find(target)
    while start >= 0:
        left = origin[start] - 1
        if left < 0 or not _is_letter(text[left]):
            end = origin[start + len(target) - 1] + 1
            if _only_particles(_word_rest(text, end)):
                return True
        start = compact.find(target, start + 1)
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
