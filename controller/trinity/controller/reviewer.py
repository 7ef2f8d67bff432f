"""The reviewer of a pair: what it is asked (a prompt file) and what it answered (a verdict).

Prompts. Two ship in the package (`reviewer_prompts/*.md`): `empowered` ("review this
code: you are empowered to fail it") and `verify` ("verify that this code works"); any
other file may replace them. A prompt file holds the instructions; the task and the code
go where it writes `{task}` and `{code}`, or after it when it does not, and the verdict
format (VERDICT_FORMAT) always follows, the same for every prompt, so two prompts differ
only in how they frame the review. A prompt's hash (sha256 of the file's text, 16 hex
digits) is stored with every review it produced.

Verdicts. The reply is read tolerantly: reasoning is split off first (as for code), then
the last ```json (or unlabelled) fenced block holding an object with a "verdict" key, else
the last such object anywhere in the text, repaired when it is sloppy or cut off
(json-repair: single quotes, bare words, missing braces), else a line "Verdict: PASS".
The verdict must then read PASS or FAIL (any case); anything else, or nothing, is
*unparsed*: counted apart and never taken for an approval. Findings are kept as given,
each field defaulted when missing or malformed.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import tokenize
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import json_repair
from trinity.controller.errors import SelectionError
from trinity.controller.extract import split_reasoning

BUILTIN_PROMPTS = ("empowered", "verify")
VERDICTS = ("PASS", "FAIL")
CATEGORIES = ("logic", "edge-case", "error-handling", "spec", "performance", "style", "other")
VERDICT_FORMAT = """
Reply with your verdict as one JSON object in a ```json block, in this shape:
{"verdict": "PASS or FAIL", "findings": [{"line": 1, "category": "logic", "severity": "high", "message": "what is wrong"}]}
- "verdict": "PASS" when the code does everything the task asks, "FAIL" when it does not.
- "findings": every problem you found (an empty list when there is none). "line" is the
  line of the code it is on (a number, or null), "category" one of: logic, edge-case,
  error-handling, spec, performance, style, other; "severity": high, medium or low.
"""
_FENCE = re.compile(
    r"^[ \t]*(`{3,}|~{3,})[ \t]*([\w+-]*)[^\n]*\n(.*?)^[ \t]*\1[ \t]*$", re.M | re.S
)
_VERDICT_KEY = re.compile(r'\{\s*["\']?verdict\b|["\']verdict["\']\s*:', re.I)
_VERDICT_LINE = re.compile(r'^[\W_]*verdict[\W_]*[:=][\s*"\']*(PASS|FAIL)[\s*"\'.]*$', re.I | re.M)


@dataclass(frozen=True)
class ReviewerPrompt:
    """One way of asking for a review: a name (built-in or the file's stem) and its text."""

    name: str
    text: str

    @property
    def hash(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()[:16]

    def render(self, task: str, code: str) -> str:
        """The reviewer's message: instructions with the task and code, then the format."""
        block = f"```python\n{code.rstrip()}\n```"
        if "{task}" in self.text or "{code}" in self.text:
            body = self.text.replace("{task}", task.strip()).replace("{code}", block)
        else:
            body = (
                f"{self.text.rstrip()}\n\n## The task\n\n{task.strip()}\n\n## The code\n\n{block}"
            )
        return f"{body.rstrip()}\n{VERDICT_FORMAT}"


def without_comments(code: str) -> str:
    """Code with its comments removed (a line left empty by that goes too): a planted
    bug's `# forgot to sort` must not tell a reviewer where to look. Docstrings stay.
    Code that does not tokenize is returned as it is."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError):
        return code
    lines = code.splitlines()
    cut = {t.start[0] - 1: t.start[1] for t in tokens if t.type == tokenize.COMMENT}
    kept = []
    for number, line in enumerate(lines):
        if number in cut:
            line = line[: cut[number]].rstrip()
            if not line:
                continue
        kept.append(line)
    return "\n".join(kept) + "\n"


def builtin_prompt(name: str) -> ReviewerPrompt:
    text = resources.files("trinity.controller").joinpath(f"reviewer_prompts/{name}.md")
    return ReviewerPrompt(name, text.read_text(encoding="utf-8"))


def load_prompts(value: str) -> tuple[ReviewerPrompt, ...]:
    """--reviewer-prompt: built-in names or files, comma-separated, each once."""
    parts = [p.strip() for p in value.split(",") if p.strip()]
    if not parts:
        raise SelectionError(
            f"--reviewer-prompt {value!r}: name a prompt ({', '.join(BUILTIN_PROMPTS)}) or a file"
        )
    prompts = tuple(_one_prompt(p) for p in parts)
    names = [p.name for p in prompts]
    if len(set(names)) != len(names):
        raise SelectionError(f"--reviewer-prompt {value!r}: two prompts named {_twice(names)!r}",
                             hint="give each prompt file a different name")  # fmt: skip
    return prompts


def _one_prompt(value: str) -> ReviewerPrompt:
    if value in BUILTIN_PROMPTS:
        return builtin_prompt(value)
    path = Path(value).expanduser()
    if not path.is_file():
        raise SelectionError(
            f"--reviewer-prompt {value!r} is neither a built-in prompt nor a file",
            hint=f"built-in prompts: {', '.join(BUILTIN_PROMPTS)}",
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SelectionError(f"--reviewer-prompt {value}: cannot read it ({exc})") from exc
    if not text.strip():
        raise SelectionError(f"--reviewer-prompt {value}: the file is empty")
    if path.stem in BUILTIN_PROMPTS:
        raise SelectionError(
            f"--reviewer-prompt {value}: rename it; {path.stem!r} is a built-in prompt's name"
        )
    return ReviewerPrompt(path.stem, text)


def _twice(names: list[str]) -> str:
    return next(n for n in names if names.count(n) > 1)


@dataclass(frozen=True)
class Finding:
    line: int | None
    category: str
    severity: str
    message: str


@dataclass(frozen=True)
class Review:
    """What a reviewer said: PASS, FAIL or None (unparsed), its findings, the rule that read it."""

    verdict: str | None
    findings: tuple[Finding, ...]
    rule: str  # fenced_json | inline_json | verdict_line | none

    @property
    def unparsed(self) -> bool:
        return self.verdict is None

    @property
    def approved(self) -> bool:
        return self.verdict == "PASS"

    @property
    def rejected(self) -> bool:
        return self.verdict == "FAIL"

    def as_details(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "unparsed": self.unparsed,
            "verdict_rule": self.rule,
            "findings": [f.__dict__ for f in self.findings],
        }


UNPARSED = Review(None, (), "none")


def parse_review(text: str, reasoning: str = "") -> Review:
    """A reviewer's reply → its Review (see the module doc for the rules, in order)."""
    answer = split_reasoning(text, reasoning).answer
    fenced = [m.group(3) for m in _FENCE.finditer(answer) if m.group(2).lower() in ("", "json")]
    for rule, spans in (("fenced_json", fenced), ("inline_json", [answer])):
        found = [r for span in spans for r in _objects(span)]
        if found:
            return _review(found[-1], rule)
    line = _VERDICT_LINE.findall(answer)
    return Review(line[-1].upper(), (), "verdict_line") if line else UNPARSED


def _objects(text: str) -> list[dict[str, Any]]:
    """Every object with a readable verdict in text, in order: the well-formed ones, else
    the sloppy or cut-off ones, repaired."""
    strict = []
    decoder, at = json.JSONDecoder(), text.find("{")
    while at >= 0:
        try:
            value, end = decoder.raw_decode(text, at)
        except ValueError:
            value, end = None, at + 1
        if isinstance(value, dict) and _verdict(value) is not None:
            strict.append(value)
        at = text.find("{", end if value is not None else at + 1)
    if strict:
        return strict
    starts = {text.rfind("{", 0, m.end()) for m in _VERDICT_KEY.finditer(text)} - {-1}
    repaired = [_repair(text[start:]) for start in sorted(starts)]
    return [v for v in repaired if v is not None and _verdict(v) is not None]


def _repair(text: str) -> dict[str, Any] | None:
    value = json_repair.loads(text)
    if isinstance(value, list):  # the object, then what followed it
        value = next((v for v in value if isinstance(v, dict)), None)
    return value if isinstance(value, dict) else None


def _verdict(value: dict[str, Any]) -> str | None:
    raw = next((v for k, v in value.items() if str(k).lower() == "verdict"), None)
    word = raw.strip().upper() if isinstance(raw, str) else None
    return word if word in VERDICTS else None


def _review(value: dict[str, Any], rule: str) -> Review:
    raw = value.get("findings")
    items = raw if isinstance(raw, list) else []
    return Review(_verdict(value), tuple(_finding(f) for f in items if isinstance(f, dict)), rule)


def _finding(value: dict[str, Any]) -> Finding:
    line = value.get("line")
    if isinstance(line, str) and line.strip().isdigit():
        line = int(line)
    category = str(value.get("category") or "other").strip().lower().replace(" ", "-")
    return Finding(
        line if isinstance(line, int) and not isinstance(line, bool) else None,
        category[:40] or "other",
        str(value.get("severity") or "").strip().lower()[:20],
        str(value.get("message") or "")[:2000],
    )
